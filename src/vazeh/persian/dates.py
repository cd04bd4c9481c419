"""Dates as Persian sites write them: parse to aware datetimes, format as Jalali with Persian digits.

``parse_date`` reads, anywhere inside the string (labels such as ``تاریخ انتشار:`` around it are
fine):

* textual Jalali: ``[weekday] day month [ماه] year [sep time]`` (the weekday is optional and not
  checked against the date) with Persian month names and their
  variants (Arabic letters ``ارديبهشت``, ``دى``; ``امرداد``; ``دی‌ماه``), or the Dari solar months
  (حمل ثور جوزا سرطان اسد سنبله میزان عقرب قوس جدی دلو حوت), weekday with ZWNJ, space or joined;
  separators ``-``, ``،``, ``,``, ``|``, ``/``, ``ساعت``; the time may also come first; month
  first as VOA Dari writes it (``دلو ۰۴, ۱۴۰۳``);
  ``ق.ظ`` / ``ب.ظ`` (a.m. / p.m.) after the time are understood;
* textual Gregorian with Persian month names (``۳ ژانویه ۲۰۱۷``);
* numeric ``1395/10/14 11:13``, ``۱۳۹۵-۱۰-۱۴``, ``14/10/1395``, YJC's ``1399/02/21 - 10:23``:
  years 1200–1599 are Jalali, 1800–2199 Gregorian (day-first order only for Jalali years, since
  Gregorian ``03/01/2017`` is ambiguous);
* ISO 8601 (``2017-01-03T07:43:00Z``, ``...+03:30``) and RFC 2822 (``Tue, 03 Jan 2017 11:13:00
  +0330``);
* relative times against ``now``: ``۲ ساعت پیش``, ``۵ دقیقه قبل``, ``یک ساعت و ۲۰ دقیقه پیش``,
  ``نیم ساعت پیش``, ``۳ روز پیش``, ``۲ هفته پیش``, ``۲ ماه پیش`` (Jalali months), ``لحظاتی پیش``,
  ``دقایقی پیش`` (both read as ``now``), ``امروز ۱۰:۳۰``, ``دیروز ساعت ۱۰:۳۰``, ``پریروز``.
  ``امروز`` / ``دیروز`` without a time give midnight, and only when the string holds nothing else.

Digits may be Persian, Arabic-Indic or ASCII. When several absolute dates appear, the first one
in the string wins; relative times are used only when there is no absolute date.

Time zones: a local time is read in ``tz`` if given, else Asia/Kabul for Dari month names, else
Asia/Tehran (with its historical daylight saving: +04:30 in summers up to 2022, +03:30 always
since). A stated offset (ISO, RFC 2822) fixes the instant; the result is still expressed in that
zone. Local times at a daylight-saving edge follow PEP 495 ``fold=0``: an ambiguous wall time
(the repeated hour when Iran fell back, e.g. 23:30 on 30 Shahrivar 1400) is the first, daylight
occurrence; a wall time that never existed (00:30 on 2 Farvardin 1400) is read with the offset
before the jump, so it comes back as the wall time one hour later (01:30 +04:30).

Anything else raises ``DateParseError`` (a ValueError) naming the input: no guessing of a missing
year, of ``چند ساعت پیش`` (a few hours ago), of two-digit years, or of a bare time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from persiantools.jdatetime import JalaliDate

from vazeh.persian.analysis import ZWNJ, normalize
from vazeh.persian.digits import to_persian_digits

__all__ = [
    "KABUL",
    "TEHRAN",
    "DateParseError",
    "JALALI_MONTHS",
    "WEEKDAYS",
    "format_for",
    "format_gregorian_date",
    "format_jalali",
    "format_jalali_date",
    "jalali_ymd",
    "zone_for",
    "zone_label",
    "parse_date",
]

TEHRAN = ZoneInfo("Asia/Tehran")
KABUL = ZoneInfo("Asia/Kabul")

JALALI_MONTHS = (
    "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
    "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
)  # fmt: skip
DARI_MONTHS = ("حمل", "ثور", "جوزا", "سرطان", "اسد", "سنبله", "میزان", "عقرب", "قوس", "جدی", "دلو", "حوت")
# Gregorian months as Persian writes them, for the date beside the Jalali one.
GREGORIAN_MONTHS = (
    "ژانویه", "فوریه", "مارس", "آوریل", "مه", "ژوئن", "ژوئیه", "اوت", "سپتامبر", "اکتبر", "نوامبر", "دسامبر",
)  # fmt: skip
# Indexed by datetime.weekday(): Monday is 0.
WEEKDAYS = ("دوشنبه", "سه\u200cشنبه", "چهارشنبه", "پنج\u200cشنبه", "جمعه", "شنبه", "یکشنبه")

MAX_INPUT = 4096


class DateParseError(ValueError):
    """The text holds no date this module can read without guessing."""


@dataclass(frozen=True)
class _Month:
    number: int
    calendar: str  # "jalali" or "gregorian"
    dari: bool = False


def _month_names() -> dict[str, _Month]:
    names: dict[str, _Month] = {}
    for i, name in enumerate(JALALI_MONTHS, 1):
        names[normalize(name)] = _Month(i, "jalali")
    names[normalize("امرداد")] = _Month(5, "jalali")
    for i, name in enumerate(DARI_MONTHS, 1):
        names[normalize(name)] = _Month(i, "jalali", dari=True)
    names[normalize("جوزاء")] = _Month(3, "jalali", dari=True)
    gregorian = (
        ("ژانویه", "ژانویهٔ"), ("فوریه",), ("مارس",), ("آوریل", "آپریل"), ("مه", "می"),
        ("ژوئن", "جون"), ("ژوئیه", "جولای"), ("اوت", "آگوست", "آگوئست"), ("سپتامبر",),
        ("اکتبر",), ("نوامبر",), ("دسامبر",),
    )  # fmt: skip
    for i, spellings in enumerate(gregorian, 1):
        for name in spellings:
            names[normalize(name)] = _Month(i, "gregorian")
    return names


_MONTHS = _month_names()
_MONTH_ALT = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))
_LETTER = r"[^\W\d_]"
_WEEKDAY = r"(?:(?:یک|دو|سه|چهار|پنج)\s*شنبه|شنبه|جمعه)"
_TIME = (
    r"(?<![\d:])(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?![\d:])"
    r"(?:\s*(?P<ampm>ق\s*\.?\s*ظ|ب\s*\.?\s*ظ|قبل\s*از\s*ظهر|بعد\s*از\s*ظهر|صبح|عصر|شب|am|pm)(?!\w))?"
)
_SEP = r"(?:\s|[-–—,،|/]|ساعت|در)*"

# Weekdays are not part of the patterns: they are optional, never checked against the date,
# and trying them at every position made parsing three times slower.
_TEXTUAL = re.compile(
    rf"(?<!\d)(?P<d>\d{{1,2}})(?:\s*ام|\s*م)?\s*(?P<mon>{_MONTH_ALT})"
    rf"(?:\s*ماه)?(?!{_LETTER})\s*[,،\-/]?\s*(?P<y>\d{{4}})(?![\d/:])"
)
# Month first, as VOA Dari writes it: "دلو ۰۴, ۱۴۰۳".
_MONTH_FIRST_LETTERS = "".join(sorted({name[0] for name in _MONTHS}))
_TEXTUAL_MONTH_FIRST = re.compile(
    rf"(?<!{_LETTER})(?=[{_MONTH_FIRST_LETTERS}])(?P<mon>{_MONTH_ALT})(?:\s*ماه)?\s*(?<!\d)(?P<d>\d{{1,2}})(?!\d)"
    rf"\s*[,،]?\s*(?P<y>\d{{4}})(?![\d/:])"
)
_ISO = re.compile(
    r"(?<![\d/.-])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    r"(?:[t ](?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<frac>\d{1,9}))?)?"
    r"\s*(?P<off>z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?)?(?![\d:])"
)
_NUMERIC_YMD = re.compile(
    r"(?<![\d/.:-])(?P<y>\d{4})\s*(?P<sep>[/.-])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})(?![\d/:])"
)
_NUMERIC_DMY = re.compile(
    r"(?<![\d/.:-])(?P<d>\d{1,2})\s*(?P<sep>[/.-])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<y>\d{4})(?![\d/:])"
)
_RFC_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_RFC = re.compile(
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\s*,?\s*)?(?<!\d)(?P<d>\d{1,2})\s+"
    rf"(?P<mon>{'|'.join(_RFC_MONTHS)})[a-z]*\.?\s+(?P<y>\d{{4}})\s+"
    r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?"
    r"(?:\s*(?P<off>[+-]\d{4}|ut|utc|gmt|z|[ecmp][sd]t)(?![a-z]))?"
)
_RFC_ZONES = {"ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5}
_RFC_ZONES |= {"mst": -7, "mdt": -6, "pst": -8, "pdt": -7}
_TIME_AFTER = re.compile(rf"{_SEP}{_TIME}")
_TIME_BEFORE = re.compile(rf"{_TIME}{_SEP}(?:{_WEEKDAY}\s*[,،]?\s*)?$")

_NUMBER_WORDS = {"یک": 1, "دو": 2, "سه": 3, "چهار": 4, "پنج": 5, "شش": 6, "هفت": 7, "هشت": 8, "نه": 9}
_NUMBER_WORDS |= {"ده": 10, "یازده": 11, "دوازده": 12, "بیست": 20, "سی": 30}
_UNITS = {"ثانیه": "seconds", "دقیقه": "minutes", "ساعت": "hours", "روز": "days", "هفته": "weeks"}
_UNITS |= {"ماه": "months", "سال": "years"}
_QTY = rf"(?:\d+|نیم|{'|'.join(_NUMBER_WORDS)})"
_AMOUNT = rf"{_QTY}\s*(?:{'|'.join(_UNITS)})"
_AGO = re.compile(rf"(?<!{_LETTER})({_AMOUNT}(?:\s*و\s*{_AMOUNT})*)\s*(?:پیش|قبل)(?!{_LETTER})")
_AMOUNT_PART = re.compile(rf"(?P<q>{_QTY})\s*(?P<u>{'|'.join(_UNITS)})")
_JUST_NOW = re.compile(
    rf"(?<!{_LETTER})(?:(?:لحظاتی|لحظه\s*ای|چند\s*لحظه|دقایقی|ثانیه\s*هایی)\s*(?:پیش|قبل)|همین\s*الان)"
    rf"(?!{_LETTER})"
)
_DAY_WORDS = {"امروز": 0, "دیروز": 1, "پریروز": 2}
_DAY_WORD = re.compile(rf"(?<!{_LETTER})(?P<w>{'|'.join(_DAY_WORDS)})(?!{_LETTER})")
_ONLY_PUNCT = re.compile(r"[\W_]*")
_FOUR_DIGITS = re.compile(r"\d{4}")
_ASCII_LETTER = re.compile(r"[a-z]")


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    value: datetime


def parse_date(text: str, *, now: datetime | None = None, tz: tzinfo | str | None = None) -> datetime:
    """Read a date (and time) from ``text``; return an aware datetime (see module doc).

    >>> parse_date("سه‌شنبه ۱۴ دی ۱۳۹۵ - ۱۱:۱۳").isoformat()
    '2017-01-03T11:13:00+03:30'

    Raises DateParseError when there is no date to read.
    """
    if not isinstance(text, str):
        raise DateParseError(f"expected a date string, got {type(text).__name__}")
    if len(text) > MAX_INPUT:
        raise DateParseError(f"{len(text)} characters is too long for a date string (limit {MAX_INPUT})")
    try:
        folded = " ".join(normalize(text).replace(ZWNJ, " ").split())
    except ValueError as err:
        raise DateParseError(f"cannot read {text!r} as a date: {err}") from err
    zone = _zone(tz)
    problems: list[str] = []
    found: list[_Found] = []
    if _FOUR_DIGITS.search(folded):  # every absolute shape has a four-digit year
        found += _numeric(folded, zone, problems) + _iso(folded, zone, problems)
        if not folded.isascii():
            found += _textual(folded, zone, problems)
        if _ASCII_LETTER.search(folded):
            found += _rfc2822(folded, zone, problems)
    if found:
        return min(found, key=lambda f: (f.start, -f.end)).value
    relative = _relative(folded, _now(now, zone or TEHRAN), zone or TEHRAN, problems)
    if relative is not None:
        return relative
    detail = f" ({'; '.join(problems)})" if problems else ""
    raise DateParseError(f"no date found in {text!r}{detail}")


def _zone(tz: tzinfo | str | None) -> tzinfo | None:
    if tz is None or isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (KeyError, ValueError) as err:
        raise DateParseError(f"unknown time zone {tz!r}") from err


def _now(now: datetime | None, zone: tzinfo) -> datetime:
    if now is None:
        return datetime.now(zone)
    if now.tzinfo is None:
        return _localize(now, zone)
    return now.astimezone(zone)


def _localize(wall: datetime, zone: tzinfo) -> datetime:
    # fold=0 then a round trip through UTC: ambiguous -> first occurrence, gap -> pushed forward.
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC).astimezone(zone)


def _textual(s: str, zone: tzinfo | None, problems: list[str]) -> list[_Found]:
    found = []
    for m in [*_TEXTUAL.finditer(s), *_TEXTUAL_MONTH_FIRST.finditer(s)]:
        month = _MONTHS[m["mon"]]
        local = zone or (KABUL if month.dari else TEHRAN)
        value = _build(s, m, int(m["y"]), month.number, int(m["d"]), month.calendar, local, problems)
        if value is not None:
            found.append(value)
    return found


def _numeric(s: str, zone: tzinfo | None, problems: list[str]) -> list[_Found]:
    found = []
    for pattern in (_NUMERIC_YMD, _NUMERIC_DMY):
        for m in pattern.finditer(s):
            year = int(m["y"])
            calendar = _calendar_of(year)
            if calendar is None or (pattern is _NUMERIC_DMY and calendar == "gregorian"):
                continue
            value = _build(s, m, year, int(m["m"]), int(m["d"]), calendar, zone or TEHRAN, problems)
            if value is not None:
                found.append(value)
    return found


def _calendar_of(year: int) -> str | None:
    if 1200 <= year <= 1599:
        return "jalali"
    if 1800 <= year <= 2199:
        return "gregorian"
    return None


def _build(
    s: str,
    m: re.Match[str],
    year: int,
    month: int,
    day: int,
    calendar: str,
    zone: tzinfo,
    problems: list[str],
) -> _Found | None:
    if _calendar_of(year) != calendar:
        problems.append(f"{m.group()!r}: year {year} is not a {calendar} year this module reads")
        return None
    try:
        day_ = JalaliDate(year, month, day).to_gregorian() if calendar == "jalali" else date(year, month, day)
    except ValueError as err:
        problems.append(f"{m.group()!r} is not a {calendar} date: {err}")
        return None
    start, end = m.start(), m.end()
    clock = time()
    after = _TIME_AFTER.match(s, end)
    before = _TIME_BEFORE.search(s, 0, start)
    near = after or before
    if near is not None:
        read = _clock(near, problems)
        if read is None:
            return None
        clock = read
        start, end = (start, near.end()) if near is after else (near.start(), end)
    return _Found(start, end, _localize(datetime.combine(day_, clock), zone))


def _clock(m: re.Match[str], problems: list[str]) -> time | None:
    hour, minute, second = int(m["h"]), int(m["mi"]), int(m["s"] or 0)
    ampm = (m["ampm"] or "").replace(" ", "").replace(".", "")
    if ampm in ("بظ", "بعدازظهر", "عصر", "شب", "pm") and hour < 12:
        hour += 12
    elif ampm in ("قظ", "قبلازظهر", "صبح", "am") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        problems.append(f"{m.group().strip()!r} is not a time of day")
        return None
    return time(hour, minute, second)


def _iso(s: str, zone: tzinfo | None, problems: list[str]) -> list[_Found]:
    found = []
    for m in _ISO.finditer(s):
        year = int(m["y"])
        if m["h"] is None or _calendar_of(year) != "gregorian":
            continue  # a date alone or a Jalali year (_numeric reads it), or out of range
        try:
            micro = int((m["frac"] or "0").ljust(6, "0")[:6])
            wall = datetime(
                year, int(m["m"]), int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"] or 0), micro
            )
        except ValueError as err:
            problems.append(f"{m.group()!r} is not an ISO 8601 date: {err}")
            continue
        value = _with_offset(wall, _iso_offset(m["off"]), zone)
        found.append(_Found(m.start(), m.end(), value))
    return found


def _iso_offset(off: str | None) -> timedelta | None:
    if off is None:
        return None
    if off in ("z", "utc", "gmt"):
        return timedelta(0)
    digits = off[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
    return -delta if off[0] == "-" else delta


def _with_offset(wall: datetime, offset: timedelta | None, zone: tzinfo | None) -> datetime:
    target = zone or TEHRAN
    if offset is None:
        return _localize(wall, target)
    return wall.replace(tzinfo=timezone(offset)).astimezone(target)


def _rfc2822(s: str, zone: tzinfo | None, problems: list[str]) -> list[_Found]:
    found = []
    for m in _RFC.finditer(s):
        try:
            month = _RFC_MONTHS.index(m["mon"]) + 1
            wall = datetime(int(m["y"]), month, int(m["d"]), int(m["h"]), int(m["mi"]), int(m["s"] or 0))
        except ValueError as err:
            problems.append(f"{m.group()!r} is not an RFC 2822 date: {err}")
            continue
        off = m["off"]
        if off is None:
            offset = None
        elif off[0] in "+-":
            offset = timedelta(hours=int(off[1:3]), minutes=int(off[3:5]))
            offset = -offset if off[0] == "-" else offset
        else:
            offset = timedelta(hours=_RFC_ZONES[off])
        found.append(_Found(m.start(), m.end(), _with_offset(wall, offset, zone)))
    return found


def _relative(s: str, now: datetime, zone: tzinfo, problems: list[str]) -> datetime | None:
    ago = _AGO.search(s)
    if ago is not None:
        try:
            moment = _subtract(now, ago.group(1))
        except (OverflowError, ValueError):
            moment = None
        if moment is None or _calendar_of(moment.year) != "gregorian":
            problems.append(f"{ago.group()!r} reaches outside the years this module reads")
            return None
        return moment
    if _JUST_NOW.search(s):
        return now
    for m in _DAY_WORD.finditer(s):
        day = now.date() - timedelta(days=_DAY_WORDS[m["w"]])
        after = _TIME_AFTER.match(s, m.end())
        if after is not None:
            clock = _clock(after, problems)
            if clock is not None:
                return _localize(datetime.combine(day, clock), zone)
        elif _ONLY_PUNCT.fullmatch(s[: m.start()] + s[m.end() :]):
            return _localize(datetime.combine(day, time()), zone)
    return None


def _subtract(now: datetime, amounts: str) -> datetime:
    exact = timedelta()
    months = 0
    for part in _AMOUNT_PART.finditer(amounts):
        q = part["q"]
        qty = 0.5 if q == "نیم" else _NUMBER_WORDS.get(q) or int(q)
        unit = _UNITS[part["u"]]
        if unit == "months":
            months += int(qty) if qty >= 1 else 0
            exact += timedelta(days=15) if qty == 0.5 else timedelta()
        elif unit == "years":
            months += int(qty * 12)
        else:
            exact += timedelta(**{unit: qty})
    zone = now.tzinfo
    moment = (now.astimezone(UTC) - exact).astimezone(zone)
    if months:
        moment = _minus_jalali_months(moment, months)
    return moment


def _minus_jalali_months(moment: datetime, months: int) -> datetime:
    j = JalaliDate(moment.date())
    index = j.year * 12 + (j.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    day = min(j.day, JalaliDate.days_in_month(month, year))
    wall = datetime.combine(JalaliDate(year, month, day).to_gregorian(), moment.time())
    return _localize(wall, moment.tzinfo or TEHRAN)


def _local(dt: datetime, tz: tzinfo | str | None) -> datetime:
    if dt.tzinfo is None:
        return dt
    return dt.astimezone(_zone(tz) or TEHRAN)


def jalali_ymd(dt: datetime, tz: tzinfo | str | None = None) -> tuple[int, int, int]:
    """(year, month, day) of ``dt`` in the Jalali calendar, in Tehran time unless naive or ``tz``."""
    j = JalaliDate(_local(dt, tz).date())
    return j.year, j.month, j.day


def format_jalali_date(dt: datetime, tz: tzinfo | str | None = None, *, dari: bool = False) -> str:
    """``۱۴ دی ۱۳۹۵``: day, month name, year, in Tehran time unless ``dt`` is naive or ``tz`` given.

    ``dari``: the months as Afghanistan names them (``۱۴ جدی ۱۳۹۵``), in Kabul time unless ``tz``.
    """
    if dari and tz is None:
        tz = KABUL
    year, month, day = jalali_ymd(dt, tz)
    months = DARI_MONTHS if dari else JALALI_MONTHS
    return to_persian_digits(f"{day} {months[month - 1]} {year}")


def format_jalali(dt: datetime, tz: tzinfo | str | None = None, *, dari: bool = False, zone: bool = False) -> str:
    """``سه‌شنبه ۱۴ دی ۱۳۹۵ - ۱۱:۱۳``, in Tehran time unless ``dt`` is naive or ``tz`` given.

    ``dari``: Afghan month names, in Kabul time unless ``tz``. ``zone``: the zone after
    the time (``به وقت تهران``, ``به وقت کابل``, else the UTC offset), so a reader
    knows whose clock it is.
    """
    if dari and tz is None:
        tz = KABUL
    local = _local(dt, tz)
    clock = to_persian_digits(f"{local.hour:02d}:{local.minute:02d}")
    text = f"{WEEKDAYS[local.weekday()]} {format_jalali_date(local, local.tzinfo, dari=dari)} - {clock}"
    if zone and local.tzinfo is not None:
        text += " " + zone_label(local)
    return text


def zone_for(language: str | None) -> ZoneInfo:
    """The zone an article's times are shown in: Kabul for Dari (``prs``), else Tehran."""
    return KABUL if language == "prs" else TEHRAN


def zone_label(dt: datetime) -> str:
    """``به وقت تهران`` / ``به وقت کابل`` for those zones, else ``(UTC+۰۳:۳۰)``."""
    key = getattr(dt.tzinfo, "key", None)
    if key == "Asia/Tehran":
        return "به وقت تهران"
    if key == "Asia/Kabul":
        return "به وقت کابل"
    offset = dt.utcoffset() or timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    # The offset reads left to right even in a right-to-left line.
    return "\u2066(UTC" + to_persian_digits(f"{sign}{hours:02d}:{mins:02d}") + ")\u2069"


def format_gregorian_date(dt: datetime, tz: tzinfo | str | None = None) -> str:
    """``۳ ژانویه ۲۰۱۷``: the Gregorian date, with Persian month names and digits."""
    local = _local(dt, tz)
    return to_persian_digits(f"{local.day} {GREGORIAN_MONTHS[local.month - 1]} {local.year}")


def format_for(dt: datetime, language: str | None = None, *, gregorian: bool = False, clock: bool = True) -> str:
    """A date as a reader of that article's place writes it.

    Dari (``prs``) stories: Afghan month names in Kabul time; others: Iranian names in
    Tehran time; with the zone after the time, and the Gregorian date in parentheses
    when ``gregorian``. ``clock=False`` gives the date alone.
    """
    dari = language == "prs"
    local = _local(dt, zone_for(language))
    text = format_jalali(local, local.tzinfo, dari=dari, zone=True) if clock else format_jalali_date(
        local, local.tzinfo, dari=dari)
    if gregorian:
        # the Gregorian date of the same local day: a Kabul story at 00:10 is already the
        # next day there, though Tehran's clock still shows the day before
        text += f" ({format_gregorian_date(local, local.tzinfo)})"
    return text
