"""Page resources on every capture path: fetched with the page, through the same
robots.txt, guard and pacing, archived once, linked to the page, reused while fresh."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from vazeh.archive import Archive
from vazeh.capture import FetchConfig, Source, capture_urls, guard, watch_once
from vazeh.capture.resources import PARALLEL_PER_PAGE, resources_of
from vazeh.cli import app
from vazeh.sample.server import SampleServer, placeholder_png, serve_sample

ADMIN = "test-admin-token-resources"

PAGE_1 = """<!doctype html>
<html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>خبر یکم</title>
<link rel="stylesheet" href="/css/main.css">
<link rel="icon" href="/img/icon.png">
<script src="/js/app.js"></script>
</head><body>
<h1>بارش برف در البرز</h1>
<img src="/img/photo.png" srcset="/img/w_300,h_200/photo.png 1x, /img/photo-2x.png 2x" alt="">
<img class="lazy" src="/img/blank.png" data-src="/img/lazy.png" alt="">
<svg><use href="/img/sprite.svg#share"></use></svg>
<iframe src="/embed/player.html"></iframe>
<img src="/blocked/tracker.png" alt="">
<img src="http://127.0.0.2:{port}/img/evil.png" alt="">
<p>متن خبر یکم.</p>
</body></html>
"""

PAGE_2 = """<!doctype html>
<html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>خبر دوم</title>
<link rel="stylesheet" href="/css/main.css">
</head><body><h1>گشایش کتابخانه</h1><img src="/img/two.png" alt=""><p>متن خبر دوم.</p></body></html>
"""

PLAYER = """<!doctype html><html><head><meta charset="utf-8"><title>player</title>
<link rel="stylesheet" href="/css/player.css"></head>
<body><video poster="/img/poster.png"></video><iframe src="/embed/inner.html"></iframe></body></html>
"""

MAIN_CSS = """@import url("base.css");
body { background: url(../img/bg.png); }
@font-face { font-family: "Test"; src: url("/fonts/test.woff2") format("woff2"); }
"""

# Everything news/1 embeds, followed through its stylesheets and its iframe (one level).
PAGE_1_RESOURCES = {
    "/css/main.css", "/css/base.css", "/img/bg.png", "/img/h1.png", "/fonts/test.woff2", "/img/icon.png",
    "/js/app.js", "/img/photo.png", "/img/w_300,h_200/photo.png", "/img/photo-2x.png", "/img/blank.png",
    "/img/lazy.png", "/img/sprite.svg", "/embed/player.html", "/css/player.css", "/img/poster.png",
}  # fmt: skip


def _write_site(root: Path) -> None:
    files = {
        "robots.txt": "User-agent: *\nDisallow: /blocked/\n",
        "news/1.html": PAGE_1,
        "news/2.html": PAGE_2,
        "embed/player.html": PLAYER,
        "embed/inner.html": "<!doctype html><title>inner</title><img src='/img/inner.png'>",
        "css/main.css": MAIN_CSS,
        "css/base.css": "h1 { background-image: url('/img/h1.png'); }\n",
        "css/player.css": "video { width: 100%; }\n",
        "js/app.js": "document.documentElement.className += ' js';\n",
        "img/sprite.svg": '<svg xmlns="http://www.w3.org/2000/svg"><symbol id="share"/></svg>\n',
        "rss.xml": "<rss><channel><item><link>/news/1</link></item></channel></rss>\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    for rel in ["photo", "w_300,h_200/photo", "photo-2x", "blank", "lazy", "bg", "h1", "icon", "two", "poster", "inner"]:
        (root / "img" / f"{rel}.png").parent.mkdir(parents=True, exist_ok=True)
        (root / "img" / f"{rel}.png").write_bytes(placeholder_png(rel, 40, 20))
    (root / "blocked").mkdir()
    (root / "blocked" / "tracker.png").write_bytes(placeholder_png("tracker", 1, 1))
    (root / "fonts").mkdir()
    (root / "fonts" / "test.woff2").write_bytes(b"wOF2" + bytes(60))


@pytest.fixture
def res_site(tmp_path: Path) -> Iterator[SampleServer]:
    root = tmp_path / "site"
    _write_site(root)
    server, _ = serve_sample("127.0.0.1", 0, site_dir=root)
    port = server.server_address[1]
    page = root / "news" / "1.html"
    page.write_text(page.read_text(encoding="utf-8").replace("{port}", str(port)), encoding="utf-8")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def guarded(monkeypatch) -> FetchConfig:
    """The real guard with 127.0.0.1 taken for a public address, so 127.0.0.2 is refused."""
    real = guard.refusal
    monkeypatch.setattr(guard, "refusal", lambda ip: None if str(ip) == "127.0.0.1" else real(ip))
    return FetchConfig(allow_private=False, rate=100.0, backoff=0.01, timeout=5.0, max_bytes=1 << 20)


def _path(server: SampleServer, url: str) -> str:
    return url.removeprefix(server.base_url)


def _page_id(archive: Archive, capture) -> str | None:
    return archive.read_record(capture).rec_headers.get_header("WARC-Page-ID")


def test_a_page_is_archived_with_every_resource_it_embeds(archive, res_site, guarded):
    url = res_site.base_url + "/news/1"
    report = capture_urls(archive, [url], guarded)
    r = report.resources
    assert report.captured == 1 and report.failed == 0  # the page; resources are counted apart
    assert r.fetched == len(PAGE_1_RESOURCES) and r.revisits == 0 and r.reused == 0
    assert r.robots == 1 and r.refused == 1 and r.failed == 0 and r.over_caps == 0
    assert any("127.0.0.2" in e for e in r.errors)
    assert r.bytes > 0
    [page] = archive.captures(url)
    linked = {_path(res_site, c.url): kind for c, kind in resources_of(archive, page.id)}
    assert set(linked) == PAGE_1_RESOURCES
    assert linked["/fonts/test.woff2"] == "font" and linked["/css/base.css"] == "stylesheet"
    assert linked["/embed/player.html"] == "iframe" and linked["/img/poster.png"] == "poster"
    assert linked["/img/w_300,h_200/photo.png"] == "image"
    # Each archived once, and every record of the page's group carries its page id.
    page_id = _page_id(archive, page)
    assert page_id
    for path in PAGE_1_RESOURCES:
        [cap] = archive.captures(res_site.base_url + path)
        assert _page_id(archive, cap) == page_id, path
        assert archive.read_record(cap).rec_headers.get_header("WARC-Resource-Type") == linked[path]
    # Refused and disallowed resources never reached the archive; nor did the iframe's iframe.
    assert not archive.captures(res_site.base_url + "/blocked/tracker.png")
    assert res_site.hits.get("/blocked/tracker.png") is None
    assert res_site.hits.get("/embed/inner.html") is None and res_site.hits.get("/img/inner.png") is None


def test_a_second_page_reuses_the_shared_stylesheet(archive, res_site, config):
    pages = [res_site.base_url + "/news/1", res_site.base_url + "/news/2"]
    report = capture_urls(archive, pages, config)
    assert report.captured == 2
    assert res_site.hits["/css/main.css"] == 1 and res_site.hits["/img/bg.png"] == 1
    # Both pages link the stylesheet, its import, its image and its font; one fetched them.
    shared = {"/css/main.css", "/css/base.css", "/img/bg.png", "/img/h1.png", "/fonts/test.woff2"}
    for url in pages:
        [page] = archive.captures(url)
        assert shared <= {_path(res_site, c.url) for c, _ in resources_of(archive, page.id)}, url
    assert report.resources.reused == len(shared)
    assert len(archive.captures(res_site.base_url + "/css/main.css")) == 1

    # A later run within the freshness takes them from the archive: nothing fetched again.
    hits = dict(res_site.hits)
    again = capture_urls(archive, [pages[1]], config)
    assert res_site.hits["/news/2"] == hits["/news/2"] + 1
    assert res_site.hits["/css/main.css"] == hits["/css/main.css"]
    assert res_site.hits["/img/two.png"] == hits["/img/two.png"]
    assert again.resources.fetched == 0 and again.resources.reused == len(shared) + 1
    newest = archive.captures(pages[1])[-1]
    assert {_path(res_site, c.url) for c, _ in resources_of(archive, newest.id)} == shared | {"/img/two.png"}


def test_stale_resources_are_fetched_again_and_unchanged_ones_become_revisits(archive, res_site, config):
    config = dataclasses.replace(config, resource_freshness=0)
    url = res_site.base_url + "/news/2"
    first = capture_urls(archive, [url], config)
    assert first.resources.fetched == 6
    second = capture_urls(archive, [url], config)
    assert second.revisits == 1  # the page
    assert second.resources.revisits == 6 and second.resources.fetched == 0 and second.resources.reused == 0
    caps = archive.captures(res_site.base_url + "/css/main.css")
    assert [c.record_type for c in caps] == ["response", "revisit"]


def test_the_count_cap_keeps_the_stylesheets_first(archive, res_site, config):
    config = dataclasses.replace(config, resource_max_count=3)
    report = capture_urls(archive, [res_site.base_url + "/news/1"], config)
    r = report.resources
    assert r.fetched == 3 and r.over_caps > 0
    [page] = archive.captures(res_site.base_url + "/news/1")
    kinds = [kind for _, kind in resources_of(archive, page.id)]
    assert kinds.count("stylesheet") >= 1 and "image" not in kinds[:1]


def test_the_byte_cap_stops_new_fetches(archive, res_site, config):
    config = dataclasses.replace(config, resource_max_bytes=1)
    report = capture_urls(archive, [res_site.base_url + "/news/1"], config)
    r = report.resources
    # The cap is checked before each fetch starts: those already under way finish.
    assert 1 <= r.fetched <= PARALLEL_PER_PAGE and r.over_caps >= len(PAGE_1_RESOURCES) - PARALLEL_PER_PAGE - 4


def test_no_resources_captures_only_the_page(archive, res_site, config):
    config = dataclasses.replace(config, resources=False)
    report = capture_urls(archive, [res_site.base_url + "/news/1"], config)
    assert report.captured == 1 and report.resources.total == 0 and archive.count() == 1


def test_watch_captures_the_resources_of_new_articles(archive, res_site, config):
    source = Source(id="res", feeds=[res_site.base_url + "/rss.xml"])
    report = watch_once(archive, [source], config)
    assert report.new_urls == 1 and report.capture.captured == 1
    assert report.capture.resources.fetched == len(PAGE_1_RESOURCES)
    # /blocked/ is disallowed by the site's robots.txt. The guard allows 127.0.0.2 here,
    # but nothing answers there, not even its robots.txt: a failure, not the site's rules.
    assert report.capture.resources.robots == 1 and report.capture.resources.failed == 1


def _cli(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_cli_capture_reports_resources_and_no_resources_skips_them(home, res_site):
    url = res_site.base_url + "/news/2"
    result = _cli("capture", "--allow-private", "--rate", "100", "--no-extract", url)
    assert result.exit_code == 0, result.output
    assert "page resources: fetched 6" in result.output
    other = res_site.base_url + "/news/1"
    result = _cli("capture", "--allow-private", "--rate", "100", "--no-extract", "--no-resources", other)
    assert result.exit_code == 0, result.output
    assert "page resources" not in result.output
    assert res_site.hits.get("/img/photo.png") is None


def test_save_page_now_saves_the_page_with_its_resources(home, res_site, monkeypatch):
    from vazeh.web import WebConfig, create_app

    real = guard.refusal
    monkeypatch.setattr(guard, "refusal", lambda ip: None if str(ip) == "127.0.0.1" else real(ip))
    with TestClient(create_app(home, config=WebConfig(admin_token=ADMIN, allow_private=False))) as client:
        r = client.post("/api/save", json={"url": res_site.base_url + "/news/1"}, headers={"Authorization": f"Bearer {ADMIN}"})
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["ok"] is True
        assert out["resources"]["fetched"] == len(PAGE_1_RESOURCES)
        assert out["resources"]["refused"] == 1 and out["resources"]["robots"] == 1
        assert f"{len(PAGE_1_RESOURCES)} page resources" in out["message"]
