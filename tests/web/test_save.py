"""Save page now: only with the admin token, through capture's address guard."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from vazeh.web import WebConfig, create_app

ADMIN = "test-admin-token-7f3a"
PAGE = (
    '<!doctype html><html lang="fa"><head><meta charset="utf-8"><title>افتتاح کتابخانهٔ محله</title>'
    '<meta property="og:title" content="افتتاح کتابخانهٔ محله"></head><body><article>'
    "<h1>افتتاح کتابخانهٔ محله</h1>"
    "<p>کتابخانهٔ تازهٔ محله صبح امروز با حضور اهالی و شورای محله گشایش یافت و هزار جلد کتاب در قفسه‌های آن چیده شد.</p>"
    "<p>مسئول کتابخانه گفت عضویت برای دانش‌آموزان تا پایان سال رایگان است و ساعت کار تا نه شب ادامه دارد.</p>"
    "<p>اهالی خواستند بخش کودک و نوجوان هم گسترش یابد تا خانواده‌ها بیشتر از آن بهره ببرند.</p>"
    "</article></body></html>"
).encode()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/robots.txt":
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def news_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_api_save_needs_the_token(client, news_server):
    url = news_server + "/news/1"
    assert client.post("/api/save", json={"url": url}).status_code == 401
    r = client.post("/api/save", json={"url": url}, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and "token" in r.json()["detail"]


def test_save_is_off_without_a_configured_token(sample, news_server):
    with TestClient(create_app(sample.home, config=WebConfig(admin_token=None, allow_private=True))) as c:
        r = c.post("/api/save", json={"url": news_server}, headers={"Authorization": "Bearer anything"})
        assert r.status_code == 403 and "admin_token" in r.json()["detail"]
        assert "ذخیرهٔ صفحه خاموش است" in c.get("/save").text


def test_api_save_captures_extracts_and_indexes(client, news_server):
    url = news_server + "/news/library"
    r = client.post("/api/save", json={"url": url}, headers={"Authorization": f"Bearer {ADMIN}"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["ok"] and out["status"] == 200 and out["timestamp"]
    replay = client.get(out["replay"])
    assert replay.status_code == 200 and "افتتاح کتابخانهٔ محله" in replay.text
    assert len(client.get("/api/captures", params={"url": url}).json()) == 1
    assert out["article_id"], "the saved page was extracted as an article"
    art = client.get(f"/api/articles/{out['article_id']}").json()
    assert art["title"] == "افتتاح کتابخانهٔ محله"
    hits = client.get("/api/search", params={"q": "کتابخانه"}).json()
    assert any(h["article_id"] == out["article_id"] for h in hits["hits"])


def test_the_address_guard_still_applies(sample, news_server):
    with TestClient(create_app(sample.home, config=WebConfig(admin_token=ADMIN, allow_private=False))) as c:
        r = c.post("/api/save", json={"url": news_server + "/x"}, headers={"X-Vazeh-Token": ADMIN})
        assert r.status_code == 200
        out = r.json()
        assert not out["ok"] and "refus" in out["message"]
        assert c.get("/api/captures", params={"url": news_server + "/x"}).json() == []


def test_only_http_urls(client):
    r = client.post("/api/save", json={"url": "file:///etc/passwd"}, headers={"Authorization": f"Bearer {ADMIN}"})
    assert r.status_code == 400 and "http" in r.json()["detail"]


def test_the_form_saves_and_remembers_the_admin_with_an_httponly_cookie(client, news_server):
    page = client.get("/save")
    assert 'name="token"' in page.text
    bad = client.post("/save", data={"url": news_server + "/a", "token": "nope"})
    assert bad.status_code == 401 and "admin_cookie" not in bad.headers.get("set-cookie", "")
    ok = client.post("/save", data={"url": news_server + "/a", "token": ADMIN})
    assert ok.status_code == 200 and "ذخیره شد" in ok.text
    cookie = ok.headers["set-cookie"]
    assert "vazeh_admin=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert ADMIN not in cookie
    # The cookie alone is enough from now on.
    again = client.post("/save", data={"url": news_server + "/b"})
    assert again.status_code == 200 and "ذخیره شد" in again.text
