"""The planner's batched term lookup and the engine's per-searcher term counts."""

from __future__ import annotations

from vazeh.index.plan import Planner
from vazeh.index.query import parse

from .conftest import add, article


def test_planner_asks_for_a_words_candidate_terms_in_one_batch(index):
    add(index, article("کتاب ها و راه اندازی"), article("کتابها"))
    engine = index.engine
    batches: list[tuple[str, list[str]]] = []
    singles: list[tuple[str, str]] = []

    def doc_freqs(field: str, terms: list[str]) -> list[int]:
        batches.append((field, list(terms)))
        return engine.doc_freqs(field, terms)

    def doc_freq(field: str, term: str) -> int:
        singles.append((field, term))
        return engine.doc_freq(field, term)

    with engine.snapshot():
        batched = Planner(doc_freq, doc_freqs).plan(parse("کتابها راه‌اندازی"))
        plain = Planner(engine.doc_freq).plan(parse("کتابها راه‌اندازی"))
    assert batched == plain  # the same plan, whichever way the counts arrive
    assert singles == []  # every lookup came in a batch
    # One batch per query word for "all" (and one for its title term), not one call per split.
    assert len([b for b in batches if b[0] == "all"]) == 2
    assert any("کتاب" in terms and "ها" in terms for _, terms in batches)


def test_term_counts_follow_the_searcher_across_a_commit(index):
    engine = index.engine
    assert engine.doc_freqs("all", ["زلزله", "باران"]) == [0, 0]
    add(index, article("زلزله در شهر"))
    index.engine.commit()
    assert engine.doc_freqs("all", ["زلزله", "باران"]) == [1, 0]
    assert engine.doc_freq("all", "زلزله") == 1
