"""Replay of archived responses, the rewriting that keeps them inside the archive, and Memento."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

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
    assert "default-src http://testserver/web/ " in csp and "script-src 'none'" in csp
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
