"""From raw bytes to a parsed page, safely.

Charset comes from `vazeh.archive.charset` (BOM, HTTP header, meta, then sniffing).
Before parsing, the markup is checked for what would make the parser slow:
Lexbor closes deeply nested elements in quadratic time (100k nested `<div>`s take
half a minute), so markup nested deeper than `MAX_DEPTH` is flattened first. Binary
junk is recognised and not parsed at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser

from vazeh.archive.charset import decode_html, header_charset, ignored_labels, meta_charset

# A news page is well under a megabyte of markup once scripts and styles are gone.
# Bigger pages are first stripped of those (keeping JSON-LD), then cut: every CSS
# selector and every walk costs time in proportion to the tree.
BIG_PAGE = 1024 * 1024
MAX_BYTES = 2 * 1024 * 1024
_BULK = re.compile(
    rb"<script(?![^>]*ld\+json)[^>]*>.*?</script\s*>|<style[^>]*>.*?</style\s*>|<!--.*?-->|<svg[^>]*>.*?</svg\s*>"
    rb"|data:[a-z]+/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=]{200,}",
    re.I | re.S,
)
MAX_DEPTH = 400
# Elements with no end tag; they never deepen the tree.
_VOID = frozenset(
    b"area base br col embed hr img input link meta param source track wbr keygen basefont frame".split()
)
# Elements the parser closes by itself when the next one starts (`<p>` after `<p>`):
# unclosed ones do not deepen the real tree, so they are not counted.
_SELF_CLOSING = frozenset(b"p li dt dd tr td th option optgroup rb rt rp".split())
_TAG = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*?(/?)>")
_TAG_NAME = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9:-]*)")


@dataclass
class Document:
    tree: LexborHTMLParser
    text: str
    charset: str
    warnings: list[str] = field(default_factory=list)


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for k, v in headers.items():
        if k.lower() == name:
            return v
    return None


_MARKUP = re.compile(rb"<(?:!doctype|html|head|title|meta|body)\b", re.I)


def looks_binary(body: bytes) -> bool:
    """Control bytes that no text page contains (NUL, most C0 codes) in the first 4 KiB.

    NULs in a page that is otherwise HTML text (a CMS writes one into the title) do not
    make it binary: the parser drops them. Pages that are mostly NULs (UTF-16 without
    a BOM, zeroed files) still count as binary."""
    head = body[:4096]
    if not head or head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return False
    nul = head.count(0)
    bad = sum(1 for b in head if b < 32 and b not in (0, 9, 10, 12, 13, 27))
    if nul and (nul > len(head) * 0.1 or not _MARKUP.search(head.replace(b"\x00", b""))):
        bad += nul
    return bad > len(head) * 0.02


def max_depth(body: bytes) -> int:
    """An upper bound of the element depth: start tags minus end tags, void and
    self-closing-by-parser elements ignored."""
    depth = top = 0
    skip = _VOID | _SELF_CLOSING
    for slash, name in _TAG_NAME.findall(body):
        name = name.lower()
        if name in skip:
            continue
        if slash:
            if depth:
                depth -= 1
        else:
            depth += 1
            if depth > top:
                top = depth
    return top


def _start_tags(body: bytes) -> int:
    """Roughly how many elements could nest: start tags other than the common void ones."""
    lower = body.lower() if len(body) < 4_000_000 else body
    voids = sum(lower.count(t) for t in (b"<br", b"<img", b"<meta", b"<input", b"<link", b"<hr", b"<wbr", b"<p>", b"<p ", b"<li"))
    return body.count(b"<") - body.count(b"</") - voids


def flatten(body: bytes, limit: int = MAX_DEPTH) -> bytes:
    """Drop start and end tags beyond `limit` levels, keeping all text."""
    out: list[bytes] = []
    depth = last = 0
    for m in _TAG.finditer(body):
        name = m.group(2).lower()
        closing = bool(m.group(1))
        void = bool(m.group(3)) or name in _VOID or name in _SELF_CLOSING
        if closing and name in _SELF_CLOSING:
            keep = True
        elif closing:
            keep = depth <= limit
            depth = max(0, depth - 1)
        elif void:
            keep = True
        else:
            depth += 1
            keep = depth <= limit
        if not keep:
            out.append(body[last : m.start()])
            last = m.end()
    out.append(body[last:])
    return b"".join(out)


def parse(body: bytes, headers: Mapping[str, str] | None = None) -> Document:
    warnings: list[str] = []
    if len(body) > BIG_PAGE:
        size = len(body)
        body = _BULK.sub(b" ", body)
        warnings.append(f"page is {size} bytes; scripts, styles and comments removed before reading")
    if len(body) > MAX_BYTES:
        warnings.append(f"page is {len(body)} bytes of markup; only the first {MAX_BYTES} were read")
        body = body[:MAX_BYTES]
    content_type = header(headers, "content-type")
    text, cs = decode_html(body, content_type)
    declared = [d for d in (header_charset(content_type), meta_charset(body)) if d]
    for label in ignored_labels(body, content_type):
        warnings.append(f"page declares charset {label!r}, which is not a web encoding; ignored")
    if cs.how == "sniffed" and declared:
        warnings.append(f"page declares {' / '.join(declared)} but is written in {cs.name}; decoded as {cs.name}")
    elif cs.how == "sniffed" and cs.name != "utf-8":
        warnings.append(f"charset not declared; decoded as {cs.name} by sniffing")
    elif cs.how == "mixed":
        warnings.append("page is UTF-8 with stretches of windows-1256; each part decoded on its own")
    if "\ufffd" in text[:200000] and cs.name != "utf-8" or text.count("\ufffd") > 20:
        warnings.append(f"undecodable bytes replaced when decoding as {cs.name}")
    # Lexbor stays fast up to a few thousand levels, so only pages with that many tags are scanned.
    if _start_tags(body) > 4000 and max_depth(body) > MAX_DEPTH:
        warnings.append(f"markup nested deeper than {MAX_DEPTH} levels; flattened before parsing")
        text, _ = decode_html(flatten(body), content_type)
    if "\x00" in text:
        # The HTML tokenizer drops NUL in text and makes it U+FFFD in <title> and
        # attributes; dropping it everywhere keeps a title equal to its headline.
        text = text.replace("\x00", "")
        warnings.append("NUL characters removed from the page")
    return Document(LexborHTMLParser(text), text, cs.name, warnings)
