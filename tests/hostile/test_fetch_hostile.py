"""The capture side against a hostile server (issue #12): every case ends within its
deadline with a clear error, or a counted and reported skip or cut, never a traceback.

The server (hostile_server.py, next to this file) runs on 127.0.0.1 with an
ephemeral port. Elapsed times are only compared with generous multiples of the
configured deadline, to catch hangs, never to measure speed.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vazeh.archive import open_archive
from vazeh.capture import FetchConfig, capture_urls, guard
from vazeh.cli import app


def _load_server_module():
    name = "vazeh_tests_hostile_server"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("hostile_server.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


hs = _load_server_module()
runner = CliRunner()


@pytest.fixture(scope="module")
def hostile() -> Iterator:
    server = hs.serve_hostile("127.0.0.1", 0)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_hostile() -> Iterator:
    """A server of its own, so a test can assert that nothing at all reached it."""
    server = hs.serve_hostile("127.0.0.1", 0)
    try:
        yield server
    finally:
        server.stop()


def _config(**kw) -> FetchConfig:
    return FetchConfig(**{"allow_private": True, "rate": 100.0, "backoff": 0.01, "retries": 0, "timeout": 2.0, **kw})


def _timed_capture(archive, url: str, config: FetchConfig):
    started = time.monotonic()
    report = capture_urls(archive, [url], config)
    return report, time.monotonic() - started


def vazeh(*args: str):
    # catch_exceptions=False: a traceback anywhere in the command fails the test.
    return runner.invoke(app, list(args), catch_exceptions=False)


# ---------------------------------------------------------------------- deadlines (item 8)
@pytest.mark.timeout(120)
def test_dripping_headers_end_at_the_attempt_deadline(archive, hostile):
    url = hostile.base_url + "/drip/headers?interval=0.5&seconds=60"
    report, elapsed = _timed_capture(archive, url, _config(timeout=2.0))
    assert report.failed == 1 and report.captured == 0
    assert "AttemptTimeout" in report.errors[0] and "within 2 s" in report.errors[0]
    assert elapsed < 3 * 2.0, f"the 2 s head deadline held for {elapsed:.1f} s"


@pytest.mark.timeout(120)
def test_dripping_headers_with_retries_are_bounded_by_every_attempt_deadline(archive, hostile):
    url = hostile.base_url + "/drip/headers?interval=0.5&seconds=60"
    report, elapsed = _timed_capture(archive, url, _config(timeout=1.0, retries=2))
    assert report.failed == 1 and "AttemptTimeout" in report.errors[0]
    assert elapsed < 3 * 3 * 1.0, f"three 1 s attempts took {elapsed:.1f} s"


@pytest.mark.timeout(120)
def test_a_dripping_body_is_cut_at_the_exchange_deadline_and_archived_as_truncated(archive, hostile):
    url = hostile.base_url + "/drip/body?interval=0.3&seconds=60"
    # max_seconds defaults to 4 x timeout: `--timeout 1` bounds the exchange at 4 s.
    report, elapsed = _timed_capture(archive, url, _config(timeout=1.0))
    assert report.captured == 1 and report.truncated == 1 and report.failed == 0
    [cap] = archive.captures(url)
    assert archive.read_record(cap).rec_headers.get_header("WARC-Truncated") == "time"
    assert archive.read_response(cap).body.startswith(b"<html><body><p>a")
    assert elapsed < 3 * 4.0, f"the 4 s exchange deadline held for {elapsed:.1f} s"


@pytest.mark.timeout(120)
def test_cli_capture_with_a_short_timeout_is_not_held_by_a_dripping_server(home, hostile):
    url = hostile.base_url + "/drip/headers?interval=0.5&seconds=60"
    started = time.monotonic()
    result = vazeh("capture", url, "--timeout", "2", "--retries", "0", "--allow-private", "--rate", "100", "--no-extract")
    elapsed = time.monotonic() - started
    assert result.exit_code == 1 and "failed 1" in result.output
    assert "AttemptTimeout" in result.output and url in result.output
    assert elapsed < 3 * 2.0, f"`vazeh capture --timeout 2` took {elapsed:.1f} s"


# ---------------------------------------------------------------------- redirects
@pytest.mark.timeout(60)
@pytest.mark.parametrize("path", ["/loop", "/loop/a"])
def test_redirect_loops_fail_with_a_reason(archive, hostile, path):
    report, _ = _timed_capture(archive, hostile.base_url + path, _config(max_redirects=4))
    assert report.failed == 1 and "more than 4 redirects" in report.errors[0]
    assert report.redirects == 5  # each hop fetched is archived, as for any redirect


# ---------------------------------------------------------------------- odd header bytes
@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", sorted(hs.ODD))
def test_odd_responses_end_in_a_capture_or_a_reported_skip(home, hostile, case):
    url = hostile.base_url + "/odd/" + case
    result = vazeh("capture", url, "--timeout", "5", "--retries", "0", "--allow-private", "--rate", "100", "--no-extract")
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        # A page not saved is named, with a reason after it.
        line = next(ln for ln in result.output.splitlines() if "not saved" in ln)
        assert url in line and line.split(url, 1)[1].strip(": ")
    else:
        assert "captured 1" in result.output or "redirects 1" in result.output


@pytest.mark.timeout(60)
def test_obs_text_in_a_header_value_is_archived_and_read_back(archive, hostile):
    url = hostile.base_url + "/odd/utf8-value"
    report = capture_urls(archive, [url], _config())
    assert report.captured == 1, report.errors
    [cap] = archive.captures(url)
    assert archive.read_response(cap).body == b"ok"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case, reason, hops", [
    # httpx reads Location while receiving the head and rejects these itself.
    ("bad-location", "Invalid URL in location header", 0),
    ("ctl-location", "Invalid URL in location header", 0),
    ("file-location", "not an http(s) URL", 1),
])
def test_a_bad_location_header_is_a_reported_failure(archive, hostile, case, reason, hops):
    report = capture_urls(archive, [hostile.base_url + "/odd/" + case], _config())
    assert report.failed == 1 and reason in report.errors[0]
    assert report.redirects == hops


# ---------------------------------------------------------------------- DNS rebinding (item 9)
def _only_127_0_0_2_is_public(monkeypatch):
    real = guard.refusal
    monkeypatch.setattr(guard, "refusal", lambda ip: None if str(ip) == "127.0.0.2" else real(ip))


@pytest.mark.timeout(60)
def test_rebinding_between_the_check_and_the_connect_never_reaches_the_private_server(archive, fresh_hostile, monkeypatch):
    # The guard's lookup says 127.0.0.2 (counted as public for this test, and nothing
    # listens there); the system resolver says localhost is 127.0.0.1, where the
    # private server listens. A fetcher that resolves twice sends its GET there.
    _only_127_0_0_2_is_public(monkeypatch)

    async def checked(host, port):
        return ["127.0.0.2"]

    monkeypatch.setattr(guard, "resolve", checked)
    url = fresh_hostile.base_url.replace("127.0.0.1", "localhost") + "/ok"
    report = capture_urls(archive, [url], FetchConfig(rate=100, retries=0))
    seen = fresh_hostile.seen
    assert (seen.connections, seen.requests, seen.bytes_received) == (0, [], 0)
    assert report.captured == 0 and archive.count() == 0
    assert report.failed + report.refused + report.robots == 1


@pytest.mark.timeout(60)
def test_a_name_that_turns_private_after_the_first_lookup_is_refused_unrequested(archive, fresh_hostile, monkeypatch):
    # The resolver hook of the brief: the first lookup answers a public address, every
    # later one 127.0.0.1. Whatever lookup the connection uses is checked.
    _only_127_0_0_2_is_public(monkeypatch)
    answers = iter([["127.0.0.2"]])

    async def rebinding(host, port):
        return next(answers, ["127.0.0.1"])

    monkeypatch.setattr(guard, "resolve", rebinding)
    port = fresh_hostile.server_address[1]
    url = f"http://rebind.invalid:{port}/ok"
    report = capture_urls(archive, [url], FetchConfig(rate=100, retries=0))
    assert report.refused == 1 and "127.0.0.1 (loopback)" in report.errors[0]
    seen = fresh_hostile.seen
    assert (seen.connections, seen.requests) == (0, [])


# ---------------------------------------------------------------------- compression bombs
def _run_vazeh_measured(args: list[str], env: dict[str, str], timeout: float) -> tuple[int, str, int]:
    """Run the CLI in a child process; (exit code, output, peak RSS in bytes) of that child alone.

    The peak is the child's own VmHWM, read by the child as it exits: rusage's maxrss
    of a forked child starts at the parent's size (Linux keeps the pre-exec memory's
    high-water mark), so late in a long test session it measured pytest, not vazeh."""
    hwm_file = Path(tempfile.mkstemp(prefix="vazeh-hwm-")[1])
    env = {**env, "VAZEH_TEST_HWM_FILE": str(hwm_file)}
    code = (
        "import atexit, os, sys\n"
        "def _hwm():\n"
        "    line = next(ln for ln in open('/proc/self/status') if ln.startswith('VmHWM:'))\n"
        "    open(os.environ['VAZEH_TEST_HWM_FILE'], 'w').write(line.split()[1])\n"
        "atexit.register(_hwm)\n"
        "from vazeh.cli import main; sys.argv[0] = 'vazeh'; sys.exit(main())"
    )
    with open(os.devnull, "rb") as stdin, subprocess.Popen(
        [sys.executable, "-c", code, *args], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env
    ) as proc:
        assert proc.stdout is not None
        deadline = time.monotonic() + timeout
        # wait4 gives this child's own rusage (RUSAGE_CHILDREN would mix in every earlier child).
        output = b""
        os.set_blocking(proc.stdout.fileno(), False)
        while True:
            try:
                chunk = proc.stdout.read()
            except BlockingIOError:
                chunk = None
            if chunk:
                output += chunk
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                raise AssertionError(f"vazeh {' '.join(args)} still running after {timeout} s:\n{output.decode(errors='replace')}")
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen's exit does not wait again
        rest = proc.stdout.read() or b""
    try:
        peak = int(hwm_file.read_text() or 0) * 1024  # VmHWM is in kB
    finally:
        hwm_file.unlink(missing_ok=True)
    assert peak, "the child did not report its peak memory"
    return proc.returncode, (output + rest).decode(errors="replace"), peak


BOMB_RSS_LIMIT = 600 << 20


@pytest.mark.timeout(300)
@pytest.mark.parametrize("encoding", [
    "gzip",
    "deflate",
    "br",  # inflated whole before c44ca9b: 2181 MiB peak for this bomb
])
def test_a_compression_bomb_is_captured_with_bounded_memory(home, hostile, encoding):
    url = hostile.base_url + f"/bomb/{encoding}"
    assert len(hs.bomb(encoding)) < 10 << 20  # small on the wire: stored whole, under --max-mb
    env = {**os.environ, "VAZEH_HOME": str(home)}
    # With extraction on: the charset detector, the extractor and the indexer all see the body.
    code, output, peak = _run_vazeh_measured(
        ["capture", url, "--allow-private", "--rate", "100", "--timeout", "20", "--retries", "0"], env, timeout=240
    )
    assert "Traceback" not in output
    assert code == 0 and "captured 1" in output, output
    assert peak < BOMB_RSS_LIMIT, f"capturing a {encoding} bomb peaked at {peak >> 20} MiB"
    with open_archive(home) as archive:
        [cap] = archive.captures(url)
        assert cap.payload_length == len(hs.bomb(encoding))  # the compressed bytes, as served
