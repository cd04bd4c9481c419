"""Reading RSS, Atom and (news) sitemaps for the article URLs they list.

Parsed with lxml in recover mode (real feeds are often not well-formed) with
entity resolution and network access off, so a hostile feed cannot read files
or expand entities (XXE, billion laughs).
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree

MAX_SITEMAP_BYTES = 50 << 20  # the sitemap protocol's own limit


@dataclass
class FeedLinks:
    kind: str  # "rss", "atom", "sitemap", "sitemapindex" or "unknown"
    links: list[str] = field(default_factory=list)  # article URLs (or sitemaps, for an index)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def maybe_gunzip(body: bytes) -> bytes:
    """Sitemaps are often served as .xml.gz; inflate them, but never past the sitemap limit."""
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        d = zlib.decompressobj(47)
        return d.decompress(body, MAX_SITEMAP_BYTES)
    except (zlib.error, gzip.BadGzipFile):
        return body


def parse_links(body: bytes, base_url: str | None = None) -> FeedLinks:
    """The links of a feed or sitemap, in document order, without duplicates.

    Relative links (some feeds have them) are resolved against `base_url`, the feed's own URL.
    """
    body = maybe_gunzip(body).lstrip()
    if not body:
        return FeedLinks("unknown")
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError:
        return FeedLinks("unknown")
    if root is None:
        return FeedLinks("unknown")
    kind = _local(root.tag)
    links: list[str] = []
    if kind in ("rss", "rdf"):
        for item in root.iter():
            if _local(item.tag) != "item":
                continue
            link = _child_text(item, "link") or _permalink_guid(item)
            if link:
                links.append(link)
        kind = "rss"
    elif kind == "feed":
        for entry in root.iter():
            if _local(entry.tag) != "entry":
                continue
            link = _atom_link(entry)
            if link:
                links.append(link)
        kind = "atom"
    elif kind == "urlset":
        links = [loc for el in root if _local(el.tag) == "url" and (loc := _child_text(el, "loc"))]
        kind = "sitemap"
    elif kind == "sitemapindex":
        entries = [
            (_child_text(el, "lastmod") or "", i, loc)
            for i, el in enumerate(root)
            if _local(el.tag) == "sitemap" and (loc := _child_text(el, "loc"))
        ]
        # Newest first (by lastmod, else document order): watch reads only the first few.
        dated = sorted((e for e in entries if e[0]), key=lambda e: e[0], reverse=True)
        links = [e[2] for e in dated] + [e[2] for e in entries if not e[0]]
    else:
        kind = "unknown"
    if base_url:
        links = [urljoin(base_url, u) for u in links]
    return FeedLinks(kind, list(dict.fromkeys(u for u in links if u.startswith(("http://", "https://")))))


def _child_text(el: etree._Element, name: str) -> str | None:
    for child in el:
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def _permalink_guid(item: etree._Element) -> str | None:
    for child in item:
        if _local(child.tag) == "guid" and child.get("isPermaLink", "true").lower() != "false":
            text = (child.text or "").strip()
            if text:
                return text
    return None


def _atom_link(entry: etree._Element) -> str | None:
    for child in entry:
        if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate" and child.get("href"):
            return child.get("href").strip()
    return None


FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")


def discover_feeds(html: bytes, base_url: str) -> list[str]:
    """Feed URLs a page announces with `<link rel="alternate" type="application/rss+xml">`."""
    from lxml import html as lxml_html

    try:
        doc = lxml_html.fromstring(html[: 2 << 20], parser=lxml_html.HTMLParser(recover=True, no_network=True))
    except (etree.ParserError, ValueError):
        return []
    found = []
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_TYPES[:3] and href:
            found.append(urljoin(base_url, href))
    return list(dict.fromkeys(u for u in found if u.startswith(("http://", "https://"))))
