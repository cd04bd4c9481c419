"""`vazeh capture --max-seconds`: the whole exchange's deadline, apart from --timeout's head deadline."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vazeh.archive import open_archive
from vazeh.cli import app

runner = CliRunner()


def _hostile_module():
    name = "vazeh_tests_hostile_server"
    if name not in sys.modules:
        path = Path(__file__).parents[1] / "hostile" / "hostile_server.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the class is made
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture
def hostile() -> Iterator:
    server = _hostile_module().serve_hostile("127.0.0.1", 0)
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.timeout(60)
def test_max_seconds_cuts_a_dripping_body_long_before_four_timeouts(home, hostile):
    # --timeout 20 alone would let the body drip for 80 s; --max-seconds 1 cuts it.
    url = hostile.base_url + "/drip/body?interval=0.2&seconds=50"
    result = runner.invoke(app, [
        "capture", url, "--timeout", "20", "--max-seconds", "1", "--retries", "0",
        "--allow-private", "--rate", "100", "--no-extract",
    ], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "truncated 1" in result.output
    with open_archive(home) as archive:
        [cap] = archive.captures(url)
        assert archive.read_response(cap).raw_body.startswith(b"<html><body><p>a")
        assert archive.read_record(cap).rec_headers.get_header("WARC-Truncated") == "time"


@pytest.mark.parametrize("args", [["--max-seconds", "0"], ["--timeout", "-1"]])
def test_deadlines_must_be_positive(home, args):
    result = runner.invoke(app, ["capture", "http://127.0.0.1:9/", *args, "--no-extract"])
    assert result.exit_code != 0
    assert "must be more than 0 seconds" in result.output
