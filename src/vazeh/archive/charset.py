"""Which character set a captured page is really written in.

Persian sites label their pages wrongly often enough that the label cannot be
trusted alone: old pages are windows-1256 served as ISO-8859-1 or with no label,
and some UTF-8 pages still carry a `windows-1256` meta tag from a template.
Candidates come in the order browsers trust them (BOM, HTTP header, meta) and
each is checked against the bytes before it is believed.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Labels that, on a Persian page, usually mean "whatever the server defaulted to".
_WEAK_LABELS = {"iso-8859-1", "latin-1", "windows-1252", "cp1252", "ascii", "us-ascii"}
# In windows-1256 the Persian and Arabic letters sit in 0xC1-0xFE (and a few below);
# a page full of those bytes that is not valid UTF-8 is almost surely windows-1256.
_ARABIC_1256 = re.compile(rb"[\xc1-\xfe\x81\x8a\x8d\x8e\x90\x98]")


@dataclass(frozen=True)
class Charset:
    name: str  # a Python codec name, lowercase
    how: str  # "bom", "header", "meta", "sniffed" or "default"


def canonical(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    # codecs calls ISO-8859-1 "iso8859-1": spell it the way _WEAK_LABELS and HTTP do.
    return {"cp1256": "windows-1256", "cp1252": "windows-1252", "iso8859-1": "iso-8859-1", "latin-1": "iso-8859-1"}.get(
        name, name
    )


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return canonical(m.group(1)) if m else None


def meta_charset(body: bytes) -> str | None:
    m = _META_CHARSET.search(body[:8192])
    return canonical(m.group(1).decode("ascii", "ignore")) if m else None


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as e:
        # A page cut at the size cap may end inside a character.
        return e.start >= len(body) - 3 and e.start > 0
    return True


_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _has_multibyte(body: bytes) -> bool:
    return _HIGH_BYTE.search(body, 0, 65536) is not None


def sniff(body: bytes) -> str:
    if not _has_multibyte(body) or _is_utf8(body):
        return "utf-8"
    sample = body[:65536]
    high = len(_HIGH_BYTE.findall(sample))
    if high and len(_ARABIC_1256.findall(sample)) / high > 0.6:
        return "windows-1256"
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(sample).best()
        if best is not None:
            return canonical(best.encoding) or "windows-1256"
    except Exception:  # noqa: BLE001 - a detector failure must not lose the page
        pass
    return "windows-1256"


def _plausible(name: str, body: bytes) -> bool:
    if name == "utf-8":
        return _is_utf8(body)
    if name in _WEAK_LABELS and _has_multibyte(body):
        # Valid multi-byte UTF-8 under a Latin label is a mislabelled UTF-8 page, and
        # Arabic-range bytes under it are a mislabelled windows-1256 page.
        return False
    if name == "windows-1256" and _has_multibyte(body) and _is_utf8(body):
        return False
    try:
        body[:65536].decode(name)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_charset(body: bytes, content_type: str | None = None) -> Charset:
    """The charset to decode `body` with, and which evidence decided it."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return Charset(name, "bom")
    for how, name in (("header", header_charset(content_type)), ("meta", meta_charset(body))):
        if name and _plausible(name, body):
            return Charset(name, how)
    if not _has_multibyte(body):
        return Charset("utf-8", "default")
    return Charset(sniff(body), "sniffed")


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, Charset]:
    """Text of a page: decoded with the detected charset, bad bytes replaced, BOM dropped."""
    cs = detect_charset(body, content_type)
    text = body.decode(cs.name, errors="replace")
    return text.lstrip("\ufeff"), cs
