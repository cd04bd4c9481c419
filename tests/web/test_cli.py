"""`vazeh serve` from the command line."""

from __future__ import annotations

from typer.testing import CliRunner

from vazeh.cli import app


def test_serve_refuses_a_missing_archive(tmp_path):
    result = CliRunner().invoke(app, ["serve", "--home", str(tmp_path / "none"), "--port", "1"])
    assert result.exit_code == 1
    assert "no archive at" in result.output


def test_serve_is_documented():
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--host" in result.output and "--port" in result.output
