"""The sample site server: static files, header overrides, 304s and the misbehaving routes."""

from __future__ import annotations

import zlib

import httpx


def test_static_files_and_their_fallbacks(site):
    with httpx.Client(base_url=site.base_url) as c:
        assert c.get("/news/1").status_code == 200  # news/1.html
        assert c.get("/").text.startswith("<!doctype html>")  # index.html
        assert c.get("/_headers.json").status_code == 404  # never served
        assert c.get("/../../../etc/passwd").status_code == 404
        assert c.get("/%2e%2e/%2e%2e/etc/passwd").status_code == 404
        assert c.get("/no/such/page").status_code == 404


def test_header_overrides_and_base_url_placeholder(site):
    with httpx.Client(base_url=site.base_url) as c:
        assert c.get("/news/4").headers["content-type"] == "text/html; charset=iso-8859-1"
        assert site.base_url + "/news/3" in c.get("/sitemap.xml").text
        assert c.get("/rss.xml").headers["content-type"].startswith("application/rss+xml")


def test_conditional_requests_get_304(site):
    with httpx.Client(base_url=site.base_url) as c:
        first = c.get("/rss.xml")
        assert c.get("/rss.xml", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
        assert c.get("/rss.xml", headers={"If-Modified-Since": first.headers["last-modified"]}).status_code == 304
        assert c.get("/rss.xml", headers={"If-None-Match": '"other"'}).status_code == 200


def test_misbehaving_routes(site):
    with httpx.Client(base_url=site.base_url) as c:
        assert [c.get("/flaky?k=server-test").status_code for _ in range(4)] == [503, 503, 200, 503]
        hops = c.get("/redirect/3?to=/news/2", follow_redirects=True)
        assert [r.status_code for r in hops.history] == [301, 302, 301] and hops.url.path == "/news/2"
        assert int(c.head("/big?mb=2").headers["content-length"]) == 2 << 20
        with c.stream("GET", "/bomb") as r:
            wire = b"".join(r.iter_raw())
        assert r.headers["content-encoding"] == "gzip" and len(wire) < 1 << 20
        inflated = zlib.decompressobj(31).decompress(wire, 64 << 20)
        assert len(inflated) == 64 << 20  # and far more where that came from
