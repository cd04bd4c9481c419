"""Attention over time: counts per period equal the search's counts with a `date:` filter."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from persiantools.jdatetime import JalaliDate
from tests.index.conftest import add, article

from vazeh.index import QueryError, SearchIndex
from vazeh.index.attention import attention, period_start, periods_between, runs
from vazeh.index.query import TEHRAN

WORDS = ["باران", "سیل", "زلزله", "انتخابات"]
SOURCES = ["خبرگزاری مهر", "خبرگزاری ایسنا", "روزنامه شرق"]


@pytest.fixture
def corpus(index: SearchIndex) -> SearchIndex:
    """Stories over 1400-1401 (both sides of Iran's last summer time), many just
    before or after a Tehran midnight, where an offset off by an hour shows."""
    rng = random.Random(7)
    arts = []
    start = datetime(2021, 3, 1, tzinfo=TEHRAN)
    for i in range(400):
        day = start + timedelta(days=rng.randrange(0, 560))
        minute = rng.choice([5, 30, 50, 600, 1380, 1410, 1435, 1439])
        when = day + timedelta(minutes=minute)
        words = " ".join(rng.sample(WORDS, rng.randrange(1, 3)))
        arts.append(article(f"گزارش {words} امروز", published=when.isoformat(), source=rng.choice(SOURCES), url=f"https://e.ir/{i}"))
    # Exactly at the summer-time switches of 1400 (Tehran clocks moved at midnight).
    for iso in ("2021-03-22T01:00:00+04:30", "2021-03-21T23:59:00+03:30", "2021-09-21T23:30:00+04:30",
                "2021-09-22T00:10:00+03:30", "2021-09-21T23:30:00+03:30"):
        arts.append(article("گزارش باران مرزی", published=iso, source=SOURCES[0]))
    add(index, *arts)
    return index


def dated(index: SearchIndex, q: str, f: str) -> int:
    return index.search(f"{q} {f}".strip() if q else f, facets=False).total


@pytest.mark.parametrize("by", ["day", "week", "month"])
@pytest.mark.parametrize("q", ["باران", "سیل OR زلزله", "گزارش -انتخابات"])
def test_counts_equal_the_date_filtered_search(corpus: SearchIndex, by: str, q: str) -> None:
    a = attention(corpus, [q], by=by, start=date(2021, 3, 15), end=date(2021, 10, 15))
    s = a.series[0]
    assert sum(s.counts) > 0
    checked = 0
    for p, n in zip(a.periods, s.counts, strict=True):
        if by != "day" or n or checked < 40:  # every week and month; days with stories and some empty ones
            assert n == dated(corpus, q, p.date_filter()), (p, q)
            checked += 1
    # The denominator is every story of the period.
    for p, t in list(zip(a.periods, a.totals, strict=True))[:: max(1, len(a.periods) // 12)]:
        assert t == dated(corpus, "", p.date_filter())


def test_summer_time_days_are_tehran_days(corpus: SearchIndex) -> None:
    a = attention(corpus, ["مرزی"], by="day", start=date(2021, 3, 20), end=date(2021, 9, 23))
    got = {p.start: n for p, n in zip(a.periods, a.series[0].counts, strict=True) if n}
    assert got == {date(2021, 3, 21): 1, date(2021, 3, 22): 1, date(2021, 9, 21): 2, date(2021, 9, 22): 1}
    # The window crosses both switches: runs of one offset, and the 23- and 25-hour days.
    lengths = {r[2] for r in runs(date(2021, 3, 20), date(2021, 9, 23))}
    assert lengths == {86_400, 82_800, 90_000}


def test_shares_and_sources(corpus: SearchIndex) -> None:
    a = attention(corpus, ["باران", "سیل"], by="month", start=date(2021, 3, 21), end=date(2022, 3, 20), per_source=True)
    assert len(a.periods) == 12  # the Jalali year 1400
    assert [p.start for p in a.periods][:2] == [date(2021, 3, 21), date(2021, 4, 21)]
    for s in a.series:
        for c, t, share in zip(s.counts, a.totals, a.shares(s), strict=True):
            assert share == (c / t if t else None)
        assert set(s.by_source) <= set(SOURCES)
        # The sources add up to the whole: every story has one.
        assert [sum(col) for col in zip(*s.by_source.values(), strict=True)] == s.counts
        for name, counts in s.by_source.items():
            for p, n in zip(a.periods, counts, strict=True):
                assert n == dated(corpus, f'{s.query} source:"{name}"', p.date_filter())
    assert [sum(col) for col in zip(*a.source_totals.values(), strict=True)] == a.totals
    d = a.to_dict()
    assert d["series"][0]["by_source"] and len(d["periods"]) == 12
    assert {r["source"] for r in a.rows()} == {"", *a.series[0].by_source, *a.series[1].by_source}


def test_jalali_week_and_month_boundaries() -> None:
    # 1402/01/05 was a Saturday: its week starts that day; Friday 1402/01/11 ends it.
    sat = JalaliDate(1402, 1, 5).to_gregorian()
    assert sat.weekday() == 5
    assert period_start(sat, "week") == sat
    assert period_start(JalaliDate(1402, 1, 11).to_gregorian(), "week") == sat
    assert period_start(JalaliDate(1402, 1, 12).to_gregorian(), "week") == sat + timedelta(days=7)
    # Months: 31 days in the first half of the year, 30 after, Esfand 29 (30 in a leap year).
    months = periods_between(JalaliDate(1402, 1, 1).to_gregorian(), JalaliDate(1402, 12, 29).to_gregorian(), "month")
    assert [(p.end - p.start).days for p in months] == [31] * 6 + [30] * 5 + [29]
    assert months[6].date_filter() == "date:1402/07/01..1402/07/30"
    week = periods_between(sat, sat, "week")[0]
    assert week.date_filter() == "date:1402/01/05..1402/01/11"


def test_window_from_the_stories_and_empty_results(corpus: SearchIndex) -> None:
    a = attention(corpus, ["مرزی"], by="day")
    assert a.periods[0].start == date(2021, 3, 21) and a.periods[-1].start == date(2021, 9, 22)
    none = attention(corpus, ["ناموجودترین"], by="week")
    assert none.periods == [] and none.series[0].counts == []
    quiet = attention(corpus, ["ناموجودترین"], by="month", start=date(2021, 3, 21), end=date(2021, 6, 21))
    assert quiet.series[0].counts == [0, 0, 0] and sum(quiet.totals) > 0
    assert all(x in (0.0, None) for x in quiet.shares(quiet.series[0]))


def test_empty_index(index: SearchIndex) -> None:
    a = attention(index, ["باران"], by="day", start=date(2021, 3, 21), end=date(2021, 3, 23))
    assert a.series[0].counts == [0, 0, 0] and a.totals == [0, 0, 0]
    assert a.shares(a.series[0]) == [None, None, None]


def test_mistakes_are_query_errors(corpus: SearchIndex) -> None:
    for kw in ({"by": "year"}, {"queries": []}, {"queries": ["a", "b", "c", "d", "e", "f"]},
               {"queries": ['"unclosed']}, {"start": date(2022, 1, 2), "end": date(2022, 1, 1)}):
        with pytest.raises(QueryError):
            attention(corpus, **{"queries": ["باران"], **kw})
