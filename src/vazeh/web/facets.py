"""The search page's facets and active filters.

A filter is active however it got into the query: typed by hand (`منبع:مهر`,
`source:mehrnews.com`, `date:1402/05`) or added by a click on a facet. Each active
filter of the query's top level is shown as a chip that takes it out again, and a
facet value that an active filter already selects is shown chosen: a click on it
takes the filter off instead of adding it a second time. A filter and a facet value
are the same when they mean the same stories: one entity of vazeh.index.names
(«خبرگزاری مهر» and «مهر»), one value after analysis (شهري and شهری), one month.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote_plus

from vazeh.index.query import Part, QueryError, filters, parse_date_range, without

FACET_FIELDS = {"source": "source", "agency": "agency", "outlet": "outlet", "category": "category", "month": "date"}
FACET_TITLES = {"source": "منبع", "agency": "منبع خبر", "outlet": "رسانه", "category": "دسته", "month": "ماه"}
# The facets the room lists: whom a story credits, the site of the copy, its category, its month.
ROOM_FACETS = ("agency", "outlet", "category", "month")
# What an active filter's chip says it filters by.
FILTER_TITLES = {**FACET_TITLES, "tag": "برچسب", "date": "تاریخ"}
# Which filters select a facet's values: source: is either the outlet or the agency.
_SELECTED_BY = {
    "agency": ("agency", "source"),
    "outlet": ("outlet", "source"),
    "source": ("source",),
    "category": ("category",),
    "month": ("date",),
}


@functools.lru_cache(maxsize=4096)  # the same months label page after page
def month_label(value: str) -> str:
    """`1402-05` (the index's month facet) as `مرداد ۱۴۰۲`."""
    from vazeh.persian import JALALI_MONTHS, to_persian_digits

    try:
        year, month = (int(x) for x in value.split("-")[:2])
        return f"{JALALI_MONTHS[month - 1]} {to_persian_digits(year)}"
    except (ValueError, IndexError):
        return value


def facet_term(kind: str, value: str) -> str:
    """The query words that filter by a facet value, in the search language."""
    if kind == "month":
        return "date:" + value.replace("-", "/")
    value = value.replace('"', "")
    return f'{FACET_FIELDS[kind]}:"{value}"'


def search_href(q: str, *, sort: str = "relevance", page: int = 1) -> str:
    """`/search?q=...`, as urlencode writes it (quote_plus, sort and page only when not the default)."""
    return "/search?q=" + quote_plus(q) + _tail(sort, page)


def _tail(sort: str, page: int = 1) -> str:
    return ("&sort=" + quote_plus(sort) if sort != "relevance" else "") + (f"&page={page}" if page > 1 else "")


@functools.lru_cache(maxsize=8192)
def _quoted_term(term: str) -> str:
    # A facet value's filter is linked from page after page; quote_plus is slow on
    # Persian text (each UTF-8 byte goes through Python), so each term is encoded once.
    return quote_plus(term)


@functools.lru_cache(maxsize=8192)  # facet values repeat page after page
def _key(field: str, value: str) -> object:
    """What a filter's or a facet value's stories are, for telling two of them the same."""
    if field == "date":
        try:
            r = parse_date_range(value)
        except QueryError:
            return None
        return ("date", _ts(r.start), _ts(r.end))
    from vazeh.index.plan import NAMED_FIELDS, value_key

    if field in NAMED_FIELDS:
        from vazeh.index.names import default_names

        return ("name", default_names().facet_key(value))
    return (field, value_key(value))


def _ts(dt: datetime | None) -> float | None:
    return dt.timestamp() if dt else None


@functools.lru_cache(maxsize=256)  # the chips and each facet of one page ask about the same query
def _active(q: str) -> tuple[Part, ...]:
    try:
        return tuple(filters(q))
    except QueryError:
        return ()


@dataclass(frozen=True, slots=True)
class Chip:
    """An active filter as the page shows it (attributes, not a dict: the template
    reads them without Jinja's failed-getattr-then-getitem for each one)."""

    title: str
    value: str
    negated: bool
    text: str
    href: str


@dataclass(frozen=True, slots=True)
class FacetEntry:
    """One facet value as the page lists it."""

    label: str
    count: int
    href: str
    on: bool


def active_filters(q: str, *, sort: str = "relevance") -> list[Chip]:
    """A chip for each filter of the query's top level: its label and the query without it."""
    chips = []
    for f in _active(q):
        value = month_label(f.value.replace("/", "-")) if f.field == "date" and _is_month(f.value) else f.value
        title = FILTER_TITLES.get(f.field, f.field)
        chips.append(Chip(title, value, f.negated, q[f.start : f.end], search_href(without(q, f), sort=sort)))
    return chips


def _without_all(q: str, parts: list[Part] | tuple[Part, ...]) -> str:
    """The query without every one of `parts` (a filter typed twice goes in one click)."""
    for p in sorted(parts, key=lambda p: -p.start):  # from the end: earlier offsets still hold
        q = q[: p.start] + " " + q[p.end :]
    return " ".join(q.split())


def _is_month(value: str) -> bool:
    from vazeh.persian import to_ascii_digits

    bits = to_ascii_digits(value.strip()).replace("-", "/").split("/")
    return len(bits) == 2 and all(b.isdigit() for b in bits) and int(bits[0]) < 1700


def facet_entries(q: str, kind: str, values: list[tuple[str, int]], *, sort: str = "relevance") -> list[FacetEntry]:
    """The facet's values as the page lists them: chosen ones link to the query without
    their filter, the others to the query with it."""
    active = [f for f in _active(q) if not f.negated and f.field in _SELECTED_BY[kind]]
    keys = [(f, k) for f in active if (k := _key(f.field, f.value)) is not None]
    field = FACET_FIELDS[kind]
    # search_href(f"{q} {term}"): percent-encoding goes character by character, so the
    # query's part is encoded once for all the values.
    head, tail = "/search?q=" + quote_plus(q + " "), _tail(sort)
    out = []
    for value, count in values:
        value = str(value)
        chosen = []
        if keys:
            mine = _key(field, value.replace("-", "/") if kind == "month" else value)
            chosen = [f for f, k in keys if k == mine]
        if chosen:
            href = search_href(_without_all(q, chosen), sort=sort)
        else:
            href = head + _quoted_term(facet_term(kind, value)) + tail
        label = month_label(value) if kind == "month" else value
        out.append(FacetEntry(label, int(count), href, bool(chosen)))
    return out
