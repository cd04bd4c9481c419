"""From a parsed query to engine matches, applying vazeh.persian's matching rule.

The index holds each text's tokens with positions (field "all", and "title").
`vazeh.persian.spellings_match` defines when a query word W matches a text T:

* tokenize(W) occurs as a contiguous run in T  -> a phrase (or term) query;
* concat(tokenize(W)) is a token of T          -> a term query;
* concat(tokenize(W)) is a joined pair of T    -> for every split of it into two
  parts that are both terms of the index, a two-term phrase query. This is
  exactly "some adjacent pair of T concatenates to it", without storing the
  (very many) pair terms; the term dictionary tells which splits can exist;
* adjacent query words w1 w2 also match together when concat(w1 + w2) is a token;
* a word of three parts written joined (همتیمیها) also matches the three parts
  written apart: a three-term phrase, for each split whose parts are all terms;
* word forms (vazeh.persian.forms): a query word also matches the other forms of
  its stem, at STEM_BOOST so that the form asked ranks first. The stems field holds,
  per document, the stem of every token that has one other than itself (the
  exact tokens stay in "all"), so a stem s is found as Term(all, s) (the bare
  word) or Term(all_stem, s) (any inflected form). A quoted phrase matches only
  as written (with its spelling variants, never other forms).

Alternatives whose terms the index does not hold are dropped before the engine
sees them, so a query costs what its real alternatives cost.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from vazeh.index.engine import All, Any_, Match, Nothing, Phrase, Range, Term
from vazeh.index.query import MAX_TERMS, And, DateRange, Exact, Not, Or, PhraseQ, QueryError, Word
from vazeh.index.tantivy_engine import FIELD_GAP
from vazeh.persian import tokenize
from vazeh.persian.forms import SUFFIX_TOKENS, stem

DocFreq = Callable[[str, str], int]
MAX_PHRASE_VARIANTS = 32
SPLIT_BOOST = 0.5  # a joined query word found as two spaced words ranks below an exact match
NEIGHBOUR_BOOST = 0.8
TITLE_BOOST = 2.0
# Another form of the word (انار for انارهای): found, but below the form asked, which also
# matches its own exact clause.
STEM_BOOST = 0.4
STEM_TITLE_BOOST = TITLE_BOOST * STEM_BOOST
# The stems of a text field, as the planner names them; the engine keeps both in one field.
STEM_FIELD = {"all": "all_stem", "title": "title_stem"}
MAX_TRIPLE_SPLITS = 4
_RANKING_HINTS = {("title", TITLE_BOOST), ("title", STEM_TITLE_BOOST), ("title_stem", STEM_TITLE_BOOST)}


def _load_common_words() -> frozenset[str]:
    text = (resources.files("vazeh.index") / "common_words.txt").read_text(encoding="utf-8")
    words: set[str] = set()
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            words.update(tokenize(line))
    return frozenset(words)


COMMON_WORDS = _load_common_words()
GRAM_JOIN = "_"  # tokens never contain it: tokenize splits at "_"


# The pairs field holds, for adjacent tokens a b:
# * both common: the exact pair (a number for it). Few distinct pairs, and exact, so
#   a phrase of common words ("از این", "رئیس جمهوری") is one term lookup.
# * one of them common, the other not: the pair's hash bucket. Indexed as themselves
#   such pairs are mostly unique (و + every word that follows it), and tantivy pays
#   for every distinct term; in
#   buckets they are a filter (other pairs share a bucket), so the phrase itself is
#   still checked on "all", but only in the few articles of the bucket instead of
#   in every article with "و".
# * neither common: the pair's bucket in a second space of its own (prefix "~",
#   UNCOMMON_BUCKETS of them), so these pairs, by far the most numerous, do not fill
#   the common-word buckets. Two uncommon words can still both be frequent (چی in 74k
#   articles, تیم in 345k of bench/search.py's million, 31k with both): without a
#   filter the split spelling چی تیم of the query word چیتیم was checked on positions
#   in all 31k, in each of the engine's two passes.
# Pairs with the field separator (FIELD_GAP, between title, kicker, lead and body) are
# left out: no phrase spans it, so no query asks for them.
# How many buckets: each distinct term costs the engine far more than another posting
# (engine CPU per article about 340 us with 65,536 buckets, about 210 us with 8,192,
# at 200,000 articles of bench/search.py's corpus), while a bucket only has to be
# rare enough to narrow a phrase check down to a few articles.
# The uncommon pairs (about 92 of an article's 340 pairs in bench/search.py's corpus) at
# 200,000 articles: 8,192 / 16,384 / 32,768 buckets put a bucket in about 2,200 / 1,100 /
# 550 articles (at a million five times that), and built at 1,633 / 1,762 / 1,331
# articles/s against 1,839 without them, 679 / 683 / 688 MB against 654 (one build each,
# machine shared); چیتیم's search 2.0 -> 0.5-0.6 ms with any of them. 16,384: half the
# candidates of 8,192 at a million for a quarter of the terms of 65,536.
PAIR_BUCKETS = 1 << 13  # a power of two (uint64 wrapping keeps the low bits exact)
UNCOMMON_BUCKETS = 1 << 14  # a power of two, 2 to 1 << 16 (four hex digits)
_MASK = (1 << 64) - 1
_P = 0x100000001B3  # odd, so it has an inverse modulo 2**64
_P_INV = pow(_P, -1, 1 << 64)
_MIX = 0x9E3779B1
_COMMON_ORDER = sorted(COMMON_WORDS)
_K = len(_COMMON_ORDER)
assert _K * _K <= 0x10000, "pair codes have four hex digits"
_INDEX_OF = {w: i for i, w in enumerate(_COMMON_ORDER)}
# Code prefixes; tokenize splits at all three, so no query token is a code.
_EXACT, _BUCKET, _UNCOMMON = ord("="), ord("_"), ord("~")


def _code_table() -> np.ndarray:
    """Each pairs term as five ASCII characters and a space, one row per term: rows
    below _K * _K are exact pairs, the next PAIR_BUCKETS common-word buckets, the rest
    uncommon-pair buckets (all four-digit ones, whatever UNCOMMON_BUCKETS is). Looking
    a row up is cheaper than formatting hex digits for every pair."""
    hexd = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    value = np.concatenate((np.arange(_K * _K), np.arange(PAIR_BUCKETS), np.arange(1 << 16)))
    table = np.empty((len(value), 6), dtype=np.uint8)
    table[:, 0] = np.repeat([_EXACT, _BUCKET, _UNCOMMON], [_K * _K, PAIR_BUCKETS, 1 << 16])
    for i, shift in enumerate((12, 8, 4, 0)):
        table[:, 1 + i] = hexd[(value >> shift) & 15]
    table[:, 5] = 32
    return table.view("V6").ravel()  # one 6-byte item per row: a 1-D gather is cheaper


_CODES = _code_table()
_UNCOMMON_ROW = _K * _K + PAIR_BUCKETS  # the first "~" row, as the table was made


def _uncommon_shift() -> int:
    """How far to shift a mixed pair hash to keep its top log2(UNCOMMON_BUCKETS) bits."""
    return 65 - UNCOMMON_BUCKETS.bit_length()


def token_hash(token: str) -> int:
    """sum(ord(c_i) * P**i) modulo 2**64: a polynomial hash that numpy computes for
    every token of many texts at once (pair_terms_many) and Python for one (pair_term)."""
    h, p = 0, 1
    for ch in token:
        h = (h + ord(ch) * p) & _MASK
        p = (p * _P) & _MASK
    return h


def has_pair_term(a: str, b: str) -> bool:
    """Whether the pairs field has a term for adjacent tokens a b: every pair but those
    with the field separator."""
    return a != FIELD_GAP and b != FIELD_GAP


def pair_term(a: str, b: str) -> str:
    """The "pairs" term for adjacent tokens a b (see above): "=" and the pair's number
    when both are common, "_" and its hash bucket when one is, else "~" and its bucket
    among the uncommon pairs."""
    ia, ib = _INDEX_OF.get(a), _INDEX_OF.get(b)
    if ia is not None and ib is not None:
        return f"={ia * _K + ib:04x}"
    mixed = (token_hash(a) * _MIX & _MASK) ^ token_hash(b)
    if ia is not None or ib is not None:
        return f"_{mixed % PAIR_BUCKETS:04x}"
    # The top bits after one more odd multiply: the low bits of a polynomial hash mod
    # 2**64 depend only on the low bits of the characters.
    return f"~{(mixed * _P & _MASK) >> _uncommon_shift():04x}"


def _common_lookup() -> tuple[int, np.ndarray, np.ndarray]:
    """A direct-mapped table for telling common words by hash: 16 bits of the hash (the
    first window where no two common words collide) index a slot holding the word's
    number + 1; the full hash is then compared."""
    hashes = [token_hash(w) for w in _COMMON_ORDER]
    shift = next(s for s in range(49) if len({h >> s & 0xFFFF for h in hashes}) == len(hashes))
    table = np.zeros(0x10000, dtype=np.int64)
    for i, h in enumerate(hashes):
        table[h >> shift & 0xFFFF] = i + 1
    return shift, table, np.array([*hashes, 0], dtype=np.uint64)  # [-1]: what slot 0 compares with


_SHIFT, _SLOTS, _HASH_OF = _common_lookup()
_GAP = ord(FIELD_GAP)
_POWERS: list[np.ndarray] = [np.ones(1, dtype=np.uint64), np.ones(1, dtype=np.uint64)]


def _powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    """P**i and P**-i modulo 2**64 for i < n (uint64 arithmetic wraps)."""
    if len(_POWERS[0]) < n:
        size = max(n, 2 * len(_POWERS[0]), 1 << 16)
        for k, base in enumerate((_P, _P_INV)):
            arr = np.ones(size, dtype=np.uint64)
            arr[1:] = np.cumprod(np.full(size - 1, base, dtype=np.uint64))
            _POWERS[k] = arr
    return _POWERS[0], _POWERS[1]


def pair_terms_many(texts: list[str]) -> list[str]:
    """The "pairs" field of each text (normalized tokens separated by spaces, as
    `vazeh.persian.token_text` returns them): `pair_term` of each adjacent pair but
    those with FIELD_GAP, separated by spaces, in the spirit of Lucene's CommonGrams.

    Computed on code points with numpy for a batch of texts at once, with no Python
    object per token or per pair: a Python call per pair cost more than all of
    tantivy's indexing. Common words are recognized by their 64-bit hash."""
    if not texts:
        return []
    joined = " ".join(texts)  # the space keeps the last token of one text off the next
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    n = len(cps)
    space = cps == 32
    in_token = ~space
    starts = np.flatnonzero(in_token & np.concatenate(([True], space[:-1])))
    empty = [""] * len(texts)
    if len(starts) < 2:
        return empty
    ends = np.flatnonzero(in_token & np.concatenate((space[1:], [True])))  # last character of each token
    pw, iv = _powers(n + 1)
    # Prefix sums of c_i * P**i (with a 0 in front): a token's hash is the difference
    # across it, shifted back by P**-start.
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(cps * pw[:n], out=prefix[1:])  # uint32 * uint64: numpy widens to uint64
    hashes = (prefix[ends + 1] - prefix[starts]) * iv[starts]
    cid = _SLOTS[((hashes >> np.uint64(_SHIFT)) & np.uint64(0xFFFF)).astype(np.int64)] - 1
    common = _HASH_OF[cid] == hashes
    doc = np.searchsorted(np.cumsum([len(t) + 1 for t in texts]), starts, side="right")
    gap = (starts == ends) & (cps[starts] == _GAP)
    # Left token of each kept pair; the rest is computed for kept pairs only.
    left = np.flatnonzero(~(gap[:-1] | gap[1:]) & (doc[:-1] == doc[1:]))
    if not len(left):
        return empty
    right = left + 1
    cl, cr = common[left], common[right]
    mixed = (hashes[left] * np.uint64(_MIX)) ^ hashes[right]
    bucket = (mixed & np.uint64(PAIR_BUCKETS - 1)).astype(np.int64)
    uncommon = ((mixed * np.uint64(_P)) >> np.uint64(_uncommon_shift())).astype(np.int64)
    row = np.where(
        cl & cr,
        cid[left] * _K + cid[right],
        np.where(cl | cr, _K * _K + bucket, _UNCOMMON_ROW + uncommon),
    )
    raw = _CODES[row].tobytes()  # each term as five ASCII characters and a space
    cuts = np.searchsorted(doc[left], np.arange(len(texts) + 1)) * 6
    return [
        raw[a : b - 1].decode("ascii") if b > a else ""
        for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True)
    ]


def pair_terms(text: str) -> str:
    """`pair_terms_many` for one text."""
    return pair_terms_many([text])[0]


def phrase_match(fld: str, seq: tuple[str, ...], boost: float = 1.0) -> Match:
    """A phrase over field "all", helped by the pairs field.

    Two common words: their pair term alone answers it exactly. Otherwise the phrase
    runs on "all" intersected with the pair terms it implies (has_pair_term), so the
    engine checks positions only in articles that have every such pair (or a pair
    sharing its bucket), not in every article that has "و" or "در", or both parts of
    a frequent split (چی تیم)."""
    if len(seq) == 1:
        return Term(fld, seq[0], boost)
    if fld != "all":
        return Phrase(fld, seq, boost)
    common = COMMON_WORDS
    if len(seq) == 2 and seq[0] in common and seq[1] in common:
        return Term("pairs", pair_term(*seq), boost)
    filters = tuple(
        dict.fromkeys(
            Term("pairs", pair_term(a, b), 0.0)
            for a, b in zip(seq, seq[1:], strict=False)
            if has_pair_term(a, b)
        )
    )
    if not filters:
        return Phrase(fld, seq, boost)
    return All((Phrase(fld, seq, boost), *filters))


def without_ranking_hints(m: Match) -> Match:
    """The same set of documents without the clauses that only change the ranking
    (title boosts: a title word is also in "all"). Counting and facets run on this
    smaller tree."""
    if isinstance(m, Any_):
        parts = tuple(
            without_ranking_hints(p)
            for p in m.parts
            if not (isinstance(p, Term) and (p.field, p.boost) in _RANKING_HINTS)
        )
        return parts[0] if len(parts) == 1 else Any_(parts)
    if isinstance(m, All):
        return All(tuple(map(without_ranking_hints, m.must)), tuple(map(without_ranking_hints, m.must_not)))
    return m


@functools.lru_cache(maxsize=65536)  # sources, categories and tags repeat endlessly
def value_key(value: str) -> str:
    """The indexed form of an exact-field value (source, category, tag): its tokens
    joined by one space, so ZWNJ/space/letter/digit variants of a name agree."""
    return " ".join(tokenize(value))


# Fields whose values are names of outlets and agencies: every name of one resolves to it.
NAMED_FIELDS = frozenset({"source", "outlet", "agency"})


@dataclass
class Highlights:
    """What the snippet should mark: single terms and adjacent pairs (from splits)."""

    terms: set[str] = field(default_factory=set)
    pairs: set[tuple[str, str]] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)  # mark a token whose stem is one of these
    words: int = 0  # positive query words and phrases: a passage with this many matches is best


def _any(alts: list[Match]) -> Match:
    alts = [phrase_match(a.field, a.terms, a.boost) if isinstance(a, Phrase) else a for a in alts]
    if not alts:
        return Nothing()
    return alts[0] if len(alts) == 1 else Any_(tuple(alts))


@functools.lru_cache(maxsize=4096)  # asked twice per word (its batch, then _forms); words repeat
def _stem_forms(toks: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
    """A query word's stem forms: its parts without the suffix parts it ends with, the last
    part stemmed (هم‌تیمی‌های → هم تیمی); and its stems, of the parts joined and, for a word
    left with one part, of that part."""
    core = list(toks)
    while len(core) > 1 and core[-1] in SUFFIX_TOKENS:
        core.pop()
    core[-1] = stem(core[-1])
    stems = {stem("".join(toks))}
    if len(core) == 1:
        stems.add(core[0])
    return tuple(core), frozenset(stems)


def _form_terms(toks: list[str]) -> tuple[list[str], list[str]]:
    """The terms of "all" (or "title") that _forms may look up, for the word's batch: its
    stem forms, and the stems whose splits it may look up."""
    core, stems = _stem_forms(tuple(toks))
    return [*core, *stems], sorted(stems)


def _first_of_each(alts: list[Match]) -> list[Match]:
    """One clause per match, the first (the word as asked comes before its forms): a form
    that is also the word as written must not be counted twice."""
    seen: set[tuple] = set()
    out = []
    for a in alts:
        k = (type(a), getattr(a, "field", None), getattr(a, "term", None), getattr(a, "terms", None))
        if k not in seen:
            seen.add(k)
            out.append(a)
    return out


def _capped(text: str, toks: list[str]) -> list[str]:
    """The tokens of one query word or phrase, at most MAX_TERMS of them.

    The parser counts words by spaces, but "a.b.c..." is one word of many tokens: each
    token costs term lookups, and the phrase variants recurse once per token."""
    if len(toks) > MAX_TERMS:
        raise QueryError(
            f"query too long: {text[:30]!r}... is {len(toks)} words once split at punctuation, "
            f"the limit is {MAX_TERMS}",
            "word_too_long", fragment=text[:30], count=len(toks), limit=MAX_TERMS,
        )
    return toks


DocFreqs = Callable[[str, list[str]], list[int]]


class Planner:
    def __init__(self, doc_freq: DocFreq, doc_freqs: DocFreqs | None = None):
        self._df_cache: dict[tuple[str, str], int] = {}
        self._doc_freq = doc_freq
        # An engine's batch lookup: a word's candidate terms (every split of it) are
        # asked for in one call instead of one call each.
        self._doc_freqs = doc_freqs
        self.highlights = Highlights()

    def df(self, fld: str, term: str) -> int:
        k = (fld, term)
        if k not in self._df_cache:
            self._df_cache[k] = self._doc_freq(fld, term)
        return self._df_cache[k]

    def _prefetch(self, fld: str, terms: list[str]) -> None:
        if self._doc_freqs is None:
            return
        cache = self._df_cache
        missing = [t for t in dict.fromkeys(terms) if (fld, t) not in cache]
        if missing:
            for t, n in zip(missing, self._doc_freqs(fld, missing), strict=True):
                cache[(fld, t)] = n

    def _prefetch_word(
        self, fld: str, toks: list[str], more: list[str] | None = None, stems: list[str] | None = None,
        *, phrase: bool = False,
    ) -> None:
        """Every term _word (or, for a `phrase`, _phrase_variants) may look up for these
        tokens, and the splits of the word's `stems` that _forms may look up.

        In two batches: a split's right part is looked up only when its left part is a
        term (_splits, _phrase_variants), and for a word most left parts are not, so
        asking for every right part cost the engine about a third more term lookups
        (each a walk of every segment's term dictionary) for nothing."""
        if self._doc_freqs is None:
            return
        joined = "".join(toks)
        # A phrase splits its tokens one by one; only a word also splits them all joined.
        words = list(dict.fromkeys((*toks, *(() if phrase and len(toks) > 1 else (joined,)), *(stems or ()))))
        terms = [*toks, *(more or ()), *(w[:k] for w in words for k in range(1, len(w)))]
        terms += [a + b for a, b in zip(toks, toks[1:], strict=False)]
        terms.append(joined)
        self._prefetch(fld, terms)
        df = self._df_cache
        self._prefetch(fld, [w[k:] for w in words for k in range(1, len(w)) if df[(fld, w[:k])]])
        if fld == "all" and len(toks) == 1:
            self._prefetch("title", toks)

    # --- entry -------------------------------------------------------------
    def plan(self, node) -> Match:
        m = self._node(node, negated=False)
        if m is None:
            raise QueryError("the query has no searchable words (only punctuation or symbols)", "no_searchable_words")
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
                m = (
                    self._leaf(n, negated=negated)
                    if not isinstance(n, And | Or)
                    else self._node(n, negated=negated)
                )
                if m is not None:
                    must.append(m)
        flush()
        if not must and not must_not:
            return None
        if not must:
            raise QueryError("the query has no searchable words besides exclusions", "only_exclusions")
        if len(must) == 1 and not must_not:
            return must[0]
        return All(tuple(must), tuple(must_not))

    def _leaf(self, n, *, negated: bool) -> Match | None:
        if isinstance(n, PhraseQ):
            toks = _capped(n.text, tokenize(n.text))
            return self._phrase(n.field, toks, negated=negated) if toks else None
        if isinstance(n, Exact):
            key = value_key(n.value)
            if not key:
                raise QueryError(f"{n.field}:{n.value} has no letters or digits to match", "value_without_letters",
                                 field=n.field, value=n.value)
            if n.field in NAMED_FIELDS:
                from vazeh.index.names import default_names  # names.py builds on value_key

                key = default_names().query_key(n.value)
            return Term(f"{n.field}_key", key)
        if isinstance(n, DateRange):
            lo = int(n.start.timestamp()) if n.start else None
            hi = int(n.end.timestamp()) if n.end else None
            return Range(lo, hi)
        raise TypeError(f"unexpected query node {n!r}")  # pragma: no cover

    # --- words ---------------------------------------------------------------
    def _words(self, words: list[Word], *, negated: bool) -> list[Match]:
        toks = [_capped(w.text, tokenize(w.text)) for w in words]
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

    def _word(self, fld: str, toks: list[str], neighbours: list[str], *, negated: bool, forms: bool = True) -> Match:
        form_terms, stems = _form_terms(toks) if forms else ([], [])
        self._prefetch_word(fld, toks, [*neighbours, *form_terms], stems)
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
        if len(toks) == 1 and not any(self._exists(a) for a in alts):
            # Only for a word the index has neither as one token nor split in two: three-term
            # phrases check positions, and the suffixed case (همتیمیها) is also found through
            # its stem's two parts.
            alts.extend(self._triples(fld, joined))
        for c in neighbours:
            alts.append(Term(fld, c, NEIGHBOUR_BOOST))
        if forms:
            alts.extend(self._forms(fld, toks))
        alts = [a for a in _first_of_each(alts) if self._exists(a)]
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

    def _triples(self, fld: str, joined: str) -> list[Match]:
        """A joined word of three parts (همتیمیها) found written as three: each split into
        three terms of the index of two letters or more (one-letter parts would make
        nonsense phrases of و and ی), at most MAX_TRIPLE_SPLITS of them."""
        out: list[Match] = []
        n = len(joined)
        heads = [i for i in range(2, n - 3) if self.df(fld, joined[:i])]
        self._prefetch(fld, [joined[i:j] for i in heads for j in range(i + 2, n - 1)])
        for i in heads:
            for j in range(i + 2, n - 1):
                if self.df(fld, joined[i:j]) and self.df(fld, joined[j:]):
                    out.append(Phrase(fld, (joined[:i], joined[i:j], joined[j:]), SPLIT_BOOST))
                    if len(out) >= MAX_TRIPLE_SPLITS:
                        return out
        return out

    def _forms(self, fld: str, toks: list[str]) -> list[Match]:
        """Other forms of the word: its stem, bare or inflected (see the module doc).

        A word written in parts drops the suffix parts it ends with (گنجشک‌ها → گنجشک,
        بزرگ‌ترین → بزرگ) and its last part's own suffixes (هم‌تیمیهای → هم تیمی); the
        parts joined are stemmed too (a text may write it as one word)."""
        sf = STEM_FIELD.get(fld)
        if sf is None:
            return []
        joined = "".join(toks)
        out: list[Match] = []
        core, stems = _stem_forms(tuple(toks))
        if len(core) > 1 and core != tuple(toks):
            out.append(Phrase(fld, core, STEM_BOOST))
        self._prefetch(sf, list(stems))
        if fld == "all":
            self._prefetch("title_stem", list(stems))
            self._prefetch("title", list(stems))
        for s in sorted(stems):
            if s != joined:
                out.append(Term(fld, s, STEM_BOOST))
            out.append(Term(sf, s, STEM_BOOST))
            if fld == "all":
                out.append(Term("title_stem", s, STEM_TITLE_BOOST))
                if s != joined:
                    out.append(Term("title", s, STEM_TITLE_BOOST))
            if s != joined and len(core) == 1:
                # the stem of a word of two parts written joined (همتیمیها → هم تیمی)
                out.extend(Phrase(p.field, p.terms, STEM_BOOST * SPLIT_BOOST) for p in self._splits(fld, s, ()))
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
                if a.field in ("all_stem", "title_stem"):
                    self.highlights.stems.add(a.term)
                else:
                    self.highlights.terms.add(a.term)
            elif isinstance(a, Phrase):
                if a.boost in (SPLIT_BOOST, STEM_BOOST * SPLIT_BOOST) and len(a.terms) in (2, 3):
                    self.highlights.pairs.update(zip(a.terms, a.terms[1:], strict=False))
                else:
                    self.highlights.terms.update(a.terms)

    # --- phrases -------------------------------------------------------------
    def _phrase(self, fld: str, toks: list[str], *, negated: bool) -> Match:
        if len(toks) == 1:
            return self._word(fld, toks, [], negated=negated, forms=False)  # quoted: as written
        self._prefetch_word(fld, toks, phrase=True)
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
