"""Attention over time in the reading room: the chart on the search page, the
`/attention` page comparing up to five queries (with CSV and JSON twins), the
`/api/attention` endpoint, and the home page's chart of the last days with stories."""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote_plus, urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup

from vazeh.index.attention import (
    MAX_QUERIES,
    ROW_COLUMNS,
    Attention,
    Period,
    Series,
    attention,
    query_chart,
)
from vazeh.index.query import QueryError, parse_date_range
from vazeh.persian import JALALI_MONTHS, to_persian_digits
from vazeh.web.charts import SERIES_COLOURS, Bar, compare_chart, period_chart
from vazeh.web.fmt import fa_number
from vazeh.web.listing import csv_text
from vazeh.web.room import ReadingRoom, SearchUnavailable

router = APIRouter()
BY_NAMES = {"day": "روز", "week": "هفته", "month": "ماه"}
HOME_DAYS = 90
SOURCE_CHARTS = 5
SEARCH_MIN_DAYS = 14


# --- labels and links -------------------------------------------------------------
def _fa_date(p: Period, d: date | None = None) -> str:
    return to_persian_digits(p.jalali(d))


@functools.lru_cache(maxsize=8192)  # the same periods label chart after chart
def period_label(p: Period, by: str) -> str:
    if by == "month":
        y, m = p.jalali().split("/")[:2]
        return f"{JALALI_MONTHS[int(m) - 1]} {to_persian_digits(y)}"
    if by == "week":
        return f"هفتهٔ {_fa_date(p)}"
    return _fa_date(p)


def _share_text(share: float | None) -> str:
    return "" if share is None else to_persian_digits(f"{share * 100:.1f}").replace(".", "٫") + "٪"


def results_href(query: str, p: Period, *, quoted: str | None = None) -> str:
    """The search for `query` in period `p`; `quoted` is _quoted_query(query) when the
    caller links many periods of one query (percent-encoding works character by
    character, so the query's part is encoded once)."""
    if quoted is None:
        quoted = _quoted_query(query)
    return "/search?q=" + quoted + _quoted_filter(p)


@functools.lru_cache(maxsize=8192)
def _quoted_filter(p: Period) -> str:
    # The same days are linked from chart after chart.
    return quote_plus(p.date_filter())


def _quoted_query(query: str) -> str:
    # f"{query} {filter}".strip(), encoded: the filter has no spaces at its ends.
    head = query.lstrip()
    return quote_plus(head + " ") if head.strip() else ""


def bars_of(a: Attention, counts: list[int], totals: list[int], query: str, *, share: bool) -> list[Bar]:
    out = []
    head = "/search?q=" + _quoted_query(query)  # results_href(query, p), the query's part once
    for p, c, t in zip(a.periods, counts, totals, strict=False):
        label, quoted_filter = _period_bits(p, a.by)
        s = c / t if t else None
        text = f"{fa_number(c)} خبر" + (f" ({_share_text(s)} از {fa_number(t)})" if t else "")
        out.append(Bar(label, (s or 0.0) if share else c, text, head + quoted_filter))
    return out


@functools.lru_cache(maxsize=8192)
def _period_bits(p: Period, by: str) -> tuple[str, str]:
    # A chart of a hundred days looks each day up once, not once for its label and
    # again for its link.
    return period_label(p, by), _quoted_filter(p)


def pick_by(first: date, last: date) -> str:
    """Bars a phone can show: days for up to four months, weeks for up to two years."""
    days = (last - first).days + 1
    return "day" if days <= 120 else ("week" if days <= 730 else "month")


# --- on the index's thread ------------------------------------------------------------
def run(room: ReadingRoom, fn: Any) -> Any:
    """`fn(index)` on the thread that owns the search index (as ReadingRoom.search)."""

    def call() -> Any:
        return fn(room._open_index())  # noqa: SLF001 - the room keeps its index to that thread

    try:
        return room._index_thread.submit(call).result()  # noqa: SLF001
    except QueryError:
        raise
    except Exception as e:
        raise SearchUnavailable(f"the search index of {room.home} cannot answer ({e}); run `vazeh reindex`") from e


def search_chart(room: ReadingRoom, q: str) -> dict[str, Any] | None:
    """The chart of a search page's query over the span of its stories, or None."""
    try:
        a = run(room, search_chart_counts(q))
    except (QueryError, SearchUnavailable):
        return None  # the results part of the page says what went wrong
    return search_chart_of(q, a)


def search_chart_counts(q: str) -> Any:
    """What search_chart counts, as a call on the index (ReadingRoom.search_then runs
    it right after the page's search, in the same turn of the index thread)."""

    def count(index: Any) -> Attention | None:
        # The query's span, widened so that a story or two on one day still gets a
        # fortnight around it (a bar needs context), and its counts, from one pass.
        return query_chart(index, q, min_days=SEARCH_MIN_DAYS, pick_by=pick_by)

    return count


def search_chart_of(q: str, a: Attention | None) -> dict[str, Any] | None:
    """The search page's chart of `search_chart_counts(q)`'s answer, or None."""
    if a is None or not a.periods:
        return None
    bars = bars_of(a, a.series[0].counts, a.totals, q, share=False)
    title = f"شمار خبرهای «{q}» در هر {BY_NAMES[a.by]}"
    return {
        "svg": period_chart(bars, title=title, height=130),
        "title": title,
        "by": a.by,
        "href": "/attention?" + urlencode({"q": q, "by": a.by}),
    }


def home_chart(room: ReadingRoom) -> dict[str, Any] | None:
    """Stories on each of the last 90 days that have any: an archive of old or sparse
    pages gets its bars, not an empty calendar window."""
    listing = room.listing()
    rows = listing.newest_days(HOME_DAYS)
    if not rows:
        return None
    days = sorted((date.fromisoformat(d), n) for d, n in rows)
    bars = []
    for d, n in days:
        p = Period(d, d + timedelta(days=1))
        bars.append(Bar(_fa_date(p), n, f"{fa_number(n)} خبر", results_href("", p)))
    first, last = Period(days[0][0], days[0][0]), Period(days[-1][0], days[-1][0])
    return {
        "svg": period_chart(bars, title="شمار خبرها در هر روز"),
        "days": len(days),
        "first": _fa_date(first),
        "last": _fa_date(last),
    }


# --- the page, its twins and the API ------------------------------------------------------
def _window(start: str, end: str) -> tuple[date | None, date | None]:
    lo = parse_date_range(start).start if start.strip() else None
    hi = parse_date_range(end).end if end.strip() else None
    return (lo.date() if lo else None), ((hi.date() - timedelta(days=1)) if hi else None)


def _compute(room: ReadingRoom, queries: list[str], by: str, start: str, end: str, per_source: bool) -> Attention:
    lo, hi = _window(start, end)
    key = (tuple(queries), by, lo, hi, per_source, room.index_generation())
    cache = room.cache("attention", maxsize=64)
    found = cache.get(key)
    if found is None:
        found = cache[key] = run(room, lambda index: attention(index, queries, by, lo, hi, per_source))
    return found


def _queries(q: list[str]) -> list[str]:
    return [x.strip() for x in q if x.strip()][: MAX_QUERIES + 1]


PeriodQuery = Query("month", pattern="^(day|week|month)$", description="the period: day, week or Jalali month")
FromQuery = Query("", alias="from", max_length=40, description="first day (Jalali or Gregorian, e.g. 1402/01/01)")
ToQuery = Query("", alias="to", max_length=40, description="last day, included (e.g. 1402/12 for all of Esfand)")


@router.get("/api/attention", tags=["search"], summary="Attention over time: matches per period")
def api_attention(
    request: Request,
    q: list[str] = Query(..., description="up to five queries in the search language"),
    by: str = PeriodQuery,
    start: str = FromQuery,
    end: str = ToQuery,
    per_source: bool = Query(False, description="also count per source (the 20 largest)"),
) -> Response:
    """For each query, its matches per Tehran day, Jalali week (Saturday to Friday) or
    Jalali month, the count of all stories in each period and the share; with
    `per_source`, the same per source. Counts equal those of the search with the
    period's `date:` filter (given as `date_filter` for each period)."""
    room: ReadingRoom = request.app.state.room
    queries = _queries(q)
    try:
        a = _compute(room, queries, by, start, end, per_source)
    except QueryError as e:
        return JSONResponse({"error": str(e)}, status_code=400)
    except SearchUnavailable as e:
        return JSONResponse({"error": str(e)}, status_code=503)
    return JSONResponse(a.to_dict())


@router.get("/attention", response_class=HTMLResponse, include_in_schema=False)
def attention_page(
    request: Request,
    q: list[str] = Query([]),
    by: str = PeriodQuery,
    start: str = FromQuery,
    end: str = ToQuery,
    per_source: bool = Query(False),
    measure: str = Query("count", pattern="^(count|share)$"),
    fmt: str | None = Query(None, alias="format", pattern="^(json|csv)$"),
) -> Response:
    from vazeh.web.pages import render

    room: ReadingRoom = request.app.state.room
    queries = _queries(q)
    context: dict[str, Any] = {
        "queries": queries, "by": by, "from_": start, "to": end, "per_source": per_source, "measure": measure,
        "by_names": BY_NAMES, "slots": max(0, MAX_QUERIES - len(queries)), "max_queries": MAX_QUERIES,
        "error": None, "charts": [], "compare": None, "colours": SERIES_COLOURS,
    }
    if not queries:
        if fmt:
            return _twin_error(fmt, "q: give one to five queries", 400)
        return render(request, "attention.html", context)
    try:
        a = _compute(room, queries, by, start, end, per_source)
    except QueryError as e:
        if fmt:
            return _twin_error(fmt, str(e), 400)
        return render(request, "attention.html", {**context, "error": str(e)}, status_code=400)
    except SearchUnavailable as e:
        if fmt:
            return _twin_error(fmt, str(e), 503)
        return render(request, "attention.html", {**context, "error": str(e)}, status_code=503)
    if fmt == "csv":
        return Response("\ufeff" + csv_text(a.rows(), ROW_COLUMNS), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": 'attachment; filename="attention.csv"'})
    if fmt == "json":
        return JSONResponse(a.to_dict())
    share = measure == "share"
    context.update(_charts(a, share))
    here = request.url.query
    context.update({
        "attention": a,
        "csv": "/attention?" + here + "&format=csv",
        "json": "/attention?" + here + "&format=json",
        "api": "/api/attention?" + urlencode([("q", x) for x in queries] + [("by", by)]),
    })
    return render(request, "attention.html", context)


def _charts(a: Attention, share: bool) -> dict[str, Any]:
    if not a.periods:
        return {"charts": [], "compare": None}
    what = "سهم از همهٔ خبرها" if share else "شمار خبرها"
    per: list[tuple[str, list[Bar]]] = [(s.query, bars_of(a, s.counts, a.totals, s.query, share=share)) for s in a.series]
    # One scale for every query's bars, so heights compare across the charts.
    top = max((b.value for _, bars in per for b in bars), default=0) or 1
    charts = []
    for k, (s, (_, bars)) in enumerate(zip(a.series, per, strict=True)):
        colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
        charts.append({
            "query": s.query, "colour": colour, "total": s.total, "sources": _source_charts(a, s, share, colour),
            "svg": period_chart(bars, title=f"{what} «{s.query}» در هر {BY_NAMES[a.by]}", colour=colour, top=top,
                                percent=share),
        })
    compare = compare_chart(per, title=f"{what} در هر {BY_NAMES[a.by]}", percent=share) if len(per) > 1 else None
    return {"charts": charts, "compare": compare}


def _source_charts(a: Attention, s: Series, share: bool, colour: str) -> list[dict[str, Any]]:
    out = []
    ranked = sorted(s.by_source.items(), key=lambda kv: -sum(kv[1]))[:SOURCE_CHARTS]
    for name, counts in ranked:
        totals = a.source_totals.get(name) or [0] * len(counts)
        label = name or "بی‌منبع"
        query = f'{s.query} source:"{name}"' if name else s.query
        bars = bars_of(a, counts, totals, query, share=share)
        out.append({"name": label, "total": sum(counts),
                    "svg": period_chart(bars, title=f"«{s.query}» در {label}", colour=colour, percent=share,
                                        height=120)})
    return out


def _twin_error(fmt: str, message: str, status: int) -> Response:
    if fmt == "json":
        return JSONResponse({"error": message}, status_code=status)
    return Response(message + "\n", status_code=status, media_type="text/plain; charset=utf-8")


def chart_markup(chart: dict[str, Any] | None) -> Markup:
    return chart["svg"] if chart else Markup("")
