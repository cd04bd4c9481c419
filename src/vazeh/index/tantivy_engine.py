"""The embedded engine: tantivy, fed with text vazeh has already analyzed.

Chosen by measurement (bench/search.py): at a million articles tantivy answers
term, phrase and filtered queries with facet counts in a few milliseconds, where
SQLite FTS5 needs tens to hundreds. Text arrives as normalized tokens joined by
spaces and is split again by tantivy's whitespace tokenizer, so tantivy never
applies rules of its own (its default tokenizer would drop long tokens and split
"2.5").
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import tantivy

from vazeh.index.engine import (
    FACETS,
    All,
    Any_,
    EngineHit,
    EnginePage,
    EngineRef,
    EngineResult,
    Histogram,
    IndexDoc,
    Match,
    Nothing,
    Phrase,
    Range,
    Term,
    collapse,
    group_id,
)

SCHEMA_VERSION = 10  # with the near-duplicate store's layout; 8: a hit's data carries the story's language;
# 9: outlet and agency (their names resolved to one key each, vazeh.index.names)
# 10: the stems field (word forms, vazeh.persian.forms)
# A separator term placed between title, kicker, lead and body so a phrase never
# spans two of them; analysis strips punctuation, so no query produces it.
FIELD_GAP = "¶"


# The exact-value fields (engine.KEY_FIELDS) share one indexed field, each value
# behind its field's prefix: one field instead of three costs less per document.
KEY_PREFIX = {"source_key": "s:", "outlet_key": "o:", "agency_key": "a:", "category_key": "c:", "tag_key": "t:"}


Memo = dict[int, tuple[Match, tantivy.Query]]  # compiled nodes of one search, by id
# How many conjunctions one All may be spread into for counting (see spread).
MAX_SPREAD = 16


def _alternatives(m: Match) -> tuple[Match, ...]:
    return m.parts if isinstance(m, Any_) else (m,)


def _conjuncts(m: Match) -> tuple[Match, ...]:
    return m.must if isinstance(m, All) and not m.must_not else (m,)


def spread(m: Match) -> Match:
    """The same documents with no alternatives under a conjunction, where that costs at
    most MAX_SPREAD conjunctions: All(Any_(a1, a2), b) becomes Any_(All(a1, b), All(a2, b)).

    Why: tantivy's union buffers 4,096 documents at a time, and when an intersection
    seeks it past the buffer it refills from every alternative, scoring each document
    on the way; a union under an intersection is therefore read whole, so a frequent
    word with a split spelling (کشور or «کش ور») cost every article of کشور. Spread
    out, each conjunction leapfrogs on its rarest term, and the union on top is only
    iterated. The documents are the same; the scores are not (a document matching two
    alternatives of a word counts the other words twice), so this shape is for
    counting and filtering only."""
    if isinstance(m, Any_):
        parts = [p for x in m.parts for p in _alternatives(spread(x))]
        return parts[0] if len(parts) == 1 else Any_(tuple(parts))  # no parts: matches nothing, as before
    if not isinstance(m, All):
        return m
    options = [_alternatives(spread(x)) for x in m.must]
    must_not = tuple(spread(x) for x in m.must_not)
    if not all(options):
        return Nothing()  # a word with no alternative left: nothing matches
    if sum(len(o) > 1 for o in options) == 0 or len(options) < 2 or _product(options) > MAX_SPREAD:
        return All(tuple(o[0] if len(o) == 1 else Any_(o) for o in options), must_not)
    spread_out = Any_(tuple(
        All(tuple(c for part in combo for c in _conjuncts(part))) for combo in itertools.product(*options)
    ))
    return All((spread_out,), must_not) if must_not else spread_out


def _product(options: list[tuple[Match, ...]]) -> int:
    n = 1
    for o in options:
        n *= len(o)
    return n


def _group(doc: tantivy.Document) -> str:
    group = doc.get_first("group")
    # Stored only when a story joined another's group; alone, it founded its own.
    return bytes(group).decode() if group is not None else doc.get_first("key")


STEM_PREFIX = {"all_stem": "", "title_stem": "^"}  # tokenize splits at "^": no stem has it


def _field_term(field: str, term: str) -> tuple[str, str]:
    stem_prefix = STEM_PREFIX.get(field)
    if stem_prefix is not None:
        return ("stems", stem_prefix + term)
    prefix = KEY_PREFIX.get(field)
    return ("keys", prefix + term) if prefix else (field, term)


def encode_data(data: dict) -> bytes:
    return orjson.dumps(data)


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("key", tokenizer_name="raw", stored=True, index_option="basic")
    # Stored, not indexed: queries find a group by group_id, and a term per story
    # (most groups have one story) would cost the engine a dictionary entry each.
    # Stored only when it is not the story's own key (see _group).
    sb.add_bytes_field("group", stored=True, indexed=False)
    sb.add_integer_field("group_id", fast=True, indexed=True)
    sb.add_text_field("all", tokenizer_name="whitespace", index_option="position")
    sb.add_text_field("title", tokenizer_name="whitespace", index_option="position")
    sb.add_text_field("pairs", tokenizer_name="whitespace", index_option="basic")
    # Word forms: one field for the stems of "all" and, behind "^", of the title (one field
    # costs less per document than two); each stem once, so no frequencies or positions.
    sb.add_text_field("stems", tokenizer_name="whitespace", index_option="basic")
    sb.add_text_field("source", tokenizer_name="raw", fast=True, index_option="basic")
    sb.add_text_field("outlet", tokenizer_name="raw", fast=True, index_option="basic")
    sb.add_text_field("category", tokenizer_name="raw", fast=True, index_option="basic")
    sb.add_text_field("month", tokenizer_name="raw", fast=True, index_option="basic")
    sb.add_text_field("keys", tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("published", fast=True, indexed=True)
    sb.add_bytes_field("data", stored=True)
    return sb.build()


class TantivyEngine:
    """One tantivy index in a folder. Writes go through a lazily opened writer so a
    reader (the web app) never takes the writer lock."""

    def __init__(self, path: Path, *, heap_size: int = 256_000_000, threads: int = 1):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.schema = build_schema()
        self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        self._writer: tantivy.IndexWriter | None = None
        self._heap_size = heap_size
        self._threads = threads
        # The searcher and the generation it sees, replaced together.
        self._view: tuple[tantivy.Searcher, tuple[int, int, int]] | None = None
        self._loaded_at = 0.0
        # A search pins one searcher for all its steps (see snapshot), per thread.
        self._pinned = threading.local()
        # Term document counts of one searcher: the planner asks about every split of
        # every query word, and the same short parts come back in query after query.
        self._df: tuple[tantivy.Searcher | None, dict[tuple[str, str], int]] = (None, {})

    # --- writing ----------------------------------------------------------
    @property
    def writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self.index.writer(heap_size=self._heap_size, num_threads=self._threads)
        return self._writer

    def add(self, doc: IndexDoc) -> None:
        d = tantivy.Document()
        d.add_text("key", doc.key)
        if doc.group != doc.key:
            d.add_bytes("group", doc.group.encode())
        d.add_integer("group_id", group_id(doc.group))
        d.add_text("all", doc.all)
        d.add_text("title", doc.title)
        d.add_text("pairs", doc.pairs)
        if doc.stems:
            d.add_text("stems", doc.stems)
        d.add_text("source", doc.source)
        d.add_text("outlet", doc.outlet)
        for c in doc.categories:
            d.add_text("category", c)
        if doc.month:
            d.add_text("month", doc.month)
        for field, values in (
            ("source_key", doc.source_keys),
            ("outlet_key", doc.outlet_keys),
            ("agency_key", doc.agency_keys),
            ("category_key", doc.category_keys),
            ("tag_key", doc.tag_keys),
        ):
            for k in values:
                d.add_text("keys", KEY_PREFIX[field] + k)
        d.add_integer("published", doc.published)
        d.add_bytes("data", doc.data if isinstance(doc.data, bytes) else encode_data(doc.data))
        self.writer.add_document(d)

    def delete(self, key: str) -> None:
        self.writer.delete_documents_by_term("key", key)

    def delete_all(self) -> None:
        self.writer.delete_all_documents()

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._view = None

    def wait_merges(self) -> None:
        if self._writer is not None:
            self._writer.wait_merging_threads()
            self._writer = None
            self._view = None

    def release_writer(self) -> None:
        """Let go of tantivy's writer lock (after a commit), so that a writer in
        another process can take its turn; the next write opens a writer again."""
        # Merges started by the commits are let finish: a writer dropped mid-merge
        # abandons it, and syncs of a few stories each would pile up small segments.
        self.wait_merges()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None
        self._view = None

    # --- reading ----------------------------------------------------------
    @property
    def searcher(self) -> tantivy.Searcher:
        pinned = getattr(self._pinned, "view", None)
        if pinned is not None:
            return pinned[0]
        return self._current()[0]

    def _current(self) -> tuple[tantivy.Searcher, tuple[int, int, int]]:
        # Another process (the CLI) may have committed; pick that up at most once a second.
        # One read of the shared pair: a commit on another thread may reset it meanwhile.
        now = time.monotonic()
        view = self._view
        if view is None or now - self._loaded_at > 1.0:
            # The same searcher while nothing was committed: its term counts (doc_freqs)
            # stay known, and reopening one costs more than the look at meta.json. The
            # stamp is read before the reload, so a commit between the two is seen again
            # (and reloaded for) at the next look, never missed.
            stamp = self._meta_stamp()
            if view is None or stamp != view[1]:
                self.index.reload()
                view = (self.index.searcher(), stamp)
                self._view = view
            self._loaded_at = now
        return view

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read in the block uses one searcher. A document address means something
        only to the searcher that returned it: taken from one and loaded from another
        (reloaded after a commit of another process) it is another story's address, or
        past the end of a segment (a panic in tantivy)."""
        if getattr(self._pinned, "view", None) is not None:
            yield  # nested: the outer block's searcher holds
            return
        self._pinned.view = self._current()
        try:
            yield
        finally:
            self._pinned.view = None

    def _meta_stamp(self) -> tuple[int, int, int]:
        # tantivy replaces meta.json at each commit (a new file renamed over the old):
        # the inode tells two commits apart even within one tick of the clock.
        try:
            st = (self.path / "meta.json").stat()
        except OSError:
            return (0, 0, 0)
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    @property
    def generation(self) -> tuple[int, int, int]:
        """Changes whenever the searcher sees another commit (tantivy rewrites meta.json
        at each one): what cached results are keyed by. Inside a snapshot, the
        generation of the snapshot's searcher."""
        pinned = getattr(self._pinned, "view", None)
        return pinned[1] if pinned is not None else self._current()[1]

    def count(self) -> int:
        return self.searcher.num_docs

    def doc_freq(self, field: str, term: str) -> int:
        return self.doc_freqs(field, [term])[0]

    def doc_freqs(self, field: str, terms: list[str]) -> list[int]:
        """Documents holding each term of `field`, in one call (the planner's batch),
        remembered for as long as the searcher lives."""
        s = self.searcher
        owner, known = self._df
        if owner is not s or len(known) > 200_000:
            known = {}
            self._df = (s, known)
        out = []
        for term in terms:
            k = (field, term)
            n = known.get(k)
            if n is None:
                n = known[k] = s.doc_freq(*_field_term(field, term))
            out.append(n)
        return out

    def compile(self, m: Match, memo: Memo | None = None) -> tantivy.Query:
        """The tantivy query of a match tree. With `memo` (kept by the caller for one
        search), a node compiled before is not compiled again: the counting, ranking and
        spread shapes of one query share their leaves. The memo holds each node it saw,
        so no id in it can be reused by another object meanwhile."""
        if memo is None:
            return self._compile(m, None)
        seen = memo.get(id(m))
        if seen is not None and seen[0] is m:
            return seen[1]
        q = self._compile(m, memo)
        memo[id(m)] = (m, q)
        return q

    def _compile(self, m: Match, memo: Memo | None) -> tantivy.Query:
        Q = tantivy.Query
        if isinstance(m, Term):
            q = Q.term_query(self.schema, *_field_term(m.field, m.term))
        elif isinstance(m, Phrase):
            if len(m.terms) == 1:
                q = Q.term_query(self.schema, m.field, m.terms[0])
            else:
                q = Q.phrase_query(self.schema, m.field, list(m.terms))
        elif isinstance(m, Range):
            return Q.range_query(
                self.schema,
                "published",
                tantivy.FieldType.Integer,
                m.lo,
                None if m.hi is None else m.hi - 1,
            )
        elif isinstance(m, Any_):
            if not m.parts:
                return Q.empty_query()
            if len(m.parts) == 1:
                return self.compile(m.parts[0], memo)
            return Q.boolean_query([(tantivy.Occur.Should, self.compile(p, memo)) for p in m.parts])
        elif isinstance(m, All):
            clauses = [(tantivy.Occur.Must, self.compile(p, memo)) for p in m.must]
            if not clauses:
                clauses.append((tantivy.Occur.Must, Q.all_query()))
            clauses += [(tantivy.Occur.MustNot, self.compile(p, memo)) for p in m.must_not]
            if len(clauses) == 1:
                return clauses[0][1]
            return Q.boolean_query(clauses)
        elif isinstance(m, Nothing):
            return Q.empty_query()
        else:  # pragma: no cover - the Match union is closed
            raise TypeError(f"unknown match node {m!r}")
        boost = getattr(m, "boost", 1.0)
        return q if boost == 1.0 else Q.boost_query(q, boost)

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
        s = self.searcher
        memo: Memo = {}
        counting = self.compile(spread(count_match or match), memo)
        # With facets, one aggregation pass also counts the hits, so the ranking pass
        # can skip non-competitive documents instead of visiting every match.
        kw: dict = {"count": not facets, "offset": offset}
        if sort == "newest":
            kw.update(order_by_field="published", order=tantivy.Order.Desc)
            q = counting  # ordered by date: no scores, so the cheapest shape of the same documents
        else:
            q = self._ranking(match, counting, memo)
        res = s.search(q, limit, **kw)
        addrs = [addr for _score, addr in res.hits]
        groups = s.fast_field_values("group_id", addrs) if addrs else []
        hits = [
            EngineRef(float(score), int(g or 0), addr) for (score, addr), g in zip(res.hits, groups, strict=True)
        ]
        if facets:
            total, facet_counts = self._facets(counting, facet_size)
            return EngineResult(total=total, hits=hits, facets=facet_counts)
        return EngineResult(total=res.count or 0, hits=hits)

    def _ranking(self, match: Match, counting: tantivy.Query,
                 memo: Memo | None = None) -> tantivy.Query:
        """`match` scored as compile() scores it, shaped so that no union is sought.

        An All of several words, some with alternatives, is the spread-out documents
        (`counting`, scored 0) with each alternative of each word added as an optional
        clause, one boolean level per clause: tantivy scores an optional clause only on
        the documents the required side found, and one clause per level is sought
        alone, never as a union (see spread). A document scores the sum of what it
        matches, as in the plain tree."""
        if not (isinstance(match, All) and len(match.must) > 1
                and any(isinstance(x, Any_) and len(x.parts) > 1 for x in match.must)):
            return self.compile(match, memo)
        Q, Occ = tantivy.Query, tantivy.Occur
        q = Q.const_score_query(counting, 0.0)
        for x in match.must:
            for part in _alternatives(x):
                q = Q.boolean_query([(Occ.Must, q), (Occ.Should, self.compile(part, memo))])
        return q

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
        # Collapsing a longer prefix of the ranking gives a longer prefix of the groups,
        # so pages stay consistent; fetch more only when near-duplicates ate the page.
        want = offset + limit
        fetch = want + limit
        res = self.search(match, sort=sort, offset=0, limit=fetch, facets=facets, facet_size=facet_size,
                          count_match=count_match)
        while True:
            groups = collapse(res.hits)
            if len(groups) >= want or len(res.hits) < fetch or fetch >= 20 * want + 1000:
                break
            fetch *= 2
            res.hits = self.search(match, sort=sort, offset=0, limit=fetch, facets=False).hits
        shown = groups[offset:want]
        sizes = self.group_sizes([g.group_id for g in shown])
        hits = []
        for ref in shown:
            hit = self.load(ref)
            hit.group_size = sizes.get(ref.group_id, 1)
            hits.append(hit)
        return EnginePage(res.total, hits, res.facets, self._matching(match, [h for h in hits if h.group_size > 1]))

    def _matching(self, match: Match, grouped: list[EngineHit]) -> dict[str, set[str]]:
        """Keys of the documents of these groups that `match` matches: one query for
        the page's groups of several documents (most pages have none)."""
        if not grouped:
            return {}
        within = Any_(tuple(Term("group_id", group_id(h.group)) for h in grouped))
        res = self.search(All((match, within)), sort="relevance", offset=0,
                          limit=sum(min(h.group_size, 50) for h in grouped), facets=False)
        out: dict[str, set[str]] = {h.group: set() for h in grouped}
        for ref in res.hits:
            doc = self.searcher.doc(ref.ref)
            out.setdefault(_group(doc), set()).add(doc.get_first("key"))
        return out

    def load(self, ref: EngineRef) -> EngineHit:
        doc = self.searcher.doc(ref.ref)
        return EngineHit(doc.get_first("key"), _group(doc), ref.score, orjson.loads(doc.get_first("data")))

    def _facets(self, q: tantivy.Query, size: int) -> tuple[int, dict[str, list[tuple[str, int]]]]:
        # Every document has one source value ("" when unknown, counted as "missing"), so
        # the source buckets also give the total: one pass over the matches, not two.
        agg = {
            "source": {"terms": {"field": "source", "size": size, "missing": ""}},
            "outlet": {"terms": {"field": "outlet", "size": size}},
            "category": {"terms": {"field": "category", "size": size}},
            # Ten years of months fit; newest month first reads like an archive.
            "month": {"terms": {"field": "month", "size": 240, "order": {"_key": "desc"}}},
        }
        raw = self.searcher.aggregate(q, agg)
        src = raw.get("source") or {}
        total = sum(int(b["doc_count"]) for b in src.get("buckets", [])) + int(src.get("sum_other_doc_count") or 0)
        return total, {
            name: [(b["key"], int(b["doc_count"])) for b in raw.get(name, {}).get("buckets", []) if b["key"] != ""]
            for name in FACETS
        }

    def group_sizes(self, ids: list[int]) -> dict[int, int]:
        """How many documents each near-duplicate group id has, from the term
        dictionary (no query): a bound from above, since a replaced or deleted story
        still counts until its segment is merged. Callers use it to skip groups of one
        (nearly all of them), and read the members of the others (by_group)."""
        s = self.searcher
        return {i: s.doc_freq("group_id", i) for i in set(ids)}

    def by_group(self, group: str, limit: int = 50) -> list[EngineHit]:
        s = self.searcher
        q = tantivy.Query.term_query(self.schema, "group_id", group_id(group))
        res = s.search(q, limit, count=False)
        if len(res.hits) < 2:
            return []  # a story alone in its group: nothing to show, so load nothing
        out = []
        for _score, addr in res.hits:
            doc = s.doc(addr)
            out.append(EngineHit(doc.get_first("key"), _group(doc), 0.0, orjson.loads(doc.get_first("data"))))
        return out

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
        """One aggregation pass: a histogram, and with `by_source` the same histogram
        under each of the `size` largest sources ("" for stories without one)."""
        hist = {"histogram": {"field": field, "interval": interval, "offset": offset % interval, "min_doc_count": 1}}
        agg: dict = {"h": hist}
        if by_source:
            agg["s"] = {"terms": {"field": "source", "size": size, "missing": ""}, "aggs": {"h": hist}}
        raw = self.searcher.aggregate(self.compile(spread(match)), agg)

        def buckets(node: dict | None) -> dict[int, int]:
            return {int(b["key"]): int(b["doc_count"]) for b in (node or {}).get("buckets", []) if b["doc_count"]}

        sources = {str(b["key"]): buckets(b.get("h")) for b in (raw.get("s") or {}).get("buckets", [])}
        return Histogram(buckets(raw.get("h")), sources)
