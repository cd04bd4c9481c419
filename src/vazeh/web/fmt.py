"""How the reading room writes numbers, dates and links: Persian digits, Jalali dates."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

from vazeh.persian import format_jalali, format_jalali_date, to_persian_digits

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


def jalali(value: str | datetime | None) -> str:
    """`سه‌شنبه ۱۴ دی ۱۳۹۵ - ۱۱:۱۳` in Tehran time, or an empty string."""
    dt = parse_when(value)
    return format_jalali(dt.astimezone(TEHRAN)) if dt else ""


def jalali_date(value: str | datetime | None) -> str:
    dt = parse_when(value)
    return format_jalali_date(dt.astimezone(TEHRAN)) if dt else ""


def fa_digits(value: object) -> str:
    return to_persian_digits(str(value)) if value is not None else ""


def fa_number(value: int) -> str:
    """A count with Persian digits and the Persian thousands separator (٬)."""
    return to_persian_digits(f"{value:,}".replace(",", "٬"))


def utc_iso(value: str | datetime | None) -> str:
    dt = parse_when(value)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if dt else ""


def tehran_day(value: str | datetime | None) -> str | None:
    dt = parse_when(value)
    return dt.astimezone(TEHRAN).date().isoformat() if dt else None


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
