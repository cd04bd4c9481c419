"""Every story a query matches, not just the pages a reader sees.

`SearchIndex.search` ranks and pages (at most 500 pages of 100); an export needs
every hit. This walks the index through its public engine pieces: the query is
parsed and planned as search does it, then the matches are read in windows of
publish time small enough that no window holds more than `window` hits, so
memory stays bounded whatever the number of matches.

The small API the index could offer instead (and which this implements from the
outside) is `SearchIndex.iter_matching(query) -> Iterator[str]` of story keys.
"""

from __future__ import annotations

from collections.abc import Iterator

from vazeh.index import SearchIndex
from vazeh.index.engine import All, Match, Range
from vazeh.index.plan import Planner, without_ranking_hints
from vazeh.index.query import parse

WINDOW = 20_000
# Publish times are seconds since the epoch; undated stories sit at 0.
_LO, _HI = -(1 << 62), 1 << 62


def iter_matching_keys(index: SearchIndex, query: str, *, window: int = WINDOW) -> Iterator[str]:
    """Story keys (SURTs) of every story matching `query`, each once; raises QueryError
    for a malformed query. Reads one engine searcher from start to end."""
    engine = index.engine
    with engine.snapshot():
        match = without_ranking_hints(Planner(engine.doc_freq).plan(parse(query)))
        yield from _window(index, match, _LO, _HI, window)


def _count(index: SearchIndex, match: Match) -> int:
    return index.engine.search(match, sort="relevance", offset=0, limit=1, facets=False).total


def _window(index: SearchIndex, match: Match, lo: int, hi: int, window: int) -> Iterator[str]:
    # Depth-first over halves of [lo, hi), so at most one window's hits are held.
    stack = [(lo, hi)]
    while stack:
        lo, hi = stack.pop()
        m = All((match, Range(lo, hi))) if (lo, hi) != (_LO, _HI) else match
        n = _count(index, m)
        if n == 0:
            continue
        if n > window and hi - lo > 1:
            mid = lo + (hi - lo) // 2
            stack.append((mid, hi))
            stack.append((lo, mid))
            continue
        res = index.engine.search(m, sort="relevance", offset=0, limit=n, facets=False)
        for ref in res.hits:
            yield index.engine.load(ref).key
