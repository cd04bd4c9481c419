"""Rewriting archived pages so every link, image and style stays inside the archive.

A replayed page must never reach the live web, and a reader who follows a link
should land on the archived copy nearest in time. So every URL in the page
(href, src, srcset, action, poster, lazy-image attributes, CSS `url()` and
`@import`, meta refresh) becomes `/web/<timestamp><modifier>/<absolute URL>`.
Whatever is missed is still blocked by the replay's Content-Security-Policy.

The page is rewritten with regular expressions over tags rather than parsed and
re-serialized: the archived bytes stay as they were except for the URLs, which
is what an archive owes its readers, and it is several times faster than a
tree round-trip on large news pages.

Modifiers follow pywb's: `id_` raw bytes, `im_` image, `cs_` stylesheet,
`js_` script, `if_` frame, `oe_` object; none for a page a reader navigates to.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from markupsafe import escape

from vazeh.persian import to_persian_digits
from vazeh.web.fmt import display_url

_ATTR = re.compile(
    r"""(?P<pre>\s)(?P<name>[^\s/>"'=]+)(?:(?P<eq>\s*=\s*)(?P<val>"[^"]*"|'[^']*'|[^\s>"']+))?""",
    re.S,
)
# A start tag whose quoted attribute values may hold `>`.
_TAG = re.compile(
    r"""<(?P<tag>[a-zA-Z][a-zA-Z0-9:_-]*)(?P<attrs>(?:\s+[^\s/>"'=<]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"'<]+))?)*)\s*(?P<close>/?)>""",
    re.S,
)
# Comments, style and script blocks run to their end tag, or to the end of the
# document when the end is missing (as browsers read them), so an unclosed one is
# scanned once rather than once per later tag. Names and unquoted values stop at
# `<`, which keeps a page full of unclosed tags linear too.
_SEGMENT = re.compile(
    r"<!--(?:.*?-->|.*\Z)|(?P<style><style\b[^>]*>)(?P<css>.*?)(?P<endstyle></style\s*>|\Z)|"
    r"(?P<script><script\b[^>]*>)(?P<js>.*?)(?P<endscript></script\s*>|\Z)|"
    r"<[a-zA-Z][a-zA-Z0-9:_-]*(?:\s+[^\s/>\"'=<]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"'<]+))?)*\s*/?>",
    re.S | re.I,
)
_CSS_URL = re.compile(r"""url\(\s*(?P<q>["']?)(?P<url>[^"')]*?)(?P=q)\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?P<q>["'])(?P<url>[^"']+)(?P=q)""", re.I)
_REFRESH = re.compile(r"""^(?P<delay>\s*\d*\s*[;,]?\s*url\s*=\s*)(?P<q>["']?)(?P<url>.*?)(?P=q)\s*$""", re.I | re.S)
_BASE_HREF = re.compile(r"""<base\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)
_BODY_OPEN = re.compile(r"<body\b[^>]*>", re.I)
_HEAD_OPEN = re.compile(r"<head\b[^>]*>", re.I)
_NOT_WEB = ("#", "data:", "javascript:", "mailto:", "tel:", "about:", "blob:", "sms:")

# Which attribute of which tag holds a URL, and the modifier its target is replayed with.
_URL_ATTRS: dict[str, dict[str, str]] = {
    "a": {"href": ""},
    "area": {"href": ""},
    "form": {"action": ""},
    "button": {"formaction": ""},
    "img": {"src": "im_", "longdesc": "", "lowsrc": "im_"},
    "image": {"href": "im_", "xlink:href": "im_"},
    # SVG sprites: `<use href="/icons.svg#menu">`; the fragment names the symbol and is kept.
    "use": {"href": "im_", "xlink:href": "im_"},
    "source": {"src": "im_"},
    "track": {"src": "oe_"},
    "video": {"src": "oe_", "poster": "im_"},
    "audio": {"src": "oe_"},
    "input": {"src": "im_"},
    "embed": {"src": "oe_"},
    "object": {"data": "oe_"},
    "script": {"src": "js_"},
    "iframe": {"src": "if_"},
    "frame": {"src": "if_"},
    "body": {"background": "im_"},
    "table": {"background": "im_"},
    "td": {"background": "im_"},
    "th": {"background": "im_"},
    "blockquote": {"cite": ""},
    "q": {"cite": ""},
    "ins": {"cite": ""},
    "del": {"cite": ""},
}
# Lazy-loading attributes Persian news sites use for images; rewritten on any tag.
_LAZY_ATTRS = {"data-src": "im_", "data-original": "im_", "data-lazy-src": "im_", "data-srcset": "im_"}
_SRCSET_ATTRS = {"srcset", "data-srcset", "imagesrcset"}
# Subresource integrity cannot hold for rewritten bytes, and would make browsers drop them.
_DROP_ATTRS = {"integrity", "nonce"}


# A root-relative link urljoin would leave as it is: no "//" authority, no dot
# segments or backslash in the path, no empty query or fragment.
_PLAIN_PATH = re.compile(r"(?![^?#]*/\.)/(?!/)[^?#\s\\]*(?:\?[^#\s]+)?(?:#\S+)?")


@lru_cache(maxsize=4096)
def _origin(base: str) -> str | None:
    try:
        parts = urlsplit(base)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class UrlRewriter:
    """Turns a URL found in an archived document into its address in the archive."""

    timestamp: str  # the 14-digit timestamp of the document being replayed
    base: str  # the document's URL (or its <base href>), to resolve relative URLs
    prefix: str = "/web/"

    def __call__(self, value: str, mod: str = "") -> str:
        raw = value.strip()
        if not raw or raw.lower().startswith(_NOT_WEB) or raw.startswith(self.prefix):
            return value
        if raw[0] == "/" and _PLAIN_PATH.fullmatch(raw):
            # Most links of a news page are root-relative ("/news/123/story"): joined to
            # the page's origin they are what urljoin would give, at a fraction of the cost.
            origin = _origin(self.base)
            if origin:
                return f"{self.prefix}{self.timestamp}{mod}/{origin}{raw}"
        try:
            absolute = urljoin(self.base, raw)
            parts = urlsplit(absolute)
        except ValueError:
            return value
        if parts.scheme not in ("http", "https"):
            return value  # left alone; the replay's CSP keeps it from loading
        absolute = absolute.split("#", 1)[0] + (f"#{parts.fragment}" if parts.fragment else "")
        return f"{self.prefix}{self.timestamp}{mod}/{absolute}"

    def srcset(self, value: str, mod: str = "im_") -> str:
        out = []
        for url, descriptors in srcset_candidates(value):
            new = self(url, mod)
            out.append(f"{new} {descriptors}" if descriptors else new)
        return ", ".join(out)

    def css(self, text: str) -> str:
        text = _CSS_URL.sub(lambda m: f"url({m['q']}{self(m['url'], 'im_')}{m['q']})", text)
        return _CSS_IMPORT.sub(lambda m: f"@import {m['q']}{self(m['url'], 'cs_')}{m['q']}", text)


def srcset_candidates(value: str) -> Iterator[tuple[str, str]]:
    """(URL, descriptors) of each image candidate, split as the HTML standard does:
    a URL is a run of non-space characters, so a comma inside it (CDNs' `w_100,h_80`)
    belongs to it; only commas after a URL, or ending one, separate candidates."""
    i, n = 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        if i >= n:
            return
        j = i
        while j < n and not value[j].isspace():
            j += 1
        url = value[i:j]
        if url.endswith(","):
            yield url.rstrip(","), ""
            i = j
            continue
        k, depth = j, 0
        while k < n and not (value[k] == "," and depth == 0):
            # A comma inside parentheses belongs to a descriptor, as the standard reads it.
            if value[k] == "(":
                depth += 1
            elif value[k] == ")" and depth:
                depth -= 1
            k += 1
        yield url, value[j:k].strip()
        i = k + 1


def _quote_attr(value: str, quote: str) -> str:
    if quote == '"':
        return '"' + value.replace('"', "&quot;") + '"'
    if quote == "'":
        return "'" + value.replace("'", "&#39;") + "'"
    return '"' + value.replace('"', "&quot;") + '"'


def _unescape_amp(value: str) -> str:
    # `&amp;` in an attribute is `&` in the URL; the rest of the entities do not occur in URLs.
    return value.replace("&amp;", "&")


def _rewrite_tag(tag_text: str, rw: UrlRewriter) -> str:
    m = _TAG.match(tag_text)
    if not m:
        return tag_text
    tag = m["tag"].lower()
    attrs_text = m["attrs"]
    if not attrs_text:
        return tag_text
    url_attrs = _URL_ATTRS.get(tag, {})
    rel = ""
    if tag == "link":
        rel_m = re.search(r"""\srel\s*=\s*["']?([^"'>]+)""", attrs_text, re.I)
        rel = rel_m.group(1).lower() if rel_m else ""
    is_refresh = tag == "meta" and re.search(r"http-equiv\s*=\s*[\"']?refresh", attrs_text, re.I)
    changed = False

    def attr(am: re.Match[str]) -> str:
        nonlocal changed
        name = am["name"].lower()
        if name in _DROP_ATTRS and tag in ("link", "script"):
            changed = True
            return ""
        val = am["val"]
        if val is None:
            return am.group(0)
        quote = val[0] if val[0] in "\"'" else ""
        inner = val[1:-1] if quote else val
        new: str | None = None
        if name in _SRCSET_ATTRS:
            new = rw.srcset(_unescape_amp(inner))
        elif name == "style":
            # Quotes in a style attribute are written `&quot;` (`url(&quot;/a.png&quot;)`):
            # the CSS is the value's text once the entities are read.
            css = html_lib.unescape(inner)
            new = rw.css(css)
            if new == css:
                new = None
        elif name in url_attrs:
            new = rw(_unescape_amp(inner), url_attrs[name])
        elif name in _LAZY_ATTRS:
            new = rw(_unescape_amp(inner), _LAZY_ATTRS[name])
        elif tag == "link" and name == "href":
            mod = "cs_" if "stylesheet" in rel else "im_" if "icon" in rel else "oe_" if "preload" in rel else ""
            new = rw(_unescape_amp(inner), mod)
        elif tag == "base" and name == "href":
            new = rw(_unescape_amp(inner))
        elif is_refresh and name == "content":
            rm = _REFRESH.match(inner)
            if rm:
                new = rm["delay"] + rw(rm["url"])
        if new is None or new == inner:
            return am.group(0)
        changed = True
        return f"{am['pre']}{am['name']}{am['eq'] or '='}{_quote_attr(new.replace('&', '&amp;'), quote)}"

    new_attrs = _ATTR.sub(attr, attrs_text)
    if not changed:
        return tag_text
    return f"<{m['tag']}{new_attrs}{' /' if m['close'] else ''}>"


def document_base(html: str, url: str) -> str:
    """The URL relative links resolve against: the page's <base href> if it has one."""
    m = _BASE_HREF.search(html[:20000])
    if m:
        href = next(g for g in m.groups() if g is not None)
        try:
            return urljoin(url, _unescape_amp(href.strip()))
        except ValueError:
            return url
    return url


def rewrite_html(html: str, rw: UrlRewriter) -> str:
    """Every URL of an HTML document pointed into the archive."""

    def segment(m: re.Match[str]) -> str:
        if m["style"] is not None:
            return _rewrite_tag(m["style"], rw) + rw.css(m["css"]) + m["endstyle"]
        if m["script"] is not None:
            return _rewrite_tag(m["script"], rw) + m["js"] + m["endscript"]
        text = m.group(0)
        if text.startswith("<!--"):
            return text
        return _rewrite_tag(text, rw)

    return _SEGMENT.sub(segment, html)


def insert_banner(html: str, banner: str) -> str:
    """Put the archive's banner first in the body (or as early as the page allows)."""
    m = _BODY_OPEN.search(html)
    if m is None:
        m = _HEAD_OPEN.search(html)
        if m is not None:
            # No <body> tag: the banner after </head> would still be parsed into the body.
            end = re.search(r"</head\s*>", html, re.I)
            if end:
                return html[: end.end()] + banner + html[end.end():]
        return banner + html
    return html[: m.end()] + banner + html[m.end():]


def insert_head(html: str, snippet: str) -> str:
    """Put `snippet` first in <head>, before any of the page's own scripts can run."""
    m = _HEAD_OPEN.search(html)
    if m is not None:
        return html[: m.end()] + snippet + html[m.end():]
    m = re.search(r"<html\b[^>]*>", html, re.I)
    if m is not None:
        return html[: m.end()] + snippet + html[m.end():]
    doctype = re.match(r"\s*<!doctype[^>]*>", html, re.I)
    if doctype:
        return html[: doctype.end()] + snippet + html[doctype.end():]
    return snippet + html


# The room's font under a name no archived page uses, so the page's own `Vazirmatn`
# (Persian sites often ship one) neither replaces nor is replaced by it.
BANNER_FONT = "vazeh-banner"
FONT_PATH = "/_vazeh/fonts/"
_FONT_FILES = (("400", "vazirmatn-arabic-400-normal.woff2"), ("700", "vazirmatn-arabic-700-normal.woff2"))


@dataclass
class BannerLink:
    href: str
    label: str


def banner_html(*, url: str, captured_jalali: str, calendar_href: str, raw_href: str, home_href: str = "/",
                previous: BannerLink | None = None, next_: BannerLink | None = None, count: int = 1,
                fonts: bool = True) -> str:
    """The strip at the top of a replayed page: what this is, when it was captured,
    the captures before and after it and the URL's calendar of captures.

    Inline styles only, because the page's own stylesheets are in force, and no script.
    """
    family = f"{BANNER_FONT},Vazirmatn,Tahoma,sans-serif" if fonts else "Vazirmatn,Tahoma,sans-serif"
    box = (
        f"all:initial;display:block;direction:rtl;text-align:right;font:14px/1.7 {family};"
        "background:#1f2a44;color:#fff;padding:8px 14px;border-bottom:3px solid #e0a526;"
        "position:relative;z-index:2147483647"
    )
    link = (f"all:unset;cursor:pointer;font-family:{family};color:#ffd98a;text-decoration:underline;"
            "margin-inline-start:12px;white-space:nowrap")
    faces = ""
    if fonts:
        faces = "<style>" + "".join(
            f"@font-face{{font-family:{BANNER_FONT};font-weight:{weight};font-display:swap;"
            f"src:url({FONT_PATH}{name}) format(\"woff2\")}}" for weight, name in _FONT_FILES
        ) + "</style>"

    def a(target: BannerLink | None, rel: str, missing: str) -> str:
        if target is None:
            return f'<span style="{link};text-decoration:none;color:#9aa4bd;cursor:default">{missing}</span>'
        return (f'<a rel="{rel}" style="{link}" href="{escape(target.href)}" '
                f'title="{escape(target.label)}">{escape(target.label)}</a>')

    return (
        f'<div id="vazeh-banner" lang="fa" dir="rtl" style="{box}">{faces}'
        f'<strong style="all:unset;font-weight:bold;font-family:{family}">واضح · بایگانی</strong> — '
        f'این صفحه نسخهٔ بایگانی‌شدهٔ <bdi dir="ltr" style="all:unset;direction:ltr;unicode-bidi:isolate">'
        f'{escape(display_url(url))}</bdi> است، بایگانی‌شده در '
        f'<time class="vazeh-captured" style="all:unset;font-weight:bold">{escape(captured_jalali)}</time>.'
        f"{a(previous, 'prev', 'نسخهٔ پیشینی نیست')}"
        f"{a(next_, 'next', 'نسخهٔ پسینی نیست')}"
        f'<a class="vazeh-calendar" style="{link}" href="{escape(calendar_href)}">'
        f"تقویم نسخه‌ها ({escape(to_persian_digits(str(count)))})</a>"
        f'<a style="{link}" href="{escape(raw_href)}">پاسخ خام</a>'
        f'<a style="{link}" href="{escape(home_href)}">تالار خواندن</a>'
        "</div>"
    )
