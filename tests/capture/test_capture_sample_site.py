"""The bundled sample site captured through the real fetcher: every page gets the
charset its gold answer names, however its headers and meta tags lie."""

from __future__ import annotations

import json
from importlib import resources

from vazeh.capture import FetchConfig, capture_urls

EXPECTED = json.loads((resources.files("vazeh.sample") / "expected.json").read_text(encoding="utf-8"))


def test_every_sample_page_is_captured_with_its_true_charset(archive, sample_site):
    pages = [p for p in EXPECTED["pages"] if p.get("charset") and not p["url_path"].startswith("/private/")]
    urls = {sample_site.url(p["url_path"]): p for p in pages}
    report = capture_urls(archive, list(urls), FetchConfig(allow_private=True, rate=100))
    assert report.failed == 0 and report.captured == len(urls)
    for url, page in urls.items():
        [cap] = archive.captures(url)
        assert cap.status == 200, url
        assert cap.charset == page["charset"], (page.get("key") or url, page.get("encoding"))
        if page.get("http_content_type"):
            assert archive.read_response(cap).header("Content-Type") == page["http_content_type"]


def test_sample_robots_txt_keeps_private_pages_out(archive, sample_site):
    report = capture_urls(archive, [sample_site.url("/private/secret.html")], FetchConfig(allow_private=True, rate=100))
    assert report.robots == 1 and archive.count() == 0
