"""The reading room in a real browser (Debian's chromium through Playwright).

A reader searches, opens an article, sees its Jalali date and view count, then
opens the archived page itself, whose script tries to read the reading room's
cookies and send them out. The screenshot of the article page is kept in
test-artifacts/article.png.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import uvicorn

from vazeh.web import WebConfig, create_app
from vazeh.web.admin import ADMIN_COOKIE, session_value
from vazeh.web.fmt import jalali

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


def _serve_leak() -> tuple[ThreadingHTTPServer, list[str]]:
    seen: list[str] = []
    handler = type("Leak", (_LeakHandler,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, seen


@pytest.fixture
def running(tmp_path: Path, build_archive, config: WebConfig) -> Iterator[Running]:
    leak_server, seen = _serve_leak()
    sample = build_archive(tmp_path / "home", leak_origin=f"http://127.0.0.1:{leak_server.server_address[1]}")
    app = create_app(sample.home, config=config)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Running(f"http://127.0.0.1:{port}", sample, seen)
    finally:
        server.should_exit = True
        thread.join(10)
        leak_server.shutdown()
        leak_server.server_close()


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
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
    assert page.inner_text("time.published") == jalali(flood.article.published)
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
    responses: list[tuple[str, int]] = []
    page.on("response", lambda r: responses.append((r.url, r.status)))
    page.goto(f"{base}/web/{hostile.capture.timestamp14}/{hostile.article.url}")
    page.wait_for_load_state("load")
    # The archived stylesheet and image load from the archive despite the sandbox.
    assert any("cs_/http://ava.example/css/site.css" in u and s == 200 for u, s in responses), responses
    assert any("im_/http://ava.example/img/photo.png" in u and s == 200 for u, s in responses), responses
    assert all(u.startswith(base) for u, _ in responses), responses
    assert page.locator("#vazeh-banner").is_visible()
    assert "صفحه‌ای با اسکریپت" in page.inner_text("h1")
    time.sleep(1.0)  # give any escaped request time to arrive
    assert not page.title().startswith("LEAKED")
    assert page.evaluate("document.body.getAttribute('data-leak')") is None
    seen_by_page = page.evaluate("() => { try { return document.cookie } catch (e) { return 'blocked: ' + e.name } }")
    assert "visible-to-the-reading-room" not in seen_by_page and ADMIN_COOKIE not in seen_by_page
    assert running.leaks == [], f"the archived page reached outside the archive: {running.leaks}"
