"""Dates by the article's place: Afghan month names and Kabul time for Dari stories."""

from __future__ import annotations

from datetime import datetime

from vazeh.persian.dates import (
    KABUL,
    TEHRAN,
    format_for,
    format_jalali,
    format_jalali_date,
    zone_for,
    zone_label,
)


def test_dari_stories_get_afghan_month_names_in_kabul_time():
    dt = datetime.fromisoformat("2025-03-01T10:00:00+04:30")
    assert format_jalali_date(dt, dari=True) == "۱۱ حوت ۱۴۰۳"
    assert format_jalali(dt, dari=True, zone=True) == "شنبه ۱۱ حوت ۱۴۰۳ - ۱۰:۰۰ به وقت کابل"
    assert format_for(dt, "prs") == "شنبه ۱۱ حوت ۱۴۰۳ - ۱۰:۰۰ به وقت کابل"


def test_every_afghan_month_name():
    names = [format_jalali_date(datetime(2024, 3, 25, 12, tzinfo=KABUL).replace(month=m), dari=True).split()[1]
             for m in (3, 4, 5, 6, 7, 8, 9, 10, 11)]
    assert names == ["حمل", "ثور", "جوزا", "سرطان", "اسد", "سنبله", "میزان", "عقرب", "قوس"]


def test_other_stories_keep_iranian_names_in_tehran_time_with_the_zone_named():
    dt = datetime.fromisoformat("2017-01-03T07:43:00+00:00")
    assert format_for(dt, "fa") == "سه‌شنبه ۱۴ دی ۱۳۹۵ - ۱۱:۱۳ به وقت تهران"
    assert format_for(dt, None) == format_for(dt, "fa")
    # The plain formatter is unchanged for its other callers.
    assert format_jalali(dt) == "سه‌شنبه ۱۴ دی ۱۳۹۵ - ۱۱:۱۳"


def test_gregorian_beside_jalali_when_asked():
    dt = datetime.fromisoformat("2017-01-03T07:43:00+00:00")
    assert format_for(dt, "fa", gregorian=True).endswith("به وقت تهران (۳ ژانویه ۲۰۱۷)")
    assert format_for(dt, "prs", gregorian=True, clock=False) == "۱۴ جدی ۱۳۹۵ (۳ ژانویه ۲۰۱۷)"


def test_zones():
    assert zone_for("prs") is KABUL and zone_for("fa") is TEHRAN
    assert "UTC+۰۲:۰۰" in zone_label(datetime.fromisoformat("2017-01-03T07:43:00+02:00"))


def test_a_dari_story_just_after_kabul_midnight_has_kabul_s_gregorian_date():
    # 00:10 in Kabul on 4 January is still 3 January, 23:40, in Tehran: the Gregorian date
    # beside the Jalali one must be of the same local day (the old code took Tehran's)
    dt = datetime(2017, 1, 4, 0, 10, tzinfo=KABUL)
    assert format_for(dt, "prs", gregorian=True) == "چهارشنبه ۱۵ جدی ۱۳۹۵ - ۰۰:۱۰ به وقت کابل (۴ ژانویه ۲۰۱۷)"
    assert format_for(dt, "prs", gregorian=True, clock=False) == "۱۵ جدی ۱۳۹۵ (۴ ژانویه ۲۰۱۷)"
    assert format_for(dt, "fa", gregorian=True, clock=False) == "۱۴ دی ۱۳۹۵ (۳ ژانویه ۲۰۱۷)"
