"""Every link of the reading room answers something a person can use (issue 17).

A crawl from `/` over the sample archive follows every same-origin link (href
and src) of every page it reaches, up to a bound, and fails on a server error or
a 200 with an empty body, as the footer's `/cdx?url=*&limit=10` was. Replays
(`/web/...`) are followed once per kind of address (timestamp, id_, TimeGate)
since their links lead into the archived pages' own address space, which the
replay tests cover.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

MAX_PAGES = 400


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.append(value)


def _kind(path: str) -> str | None:
    """Which kind of replay address a /web/ path is, or None for a room page."""
    if not path.startswith("/web/"):
        return None
    m = re.match(r"/web/(\d{1,14})([a-z]{2}_)?/", path)
    return ("replay" + (m.group(2) or "")) if m else "timegate"


def test_every_link_answers_something(client):
    origin = "http://testserver"
    queue, seen, kinds = ["/"], {"/"}, set()
    bad: dict[str, str] = {}
    fetched = 0
    while queue and fetched < MAX_PAGES:
        path = queue.pop(0)
        r = client.get(path, follow_redirects=True)
        fetched += 1
        if r.status_code >= 500:
            bad[path] = f"{r.status_code}"
            continue
        if r.status_code == 200 and not r.content.strip():
            bad[path] = "200 with an empty body"
            continue
        if "text/html" not in r.headers.get("content-type", "") or _kind(urlsplit(str(r.url)).path):
            continue  # a replayed page's links are the archived site's, not the room's
        parser = Links()
        parser.feed(r.text)
        for href in parser.found:
            url, _ = urldefrag(urljoin(origin + path, href))
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" != origin:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target in seen:
                continue
            kind = _kind(parts.path)
            if kind is not None:
                if kind in kinds:
                    continue
                kinds.add(kind)
            seen.add(target)
            queue.append(target)
    assert not bad, bad
    # The crawl reached the room's page types, not just the front page.
    reached = {urlsplit(p).path.split("/")[1] for p in seen}
    for section in ("article", "source", "category", "search", "docs", "feeds", "save", "static"):
        assert section in reached, (section, sorted(reached))


def test_the_footer_cdx_link_explains_cdx(client):
    r = client.get("/")
    assert 'href="/cdx?url=*' not in r.text
    docs = client.get("/docs")
    assert docs.status_code == 200 and 'id="cdx"' in docs.text
