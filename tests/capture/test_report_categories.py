"""How a capture ended is told apart: the page, a 404, a robots block, a guard refusal,
a connection that failed; in the report, the CLI's words and its exit code."""

from __future__ import annotations

import socket

from typer.testing import CliRunner

from vazeh.capture import FetchConfig, capture_urls
from vazeh.cli import app

runner = CliRunner()


def closed_port() -> int:
    """A local port nobody listens on: connecting to it is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def outcomes(archive, urls, config):
    seen = []
    report = capture_urls(archive, urls, config, progress=seen.append)
    return report, {o.url: o.kind for o in seen}


def test_a_404_is_archived_but_not_counted_as_the_page(archive, site, config):
    url = site.base_url + "/news/no-such-story"
    report, kinds = outcomes(archive, [url, site.base_url + "/news/1"], config)
    assert kinds[url] == "http_error"
    assert report.pages_ok == 1 and report.http_errors == 1 and report.http_statuses == {404: 1}
    assert not report.all_ok
    # The answer itself is kept: it is what the site said at that moment.
    assert [c.status for c in archive.captures(url)] == [404]
    assert any("HTTP 404" in e for e in report.errors)


def test_robots_guard_and_connection_failure_are_three_different_things(archive, site, config):
    robots_url = site.base_url + "/private/secret"
    dead_url = f"http://127.0.0.1:{closed_port()}/news/1"
    report, kinds = outcomes(archive, [robots_url, dead_url], config)
    assert kinds == {robots_url: "robots", dead_url: "failed"}
    assert report.robots == 1 and report.failed == 1 and report.refused == 0
    [dead_error] = [e for e in report.errors if e.startswith(dead_url)]
    assert "robots.txt could not be fetched" in dead_error and "Connect" in dead_error

    guarded = FetchConfig(allow_private=False, rate=100.0, backoff=0.01, timeout=5.0)
    report, kinds = outcomes(archive, [site.base_url + "/news/2"], guarded)
    assert list(kinds.values()) == ["refused"] and report.refused == 1 and report.robots == 0


def test_cli_reports_a_404_apart_and_exits_1(home, site):
    result = runner.invoke(app, ["capture", site.base_url + "/news/1", site.base_url + "/news/missing",
                                 "--allow-private", "--rate", "100", "--no-extract", "--no-resources"])
    assert result.exit_code == 1, result.output
    assert "captured 1" in result.output and "HTTP errors 1 (404 x1)" in result.output
    assert "records written: responses 2" in result.output


def test_cli_names_a_refused_connection_not_robots(home):
    result = runner.invoke(app, ["capture", f"http://127.0.0.1:{closed_port()}/", "--allow-private",
                                 "--rate", "100", "--retries", "0", "--no-extract"])
    assert result.exit_code == 1
    assert "blocked by robots.txt 0" in result.output and "failed 1" in result.output
    assert "robots.txt could not be fetched" in result.output


def test_cli_all_pages_captured_exits_0(home, site):
    result = runner.invoke(app, ["capture", site.base_url + "/news/1", "--allow-private", "--rate", "100",
                                 "--no-extract"])
    assert result.exit_code == 0, result.output
    assert "captured 1, HTTP errors 0" in result.output


# ---------------------------------------------------------------------- save page now
ADMIN = "test-admin-token-categories"


def _save(client, url: str) -> dict:
    r = client.post("/api/save", json={"url": url}, headers={"Authorization": f"Bearer {ADMIN}"})
    assert r.status_code == 200, r.text
    return r.json()


def test_save_page_now_tells_a_404_robots_guard_and_dead_host_apart(home, site):
    from fastapi.testclient import TestClient

    from vazeh.web import WebConfig, create_app

    with TestClient(create_app(home, config=WebConfig(admin_token=ADMIN, allow_private=True))) as client:
        missing = _save(client, site.base_url + "/news/missing")
        assert missing["ok"] is False and missing["kind"] == "http_error" and missing["status"] == 404
        assert missing["message"] == "صفحه پیدا نشد (وضعیت ۴۰۴)؛ پاسخ سرور بایگانی شد"
        # The 404 answer is still in the archive, as the truth of that moment.
        assert missing["capture_id"] and missing["replay"]

        robots = _save(client, site.base_url + "/private/secret")
        assert robots["ok"] is False and robots["kind"] == "robots" and "robots.txt" in robots["message"]

        dead = _save(client, f"http://127.0.0.1:{closed_port()}/news/1")
        assert dead["ok"] is False and dead["kind"] == "failed"
        assert "اتصال" in dead["message"] and "robots.txt" not in dead["message"].split("(")[0]

        form = client.post("/save", data={"url": site.base_url + "/news/missing", "token": ADMIN})
        assert form.status_code == 502 and "صفحه پیدا نشد" in form.text and "ذخیره شد:" not in form.text

        ok = _save(client, site.base_url + "/news/1")
        assert ok["ok"] is True and ok["kind"] == "captured" and ok["status"] == 200

    with TestClient(create_app(home, config=WebConfig(admin_token=ADMIN, allow_private=False))) as client:
        guarded = _save(client, site.base_url + "/news/2")
        assert guarded["ok"] is False and guarded["kind"] == "refused" and "نگهبان" in guarded["message"]
