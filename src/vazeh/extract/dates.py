"""When a story was published: machine metadata first, then the date the page shows.

All parsing goes through `vazeh.persian.parse_date` (ISO 8601, Jalali with Persian
or ASCII digits, Afghan month names). This module only decides which string to
believe and puts the result in the outlet's zone without sub-second fractions,
which is how the outlets themselves show time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborHTMLParser

from vazeh.extract.metadata import Metadata
from vazeh.extract.text import collapse

_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "publishdate",
    "pubdate",
    "publish-date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
)
# Dublin Core's plain `<meta name="Date">` (and kin): old CMSs and government sites put
# the story's date there, but Nastooh sites fill it with the time the page was rendered,
# so it only counts after everything else the page says about itself.
_WEAK_PUBLISHED_META = ("dc.date", "dcterms.date", "date")
_MODIFIED_META = ("article:modified_time", "og:article:modified_time", "og:updated_time", "datemodified")
_DATE_CLASS_HINTS = ("date", "time", "publish", "tarikh", "zaman")
# Site headers show today's date («امروز: دوشنبه ۲ تیر ۱۳۹۹»); it is not the story's.
# A story's own «امروز ۱۰:۳۰» has no year, so only dated "today" lines are skipped.
_TODAY_WIDGET = ("امروز", "Today", "today")
_YEAR = re.compile(r"[0-9۰-۹]{4}")


def _is_today_widget(text: str) -> bool:
    return any(w in text for w in _TODAY_WIDGET) and _YEAR.search(text) is not None
_SPACED_T = re.compile(r"(\d)\s+T\s+(\d)")
_HAS_TIME = re.compile(r"[0-9۰-۹]{1,2}\s*:\s*[0-9۰-۹]{2}")


@dataclass
class DateFound:
    value: datetime
    how: str  # "json-ld", "meta", "microdata", "time", "visible", "dateline"
    text: str


def _parse(text: str, tz: ZoneInfo, now: datetime | None = None) -> datetime | None:
    try:
        from vazeh.persian import DateParseError, parse_date
    except ImportError:  # pragma: no cover - the persian stage ships with the package
        return None
    try:
        dt = parse_date(text, tz=tz, now=now)
    except (DateParseError, ValueError, OverflowError):
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return dt.astimezone(tz).replace(microsecond=0)


def iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt is not None else None


def jalali(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    try:
        from vazeh.persian import format_jalali
    except ImportError:  # pragma: no cover
        return None
    # Shown in the outlet's own zone (Kabul for Afghan stories), as the page shows it.
    return format_jalali(dt, dt.tzinfo)


def _machine_candidates(md: Metadata, tree: LexborHTMLParser, keys: tuple[str, ...], ld_key: str):
    for o in md.articles():
        v = o.get(ld_key)
        if isinstance(v, str) and v.strip():
            yield "json-ld", v.strip()
    for k in keys:
        for v in md.all(k):
            yield "meta", v
    if ld_key == "datePublished":
        for node in tree.css("[itemprop=datePublished]"):
            v = node.attributes.get("datetime") or node.attributes.get("content")
            if v:
                yield "microdata", v.strip()
        for node in tree.css("time[pubdate], article time[datetime], header time[datetime], time[datetime]"):
            v = node.attributes.get("datetime")
            if v:
                yield "time", v.strip()
                break
        for k in _WEAK_PUBLISHED_META:
            for v in md.all(k):
                # Nastooh writes "2019-05-30 T 06:58:34 +0430"; the spaced T would cost the time.
                yield "meta", _SPACED_T.sub(r"\1T\2", v)


def machine_date(md: Metadata, tree: LexborHTMLParser, tz: ZoneInfo, *, modified: bool = False) -> DateFound | None:
    keys, ld_key = (_MODIFIED_META, "dateModified") if modified else (_PUBLISHED_META, "datePublished")
    for how, text in _machine_candidates(md, tree, keys, ld_key):
        dt = _parse(text, tz)
        if dt is not None:
            return DateFound(dt, how, text)
    return None


def served_at(date_header: str | None) -> datetime | None:
    """The HTTP Date of the response: what "۲ ساعت پیش" on the page counts from."""
    if not date_header:
        return None
    from email.utils import parsedate_to_datetime

    try:
        dt = parsedate_to_datetime(date_header)
    except (TypeError, ValueError, IndexError):
        return None
    return dt if dt.tzinfo is not None else None


def visible_date(
    tree: LexborHTMLParser, selectors: tuple[str, ...], tz: ZoneInfo, now: datetime | None = None
) -> DateFound | None:
    """The date shown on the page: the profile's date element, else any short element
    whose class or id speaks of a date and whose text parses as one. Relative dates
    ("۲ ساعت پیش") count from `now`, the time the page was served."""
    for sel in selectors:
        for node in tree.css(sel)[:3]:
            text = collapse(node.text(deep=True, separator=" ") or "")
            if text and len(text) < 120:
                dt = _parse(text, tz, now)
                if dt is not None:
                    return DateFound(dt, "visible", text)
    body = tree.body
    if body is None:
        return None
    seen = 0
    dated: DateFound | None = None
    for node in body.css("[class], [id]"):
        attrs = node.attributes
        hint = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()
        if not any(h in hint for h in _DATE_CLASS_HINTS):
            continue
        seen += 1
        if seen > 60:
            break
        text = collapse(node.text(deep=True, separator=" ") or "")
        if not 6 <= len(text) <= 80 or _is_today_widget(text):
            continue
        dt = _parse(text, tz, now)
        if dt is None:
            continue
        # A story's date line carries a time; a bare date is more often an archive link.
        if _HAS_TIME.search(text):
            return DateFound(dt, "visible", text)
        dated = dated or DateFound(dt, "visible", text)
    return dated


# ---------------------------------------------------------------- datelines
# A dateline names the place and the day the story was filed, on its own line above or
# at the top of the story: «رشت، ۲۴ آبان ۱۴۰۲», «تربت حیدریه - ۲۶ مهر ۱۴۰۲، ساعت ۱۷:۲۰».
# The place is a few words without digits; everything after the separator must be date.
_DATELINE = re.compile(
    r"^(?P<place>[^\W\d_][^\W\d_\s\u200c]*(?:[\s\u200c]+[^\W\d_]+){0,3})\s*[،,\-–—]\s*(?P<when>.+)$"
)
_DATE_NOISE = re.compile(r"[\d\s/:.,،\-–—()|]+")


@lru_cache(maxsize=1)
def _date_words() -> frozenset[str]:
    """Words a date may be written with: month names of the three calendars, weekdays
    (whole, and split where a space stands for the ZWNJ), and the clock's words."""
    from vazeh.persian import normalize
    from vazeh.persian.dates import DARI_MONTHS, GREGORIAN_MONTHS, JALALI_MONTHS, WEEKDAYS

    words = {*JALALI_MONTHS, *DARI_MONTHS, *GREGORIAN_MONTHS, "امرداد", "ماه", "ساعت", "روز"}
    words |= {"هجری", "شمسی", "خورشیدی", "میلادی", "ه", "ش", "ق", "ظ", "ب"}
    for day in WEEKDAYS:
        words.add(day.replace("\u200c", ""))
        words.update(day.split("\u200c"))
    return frozenset(normalize(w) for w in words)


def dateline(text: str, tz: ZoneInfo) -> datetime | None:
    """The date of a line that is only a dateline (place, separator, date), else None."""
    if not 8 <= len(text) <= 70:
        return None
    m = _DATELINE.match(text)
    if m is None or not _YEAR.search(m.group("when")):
        return None
    from vazeh.persian import normalize

    rest = _DATE_NOISE.sub(" ", normalize(m.group("when")).replace("\u200c", " ")).split()
    words = _date_words()
    if any(w not in words for w in rest):
        return None
    return _parse(m.group("when"), tz)


def dateline_date(lines: Iterable[str], tz: ZoneInfo) -> DateFound | None:
    """The date of the first dateline among the story box's lines (see `dateline`), for
    a page that says its date nowhere else: no metadata, no element named like a date."""
    for text in lines:
        if _is_today_widget(text):
            continue
        dt = dateline(text, tz)
        if dt is not None:
            return DateFound(dt, "dateline", text)
    return None
