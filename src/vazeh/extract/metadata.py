"""What a page says about itself in machine-readable form: JSON-LD, OpenGraph and
article:* meta, microdata, the canonical link and the document language.

Sites get JSON-LD wrong in every way: several blocks per page, `@graph` wrappers,
arrays at the top, `@type` as a list, raw newlines inside strings, HTML entities in
values. Each block is parsed on its own, leniently, and a broken block is skipped
with a warning rather than losing the page.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from selectolax.lexbor import LexborHTMLParser

ARTICLE_TYPES = frozenset(
    {
        "newsarticle",
        "article",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "backgroundnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "blogposting",
        "liveblogposting",
        "report",
        "videoobject",
        "photograph",
        "imageobject",
    }
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Metadata:
    jsonld: list[dict[str, Any]] = field(default_factory=list)  # every object, @graph flattened
    meta: dict[str, list[str]] = field(default_factory=dict)  # property/name/itemprop -> values
    canonical: str | None = None
    lang: str | None = None
    warnings: list[str] = field(default_factory=list)

    def first(self, *keys: str) -> str | None:
        for k in keys:
            for v in self.meta.get(k, ()):
                v = v.strip()
                if v:
                    return v
        return None

    def all(self, key: str) -> list[str]:
        return [v.strip() for v in self.meta.get(key, ()) if v.strip()]

    def articles(self) -> list[dict[str, Any]]:
        """JSON-LD objects that describe a story (NewsArticle and kin), in page order."""
        return [o for o in self.jsonld if types_of(o) & ARTICLE_TYPES]

    def article_value(self, key: str) -> Any:
        for o in self.articles():
            v = o.get(key)
            if v not in (None, "", [], {}):
                return v
        return None


def types_of(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return {t.lower()}
    if isinstance(t, list):
        return {x.lower() for x in t if isinstance(x, str)}
    return set()


def _walk_jsonld(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 20:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk_jsonld(item, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data:
            yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _walk_jsonld(graph, depth + 1)
        main = data.get("mainEntity")
        if isinstance(main, (dict, list)):
            yield from _walk_jsonld(main, depth + 1)


def parse_jsonld(raw: str) -> Any:
    raw = raw.strip()
    if raw.startswith("<!--"):
        raw = raw[4:]
    if raw.endswith("-->"):
        raw = raw[:-3]
    raw = raw.strip().rstrip(";")
    try:
        return json.loads(raw, strict=False)
    except ValueError:
        # Control characters and trailing junk are the usual breakage.
        cleaned = _CONTROL.sub(" ", raw)
        return json.JSONDecoder(strict=False).raw_decode(cleaned)[0]


def text_value(v: Any) -> str | None:
    """A JSON-LD value as text: strings entity-decoded, {"name": ...} and lists unwrapped."""
    if isinstance(v, str):
        s = " ".join(html.unescape(v).split())
        return s or None
    if isinstance(v, dict):
        return text_value(v.get("name") or v.get("@value") or v.get("url") or v.get("@id"))
    if isinstance(v, list):
        for x in v:
            s = text_value(x)
            if s:
                return s
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)
    return None


def read_metadata(tree: LexborHTMLParser) -> Metadata:
    md = Metadata()
    for script in tree.css('script[type="application/ld+json"]'):
        raw = script.text(deep=True) or ""
        if len(raw) > 2_000_000:
            md.warnings.append("oversized JSON-LD block skipped")
            continue
        try:
            data = parse_jsonld(raw)
        except (ValueError, RecursionError):
            md.warnings.append("unreadable JSON-LD block skipped")
            continue
        md.jsonld.extend(_walk_jsonld(data))
    for m in tree.css("meta"):
        a = m.attributes
        key = a.get("property") or a.get("name") or a.get("itemprop")
        val = a.get("content")
        if val is None:
            val = a.get("value")
        if key and val is not None:
            md.meta.setdefault(key.strip().lower(), []).append(val)
    for link in tree.css("link[rel]"):
        rel = (link.attributes.get("rel") or "").lower().split()
        href = link.attributes.get("href")
        if "canonical" in rel and href and not md.canonical:
            md.canonical = href.strip()
    root = tree.css_first("html")
    if root is not None:
        lang = root.attributes.get("lang") or root.attributes.get("xml:lang")
        md.lang = lang.strip() if lang else None
    return md
