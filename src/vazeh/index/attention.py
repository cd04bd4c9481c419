"""Attention over time: how many stories match a query per day, week or month.

Periods are Tehran local days; weeks are Jalali weeks (Saturday to Friday); months
are Jalali months. Counting asks the engine for a histogram of `published` with
one-day buckets and folds the days into weeks and months here, since Jalali months
are not of fixed length.

A fixed 86,400-second bucket fits a Tehran day only while the clock's offset holds:
until 1401 Iran kept summer time, so a year has days of 23 and 25 hours and two
offsets. The window is cut into runs of days that share an offset and a length,
and each run is one histogram with its own offset (a day of odd length is a run of
its own, its bucket as long as the day). So a day's count is exactly what
`date:` of that day counts, whatever the clock did.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from persiantools.jdatetime import JalaliDate

from vazeh.index.engine import All, Engine, Match, Range
from vazeh.index.plan import Planner, without_ranking_hints
from vazeh.index.query import TEHRAN, QueryError, parse

BYS = ("day", "week", "month")
MAX_QUERIES = 5
# Periods one answer may hold; a longer window keeps its newest periods.
MAX_PERIODS = {"day": 1100, "week": 530, "month": 600}
SOURCES = 20  # sources broken out per query, the largest first
SATURDAY = 5  # date.weekday()
# tantivy refuses an aggregation of more than 65,000 buckets.
MAX_BUCKETS = 60_000


@functools.lru_cache(maxsize=8192)
def _jalali_day(d: date) -> str:
    # A chart labels and links every bar by its Jalali day: the same days, page after page.
    j = JalaliDate.to_jalali(d)
    return f"{j.year:04d}/{j.month:02d}/{j.day:02d}"


@dataclass(frozen=True)
class Period:
    """Tehran local days [start, end)."""

    start: date
    end: date

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    def jalali(self, d: date | None = None) -> str:
        return _jalali_day(d or self.start)

    def date_filter(self) -> str:
        """The `date:` filter of the search language that selects this period."""
        if self.end - self.start == timedelta(days=1):
            return f"date:{self.jalali()}"
        return f"date:{self.jalali()}..{self.jalali(self.last)}"

    def to_dict(self) -> dict[str, str]:
        return {
            "start": self.start.isoformat(),
            "end": self.last.isoformat(),
            "start_jalali": self.jalali(),
            "end_jalali": self.jalali(self.last),
            "date_filter": self.date_filter(),
        }


@dataclass
class Series:
    query: str
    counts: list[int]
    by_source: dict[str, list[int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class Attention:
    by: str
    periods: list[Period]
    totals: list[int]  # all stories per period: the denominator of shares
    series: list[Series]
    source_totals: dict[str, list[int]] = field(default_factory=dict)  # all stories per source and period
    clipped: bool = False  # the window was longer than MAX_PERIODS; its newest periods are kept

    def shares(self, s: Series) -> list[float | None]:
        return [c / t if t else None for c, t in zip(s.counts, self.totals, strict=True)]

    def source_shares(self, s: Series, source: str) -> list[float | None]:
        """The query's stories of a source as a share of all that source's stories."""
        totals = self.source_totals.get(source) or [0] * len(self.periods)
        return [c / t if t else None for c, t in zip(s.by_source.get(source, []), totals, strict=False)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "clipped": self.clipped,
            "periods": [p.to_dict() for p in self.periods],
            "totals": self.totals,
            "series": [
                {
                    "query": s.query,
                    "total": s.total,
                    "counts": s.counts,
                    "shares": self.shares(s),
                    **(
                        {
                            "by_source": {
                                name: {"counts": counts, "shares": self.source_shares(s, name)}
                                for name, counts in s.by_source.items()
                            }
                        }
                        if s.by_source
                        else {}
                    ),
                }
                for s in self.series
            ],
        }

    def rows(self) -> list[dict[str, Any]]:
        """One row per query, period and source ("" for all sources): for CSV."""
        out = []
        for s in self.series:
            groups: list[tuple[str, list[int], list[int]]] = [("", s.counts, self.totals)]
            groups += [
                (name, counts, self.source_totals.get(name) or [0] * len(counts)) for name, counts in s.by_source.items()
            ]
            for name, counts, totals in groups:
                for p, c, t in zip(self.periods, counts, totals, strict=True):
                    out.append({
                        "query": s.query,
                        "source": name,
                        "start": p.start.isoformat(),
                        "end": p.last.isoformat(),
                        "start_jalali": p.jalali(),
                        "end_jalali": p.jalali(p.last),
                        "count": c,
                        "all_stories": t,
                        "share": f"{c / t:.6f}" if t else "",
                    })
        return out


ROW_COLUMNS = ("query", "source", "start", "end", "start_jalali", "end_jalali", "count", "all_stories", "share")


# --- the calendar -----------------------------------------------------------------
def midnight(d: date) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=TEHRAN).timestamp())


def tehran_day(ts: int) -> date:
    return datetime.fromtimestamp(ts, TEHRAN).date()


def period_start(d: date, by: str) -> date:
    if by == "day":
        return d
    if by == "week":
        return d - timedelta(days=(d.weekday() - SATURDAY) % 7)
    j = JalaliDate.to_jalali(d)
    return JalaliDate(j.year, j.month, 1).to_gregorian()


def next_period(start: date, by: str) -> date:
    if by == "day":
        return start + timedelta(days=1)
    if by == "week":
        return start + timedelta(days=7)
    j = JalaliDate.to_jalali(start)
    nxt = JalaliDate(j.year + 1, 1, 1) if j.month == 12 else JalaliDate(j.year, j.month + 1, 1)
    return nxt.to_gregorian()


def periods_between(first: date, last: date, by: str) -> list[Period]:
    """The periods that hold the days first..last (whole periods)."""
    out = []
    p = period_start(first, by)
    while p <= last:
        n = next_period(p, by)
        out.append(Period(p, n))
        p = n
    return out


@functools.lru_cache(maxsize=64)
def runs(first: date, end: date) -> tuple[tuple[int, int, int, int], ...]:
    """(lo, hi, interval, offset) in epoch seconds for the days first..end (exclusive):
    consecutive days of one length and offset share a run."""
    out: list[list[int]] = []
    d = first
    lo = midnight(d)
    while d < end:
        nxt = d + timedelta(days=1)
        hi = midnight(nxt)
        length = hi - lo
        if out and out[-1][2] == length == 86_400 and out[-1][3] == lo % length:
            out[-1][1] = hi
        else:
            out.append([lo, hi, length, lo % length])
        d, lo = nxt, hi
    return tuple((a, b, c, e) for a, b, c, e in out)


# --- counting ------------------------------------------------------------------------
def _day_counts(
    engine: Engine, match: Match, first: date, end: date, *, by_source: bool, size: int
) -> tuple[dict[date, int], dict[str, dict[date, int]]]:
    total: dict[date, int] = {}
    sources: dict[str, dict[date, int]] = {}
    for lo, hi, interval, offset in runs(first, end):
        h = engine.histogram(
            All((match, Range(lo, hi))), interval=interval, offset=offset, by_source=by_source, size=size
        )
        # A bucket starts at a Tehran midnight inside the run: its key names the day.
        for key, n in h.total.items():
            total[tehran_day(key)] = n
        for name, buckets in h.by_source.items():
            days = sources.setdefault(name, {})
            for key, n in buckets.items():
                days[tehran_day(key)] = n
    return total, sources


_ALL_COUNTS: OrderedDict[tuple, tuple[dict[date, int], dict[str, dict[date, int]]]] = OrderedDict()
_ALL_COUNTS_LOCK = threading.Lock()


def _all_day_counts(
    engine: Engine, first: date, end: date, *, by_source: bool, size: int
) -> tuple[dict[date, int], dict[str, dict[date, int]]]:
    """_day_counts of every story: the same for every query over one window until the
    next commit, so a search page's chart does not count the whole archive each time.
    Callers treat the result as read-only."""
    key = (str(getattr(engine, "path", id(engine))), repr(engine.generation), first, end, by_source, size)
    with _ALL_COUNTS_LOCK:
        found = _ALL_COUNTS.get(key)
        if found is not None:
            _ALL_COUNTS.move_to_end(key)
            return found
    found = _day_counts(engine, All(()), first, end, by_source=by_source, size=size)
    with _ALL_COUNTS_LOCK:
        _ALL_COUNTS[key] = found
        while len(_ALL_COUNTS) > 64:
            _ALL_COUNTS.popitem(last=False)
    return found


def _fold(days: dict[date, int], periods: list[Period], by: str) -> list[int]:
    index = {p.start: i for i, p in enumerate(periods)}
    out = [0] * len(periods)
    for d, n in days.items():
        i = index.get(period_start(d, by))
        if i is not None:
            out[i] += n
    return out


def _span(engine: Engine, matches: Iterable[Match]) -> tuple[date, date] | None:
    """The first and last Tehran day with a matching dated story."""
    first = last = None
    for m in matches:
        # UTC days find the ends cheaply; a UTC day overlaps two Tehran days, so the
        # exact first and last day are counted in the few days around each end.
        h = engine.histogram(All((m, Range(1, None))), interval=86_400, offset=0)
        if not h.total:
            continue
        a, b = tehran_day(min(h.total)), tehran_day(max(h.total) + 86_399)
        near_a, _ = _day_counts(engine, m, a - timedelta(days=1), a + timedelta(days=2), by_source=False, size=1)
        near_b, _ = _day_counts(engine, m, b - timedelta(days=1), b + timedelta(days=2), by_source=False, size=1)
        a, b = min(near_a, default=a), max(near_b, default=b)
        first = a if first is None or a < first else first
        last = b if last is None or b > last else last
    if first is None or last is None:
        return None
    return first, last


_PLANS: OrderedDict[tuple, Match] = OrderedDict()


def plan_query(engine: Engine, query: str) -> Match:
    """The documents a query selects, as the search counts them (ranking hints dropped).
    Plans are kept until the next commit: a search page's chart asks for the same
    query's span and then its counts."""
    if not query.strip():
        return All(())
    key = (str(getattr(engine, "path", id(engine))), repr(engine.generation), query)
    with _ALL_COUNTS_LOCK:
        found = _PLANS.get(key)
        if found is not None:
            _PLANS.move_to_end(key)
            return found
    plan = without_ranking_hints(Planner(engine.doc_freq, getattr(engine, "doc_freqs", None)).plan(parse(query)))
    with _ALL_COUNTS_LOCK:
        _PLANS[key] = plan
        while len(_PLANS) > 256:
            _PLANS.popitem(last=False)
    return plan


def attention(
    index: Any,
    queries: list[str],
    by: str = "day",
    start: date | None = None,
    end: date | None = None,
    per_source: bool = False,
) -> Attention:
    """Counts per period for each query (an empty query counts every story), with
    the count of all stories per period. `start` and `end` are Tehran days, both
    included; when left out the window is the span of days with matching stories.
    `index` is a SearchIndex (or anything with an `engine`)."""
    if by not in BYS:
        raise QueryError(f"unknown period {by!r}; use one of: {', '.join(BYS)}", "unknown_period", by=by)
    if not queries:
        raise QueryError("give at least one query", "no_query")
    if len(queries) > MAX_QUERIES:
        raise QueryError(f"at most {MAX_QUERIES} queries can be compared", "too_many_queries", limit=MAX_QUERIES)
    if start and end and start > end:
        raise QueryError("the start of the window is after its end", "window_reversed")
    engine = index.engine if hasattr(index, "engine") else index
    with engine.snapshot():
        matches = [plan_query(engine, q) for q in queries]
        if start is None or end is None:
            span = _span(engine, matches)
            if span is None and start is None and end is None:
                return Attention(by, [], [], [Series(q, []) for q in queries])
            first = start or (span[0] if span else end)
            last = end or (span[1] if span else start)
            assert first is not None and last is not None
            first = min(first, last)
        else:
            first, last = start, end
        periods = periods_between(first, last, by)
        clipped = len(periods) > MAX_PERIODS[by]
        if clipped:
            periods = periods[-MAX_PERIODS[by] :]
        if not periods:
            return Attention(by, [], [], [Series(q, []) for q in queries])
        lo_day, hi_day = periods[0].start, periods[-1].end
        ndays = (hi_day - lo_day).days
        size = max(1, min(SOURCES, MAX_BUCKETS // max(ndays, 1)))
        all_days, all_sources = _all_day_counts(engine, lo_day, hi_day, by_source=per_source, size=size)
        totals = _fold(all_days, periods, by)
        series = []
        for q, m in zip(queries, matches, strict=True):
            days, srcs = _day_counts(engine, m, lo_day, hi_day, by_source=per_source, size=size)
            series.append(Series(q, _fold(days, periods, by), {k: _fold(v, periods, by) for k, v in srcs.items()}))
        source_totals = {k: _fold(v, periods, by) for k, v in all_sources.items()} if per_source else {}
    return Attention(by, periods, totals, series, source_totals, clipped)


_SPANS: OrderedDict[tuple, tuple[date, date] | None] = OrderedDict()


def _archive_span(engine: Engine) -> tuple[date, date] | None:
    """The first and last Tehran day with any dated story, kept until the next commit."""
    key = (str(getattr(engine, "path", id(engine))), repr(engine.generation))
    with _ALL_COUNTS_LOCK:
        if key in _SPANS:
            return _SPANS[key]
    span = _span(engine, [All(())])
    with _ALL_COUNTS_LOCK:
        _SPANS[key] = span
        while len(_SPANS) > 8:
            _SPANS.popitem(last=False)
    return span


def query_chart(index: Any, query: str, *, min_days: int, pick_by: Any) -> Attention | None:
    """What `attention(index, [query], by=pick_by(first, last), start=first, end=last)`
    gives for the span [first, last] of the query's stories widened to `min_days`, from
    one pass over its matches (its counts per Tehran day over the archive's span, from
    which its own span follows) instead of a pass for the span and another for the
    counts. None when no dated story matches."""
    engine = index.engine if hasattr(index, "engine") else index
    with engine.snapshot():
        m = plan_query(engine, query)
        archive = _archive_span(engine)
        if archive is None:
            return None
        days, _ = _day_counts(engine, m, archive[0], archive[1] + timedelta(days=1), by_source=False, size=1)
        dated = [d for d, n in days.items() if n]
        if not dated:
            return None
        last = max(dated)
        first = min(min(dated), last - timedelta(days=min_days - 1))
        by = pick_by(first, last)
        periods = periods_between(first, last, by)
        clipped = len(periods) > MAX_PERIODS[by]
        if clipped:
            periods = periods[-MAX_PERIODS[by] :]
        if not periods:
            return Attention(by, [], [], [Series(query, [])])
        lo_day, hi_day = periods[0].start, periods[-1].end
        size = max(1, min(SOURCES, MAX_BUCKETS // max((hi_day - lo_day).days, 1)))  # as attention() asks
        all_days, _ = _all_day_counts(engine, lo_day, hi_day, by_source=False, size=size)
        inside = {d: n for d, n in days.items() if lo_day <= d < hi_day}
        return Attention(by, periods, _fold(all_days, periods, by), [Series(query, _fold(inside, periods, by))],
                         {}, clipped)


def window(index: Any, queries: list[str]) -> tuple[date, date] | None:
    """The first and last Tehran day with a story matching any of the queries."""
    engine = index.engine if hasattr(index, "engine") else index
    with engine.snapshot():
        return _span(engine, [plan_query(engine, q) for q in queries])
