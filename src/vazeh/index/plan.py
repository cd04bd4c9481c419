"""From a parsed query to engine matches, applying vazeh.persian's matching rule.

The index holds each text's tokens with positions (field "all", and "title").
`vazeh.persian.spellings_match` defines when a query word W matches a text T:

* tokenize(W) occurs as a contiguous run in T  -> a phrase (or term) query;
* concat(tokenize(W)) is a token of T          -> a term query;
* concat(tokenize(W)) is a joined pair of T    -> for every split of it into two
  parts that are both terms of the index, a two-term phrase query. This is
  exactly "some adjacent pair of T concatenates to it", without storing the
  (very many) pair terms; the term dictionary tells which splits can exist;
* adjacent query words w1 w2 also match together when concat(w1 + w2) is a token.

Alternatives whose terms the index does not hold are dropped before the engine
sees them, so a query costs what its real alternatives cost.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

from vazeh.index.engine import All, Any_, Match, Nothing, Phrase, Range, Term
from vazeh.index.query import And, DateRange, Exact, Not, Or, PhraseQ, QueryError, Word
from vazeh.persian import tokenize

DocFreq = Callable[[str, str], int]
MAX_PHRASE_VARIANTS = 32
SPLIT_BOOST = 0.5  # a joined query word found as two spaced words ranks below an exact match
NEIGHBOUR_BOOST = 0.8
TITLE_BOOST = 2.0


def _load_common_words() -> frozenset[str]:
    text = (resources.files("vazeh.index") / "common_words.txt").read_text(encoding="utf-8")
    words: set[str] = set()
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            words.update(tokenize(line))
    return frozenset(words)


COMMON_WORDS = _load_common_words()
GRAM_JOIN = "_"  # tokens never contain it: tokenize splits at "_"


def grams(tokens: list[str]) -> list[str]:
    """The "grams" field: one term per token position, the pair "a_b" where a or b is
    a common word, else the token itself. A phrase whose every adjacent pair has a
    common word becomes a phrase over pair terms, which are rare even when their
    words are everywhere (Lucene's CommonGrams idea)."""
    common = COMMON_WORDS
    nxt = tokens[1:]
    out = [t + GRAM_JOIN + n if (t in common or n in common) else t for t, n in zip(tokens, nxt, strict=False)]
    if tokens:
        out.append(tokens[-1])
    return out


def phrase_match(fld: str, seq: tuple[str, ...], boost: float = 1.0) -> Match:
    """A phrase over field "all", answered from the grams field when every adjacent
    pair has a common word (exactly the same documents, far fewer postings)."""
    if len(seq) == 1:
        return Term(fld, seq[0], boost)
    if fld == "all" and all(a in COMMON_WORDS or b in COMMON_WORDS for a, b in zip(seq, seq[1:], strict=False)):
        pairs = tuple(a + GRAM_JOIN + b for a, b in zip(seq, seq[1:], strict=False))
        return Phrase("grams", pairs, boost) if len(pairs) > 1 else Term("grams", pairs[0], boost)
    return Phrase(fld, seq, boost)


def without_ranking_hints(m: Match) -> Match:
    """The same set of documents without the clauses that only change the ranking
    (title boosts: a title word is also in "all"). Counting and facets run on this
    smaller tree."""
    if isinstance(m, Any_):
        parts = tuple(
            without_ranking_hints(p)
            for p in m.parts
            if not (isinstance(p, Term) and p.field == "title" and p.boost == TITLE_BOOST)
        )
        return parts[0] if len(parts) == 1 else Any_(parts)
    if isinstance(m, All):
        return All(tuple(map(without_ranking_hints, m.must)), tuple(map(without_ranking_hints, m.must_not)))
    return m


def value_key(value: str) -> str:
    """The indexed form of an exact-field value (source, category, tag): its tokens
    joined by one space, so ZWNJ/space/letter/digit variants of a name agree."""
    return " ".join(tokenize(value))


@dataclass
class Highlights:
    """What the snippet should mark: single terms and adjacent pairs (from splits)."""

    terms: set[str] = field(default_factory=set)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    words: int = 0  # positive query words and phrases: a passage with this many matches is best


def _any(alts: list[Match]) -> Match:
    alts = [phrase_match(a.field, a.terms, a.boost) if isinstance(a, Phrase) else a for a in alts]
    if not alts:
        return Nothing()
    return alts[0] if len(alts) == 1 else Any_(tuple(alts))


class Planner:
    def __init__(self, doc_freq: DocFreq):
        self._df_cache: dict[tuple[str, str], int] = {}
        self._doc_freq = doc_freq
        self.highlights = Highlights()

    def df(self, fld: str, term: str) -> int:
        k = (fld, term)
        if k not in self._df_cache:
            self._df_cache[k] = self._doc_freq(fld, term)
        return self._df_cache[k]

    # --- entry -------------------------------------------------------------
    def plan(self, node) -> Match:
        m = self._node(node, negated=False)
        if m is None:
            raise QueryError("the query has no searchable words (only punctuation or symbols)")
        return m

    def _node(self, node, *, negated: bool) -> Match | None:
        if isinstance(node, And):
            return self._and(node.nodes, negated=negated)
        if isinstance(node, Or):
            parts = [p for p in (self._node(n, negated=negated) for n in node.nodes) if p is not None]
            return Any_(tuple(parts)) if parts else None
        if isinstance(node, Not):
            inner = self._node(node.node, negated=not negated)
            return All((), (inner,)) if inner is not None else None
        return self._and((node,), negated=negated)

    def _and(self, nodes, *, negated: bool) -> Match | None:
        must: list[Match] = []
        must_not: list[Match] = []
        run: list[Word] = []

        def flush() -> None:
            if run:
                must.extend(self._words(run, negated=negated))
                run.clear()

        for n in nodes:
            if isinstance(n, Word) and (not run or run[-1].field == n.field):
                run.append(n)
                continue
            flush()
            if isinstance(n, Word):
                run.append(n)
            elif isinstance(n, Not):
                inner = self._node(n.node, negated=not negated)
                if inner is not None:
                    must_not.append(inner)
            else:
                m = self._leaf(n, negated=negated) if not isinstance(n, And | Or) else self._node(n, negated=negated)
                if m is not None:
                    must.append(m)
        flush()
        if not must and not must_not:
            return None
        if not must:
            raise QueryError("the query has no searchable words besides exclusions")
        if len(must) == 1 and not must_not:
            return must[0]
        return All(tuple(must), tuple(must_not))

    def _leaf(self, n, *, negated: bool) -> Match | None:
        if isinstance(n, PhraseQ):
            toks = tokenize(n.text)
            return self._phrase(n.field, toks, negated=negated) if toks else None
        if isinstance(n, Exact):
            key = value_key(n.value)
            if not key:
                raise QueryError(f"{n.field}:{n.value} has no letters or digits to match")
            return Term(f"{n.field}_key", key)
        if isinstance(n, DateRange):
            lo = int(n.start.timestamp()) if n.start else None
            hi = int(n.end.timestamp()) if n.end else None
            return Range(lo, hi)
        raise TypeError(f"unexpected query node {n!r}")  # pragma: no cover

    # --- words ---------------------------------------------------------------
    def _words(self, words: list[Word], *, negated: bool) -> list[Match]:
        toks = [tokenize(w.text) for w in words]
        kept = [(w, t) for w, t in zip(words, toks, strict=True) if t]
        out = []
        for i, (w, t) in enumerate(kept):
            neighbours = []
            if i > 0:
                neighbours.append("".join(kept[i - 1][1] + t))
            if i + 1 < len(kept):
                neighbours.append("".join(t + kept[i + 1][1]))
            out.append(self._word(w.field, t, neighbours, negated=negated))
        return out

    def _word(self, fld: str, toks: list[str], neighbours: list[str], *, negated: bool) -> Match:
        alts: list[Match] = []
        joined = "".join(toks)
        if len(toks) == 1:
            alts.append(Term(fld, toks[0]))
            if fld == "all":
                # Title words are also in "all", so this changes the ranking, not the matches.
                alts.append(Term("title", toks[0], TITLE_BOOST))
        else:
            alts.append(Phrase(fld, tuple(toks)))
            alts.append(Term(fld, joined))
        alts.extend(self._splits(fld, joined, skip=tuple(toks)))
        for c in neighbours:
            alts.append(Term(fld, c, NEIGHBOUR_BOOST))
        alts = [a for a in alts if self._exists(a)]
        if not negated:
            self.highlights.words += 1
            self._note(alts)
        return _any(alts)

    def _splits(self, fld: str, joined: str, skip: tuple[str, ...]) -> list[Match]:
        out: list[Match] = []
        for k in range(1, len(joined)):
            left, right = joined[:k], joined[k:]
            if (left, right) == skip:
                continue
            if self.df(fld, left) and self.df(fld, right):
                out.append(Phrase(fld, (left, right), SPLIT_BOOST))
        return out

    def _exists(self, m: Match) -> bool:
        if isinstance(m, Term):
            return self.df(m.field, m.term) > 0
        if isinstance(m, Phrase):
            return all(self.df(m.field, t) > 0 for t in m.terms)
        return True

    def _note(self, alts: list[Match]) -> None:
        for a in alts:
            if isinstance(a, Term):
                self.highlights.terms.add(a.term)
            elif isinstance(a, Phrase):
                if a.boost == SPLIT_BOOST and len(a.terms) == 2:
                    self.highlights.pairs.add((a.terms[0], a.terms[1]))
                else:
                    self.highlights.terms.update(a.terms)

    # --- phrases -------------------------------------------------------------
    def _phrase(self, fld: str, toks: list[str], *, negated: bool) -> Match:
        if len(toks) == 1:
            return self._word(fld, toks, [], negated=negated)
        variants = [tuple(toks)]
        for v in itertools.islice(self._phrase_variants(fld, toks), MAX_PHRASE_VARIANTS):
            if v not in variants:
                variants.append(v)
        alts: list[Match] = [Phrase(fld, v) if len(v) > 1 else Term(fld, v[0]) for v in variants]
        alts = [a for a in alts if self._exists(a)]
        if not negated:
            self.highlights.words += 1
            for a in alts:
                self.highlights.terms.update(a.terms if isinstance(a, Phrase) else (a.term,))
        return _any(alts)

    def _phrase_variants(self, fld: str, toks: list[str]):
        """Spellings of the phrase: adjacent tokens joined (spaced query, joined text) or
        a token split in two (joined query, spaced text), each only where the index
        holds the resulting terms."""

        def rest(i: int):
            if i == len(toks):
                yield ()
                return
            options: list[tuple[tuple[str, ...], int]] = [((toks[i],), i + 1)]
            if i + 1 < len(toks):
                j = toks[i] + toks[i + 1]
                if self.df(fld, j):
                    options.append(((j,), i + 2))
            t = toks[i]
            for k in range(1, len(t)):
                if self.df(fld, t[:k]) and self.df(fld, t[k:]):
                    options.append(((t[:k], t[k:]), i + 1))
            for head, nxt in options:
                for tail in rest(nxt):
                    yield head + tail

        return rest(0)
