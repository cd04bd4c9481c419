"""Jalali dates: parsing what Persian sites show, formatting for the reading room."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import jdatetime
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vazeh.persian import (
    JALALI_MONTHS,
    KABUL,
    TEHRAN,
    DateParseError,
    format_jalali,
    format_jalali_date,
    jalali_ymd,
    parse_date,
    to_persian_digits,
)

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=TEHRAN)  # جمعه ۲۱ اردیبهشت ۱۴۰۳ - ۱۲:۰۰
TUESDAY = "2017-01-03T11:13:00+03:30"  # سه‌شنبه ۱۴ دی ۱۳۹۵ - ۱۱:۱۳ in Tehran


@pytest.mark.parametrize(
    "text",
    [
        "سه‌شنبه ۱۴ دی ۱۳۹۵ - ۱۱:۱۳",
        "سه شنبه ۱۴ دی ۱۳۹۵ - ۱۱:۱۳",
        "سهشنبه ۱۴ دی ۱۳۹۵ - ۱۱:۱۳",
        "۱۴ دی ۱۳۹۵ - ۱۱:۱۳",
        "۱۴ دی ۱۳۹۵، ۱۱:۱۳",
        "۱۴ دی ۱۳۹۵ ساعت ۱۱:۱۳",
        "۱۴ دی ۱۳۹۵ | ۱۱:۱۳",
        "۱۴ دی‌ماه ۱۳۹۵ - ۱۱:۱۳",
        "۱۴ دیماه ۱۳۹۵ - ۱۱:۱۳",
        "۱۴ دى ۱۳۹۵ - ۱۱:۱۳",
        "١٤ دي ١٣٩٥ - ١١:١٣",
        "14 دی 1395 - 11:13",
        "۱۱:۱۳ - ۱۴ دی ۱۳۹۵",
        "۱۴ دی ۱۳۹۵ ۱۱:۱۳:۰۰",
        "۱۴ دی ۱۳۹۵ - ۱۱:۱۳ ق.ظ",
        "تاریخ انتشار: ۱۴ دی ۱۳۹۵ - ۱۱:۱۳",
        "کد خبر: ۱۲۳۴۵۶ | تاریخ: سه‌شنبه ۱۴ دی ۱۳۹۵ - ۱۱:۱۳ | بازدید: ۲۰",
        "1395/10/14 11:13",
        "۱۳۹۵/۱۰/۱۴ - ۱۱:۱۳",
        "1395-10-14 11:13",
        "14/10/1395 11:13",
        "2017-01-03T07:43:00Z",
        "2017-01-03T07:43:00.000+00:00",
        "2017-01-03T11:13:00+03:30",
        "2017-01-03 11:13:00",
        "Tue, 03 Jan 2017 07:43:00 GMT",
        "Tue, 3 Jan 2017 11:13:00 +0330",
        "۳ ژانویه ۲۰۱۷ ۱۱:۱۳",
    ],
)
def test_parses_the_same_moment_in_every_shape(text: str) -> None:
    parsed = parse_date(text)
    assert parsed.isoformat() == TUESDAY
    assert parsed.tzinfo is TEHRAN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۱۳۹۵-۱۰-۱۴", "2017-01-03T00:00:00+03:30"),
        ("۱۴ دی ۱۳۹۵", "2017-01-03T00:00:00+03:30"),
        ("1399/02/21 - 10:23", "2020-05-10T10:23:00+04:30"),  # YJC's article:published_time
        ("۱ ارديبهشت ۱۴۰۰ | 08:00", "2021-04-21T08:00:00+04:30"),
        ("۵ امرداد ۱۴۰۱", "2022-07-27T00:00:00+04:30"),
        ("۵ مرداد ۱۴۰۲", "2023-07-27T00:00:00+03:30"),
        ("۲ آبان ۱۴۰۲ ۰۲:۳۰ ب.ظ", "2023-10-24T14:30:00+03:30"),
        ("۲ ابان ۱۴۰۲ ۱۲:۱۰ ق.ظ", "2023-10-24T00:10:00+03:30"),
        ("۹ آذر ۱۴۰۲ ساعت ۲۱:۰۵", "2023-11-30T21:05:00+03:30"),
        ("اسفند ۱۴۰۲ و ۱۰ اسفند ۱۴۰۲", "2024-02-29T00:00:00+03:30"),
    ],
)
def test_parses_jalali_variants(text: str, expected: str) -> None:
    assert parse_date(text).isoformat() == expected


@pytest.mark.parametrize(
    ("month", "number"),
    [
        ("حمل", 1), ("ثور", 2), ("جوزا", 3), ("سرطان", 4), ("اسد", 5), ("سنبله", 6),
        ("میزان", 7), ("عقرب", 8), ("قوس", 9), ("جدی", 10), ("دلو", 11), ("حوت", 12),
    ],
)  # fmt: skip
def test_dari_months_are_read_in_kabul_time(month: str, number: int) -> None:
    parsed = parse_date(f"۱۰ {month} ۱۴۰۲ ساعت ۰۹:۰۰")
    expected = jdatetime.date(1402, number, 10).togregorian()
    assert parsed.date() == expected
    assert parsed.tzinfo is KABUL
    assert parsed.utcoffset() == timedelta(hours=4, minutes=30)
    assert (parsed.hour, parsed.minute) == (9, 0)


def test_month_first_as_voa_dari_writes_it() -> None:
    parsed = parse_date("حوت ۰۴, ۱۴۰۳")
    assert parsed.isoformat() == "2025-02-22T00:00:00+04:30"
    assert parse_date("جمعه، دلو ۰۵، ۱۴۰۳ - ۱۸:۳۱").isoformat() == "2025-01-24T18:31:00+04:30"
    assert parse_date("اسفند ۱۴۰۲ و ۱۰ اسفند ۱۴۰۲").day == 29


def test_caller_zone_wins_over_the_default() -> None:
    assert parse_date("1395/10/14 11:13", tz="UTC").isoformat() == "2017-01-03T11:13:00+00:00"
    assert parse_date("1395/10/14 11:13", tz=KABUL).utcoffset() == timedelta(hours=4, minutes=30)
    # a stated offset fixes the instant; the result is expressed in the caller's zone
    assert parse_date("2017-01-03T07:43:00Z", tz=KABUL).isoformat() == "2017-01-03T12:13:00+04:30"
    with pytest.raises(DateParseError, match="unknown time zone"):
        parse_date("1395/10/14", tz="Mars/Olympus")


def test_first_absolute_date_wins() -> None:
    text = "به‌روزرسانی: ۱۵ دی ۱۳۹۵ - ۰۹:۰۰ | انتشار: ۱۴ دی ۱۳۹۵ - ۱۱:۱۳"
    assert parse_date(text).isoformat() == "2017-01-04T09:00:00+03:30"
    assert parse_date("۲ ساعت پیش - ۱۴ دی ۱۳۹۵").date() == date(2017, 1, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("۲ ساعت پیش", NOW - timedelta(hours=2)),
        ("۵ دقیقه پیش", NOW - timedelta(minutes=5)),
        ("۳۰ ثانیه قبل", NOW - timedelta(seconds=30)),
        ("یک ساعت و ۲۰ دقیقه پیش", NOW - timedelta(hours=1, minutes=20)),
        ("نیم ساعت پیش", NOW - timedelta(minutes=30)),
        ("۳ روز پیش", NOW - timedelta(days=3)),
        ("۲ هفته پیش", NOW - timedelta(weeks=2)),
        ("لحظاتی پیش", NOW),
        ("لحظه‌ای پیش", NOW),
        ("دقایقی پیش", NOW),
        ("امروز ۱۰:۳۰", datetime(2024, 5, 10, 10, 30, tzinfo=TEHRAN)),
        ("امروز ساعت ۱۰:۳۰", datetime(2024, 5, 10, 10, 30, tzinfo=TEHRAN)),
        ("دیروز", datetime(2024, 5, 9, tzinfo=TEHRAN)),
        ("دیروز، ۲۳:۱۰", datetime(2024, 5, 9, 23, 10, tzinfo=TEHRAN)),
        ("پریروز", datetime(2024, 5, 8, tzinfo=TEHRAN)),
        ("۲ ماه پیش", datetime(2024, 3, 11, 12, 0, tzinfo=TEHRAN)),  # ۲۱ اسفند ۱۴۰۲
        ("۱ سال پیش", datetime(2023, 5, 11, 12, 0, tzinfo=TEHRAN)),  # ۲۱ اردیبهشت ۱۴۰۲
    ],
)
def test_relative_times_against_now(text: str, expected: datetime) -> None:
    assert parse_date(text, now=NOW) == expected


def test_relative_time_counts_real_elapsed_time_across_a_dst_jump() -> None:
    now = datetime(2022, 3, 22, 1, 30, tzinfo=TEHRAN)  # 30 minutes after clocks went 00:00 -> 01:00
    parsed = parse_date("۱ ساعت پیش", now=now)
    assert parsed.astimezone(UTC) == now.astimezone(UTC) - timedelta(hours=1)
    assert parsed.isoformat() == "2022-03-21T23:30:00+03:30"


def test_now_may_be_naive_or_omitted() -> None:
    assert parse_date("۲ ساعت پیش", now=datetime(2024, 5, 10, 12, 0)) == NOW - timedelta(hours=2)
    moment = parse_date("لحظاتی پیش")
    assert abs(moment - datetime.now(UTC)) < timedelta(minutes=1)
    assert moment.tzinfo is TEHRAN


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "سلام",
        "۱۲۳۴",
        "۱۰:۳۰",
        "ساعت ۱۰:۳۰",
        "۱۴ دی",  # no year: never guessed
        "۱۴ دی ۹۵",  # two-digit year: never guessed
        "۳۲ دی ۱۳۹۵",
        "۳۱ مهر ۱۴۰۰",
        "۳۰ اسفند ۱۴۰۰",
        "1395/13/01",
        "1395/10/14 25:00",
        "03/01/2017",  # Gregorian day/month order is ambiguous
        "2017-02-30T10:00:00Z",
        "0912-345-6789",
        "خبر شماره ۱۲ در سال ۱۳۹۵",
        "امروز رییس جمهور گفت",
        "چند ساعت پیش",
        "۵ فروردین ۲۰۲۳",  # Jalali month, Gregorian year
        "http://example.com/fa/news/123456",
        "۹۹۹۹۹۹۹۹۹۹ روز پیش",
        "۹۹۹۹۹ روز پیش",
        "۳۰۰۰ سال پیش",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
    ],
)
def test_garbage_raises_and_never_guesses(text: str) -> None:
    with pytest.raises(DateParseError):
        parse_date(text, now=NOW)


def test_errors_name_the_input_and_the_reason() -> None:
    with pytest.raises(DateParseError, match="۳۲ دی ۱۳۹۵.*day must be in 1..30"):
        parse_date("۳۲ دی ۱۳۹۵")
    assert issubclass(DateParseError, ValueError)


def test_hostile_input_is_refused_cleanly() -> None:
    with pytest.raises(DateParseError, match="too long"):
        parse_date("۱۴ دی ۱۳۹۵ " * 1000)
    with pytest.raises(DateParseError, match="expected a date string"):
        parse_date(None)  # type: ignore[arg-type]
    with pytest.raises(DateParseError, match="lone surrogate"):
        parse_date("۱۴ دی ۱۳۹۵ \udcff")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_parse_date_only_ever_raises_date_parse_error(text: str) -> None:
    try:
        result = parse_date(text, now=NOW)
    except DateParseError:
        return
    assert result.tzinfo is not None


# --- calendar -------------------------------------------------------------------------------------


def _month_length(year: int, month: int) -> int:
    for day in (31, 30, 29):
        try:
            jdatetime.date(year, month, day)
        except ValueError:
            continue
        return day
    raise AssertionError((year, month))


@pytest.mark.parametrize("year", [1399, 1400, 1403, 1404])
def test_every_month_boundary(year: int) -> None:
    leap = jdatetime.date(year, 1, 1).isleap()
    assert leap == (year in (1399, 1403))
    for month in range(1, 13):
        length = _month_length(year, month)
        name = JALALI_MONTHS[month - 1]
        for day in (1, length):
            text = to_persian_digits(f"{day} {name} {year}")
            expected = jdatetime.date(year, month, day).togregorian()
            assert parse_date(text).date() == expected, text
            assert format_jalali_date(datetime.combine(expected, datetime.min.time())) == text
        with pytest.raises(DateParseError):
            parse_date(to_persian_digits(f"{length + 1} {name} {year}"))
        # the last day of a month is followed by the first of the next
        last = parse_date(to_persian_digits(f"{length} {name} {year}"))
        assert jalali_ymd(last + timedelta(days=1)) == (
            (year, month + 1, 1) if month < 12 else (year + 1, 1, 1)
        )


@pytest.mark.parametrize(
    ("year", "gregorian"),
    [(1395, date(2016, 3, 20)), (1399, date(2020, 3, 20)), (1400, date(2021, 3, 21)), (1402, date(2023, 3, 21)),
     (1403, date(2024, 3, 20)), (1404, date(2025, 3, 21))],
)  # fmt: skip
def test_nowruz(year: int, gregorian: date) -> None:
    parsed = parse_date(to_persian_digits(f"۱ فروردین {year} - 00:00"))
    assert parsed.date() == gregorian
    last_day = _month_length(year - 1, 12)
    eve = parse_date(to_persian_digits(f"{year - 1}/12/{last_day} 23:59"))
    assert jalali_ymd(eve + timedelta(minutes=1)) == (year, 1, 1)


# --- daylight saving: Iran moved clocks forward at 00:00 on 2 Farvardin and back at 24:00 on
# 30 Shahrivar, until 1401 (2022); since 1402 it is +03:30 all year.


@pytest.mark.parametrize("year", [1395, 1399, 1400, 1401])
def test_dst_edges_in_years_with_dst(year: int) -> None:
    def at(text: str) -> datetime:
        return parse_date(to_persian_digits(text))

    hour = timedelta(hours=1)
    assert at(f"۱ فروردین {year} ۲۳:۵۹").utcoffset() == timedelta(hours=3, minutes=30)
    # 00:30 on 2 Farvardin never happened: read with the offset before the jump -> 01:30 +04:30
    gap = at(f"۲ فروردین {year} ۰۰:۳۰")
    assert (gap.hour, gap.minute, gap.utcoffset()) == (1, 30, timedelta(hours=4, minutes=30))
    assert at(f"۲ فروردین {year} ۰۱:۰۰").utcoffset() == timedelta(hours=4, minutes=30)
    assert at(f"۳۰ شهریور {year} ۲۲:۵۹").utcoffset() == timedelta(hours=4, minutes=30)
    # 23:30 on 30 Shahrivar happened twice: fold=0 takes the first (daylight) one
    twice = at(f"۳۰ شهریور {year} ۲۳:۳۰")
    assert twice.utcoffset() == timedelta(hours=4, minutes=30)
    assert at(f"۳۱ شهریور {year} ۰۰:۰۰").utcoffset() == timedelta(hours=3, minutes=30)
    # Python subtracts wall times within one zone, so compare instants
    elapsed = at(f"۳۱ شهریور {year} ۰۰:۰۰").astimezone(UTC) - twice.astimezone(UTC)
    assert elapsed == hour + timedelta(minutes=30)


@pytest.mark.parametrize("year", [1402, 1403])
def test_no_dst_since_1402(year: int) -> None:
    for text in (f"۲ فروردین {year} ۰۰:۳۰", f"۱ تیر {year} ۱۲:۰۰", f"۳۰ شهریور {year} ۲۳:۳۰"):
        parsed = parse_date(to_persian_digits(text))
        assert parsed.utcoffset() == timedelta(hours=3, minutes=30), text
    assert parse_date(to_persian_digits(f"۲ فروردین {year} ۰۰:۳۰")).hour == 0


# --- formatting -----------------------------------------------------------------------------------


def test_format_jalali_exact() -> None:
    moment = datetime(2017, 1, 3, 7, 43, tzinfo=UTC)
    assert format_jalali(moment) == "سه‌شنبه ۱۴ دی ۱۳۹۵ - ۱۱:۱۳"
    assert format_jalali_date(moment) == "۱۴ دی ۱۳۹۵"
    assert format_jalali(datetime(2017, 1, 3, 11, 13)) == "سه‌شنبه ۱۴ دی ۱۳۹۵ - ۱۱:۱۳"  # naive: as is
    assert format_jalali(moment, tz=KABUL) == "سه‌شنبه ۱۴ دی ۱۳۹۵ - ۱۲:۱۳"
    assert format_jalali(moment, tz="UTC") == "سه‌شنبه ۱۴ دی ۱۳۹۵ - ۰۷:۴۳"
    assert format_jalali(datetime(2024, 3, 21, 9, 5, tzinfo=TEHRAN)) == "پنج‌شنبه ۲ فروردین ۱۴۰۳ - ۰۹:۰۵"
    assert jalali_ymd(moment) == (1395, 10, 14)


# --- round trips against jdatetime on generated moments ----------------------------------------

moments = st.datetimes(
    min_value=datetime(1925, 1, 1), max_value=datetime(2100, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=3000, deadline=None)
@given(moments)
def test_round_trip_against_jdatetime(moment: datetime) -> None:
    local = moment.astimezone(TEHRAN)
    j = jdatetime.date.fromgregorian(date=local.date())
    assert jalali_ymd(moment) == (j.year, j.month, j.day)
    shown = format_jalali(moment)
    assert shown.split(" - ")[0].split(" ", 1)[1] == to_persian_digits(
        f"{j.day} {JALALI_MONTHS[j.month - 1]} {j.year}"
    )
    parsed = parse_date(shown)
    minute = local.replace(second=0, microsecond=0)
    ambiguous = minute.replace(fold=1).utcoffset() != minute.replace(fold=0).utcoffset()
    if ambiguous:  # the repeated hour: the wall time reads back as its first occurrence
        assert parsed.utcoffset() == minute.replace(fold=0).utcoffset()
        assert parsed.replace(tzinfo=None) == minute.replace(tzinfo=None)
    else:
        assert parsed == minute


@settings(max_examples=1000, deadline=None)
@given(st.integers(1300, 1499), st.integers(1, 12), st.integers(1, 31))
def test_numeric_jalali_matches_jdatetime(year: int, month: int, day: int) -> None:
    text = f"{year}/{month:02d}/{day:02d}"
    try:
        expected = jdatetime.date(year, month, day).togregorian()
    except ValueError:
        with pytest.raises(DateParseError):
            parse_date(text)
        return
    assert parse_date(text).date() == expected


def test_offsets_keep_the_instant() -> None:
    parsed = parse_date("2022-07-01T12:00:00-04:00")
    assert parsed == datetime(2022, 7, 1, 16, 0, tzinfo=UTC)
    assert parsed.utcoffset() == timedelta(hours=4, minutes=30)
    assert parse_date("Fri, 01 Jul 2022 16:00:00 -0000") == datetime(2022, 7, 1, 16, 0, tzinfo=UTC)


date_pieces = st.sampled_from(
    [
        "۱۴", "14", "۰", "۳۱", "۳۲", "1395", "۱۴۰۳", "2024", "99999", "10:30", "۲۳:۵۹", "25:61", ":",
        "/", "-", "،", ",", "|", " ", " ", "T", "Z", "+03:30", "ساعت", "دی", "حوت", "اسفند", "ژانویه",
        "jan", "Tue,", "GMT", "سه‌شنبه", "پیش", "قبل", "دقیقه", "ماه", "سال", "روز", "نیم", "یک",
        "امروز", "دیروز", "لحظاتی", "ب.ظ", "ق.ظ", "ام",
    ]
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(date_pieces, max_size=12))
def test_date_shaped_garbage_only_ever_raises_date_parse_error(pieces: list[str]) -> None:
    text = "".join(pieces)
    try:
        result = parse_date(text, now=NOW)
    except DateParseError:
        return
    assert result.tzinfo is not None
    assert datetime(1800, 1, 1, tzinfo=UTC) < result < datetime(2200, 1, 1, tzinfo=UTC)
