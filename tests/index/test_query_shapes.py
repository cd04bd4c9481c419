"""The engine's cheaper shapes of one match tree (tantivy_engine.spread, _ranking) find
the same documents with the same scores as the tree compiled as it is.

A small index of a few words, some in nearly every document and some rare, so that
spread trees really have alternatives under conjunctions; random trees over them
(Hypothesis) in the shapes the planner makes: words with alternatives, phrases,
filters, date ranges, exclusions, and a disjunction of such.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vazeh.index.engine import All, Any_, IndexDoc, Match, Nothing, Phrase, Range, Term
from vazeh.index.tantivy_engine import MAX_SPREAD, TantivyEngine, spread

WORDS = ["و", "در", "کش", "ور", "کشور", "باران", "مهر", "تهران", "گفت", "نفت"]
WEIGHTS = [40, 30, 8, 8, 12, 3, 5, 6, 20, 2]
SOURCES = ["مهر", "ایرنا", "ایسنا"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    rng = random.Random(7)
    e = TantivyEngine(tmp_path_factory.mktemp("shapes"))
    for i in range(400):
        body = rng.choices(WORDS, WEIGHTS, k=rng.randint(3, 30))
        title = rng.choices(WORDS, WEIGHTS, k=rng.randint(1, 4))
        source = SOURCES[i % 3]
        e.add(IndexDoc(
            key=f"k{i}", group=f"k{i}", all=" ".join(title + body), pairs="", title=" ".join(title),
            source=source, categories=[], month="", published=1_600_000_000 + i * 1000,
            source_keys=[source], category_keys=[], tag_keys=[], data={"i": i},
        ))
        if i % 100 == 99:
            e.commit()  # several segments
    e.commit()
    return e


word = st.sampled_from(WORDS)
term = st.builds(Term, st.sampled_from(["all", "title"]), word, st.sampled_from([1.0, 2.0, 0.5]))
phrase = st.builds(lambda a, b, boost: Phrase("all", (a, b), boost), word, word, st.sampled_from([1.0, 0.5]))
source = st.builds(lambda s: Term("source_key", s), st.sampled_from(SOURCES))
dates = st.builds(lambda lo, n: Range(1_600_000_000 + lo * 1000, 1_600_000_000 + (lo + n) * 1000),
                  st.integers(0, 400), st.integers(1, 300))
alternatives = st.lists(st.one_of(term, phrase), min_size=1, max_size=4).map(
    lambda parts: parts[0] if len(parts) == 1 else Any_(tuple(parts)))
conjunction = st.builds(
    lambda words, filters, excluded: All(tuple(words + filters), tuple(excluded)),
    st.lists(alternatives, min_size=1, max_size=3),
    st.lists(st.one_of(source, dates), max_size=2),
    st.lists(st.one_of(term, alternatives), max_size=1),
)
trees = st.one_of(conjunction, st.lists(conjunction, min_size=2, max_size=3).map(lambda c: Any_(tuple(c))))


def _scored(engine: TantivyEngine, q) -> dict[tuple[int, int], float]:
    res = engine.searcher.search(q, 1000, count=False)
    return {(a.segment_ord, a.doc): score for score, a in res.hits}


def _shapes_agree(engine: TantivyEngine, m: Match) -> None:
    plain = _scored(engine, engine.compile(m))
    assert set(_scored(engine, engine.compile(spread(m)))) == set(plain)
    memo: dict = {}  # as a search compiles them: the shapes share their compiled leaves
    ranked = _scored(engine, engine._ranking(m, engine.compile(spread(m), memo), memo))
    assert set(ranked) == set(plain)
    for addr, score in plain.items():
        assert ranked[addr] == pytest.approx(score, rel=1e-5, abs=1e-6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(trees)
def test_spread_and_ranking_shapes_find_the_same_documents_with_the_same_scores(engine, m):
    _shapes_agree(engine, m)


def test_a_frequent_word_with_a_split_spelling_is_spread_into_conjunctions(engine):
    # کشور or «کش ور», and تهران: two conjunctions, each on its own terms.
    m = All((Any_((Term("all", "کشور"), Phrase("all", ("کش", "ور"), 0.5))), Term("all", "تهران")))
    assert spread(m) == Any_((
        All((Term("all", "کشور"), Term("all", "تهران"))),
        All((Phrase("all", ("کش", "ور"), 0.5), Term("all", "تهران"))),
    ))
    _shapes_agree(engine, m)


def test_exclusions_stay_outside_the_spread_and_big_products_are_left_alone(engine):
    a = Any_((Term("all", "کشور"), Term("title", "کشور", 2.0)))
    m = All((a, Term("all", "گفت")), (Any_((Term("all", "نفت"), Term("all", "باران"))),))
    s = spread(m)
    assert isinstance(s, All) and s.must_not == m.must_not and isinstance(s.must[0], Any_)
    _shapes_agree(engine, m)
    many = All(tuple(Any_((Term("all", w), Term("title", w, 2.0))) for w in WORDS[:5]))
    assert 2 ** 5 > MAX_SPREAD and spread(many) == many
    _shapes_agree(engine, many)


def test_a_word_with_no_alternative_left_matches_nothing(engine):
    m = All((Any_(()), Term("all", "گفت")))
    assert spread(m) == Nothing()
    assert _scored(engine, engine.compile(spread(m))) == _scored(engine, engine.compile(m)) == {}
