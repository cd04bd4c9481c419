"""The sample site serves what its pages embed: stylesheets (with @import and
url()), SVGs, scripts, the video player page in an iframe, and a drawn picture for
every image path, so a capture of it replays styled and with its pictures."""

from __future__ import annotations

import json
import struct
import zlib

import httpx
import pytest

from vazeh.capture.resources import FONT, IFRAME, IMAGE, STYLESHEET, css_resources, html_resources
from vazeh.sample.build_site import SITE_DIR
from vazeh.sample.server import placeholder_png

DATA = json.loads((SITE_DIR.parent / "expected.json").read_text(encoding="utf-8"))
SERVED_PAGES = [p for p in DATA["pages"] if p.get("kind") not in ("hostile", "disallowed")]
IMAGES = json.loads((SITE_DIR / "_images.json").read_text(encoding="utf-8"))


def _crawl(client: httpx.Client, base: str) -> dict[str, tuple[httpx.Response, str]]:
    """Every resource of every served page, followed through stylesheets and iframes."""
    todo = []
    for page in SERVED_PAGES:
        raw = (SITE_DIR / page["file"]).read_bytes()
        todo += html_resources(raw, base + page["url_path"], "text/html")
    seen: dict[str, tuple[httpx.Response, str]] = {}
    while todo:
        r = todo.pop()
        if r.url in seen:
            continue
        response = client.get(r.url)
        seen[r.url] = (response, r.kind)
        if r.kind == STYLESHEET:
            todo += css_resources(response.text, r.url)
        elif r.kind == IFRAME:
            todo += html_resources(response.content, r.url, response.headers["content-type"], iframes=False)
    return seen


@pytest.fixture(scope="module")
def crawled(sample_site):
    with httpx.Client() as client:
        return _crawl(client, sample_site.base_url)


def test_every_embedded_resource_is_served(crawled):
    missing = [u for u, (resp, _) in crawled.items() if resp.status_code != 200]
    assert missing == []
    kinds = {kind for _, kind in crawled.values()}
    assert {STYLESHEET, IMAGE, "script", "icon", IFRAME, "poster"} <= kinds
    assert FONT not in kinds  # no web font ships with the sample (Vazirmatn is an optional download)


def test_every_page_has_a_stylesheet_that_imports_the_shared_one(crawled):
    for page in SERVED_PAGES:
        raw = (SITE_DIR / page["file"]).read_bytes()
        sheets = [r for r in html_resources(raw, "http://h" + page["url_path"], "text/html") if r.kind == STYLESHEET]
        assert sheets, page["path"]
    shared = [u for u in crawled if u.endswith("/static/sample.css")]
    assert shared
    css = crawled[shared[0]][0].text
    assert "@import" in css and "url(" in css


def test_stylesheets_scripts_and_images_have_their_content_types(crawled):
    for url, (response, kind) in crawled.items():
        ctype = response.headers["content-type"]
        if kind == STYLESHEET:
            assert ctype.startswith("text/css"), url
        elif kind == "script":
            assert ctype.startswith("text/javascript"), url
        elif kind in (IMAGE, "icon", "poster"):
            assert ctype.startswith("image/"), url


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


def test_listed_pictures_are_drawn_pngs_of_their_size(sample_site):
    assert "/mehr/d/2023/10/08/4/metro-line10.jpg" in IMAGES
    with httpx.Client(base_url=sample_site.base_url) as client:
        for path, (width, height) in list(IMAGES.items())[:6]:
            response = client.get(path)
            assert response.status_code == 200 and response.headers["content-type"] == "image/png"
            assert _png_size(response.content) == (width, height)
            again = client.get(path, headers={"If-None-Match": response.headers["etag"]})
            assert again.status_code == 304
        assert client.get("/mehr/d/2023/10/08/4/not-listed.jpg").status_code == 404


def test_a_drawn_picture_is_the_same_bytes_every_time_and_decodes():
    a = placeholder_png("/x/a.jpg", 64, 36)
    assert a == placeholder_png("/x/a.jpg", 64, 36)
    assert a != placeholder_png("/x/b.jpg", 64, 36)
    idat = a[a.index(b"IDAT") + 4 : a.index(b"IEND") - 8]
    raw = zlib.decompress(idat)
    assert len(raw) == 36 * (1 + 64 * 3)
    assert _png_size(placeholder_png("/huge.jpg", 10**6, 10**6)) == (2000, 2000)
