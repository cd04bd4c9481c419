"""The search engine behind a small interface.

The rest of the index speaks in `Match` trees over pre-analyzed terms and in
`IndexDoc`s; an engine only stores documents, runs a tree and counts facets.
Persian analysis happens before the engine sees anything, so a second backend
(a server-grade one later) needs no Persian knowledge, just whitespace-separated
terms with positions.

The calls are shaped for an engine behind a network hop: the planner's term counts
come in one batch per query word (`doc_freqs`), and a page of results is one call
(`collapsed`: ranked, collapsed to one document per near-duplicate group, counted,
faceted, with stored fields and group sizes), not a search plus a load and a group
query per hit. What an engine does not keep is in the catalog, beside the articles
it indexes: the index's watermark and formats (`index_state`, one row per index
name: vazeh.index.state) and the near-duplicate groups (`neardup_*`:
vazeh.index.neardup), so several search machines, or a server engine with no
folder of its own, share one grouping and can see how far each index is.
"""

from __future__ import annotations

import hashlib
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

# Text fields: their value is normalized tokens joined by single spaces.
TEXT_FIELDS = ("all", "title", "pairs")
# Exact-value fields: each value is one term (already normalized by the caller).
KEY_FIELDS = ("source_key", "outlet_key", "agency_key", "category_key", "tag_key")
# Values shown as facets, kept as written on the page. "source" is the agency's name
# as the story gives it (else the outlet's): the facet and the attention charts' split.
FACETS = ("source", "outlet", "category", "month")


# --- the match tree -------------------------------------------------------
@dataclass(frozen=True)
class Term:
    field: str
    term: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    field: str
    terms: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Range:
    """`published` seconds since the epoch, lo inclusive, hi exclusive; None is open."""

    lo: int | None
    hi: int | None


@dataclass(frozen=True)
class Any_:
    """At least one of the parts matches."""

    parts: tuple[Match, ...]


@dataclass(frozen=True)
class All:
    """Every `must` part matches and no `must_not` part does."""

    must: tuple[Match, ...]
    must_not: tuple[Match, ...] = ()


@dataclass(frozen=True)
class Nothing:
    pass


Match = Term | Phrase | Range | Any_ | All | Nothing


# --- documents and results -----------------------------------------------
@dataclass
class IndexDoc:
    key: str  # one document per story URL (its SURT)
    group: str  # near-duplicate group; the key of the story that founded it
    all: str  # analyzed title + kicker + lead + body: normalized tokens separated by spaces
    pairs: str  # pair terms of adjacent tokens with a common word (plan.pair_terms)
    title: str  # analyzed title
    source: str  # as shown, for facets
    categories: list[str]
    month: str  # Jalali year-month "1395-10", "" when the date is unknown
    published: int  # seconds since the epoch (publish time, else capture time)
    source_keys: list[str]
    category_keys: list[str]
    tag_keys: list[str]
    data: dict[str, Any] | bytes  # what a hit shows: original text, url, ids (or that as JSON)
    # Word forms (vazeh.persian.forms): the distinct stems of "all" that differ from their
    # token, then those of the title behind "^"; the planner asks for them as all_stem and
    # title_stem.
    stems: str = ""
    outlet: str = ""  # the site this copy was captured from, as shown (vazeh.index.names)
    outlet_keys: list[str] = field(default_factory=list)
    agency_keys: list[str] = field(default_factory=list)


@dataclass
class EngineHit:
    key: str
    group: str
    score: float
    data: dict[str, Any]
    group_size: int = 1  # documents in its near-duplicate group (Engine.collapsed; may count from above)


@dataclass
class EngineRef:
    """A matching document before its stored fields are read: enough to rank and to
    group near-duplicates, so only the documents a page shows are loaded."""

    score: float
    group_id: int
    ref: Any  # engine-specific address, passed back to Engine.load


@dataclass
class EngineResult:
    total: int
    hits: list[EngineRef]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


@dataclass
class EnginePage:
    """A page of collapsed results: the best-ranked document of each near-duplicate
    group, stored fields read, with the total and facets of all matches."""

    total: int
    hits: list[EngineHit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # For each shown group of several documents: the keys of its documents that the
    # query itself matches (the page shows one of those, not another source's copy).
    matching: dict[str, set[str]] = field(default_factory=dict)


@dataclass
class Histogram:
    """Documents per bucket of a numeric fast field, keyed by each bucket's start
    (for `published`: epoch seconds); empty buckets are left out."""

    total: dict[int, int] = field(default_factory=dict)
    by_source: dict[str, dict[int, int]] = field(default_factory=dict)


def collapse(hits: list[EngineRef]) -> list[EngineRef]:
    """The first (best-ranked) hit of each near-duplicate group, in order."""
    seen: set[int] = set()
    out = []
    for h in hits:
        if h.group_id not in seen:
            seen.add(h.group_id)
            out.append(h)
    return out


def group_id(group: str) -> int:
    """A stable signed 64-bit id for a near-duplicate group key."""
    return int.from_bytes(hashlib.blake2b(group.encode(), digest_size=8).digest(), "little", signed=True)


class Engine(Protocol):
    def doc_freq(self, field: str, term: str) -> int: ...

    def doc_freqs(self, field: str, terms: list[str]) -> list[int]:
        """doc_freq of many terms of one field at once: the planner asks for a whole
        query's candidate terms in one call (one round trip to a server engine)."""
        ...

    def add(self, doc: IndexDoc) -> None: ...

    def delete(self, key: str) -> None: ...

    def delete_all(self) -> None: ...

    def commit(self) -> None: ...

    def release_writer(self) -> None:
        """Give up the engine's writer after a commit, so another process may write."""
        ...

    def snapshot(self) -> AbstractContextManager[None]:
        """A block in which every read sees the same documents: results, counts and
        loads of one search must not mix two states of the index."""
        ...

    def search(
        self,
        match: Match,
        *,
        sort: str,
        offset: int,
        limit: int,
        facets: bool,
        facet_size: int = 50,
        count_match: Match | None = None,
    ) -> EngineResult:
        """Rank by `match`; count and facet `count_match` (the same documents, maybe a
        cheaper tree) when given."""
        ...

    def collapsed(
        self,
        match: Match,
        *,
        sort: str,
        offset: int,
        limit: int,
        facets: bool,
        facet_size: int = 50,
        count_match: Match | None = None,
    ) -> EnginePage:
        """Groups [offset, offset + limit) of the ranking collapsed to one document per
        near-duplicate group: one call for a page, where a server engine collapses,
        counts and returns stored fields in one round trip."""
        ...

    def load(self, ref: EngineRef) -> EngineHit: ...

    def group_sizes(self, ids: list[int]) -> dict[int, int]:
        """Documents per group id (`group_id(group)`), for a page of hits at once; may
        count from above (deleted documents not yet merged away), never from below."""
        ...

    def by_group(self, group: str, limit: int = 50) -> list[EngineHit]:
        """Every version in a group, or [] when the story is alone in it."""
        ...

    def histogram(
        self,
        match: Match,
        *,
        field: str = "published",
        interval: int,
        offset: int = 0,
        by_source: bool = False,
        size: int = 50,
    ) -> Histogram:
        """Matching documents per bucket [offset + k*interval, offset + (k+1)*interval),
        overall and, with `by_source`, for each of the `size` largest sources."""
        ...

    def count(self) -> int: ...

    @property
    def generation(self) -> Any:
        """A value that changes whenever searches may see other documents."""
        ...

    def close(self) -> None: ...
