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
    # "bom", "header", "meta", "sniffed", "default", or "mixed": UTF-8 with stretches
    # of windows-1256, which decode_html decodes part by part
    how: str


# The WHATWG Encoding Standard's labels (https://encoding.spec.whatwg.org/#names-and-labels),
# as data: the only names a header or <meta> may be believed for, each with the Python
# codec that decodes it. Python knows many more codecs (unicode_escape, rot13, idna,
# punycode, base64, zlib, utf-7 ...) that no browser honours and that turn a page into
# nonsense, so a label outside this table is ignored and the page decoded by the other
# rules. Left out on purpose: the "replacement" labels (iso-2022-kr, hz-gb-2312, ...,
# which browsers decode to a single U+FFFD because they hide markup) and
# x-user-defined, which Python has no codec for.
WHATWG_LABELS: dict[str, tuple[str, ...]] = {
    "utf-8": ("unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8", "x-unicode20utf8"),
    "cp866": ("866", "cp866", "csibm866", "ibm866"),
    "iso8859-2": ("csisolatin2", "iso-8859-2", "iso-ir-101", "iso8859-2", "iso88592", "iso_8859-2", "iso_8859-2:1987", "l2", "latin2"),
    "iso8859-3": ("csisolatin3", "iso-8859-3", "iso-ir-109", "iso8859-3", "iso88593", "iso_8859-3", "iso_8859-3:1988", "l3", "latin3"),
    "iso8859-4": ("csisolatin4", "iso-8859-4", "iso-ir-110", "iso8859-4", "iso88594", "iso_8859-4", "iso_8859-4:1988", "l4", "latin4"),
    "iso8859-5": ("csisolatincyrillic", "cyrillic", "iso-8859-5", "iso-ir-144", "iso8859-5", "iso88595", "iso_8859-5", "iso_8859-5:1988"),
    "iso8859-6": (
        "arabic", "asmo-708", "csiso88596e", "csiso88596i", "csisolatinarabic", "ecma-114", "iso-8859-6",
        "iso-8859-6-e", "iso-8859-6-i", "iso-ir-127", "iso8859-6", "iso88596", "iso_8859-6", "iso_8859-6:1987",
    ),
    "iso8859-7": (
        "csisolatingreek", "ecma-118", "elot_928", "greek", "greek8", "iso-8859-7", "iso-ir-126", "iso8859-7",
        "iso88597", "iso_8859-7", "iso_8859-7:1987", "sun_eu_greek",
    ),
    "iso8859-8": (
        "csiso88598e", "csisolatinhebrew", "hebrew", "iso-8859-8", "iso-8859-8-e", "iso-ir-138", "iso8859-8",
        "iso88598", "iso_8859-8", "iso_8859-8:1988", "visual", "csiso88598i", "iso-8859-8-i", "logical",
    ),
    "iso8859-10": ("csisolatin6", "iso-8859-10", "iso-ir-157", "iso8859-10", "iso885910", "l6", "latin6"),
    "iso8859-13": ("iso-8859-13", "iso8859-13", "iso885913"),
    "iso8859-14": ("iso-8859-14", "iso8859-14", "iso885914"),
    "iso8859-15": ("csisolatin9", "iso-8859-15", "iso8859-15", "iso885915", "iso_8859-15", "l9"),
    "iso8859-16": ("iso-8859-16",),
    "koi8-r": ("cskoi8r", "koi", "koi8", "koi8-r", "koi8_r"),
    "koi8-u": ("koi8-ru", "koi8-u"),
    "mac-roman": ("csmacintosh", "mac", "macintosh", "x-mac-roman"),
    "cp874": ("dos-874", "iso-8859-11", "iso8859-11", "iso885911", "tis-620", "windows-874"),
    "windows-1250": ("cp1250", "windows-1250", "x-cp1250"),
    "windows-1251": ("cp1251", "windows-1251", "x-cp1251"),
    # WHATWG decodes these as windows-1252; they keep their own name here because
    # _WEAK_LABELS (and the warnings) speak of the label the server sent.
    "iso-8859-1": (
        "ansi_x3.4-1968", "ascii", "cp819", "csisolatin1", "ibm819", "iso-8859-1", "iso-ir-100", "iso8859-1",
        "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1", "us-ascii",
    ),
    "windows-1252": ("cp1252", "windows-1252", "x-cp1252"),
    "windows-1253": ("cp1253", "windows-1253", "x-cp1253"),
    "windows-1254": (
        "cp1254", "csisolatin5", "iso-8859-9", "iso-ir-148", "iso8859-9", "iso88599", "iso_8859-9",
        "iso_8859-9:1989", "l5", "latin5", "windows-1254", "x-cp1254",
    ),
    "windows-1255": ("cp1255", "windows-1255", "x-cp1255"),
    "windows-1256": ("cp1256", "windows-1256", "x-cp1256"),
    "windows-1257": ("cp1257", "windows-1257", "x-cp1257"),
    "windows-1258": ("cp1258", "windows-1258", "x-cp1258"),
    "mac-cyrillic": ("x-mac-cyrillic", "x-mac-ukrainian"),
    "gbk": ("chinese", "csgb2312", "csiso58gb231280", "gb2312", "gb_2312", "gb_2312-80", "gbk", "iso-ir-58", "x-gbk"),
    "gb18030": ("gb18030",),
    "big5hkscs": ("big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5"),
    "euc_jp": ("cseucpkdfmtjapanese", "euc-jp", "x-euc-jp"),
    "iso2022_jp": ("csiso2022jp", "iso-2022-jp"),
    "cp932": ("csshiftjis", "ms932", "ms_kanji", "shift-jis", "shift_jis", "sjis", "windows-31j", "x-sjis"),
    "cp949": (
        "cseuckr", "csksc56011987", "euc-kr", "iso-ir-149", "korean", "ks_c_5601-1987", "ks_c_5601-1989",
        "ksc5601", "ksc_5601", "windows-949",
    ),
    "utf-16-be": ("unicodefffe", "utf-16be"),
    "utf-16-le": ("csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff", "utf-16", "utf-16le"),
}
_BY_LABEL = {label: name for name, labels in WHATWG_LABELS.items() for label in labels}
# A detector names codecs in Python's spelling (cp1256, utf_8): only those of the table count.
_BY_CODEC = {codecs.lookup(name).name: name for name in WHATWG_LABELS}


def canonical(label: str | None) -> str | None:
    """The Python codec for a WHATWG encoding label, or None for any other label."""
    if not label:
        return None
    # The standard strips ASCII whitespace and compares case-insensitively; quotes
    # are what sloppy headers wrap the value in.
    return _BY_LABEL.get(label.strip(" \t\n\f\r\"'").lower())


def header_label(content_type: str | None) -> str | None:
    """The charset label of a Content-Type header, as written."""
    m = _HEADER_CHARSET.search(content_type) if content_type else None
    return m.group(1) if m else None


def meta_label(body: bytes) -> str | None:
    """The charset label of the page's <meta>, as written."""
    m = _META_CHARSET.search(body[:8192])
    return m.group(1).decode("ascii", "ignore") if m else None


def ignored_labels(body: bytes, content_type: str | None = None) -> list[str]:
    """Labels the header or <meta> gives that are no web encoding (unicode_escape, rot13 ...)."""
    return [lab for lab in (header_label(content_type), meta_label(body)) if lab and canonical(lab) is None]


def header_charset(content_type: str | None) -> str | None:
    return canonical(header_label(content_type))


def meta_charset(body: bytes) -> str | None:
    name = canonical(meta_label(body))
    # HTML's rule: a <meta> that the parser could read was not UTF-16, so a UTF-16
    # label there means UTF-8.
    return "utf-8" if name in ("utf-16-le", "utf-16-be") else name


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


# A whole valid multi-byte UTF-8 character (no overlongs, surrogates or values past U+10FFFF).
_UTF8_CHAR = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefe\u200c-\u200f\u00ab\u00bb]")
# windows-1256 text read as UTF-8 makes few valid characters by chance (a letter in
# 0xC2-0xDF before one of the few letters in 0x80-0xBF); a UTF-8 page with a stretch of
# windows-1256 keeps most of its high bytes in valid characters.
MIXED_UTF8_SHARE = 0.5


def mostly_utf8(body: bytes) -> bool:
    """Whether a page that is not valid UTF-8 still has most of its non-ASCII bytes in
    valid UTF-8 characters: a UTF-8 page with stretches in another charset."""
    high = len(_HIGH_BYTE.findall(body))
    return bool(high) and sum(map(len, _UTF8_CHAR.findall(body))) >= MIXED_UTF8_SHARE * high


def _arabic_share(text: str) -> float:
    return len(_ARABIC_SCRIPT.findall(text)) / len(text) if text else 0.0


def decode_mixed(body: bytes) -> str:
    """A mostly UTF-8 page with stretches of windows-1256, each part decoded right.

    Every run of non-ASCII bytes (a word, in Persian text) is decoded on its own: as
    UTF-8 when it is valid UTF-8, else as windows-1256 when that gives Arabic-script
    letters or when it holds no UTF-8 character at all, else as UTF-8 with U+FFFD for
    the bad bytes. A windows-1256 word that
    happens to be valid UTF-8 reads as Latin or symbols; it is taken as windows-1256
    when that spelling is all Arabic script and the UTF-8 one has none."""
    out: list[str] = []
    last = 0
    for m in _HIGH_RUN.finditer(body):
        out.append(body[last : m.start()].decode("ascii"))
        run = m.group()
        as_1256 = run.decode("windows-1256", "replace")
        try:
            text = run.decode("utf-8")
        except UnicodeDecodeError:
            # No UTF-8 character in it at all (a lone "×" or "–" is one byte): another
            # charset, and on these pages that is windows-1256.
            other = _UTF8_CHAR.search(run) is None or _arabic_share(as_1256) >= 0.7
            text = as_1256 if other else run.decode("utf-8", "replace")
        else:
            if not _ARABIC_SCRIPT.search(text) and _arabic_share(as_1256) == 1.0:
                text = as_1256
        out.append(text)
        last = m.end()
    out.append(body[last:].decode("ascii"))
    return "".join(out)


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
            try:
                return _BY_CODEC.get(codecs.lookup(best.encoding).name, "windows-1256")
            except LookupError:
                return "windows-1256"
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
    if name == "windows-1256" and _has_multibyte(body) and (_is_utf8(body) or mostly_utf8(body)):
        # A stale template label on a UTF-8 page (perhaps with some windows-1256 in it).
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
    if not _is_utf8(body) and mostly_utf8(body):
        return Charset("utf-8", "mixed")
    return Charset(sniff(body), "sniffed")


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, Charset]:
    """Text of a page: decoded with the detected charset, bad bytes replaced, BOM dropped."""
    cs = detect_charset(body, content_type)
    text = decode_mixed(body) if cs.how == "mixed" else body.decode(cs.name, errors="replace")
    return text.lstrip("\ufeff"), cs
