"""How the reading room writes numbers, dates and links: Persian digits, Jalali dates."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

from jinja2 import pass_context
from jinja2.runtime import Context

from vazeh.persian import format_jalali, format_jalali_date, to_persian_digits
from vazeh.persian.dates import format_for, zone_for

TEHRAN = ZoneInfo("Asia/Tehran")


def parse_when(value: str | datetime | None) -> datetime | None:
    """An aware datetime from what the stores keep (ISO 8601 text), or None if unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        dt = value
    else:
        try:
            dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    if dt.tzinfo is None:
        # The stores keep aware times; a naive one is read as Tehran time, the archive's zone.
        dt = dt.replace(tzinfo=TEHRAN)
    return dt


CALENDAR_COOKIE = "vazeh_calendar"  # "both": the Gregorian date beside the Jalali one


def wants_gregorian(request: object) -> bool:
    cookies = getattr(request, "cookies", None) or {}
    return cookies.get(CALENDAR_COOKIE) == "both"


def when(value: str | datetime | None, language: str | None = None, *, gregorian: bool = False) -> str:
    """A time as the article's place writes it: Afghan months and Kabul time for Dari
    (`prs`) stories, Iranian months and Tehran time otherwise, the zone named, and the
    Gregorian date beside it when asked. Empty for no time."""
    dt = parse_when(value)
    return format_for(dt, language, gregorian=gregorian) if dt else ""


class _RoomFilter:
    """A formatter that is also the template filter of the same name.

    From Python it is called with the value alone and keeps its plain output (the
    banner, the JSON). As a filter Jinja hands it the template context first
    (`pass_context`), which holds the request: the page then gets the zone, the
    article's language (`x|jalali(a.language)`) and the reader's calendar cookie.
    """

    def __init__(self, plain: Callable[[str | datetime | None], str], clock: bool):
        self.plain = plain
        self.clock = clock
        self.__doc__ = plain.__doc__

    def __call__(self, *args: object) -> str:
        if args and isinstance(args[0], Context):
            context, value, *rest = args
            language = rest[0] if rest and isinstance(rest[0], str) else None
            gregorian = wants_gregorian(context.get("request"))
            try:
                return _room_time(value, language, gregorian, self.clock)  # type: ignore[arg-type]
            except TypeError:  # an unhashable value: formatted as it comes
                return _room_time.__wrapped__(value, language, gregorian, self.clock)  # type: ignore[arg-type]
        return self.plain(*args)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=16384)
def _room_time(value: str | datetime | None, language: str | None, gregorian: bool, clock: bool) -> str:
    # A page lists twenty stories, each with its time: the Jalali conversion is most
    # of a hit's formatting, and the same stories come back in page after page.
    dt = parse_when(value)
    return _day_time(dt, language, gregorian, clock) if dt else ""


# (local day, Dari, Gregorian too, clock) -> the text format_for gave for one time of
# that day, and its clock. Stories of one day differ only in the clock: a new story of
# a day already written costs a replace, not a Jalali conversion.
_DAYS: dict[tuple, tuple[str, str]] = {}


def _day_time(dt: datetime, language: str | None, gregorian: bool, clock: bool) -> str:
    local = dt.astimezone(zone_for(language))
    key = (local.date(), language == "prs", gregorian, clock)
    hhmm = to_persian_digits(f"{local.hour:02d}:{local.minute:02d}")
    found = _DAYS.get(key)
    if found is not None:
        text, at = found
        if not clock or at == hhmm:
            return text
        mark = " - " + at
        if mark in text:  # else format_for writes the clock otherwise now: ask it
            return text.replace(mark, " - " + hhmm, 1)
    text = format_for(local, language, gregorian=gregorian, clock=clock)
    if len(_DAYS) >= 8192:
        _DAYS.clear()  # a few thousand days of stories: forgetting them all is rare and cheap
    _DAYS[key] = (text, hhmm)
    return text


def _jalali(value: str | datetime | None) -> str:
    """`سه‌شنبه ۱۴ دی ۱۳۹۵ - ۱۱:۱۳` in Tehran time, or an empty string."""
    dt = parse_when(value)
    return format_jalali(dt.astimezone(TEHRAN)) if dt else ""


def _jalali_date(value: str | datetime | None) -> str:
    dt = parse_when(value)
    return format_jalali_date(dt.astimezone(TEHRAN)) if dt else ""


jalali = pass_context(_RoomFilter(_jalali, clock=True))
jalali_date = pass_context(_RoomFilter(_jalali_date, clock=False))


def fa_digits(value: object) -> str:
    return to_persian_digits(str(value)) if value is not None else ""


@functools.lru_cache(maxsize=8192, typed=True)  # counts repeat: every facet value and bar has one
def fa_number(value: int) -> str:
    """A count with Persian digits and the Persian thousands separator (٬)."""
    return to_persian_digits(f"{value:,}".replace(",", "٬"))


def utc_iso(value: str | datetime | None) -> str:
    dt = parse_when(value)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if dt else ""


def tehran_day(value: str | datetime | None) -> str | None:
    dt = parse_when(value)
    return dt.astimezone(TEHRAN).date().isoformat() if dt else None


@functools.lru_cache(maxsize=4096)  # a few hundred source names, linked from every hit
def path_quote(text: str) -> str:
    """A path segment for names such as sources (Persian, may hold `/`)."""
    return quote(text, safe="")


def trail_path(trail: list[str] | tuple[str, ...]) -> str:
    return "/".join(path_quote(p) for p in trail)


def display_url(url: str | None) -> str:
    """A URL as a reader should see it: Persian path segments decoded, not %D8%B3..."""
    if not url:
        return ""
    try:
        return unquote(url, errors="strict")
    except UnicodeDecodeError:
        return url  # percent-escapes of some other charset: show them as they are


def web_href(url: str | None) -> str:
    """A link target only when it is http(s): an extracted URL must never become `javascript:`."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return "#"
