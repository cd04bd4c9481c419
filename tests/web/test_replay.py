"""Replay of archived responses, the rewriting that keeps them inside the archive, and Memento."""

from __future__ import annotations

import threading
from datetime import timedelta
from email.utils import format_datetime
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from vazeh.archive import Archive, ArchivedResponse
from vazeh.web import WebConfig, create_app, replay

URL = "http://ava.example/news/2002/second"


def test_replay_redirects_to_the_nearest_capture(client, sample):
    match = sample.stories["match"]
    r = client.get(f"/web/2001/{URL}", follow_redirects=False)
    assert r.status_code == 302
    assert r.headers["location"] == f"/web/{match.capture.timestamp14}/{URL}"
    flood, v1 = sample.stories["flood"], sample.stories["flood_v1"]
    near_v1 = (v1.capture.captured_at + timedelta(minutes=5)).strftime("%Y%m%d%H%M%S")
    r = client.get(f"/web/{near_v1}/{flood.article.url}", follow_redirects=False)
    assert r.headers["location"].startswith(f"/web/{v1.capture.timestamp14}/")


def test_replayed_page_is_sandboxed_rewritten_and_bannered(client, sample):
    ts = sample.stories["match"].capture.timestamp14
    r = client.get(f"/web/{ts}/{URL}")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert csp.startswith("sandbox")
    assert "allow-scripts" not in csp and "allow-same-origin" not in csp
    assert "default-src 'self' " in csp and "script-src 'none'" in csp
    assert r.headers["memento-datetime"] == format_datetime(sample.stories["match"].capture.captured_at, usegmt=True)
    assert 'rel="original"' in r.headers["link"] and 'rel="timemap"' in r.headers["link"]
    html = r.text
    assert 'id="vazeh-banner"' in html and "نسخهٔ بایگانی‌شدهٔ" in html
    assert f'href="/web/{ts}/http://ava.example/"' in html
    assert f'href="/web/{ts}/https://other.example/page"' in html  # outside links stay in the archive too
    assert f'href="/web/{ts}cs_/http://ava.example/css/site.css"' in html
    assert f'src="/web/{ts}im_/http://ava.example/img/photo.png"' in html
    assert f'srcset="/web/{ts}im_/http://ava.example/img/photo.png 1x, /web/{ts}im_/http://ava.example/img/photo-2x.png 2x"' in html
    assert 'href="/news/' not in html and 'src="/img/' not in html


def test_raw_mode_serves_the_bytes_as_captured(client, sample):
    ts = sample.stories["match"].capture.timestamp14
    r = client.get(f"/web/{ts}id_/{URL}")
    assert r.status_code == 200
    assert 'id="vazeh-banner"' not in r.text
    assert '<a href="/news/2002/second">' in r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["content-security-policy"].startswith("sandbox")


def test_stylesheets_are_rewritten_and_images_served_as_is(client, sample):
    css = client.get(f"/web/{sample.stories['flood_v1'].capture.timestamp14}cs_/http://ava.example/css/site.css",
                     follow_redirects=True)
    assert css.status_code == 200
    assert "/web/" in css.text and "im_/http://ava.example/img/bg.png" in css.text
    assert 'cs_/http://ava.example/css/more.css' in css.text
    img = client.get("/web/2030im_/http://ava.example/img/photo.png", follow_redirects=True)
    assert img.status_code == 200 and img.content.startswith(b"\x89PNG")
    assert img.headers["content-type"] == "image/png"


def test_archived_redirects_stay_in_the_archive(client):
    r = client.get("/web/2020/http://ava.example/old", follow_redirects=False)
    ts = r.headers["location"].split("/")[2]
    r = client.get(f"/web/{ts}/http://ava.example/old", follow_redirects=False)
    assert r.status_code == 301
    assert r.headers["location"] == f"/web/{ts}/http://ava.example/news/2002/second"


def test_set_cookie_of_an_archived_page_is_never_passed_on(client, write_page):
    write_page("http://cookie.example/", b"<p>hi</p>", headers=[("Set-Cookie", "tracker=1")])
    r = client.get("/web/2030/http://cookie.example/", follow_redirects=True)
    assert r.status_code == 200
    assert "set-cookie" not in r.headers
    assert r.headers["x-archive-orig-set-cookie"] == "tracker=1"


def test_not_archived_is_404_with_a_way_to_save(client):
    r = client.get("/web/2024/http://never.example/page")
    assert r.status_code == 404
    assert "در بایگانی نیست" in r.text and "/save?url=" in r.text


def test_timegate_follows_accept_datetime(client, sample):
    flood, v1 = sample.stories["flood"], sample.stories["flood_v1"]
    url = flood.article.url
    r = client.get(f"/web/{url}", follow_redirects=False)
    assert r.status_code == 302 and r.headers["vary"] == "accept-datetime"
    assert r.headers["location"].startswith(f"/web/{flood.capture.timestamp14}/")
    when = format_datetime(v1.capture.captured_at, usegmt=True)
    r = client.get(f"/web/{url}", headers={"Accept-Datetime": when}, follow_redirects=False)
    assert r.headers["location"].startswith(f"/web/{v1.capture.timestamp14}/")
    assert 'rel="timemap"' in r.headers["link"]
    bad = client.get(f"/web/{url}", headers={"Accept-Datetime": "yesterday"}, follow_redirects=False)
    assert bad.status_code == 400 and "Accept-Datetime" in bad.text


def test_timemap_lists_every_memento(client, sample):
    flood, v1 = sample.stories["flood"], sample.stories["flood_v1"]
    r = client.get(f"/timemap/link/{flood.article.url}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/link-format")
    body = r.text
    assert 'rel="original"' in body and 'rel="timegate"' in body and 'rel="self"' in body
    assert f"/web/{v1.capture.timestamp14}/" in body and 'rel="first memento"' in body
    assert f"/web/{flood.capture.timestamp14}/" in body and 'rel="last memento"' in body
    assert client.get("/timemap/link/http://never.example/").status_code == 404


def test_charset_of_an_old_page_is_decoded_before_rewriting(client, write_page):
    body = '<html><head><meta charset="windows-1256"></head><body><a href="/x">خبر قديمي</a></body></html>'
    write_page("http://old.example/", body.encode("cp1256"), ctype="text/html")
    r = client.get("/web/2030/http://old.example/", follow_redirects=True)
    assert "خبر قديمي" in r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"


def test_head_requests_and_the_capture_list_shorthand(client, sample):
    url = sample.stories["flood"].article.url
    head = client.head(f"/web/{url}", headers={"Accept-Datetime": "Mon, 01 Jan 2001 00:00:00 GMT"},
                       follow_redirects=False)
    assert head.status_code == 302 and head.headers["location"].startswith(
        f"/web/{sample.stories['flood_v1'].capture.timestamp14}/")
    assert client.head(f"/timemap/link/{url}").status_code == 200
    r = client.get(f"/web/2026*/{url}", follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"].startswith("/captures?url=")


# ---------------------------------------------------------------- issue #12, items 5, 11, 12, 13
def test_host_header_is_never_reflected_into_cached_replay_headers(client, sample):
    ts = sample.stories["match"].capture.timestamp14
    r = client.get(f"/web/{ts}/{URL}", headers={"Host": "evil.example"})
    assert r.status_code == 200 and r.headers["cache-control"].startswith("public")
    for name in ("content-security-policy", "link"):
        assert "evil.example" not in r.headers[name], name
    assert f'</web/{ts}/{URL}>; rel="memento"' in r.headers["link"]
    gate = client.get(f"/web/{URL}", headers={"Host": "evil.example"}, follow_redirects=False)
    assert "evil.example" not in gate.headers["link"]
    timemap = client.get(f"/timemap/link/{URL}", headers={"Host": "evil.example"})
    assert "evil.example" not in timemap.text


def test_a_configured_public_url_names_the_origin(sample):
    config = WebConfig(public_url="https://archive.example.org/")
    with TestClient(create_app(sample.home, config=config)) as c:
        ts = sample.stories["match"].capture.timestamp14
        r = c.get(f"/web/{ts}/{URL}", headers={"Host": "evil.example"})
    assert "default-src https://archive.example.org/web/ " in r.headers["content-security-policy"]
    assert f'<https://archive.example.org/web/{ts}/{URL}>; rel="memento"' in r.headers["link"]
    assert "evil.example" not in r.headers["link"] + r.headers["content-security-policy"]


@pytest.mark.parametrize("ts", ["00000000000000", "0", "99999999999999", "20261301000000", "20240101240000",
                                "20240100000000"])
def test_impossible_timestamps_are_a_400_in_persian(client, ts):
    r = client.get(f"/web/{ts}/{URL}", follow_redirects=False)
    assert r.status_code == 400
    assert "برچسب زمانی" in r.text


def test_a_day_past_the_months_end_is_the_months_last_day(client):
    assert replay.parse_timestamp("20240231").day == 29
    assert client.get(f"/web/20240231/{URL}", follow_redirects=False).status_code == 302


@pytest.mark.parametrize("url", ["javascript:alert(1)", "http://[::1", "http://example.com:99999/",
                                 "data:text/html,<b>hi</b>", "mailto:a@b.c",
                                 "http://", "ftp://files.example/x"])
def test_urls_that_are_no_web_address_are_a_400(client, url):
    for path in (f"/web/2024/{url}", f"/web/{url}", f"/timemap/link/{url}", f"/web/2024*/{url}"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 400, path
        assert "نشانی" in r.text, path
    for path in ("/captures", "/api/captures"):
        r = client.get(path, params={"url": url})
        assert r.status_code == 400, (path, url)
    assert "message" in client.get("/api/captures", params={"url": url}).json()


def test_control_characters_in_a_url_are_a_4xx(client):
    url = "http://a.example/\r\nSet-Cookie:x=1"
    for path in ("/captures", "/api/captures", "/cdx"):
        assert client.get(path, params={"url": url}).status_code == 400, path
    for path in ("/web/2024/", "/web/", "/timemap/link/"):
        # Starlette's router matches no path with a line break: its Persian 404.
        r = client.get(path + "http://a.example/%0d%0aSet-Cookie:x=1", follow_redirects=False)
        assert r.status_code in (400, 404) and "set-cookie" not in r.headers, path
        r = client.get(path + "http://a.example/%00", follow_redirects=False)
        assert r.status_code == 400, path


def _odd_headers(monkeypatch, headers: list[tuple[str, str]]) -> None:
    """Replay of an imported record whose headers the archive could not have written itself."""
    original = Archive.read_response

    def read_response(self, capture):
        got = original(self, capture)
        if "ava.example/news/2002" not in capture.url:
            return got
        return ArchivedResponse(got.capture, got.status, got.reason, [*got.headers, *headers], got.raw_body,
                                got.body, got.truncated)

    monkeypatch.setattr(Archive, "read_response", read_response)


@pytest.mark.parametrize("mod", ["", "id_"])
def test_odd_archived_headers_are_sent_sanitized_and_still_visible(client, sample, monkeypatch, mod):
    _odd_headers(monkeypatch, [("X-نام", "مقدار"), ("X-Ctl", "a\x01b\x00c\r\nInjected: 1"), ("Bad Name:", "v"),
                               ("Content-Type", "text/html\r\nX-Evil: 1")])
    ts = sample.stories["match"].capture.timestamp14
    r = client.get(f"/web/{ts}{mod}/{URL}")
    assert r.status_code == 200
    assert unquote(r.headers["x-archive-orig-x-%D9%86%D8%A7%D9%85"]) == "مقدار"
    # Raw mode passes an ordinary header on under its own name, sanitized the same way.
    ctl = "x-ctl" if mod == "id_" else "x-archive-orig-x-ctl"
    assert r.headers[ctl] == "a%01b%00c%0D%0AInjected: 1"
    assert r.headers["x-archive-orig-bad%20name%3A"] == "v"
    assert "injected" not in r.headers and "x-evil" not in r.headers


def test_odd_headers_over_a_real_connection(sample, monkeypatch):
    """A control byte in a header made uvicorn drop the connection, which TestClient does not show."""
    import socket

    import uvicorn

    _odd_headers(monkeypatch, [("X-Ctl", "a\x01b\x00c"), ("X-نام", "v")])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(sample.home, config=WebConfig()), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        import httpx

        port = sock.getsockname()[1]
        ts = sample.stories["match"].capture.timestamp14
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.05)
        for mod in ("", "id_"):
            r = httpx.get(f"http://127.0.0.1:{port}/web/{ts}{mod}/{URL}", timeout=30)
            ctl = "x-ctl" if mod == "id_" else "x-archive-orig-x-ctl"
            assert r.status_code == 200 and r.headers[ctl] == "a%01b%00c"
    finally:
        server.should_exit = True
        thread.join(30)


def test_a_page_too_large_to_rewrite_gets_a_notice_not_a_rewrite(client, write_page, monkeypatch):
    monkeypatch.setattr(replay, "MAX_REWRITE_BYTES", 10_000)
    rewritten: list[int] = []
    real = replay.rewrite_html
    monkeypatch.setattr(replay, "rewrite_html", lambda text, rw: rewritten.append(len(text)) or real(text, rw))
    big = b"<html><body>" + b'<a href="/x">link</a>' * 2000 + b"</body></html>"
    write_page("http://big.example/", big)
    write_page("http://big.example/site.css", b"a{background:url(/i.png)}" * 1000, ctype="text/css")
    r = client.get("/web/2030/http://big.example/", follow_redirects=True)
    assert r.status_code == 200 and "بسیار بزرگ" in r.text
    assert rewritten == []
    assert "id_/http://big.example/" in r.text
    raw = client.get("/web/2030id_/http://big.example/", follow_redirects=True)
    assert raw.content == big and raw.headers["content-security-policy"].startswith("sandbox")
    css = client.get("/web/2030cs_/http://big.example/site.css", follow_redirects=True)
    assert css.status_code == 200 and css.headers["content-security-policy"].startswith("sandbox")
    assert "/web/" not in css.text  # served as captured, not rewritten
    small = b'<html><body><a href="/x">link</a></body></html>'
    write_page("http://small.example/", small)
    assert 'href="/web/' in client.get("/web/2030/http://small.example/", follow_redirects=True).text
    assert rewritten == [len(small)]


def test_slow_replays_leave_request_threads_for_other_pages(client, sample, monkeypatch):
    """More slow replays at once than the worker has request threads: the home page still answers."""
    from vazeh.web import app as app_module

    release = threading.Event()
    entered = threading.Semaphore(0)

    def stuck_rewrite(text, rw):
        entered.release()
        release.wait(120)
        return text

    monkeypatch.setattr(replay, "rewrite_html", stuck_rewrite)
    ts = sample.stories["match"].capture.timestamp14
    n = app_module.REQUEST_THREADS + 2
    statuses: list[int] = []
    replays = [threading.Thread(target=lambda: statuses.append(client.get(f"/web/{ts}/{URL}").status_code))
               for _ in range(n)]
    for t in replays:
        t.start()
    home_done = threading.Event()
    home: list[int] = []

    def get_home() -> None:
        home.append(client.get("/").status_code)
        home_done.set()

    try:
        # The replays that hold a thread are inside the rewrite before the home page is asked for.
        for _ in range(replay.REPLAY_THREADS):
            assert entered.acquire(timeout=60)
        threading.Thread(target=get_home, daemon=True).start()
        # Ordering, not speed: the home page must finish while every replay is still stuck.
        finished = home_done.wait(60)
        assert finished and home == [200], "the home page waited for the stuck replays"
        assert statuses == []
    finally:
        release.set()
        for t in replays:
            t.join(60)
    assert statuses == [200] * n


# ---------------------------------------------------------------- issue #13, item 5
def test_raw_mode_returns_the_record_body_and_headers_as_captured(client, write_page):
    import gzip

    page = "<html><body><p>فشرده</p></body></html>".encode()
    packed = gzip.compress(page, mtime=0)
    write_page("http://gz.example/", packed, headers=[("Content-Encoding", "gzip"), ("ETag", '"v1"'),
                                                      ("Strict-Transport-Security", "max-age=1")])
    with client.stream("GET", "/web/2030id_/http://gz.example/", follow_redirects=True) as r:
        raw = b"".join(r.iter_raw())
        headers = r.headers
    assert raw == packed
    assert headers["content-encoding"] == "gzip" and headers["etag"] == '"v1"'
    # What would act on the archive's own origin is renamed, as ever.
    assert "strict-transport-security" not in headers
    assert headers["x-archive-orig-strict-transport-security"] == "max-age=1"
    assert headers["content-security-policy"].startswith("sandbox")


def test_fonts_carry_cors_and_frames_and_objects_are_allowed_in_the_sandbox(client, write_page):
    write_page("http://font.example/f/vazir.woff2", b"wOF2fake", ctype="font/woff2")
    r = client.get("/web/2030im_/http://font.example/f/vazir.woff2", follow_redirects=True)
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    write_page("http://font.example/frame", b"<p>inner</p>")
    framed = client.get("/web/2030if_/http://font.example/frame", follow_redirects=True)
    # A sandboxed parent has an opaque origin that no frame-ancestors source matches.
    assert "frame-ancestors" not in framed.headers["content-security-policy"]
    page = client.get("/web/2030/http://font.example/frame", follow_redirects=True)
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp and "object-src 'none'" not in csp


def test_banner_names_the_capture_its_neighbours_and_the_calendar(client, sample):
    v1, v2 = sample.stories["flood_v1"], sample.stories["flood"]
    url = v2.article.url
    html = client.get(f"/web/{v1.capture.timestamp14}/{url}").text
    banner = html[html.index('id="vazeh-banner"'):html.index("</div>", html.index('id="vazeh-banner"'))]
    assert "نسخهٔ پیشینی نیست" in banner
    assert 'rel="next" ' in banner and f"/web/{v2.capture.timestamp14}/" in banner
    assert "/calendar?url=" in banner and "(۲)" in banner
    html = client.get(f"/web/{v2.capture.timestamp14}/{url}").text
    assert 'rel="prev" ' in html and f"/web/{v1.capture.timestamp14}/" in html and "نسخهٔ پسینی نیست" in html
    font = client.get("/_vazeh/fonts/vazirmatn-arabic-400-normal.woff2")
    if font.status_code == 200:  # the font is fetched at setup; without it the banner falls back
        assert font.headers["access-control-allow-origin"] == "*"
        assert "font-family:vazeh-banner" in banner and "/_vazeh/fonts/" in banner
    else:
        assert "/_vazeh/fonts/" not in banner and "Tahoma" in banner
    assert client.get("/_vazeh/fonts/..%2Fstyle.css").status_code == 404


def test_calendar_of_captures_counts_per_month_and_day_in_jalali(client, sample):
    from vazeh.persian import JALALI_MONTHS, jalali_ymd

    v2 = sample.stories["flood"]
    r = client.get("/calendar", params={"url": v2.article.url})
    assert r.status_code == 200
    y, m, d = jalali_ymd(v2.capture.captured_at)
    from vazeh.persian import to_persian_digits as fa

    assert f"<h2>{fa(str(y))} " in r.text and JALALI_MONTHS[m - 1] in r.text
    assert f"/web/{v2.capture.timestamp14}/" in r.text or f"/web/{sample.stories['flood_v1'].capture.timestamp14}/" in r.text
    assert "۲ نسخه" in r.text
    assert client.get("/calendar", params={"url": "http://never.example/"}).status_code == 404
    assert client.get("/calendar", params={"url": "javascript:alert(1)"}).status_code == 400
