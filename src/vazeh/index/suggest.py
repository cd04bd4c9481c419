"""A query with no results: the nearest query that has some.

Tried in this order, nearest first; the first kind that finds anything wins, and
within a kind the rewrite with the most hits:

1. "form": a word in another form: its stem (vazeh.persian.forms), or a quoted
   phrase as plain words;
2. "drop": the query without one of its words (only when another word is left);
3. "date": a looser date, a step at a time: a day becomes its month, a month its
   year, a year no date at all; a range becomes the years it spans, then a year more
   on each side;
4. "filter": the query without one of its other filters (source:, category: ...).

Only top-level terms are rewritten (vazeh.index.query.parts): a word inside
parentheses or on one side of OR is left as it is. Each rewrite costs one plan and
one count, at most MAX_TRIES of them, and only a search with no hits pays it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from vazeh.index.query import Part, QueryError, parts, without
from vazeh.persian import to_ascii_digits, tokenize

try:  # written beside this module's first version; search works without it
    from vazeh.persian.forms import SUFFIX_TOKENS, stem
except ImportError:  # pragma: no cover - an older tree
    stem, SUFFIX_TOKENS = None, frozenset()  # type: ignore[assignment]

MAX_TRIES = 16
KINDS = ("form", "drop", "date", "filter")


@dataclass
class Suggestion:
    query: str
    total: int
    kind: str  # one of KINDS


def suggest(query: str, count: Callable[[str], int]) -> Suggestion | None:
    """The nearest rewrite of `query` with hits; `count(q)` is how many stories q finds
    (raising QueryError for a rewrite that is no query)."""
    try:
        terms = parts(query)
    except QueryError:
        return None
    tries = 0
    # A date is loosened a step at a time (day, month, year, none): the first step with
    # hits is the nearest, though a later one always has more.
    steps = [("form", 0), ("drop", 0), *(("date", n) for n in range(1, 4)), ("filter", 0)]
    tried: set[str] = set()
    for kind, step in steps:
        best: Suggestion | None = None
        for candidate in dict.fromkeys(_rewrites(kind, query, terms, step)):
            if candidate in tried:
                continue
            tried.add(candidate)
            if candidate == query or not candidate:
                continue
            if tries >= MAX_TRIES:
                return best
            tries += 1
            try:
                n = count(candidate)
            except QueryError:
                continue
            if n and (best is None or n > best.total):
                best = Suggestion(candidate, n, kind)
        if best is not None:
            return best
    return None


def _rewrites(kind: str, query: str, terms: list[Part], step: int = 0) -> Iterator[str]:
    positive = [p for p in terms if not p.negated]
    words = [p for p in positive if p.kind in ("word", "phrase")]
    if kind == "form":
        for p in words:
            if p.kind == "phrase":
                yield without(query, p, _with_field(p, p.value))
            elif stem is not None:
                toks = tokenize(p.value)
                # کتاب‌های is two tokens: the suffix token goes, the stem stays
                stems = [stem(t) for t in toks if t not in SUFFIX_TOKENS] or toks
                if stems != toks:
                    yield without(query, p, _with_field(p, " ".join(stems)))
    elif kind == "drop":
        if len(words) >= 2:  # a query left with filters only is no longer a search
            for p in words:
                yield without(query, p)
    elif kind == "date":
        for p in positive:
            if p.kind == "filter" and p.field == "date":
                looser: str | None = p.value
                for _ in range(step):
                    looser = _looser_date(looser) if looser else None
                if looser:
                    yield without(query, p, "date:" + looser)
                elif len(positive) >= 2:
                    yield without(query, p)
    elif kind == "filter":
        for p in positive:
            if p.kind == "filter" and p.field != "date" and len(positive) >= 2:
                yield without(query, p)


def _with_field(p: Part, words: str) -> str:
    if p.field == "title":
        return f'title:"{words}"' if " " in words else f"title:{words}"
    return words


def _looser_date(value: str) -> str | None:
    """The next looser date after `value` (as typed in date:), or None for no date: a
    day's month, a month's year; a range the years it spans, then a year more on each
    side."""
    text = to_ascii_digits(value.strip())
    if ".." in text:
        lo, _, hi = (s.strip() for s in text.partition(".."))
        years = f"{_year(lo)}..{_year(hi)}"
        if years != text:
            return years
        wider = f"{_year(lo, -1)}..{_year(hi, +1)}"
        return wider if wider != text and wider != ".." else None
    bits = [b for b in text.replace("-", "/").replace(".", "/").split("/") if b]
    if len(bits) >= 2:
        return "/".join(bits[:-1])
    return None


def _year(side: str, shift: int = 0) -> str:
    if not side:
        return ""
    year = side.replace("-", "/").replace(".", "/").split("/")[0]
    return str(int(year) + shift) if year.isdigit() else year
