"""The reading room in a real browser (Debian's chromium through Playwright).

A reader searches, opens an article, sees its Jalali date and view count, then
opens the archived page itself, on the replay origin, where its script runs and
tries to read the reading room's cookies and send them out. A second test replays
a modern page (web font, stylesheet background, srcset, iframe, SVG sprite,
`<object>`, a script that inserts images and fetches JSON) and checks that every
resource came from the archive and nothing tried the live site. The screenshot of
the article page is kept in test-artifacts/article.png.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import uvicorn

from vazeh.archive import open_archive
from vazeh.web import WebConfig, create_app
from vazeh.web.admin import ADMIN_COOKIE, session_value
from vazeh.web.app import serve_config
from vazeh.web.fmt import when

from .conftest import NOW, add_page

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]


class _LeakHandler(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        type(self).seen.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Running:
    base: str
    sample: object
    leaks: list[str]
    replay: str = ""


def _serve_leak() -> tuple[ThreadingHTTPServer, list[str]]:
    seen: list[str] = []
    handler = type("Leak", (_LeakHandler,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


@contextmanager
def serving(home: Path, config: WebConfig, replay_host: str | None = None) -> Iterator[tuple[str, str]]:
    """The room and its replay origin on two ephemeral ports of one uvicorn, as `vazeh
    serve` runs them; `replay_host` names the replay origin by another host name."""
    import socket

    sockets = []
    for _ in range(2):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
    room_port, replay_port = (sock.getsockname()[1] for sock in sockets)
    if replay_host:
        config = replace(config, replay_url=f"http://{replay_host}:{replay_port}")
    config = serve_config(config, "127.0.0.1", room_port, replay_port)
    app = create_app(home, config=config)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": sockets}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield config.public_url or "", config.replay_url or ""
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def running(tmp_path: Path, build_archive, config: WebConfig) -> Iterator[Running]:
    leak_server, seen = _serve_leak()
    sample = build_archive(tmp_path / "home", leak_origin=f"http://127.0.0.1:{leak_server.server_address[1]}")
    # The replay origin under a host name of its own: browsers keep cookies per host,
    # not per port, so only another name keeps the room's readable cookies from its scripts.
    try:
        with serving(sample.home, config, replay_host="replay.localhost") as (base, replay):
            yield Running(base, sample, seen, replay)
    finally:
        leak_server.shutdown()
        leak_server.server_close()


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        # Headless chromium names itself HeadlessChrome, which view counts treat as a bot;
        # this test is a reader, so it presents an ordinary browser's User-Agent.
        context = browser.new_context(
            locale="fa-IR", viewport={"width": 420, "height": 900},
            user_agent="Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
        )
        try:
            yield context
        finally:
            context.close()
            browser.close()


def test_search_read_and_replay_in_a_browser(running: Running, browser_page, config: WebConfig) -> None:
    base = running.base
    token = config.admin_token
    context = browser_page
    # The reading room's cookies: the admin session (HttpOnly) and one any page script could read.
    context.add_cookies([
        {"name": ADMIN_COOKIE, "value": session_value(token), "url": base, "httpOnly": True,
         "sameSite": "Strict"},
        {"name": "reader_note", "value": "visible-to-the-reading-room", "url": base, "sameSite": "Lax"},
    ])
    page = context.new_page()

    page.goto(base + "/")
    page.fill("input[name=q]", "سمنان")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search?q=*")
    assert "نتیجه" in page.inner_text(".result-count")
    page.click("ol.hits a.title >> nth=0")
    page.wait_for_url("**/article/*")

    flood = running.sample.stories["flood"]
    assert page.inner_text("h1.headline") == "سیلاب در روستاهای شرق سمنان"
    assert page.inner_text("time.published") == when(flood.article.published, flood.article.language)
    assert "تعداد بازدید: ۱" in page.inner_text(".views")
    assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
    # Control: a script of the reading room's own origin sees the readable cookie, never the HttpOnly one.
    own = page.evaluate("document.cookie")
    assert "visible-to-the-reading-room" in own and ADMIN_COOKIE not in own
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "article.png"), full_page=True)

    page.goto(base + "/save")
    assert page.locator("input[name=token]").count() == 0  # the admin cookie is in force here

    hostile = running.sample.stories["hostile"]
    requests: list[str] = []
    responses: list[tuple[str, int]] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: responses.append((r.url, r.status)))
    # The room's own address, as its pages link it: a redirect to the replay origin.
    page.goto(f"{base}/web/{hostile.capture.timestamp14}/{hostile.article.url}")
    page.wait_for_load_state("load")
    replay = running.replay
    assert page.url.startswith(f"{replay}/web/"), page.url
    assert any("cs_/http://ava.example/css/site.css" in u and s == 200 for u, s in responses), responses
    assert any("im_/http://ava.example/img/photo.png" in u and s == 200 for u, s in responses), responses
    assert all(u.startswith((base, replay)) for u in requests), requests
    assert page.locator("#vazeh-banner").is_visible()
    assert "صفحه‌ای با اسکریپت" in page.inner_text("h1")
    time.sleep(1.0)  # give any escaped request time to arrive
    # The archived script ran (on the replay origin it may) and saw none of the room's cookies.
    assert page.title().startswith("LEAKED:")
    for seen in (page.title(), page.evaluate("document.cookie"), page.evaluate("document.body.getAttribute('data-leak') || ''")):
        assert "visible-to-the-reading-room" not in seen and ADMIN_COOKIE not in seen, seen
    # Its fetch("/api/articles?leak=") came back into the archive, never to the room's API.
    assert not any(u.startswith(f"{base}/api/") for u in requests), requests
    assert running.leaks == [], f"the archived page reached outside the archive: {running.leaks}"


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = zlib.compress(b"\x00\xff\x80\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


MODERN = """<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>صفحهٔ امروزی</title>
<link rel="stylesheet" href="/css/main.css">
<style>@font-face{font-family:ArchivedFace;src:url("/fonts/face.woff2") format("woff2")}
h1{font-family:ArchivedFace}</style></head><body>
<h1>خبر با همهٔ منابع</h1>
<div class="hero">پس‌زمینه</div>
<img id="resp" src="/img/a.png" alt=""
     srcset="https://cdn.news.example/c_fill,w_100/a.png 1x, https://cdn.news.example/c_fill,w_200/a.png 2x">
<div id="inline" style="width:5px;height:5px;background:url(&quot;/img/inline.png&quot;)"></div>
<svg width="20" height="20"><use href="/icons.svg#star"></use></svg>
<iframe id="frame" src="/embed/frame.html"></iframe>
<object id="chart" data="/img/chart.svg" type="image/svg+xml"></object>
<script src="https://news.example/js/app.js"></script>
</body></html>"""

APP_JS = b"""
var a = document.createElement("img"); a.id = "dyn"; a.src = "https://news.example/img/dyn.png";
document.body.appendChild(a);
var b = new Image(); b.id = "dyn2"; b.setAttribute("src", "/img/dyn2.png"); document.body.appendChild(b);
fetch("/data/list.json").then(function (r) { return r.json(); })
  .then(function (j) { document.body.setAttribute("data-items", String(j.items.length)); });
"""


def _modern_page(home: Path) -> dict[str, str]:
    """The modern page and every resource it names, as WARC records; returns path -> URL."""
    fonts = Path(__file__).resolve().parents[2] / "src/vazeh/web/static/fonts/vazirmatn-arabic-400-normal.woff2"
    png = _png()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><symbol id="star" viewBox="0 0 10 10"><rect width="10" height="10"/></symbol></svg>'
    chart = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
    site, cdn = "https://news.example", "https://cdn.news.example"
    resources = {
        "page": (f"{site}/story", MODERN.encode(), "text/html; charset=utf-8"),
        "css": (f"{site}/css/main.css", b".hero{width:5px;height:5px;background:url(/img/hero.png)}", "text/css"),
        "font": (f"{site}/fonts/face.woff2", fonts.read_bytes() if fonts.exists() else b"wOF2", "font/woff2"),
        "hero": (f"{site}/img/hero.png", png, "image/png"),
        "img": (f"{site}/img/a.png", png, "image/png"),
        "srcset1": (f"{cdn}/c_fill,w_100/a.png", png, "image/png"),
        "srcset2": (f"{cdn}/c_fill,w_200/a.png", png, "image/png"),
        "inline": (f"{site}/img/inline.png", png, "image/png"),
        "sprite": (f"{site}/icons.svg", svg, "image/svg+xml"),
        "frame": (f"{site}/embed/frame.html", "<p id='inner'>درون قاب</p>".encode(), "text/html; charset=utf-8"),
        "object": (f"{site}/img/chart.svg", chart, "image/svg+xml"),
        "script": (f"{site}/js/app.js", APP_JS, "text/javascript"),
        "dyn": (f"{site}/img/dyn.png", png, "image/png"),
        "dyn2": (f"{site}/img/dyn2.png", png, "image/png"),
        "json": (f"{site}/data/list.json", b'{"items": [1, 2, 3]}', "application/json"),
    }
    archive = open_archive(home)
    for url, body, ctype in resources.values():
        add_page(archive, url, body, ctype=ctype, when=NOW)
    archive.close()
    return {name: url for name, (url, _b, _c) in resources.items()}


def test_a_modern_page_replays_with_every_resource_from_the_archive(tmp_path: Path, build_archive,
                                                                   config: WebConfig, browser_page) -> None:
    sample = build_archive(tmp_path / "home")
    urls = _modern_page(sample.home)
    requests: list[str] = []
    loaded: dict[str, int] = {}
    failed: list[str] = []
    # The default of `vazeh serve`: the replay origin is the room's host on the next port.
    with serving(sample.home, config) as (base, replay):
        page = browser_page.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("response", lambda r: loaded.__setitem__(r.url, r.status))
        page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
        page.goto(f"{base}/web/{NOW.strftime('%Y%m%d%H%M%S')}/{urls['page']}")
        page.wait_for_load_state("load")
        page.wait_for_function("document.body.getAttribute('data-items') === '3'", timeout=20000)
        page.wait_for_function("document.getElementById('dyn').complete && document.getElementById('dyn2').complete")
        fonts = page.evaluate("document.fonts.ready.then(() => Array.from(document.fonts)"
                              ".filter(f => f.status === 'loaded').map(f => f.family))")
        inner = page.frame_locator("#frame").locator("#inner").inner_text()
        widths = page.evaluate("['resp', 'dyn', 'dyn2'].map(id => document.getElementById(id).naturalWidth)")
        page.close()
    # Everything the page asked for was asked of the archive; nothing tried the live site.
    outside = [u for u in requests if not u.startswith((base + "/", replay + "/"))]
    assert outside == [], outside
    assert failed == [], failed
    for name, url in urls.items():
        got = [s for u, s in loaded.items() if u.startswith(replay + "/web/") and u.endswith("/" + url)]
        if name in ("img", "srcset2"):  # on a 1x screen the browser takes srcset's 1x candidate, not src
            continue
        assert got and got[-1] == 200, (name, url, got)
    assert inner == "درون قاب"
    assert widths == [1, 1, 1]
    assert "ArchivedFace" in fonts or not (Path(__file__).resolve().parents[2] / "src/vazeh/web/static/fonts").exists()
    if (Path(__file__).resolve().parents[2] / "src/vazeh/web/static/fonts/fonts.css").exists():
        assert "vazeh-banner" in fonts, fonts
    print(f"\nreplay fidelity: {len(urls) - 2} of {len(urls) - 2} resources the page uses loaded from the archive "
          f"({len(requests)} requests, {len(outside)} outside it); fonts {sorted(set(fonts))}")
