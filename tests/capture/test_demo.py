"""`vazeh demo --no-serve`: a real watch round over the bundled sample site."""

from __future__ import annotations

import socket
import tomllib

from typer.testing import CliRunner

from vazeh.archive import open_archive
from vazeh.capture.resources import resources_of
from vazeh.cli import app
from vazeh.cli.demo import sample_sources_text


def test_demo_sources_point_at_the_running_server():
    data = tomllib.loads(sample_sources_text("http://127.0.0.1:1234"))
    assert data["base_url"] == "http://127.0.0.1:1234"
    assert {s["id"] for s in data["source"]} >= {"mehr", "isna", "bbcpersian"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_builds_an_archive_of_the_sample_site(home):
    args = ["demo", "--no-serve", "--sample-port", str(_free_port())]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "archive ready" in result.output
    with open_archive(home) as archive:
        html = [c for c in archive.iter_captures(html_only=True) if c.status == 200]
        assert len(html) >= 12  # at least one article per sample outlet
        assert all(c.charset for c in html)
        assert any(c.charset == "windows-1256" for c in html)
        # Each article is archived with its stylesheet and pictures, so its replay is styled.
        articles = [c for c in html if "/news/" in c.url or "/articles/" in c.url or "/a/" in c.url]
        assert articles
        for page in articles:
            kinds = {kind for _, kind in resources_of(archive, page.id)}
            assert "stylesheet" in kinds, page.url
        assert any(c.url.endswith("/static/sample.css") for c in archive.iter_captures())
        assert any(c.mime == "image/png" for c in archive.iter_captures())
    assert "page resources: fetched" in result.output
    # The revisit pass in round 2: the sample site edited one story and deleted another.
    assert "1 edited, 1 deleted" in result.output
    with open_archive(home) as archive:
        changed = dict(archive.db.execute(
            "SELECT verdict, url FROM revisit_verdicts WHERE verdict != 'unchanged'").fetchall())
    assert set(changed) == {"edited", "deleted"}
    assert "/3012566/" in changed["edited"] and "/2971845/" in changed["deleted"]
    # Run again on the same address: the feeds are unchanged and nothing is archived twice.
    with open_archive(home) as archive:
        before = archive.count()
    again = CliRunner().invoke(app, args, catch_exceptions=False)
    assert again.exit_code == 0 and "new URLs 0" in again.output
    with open_archive(home) as archive:
        assert archive.count() == before
