"""The planner's batched term lookup and the engine's per-searcher term counts."""

from __future__ import annotations

import pytest

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
    assert [s for s in singles if s[0] == "all"] == []  # every lookup of a word's terms came in a batch
    # At most two batches per query word for "all" (its candidate terms, then the right parts
    # of the splits whose left part is a term), and one for its title term, not one call per split.
    assert len([b for b in batches if b[0] == "all"]) <= 4
    assert any("کتاب" in terms for _, terms in batches) and any("ها" in terms for _, terms in batches)


@pytest.mark.parametrize("query", ["شاچتار", "شاچتار کتاب", '"شاچتار کتاب"', "title:شاچتارها", "-شاچتار کتاب"])
def test_planner_asks_for_no_right_part_of_a_split_whose_left_part_is_not_a_term(query):
    # Each lookup walks every segment's term dictionary; a split with no left part is no
    # alternative, so its right part is never needed.
    vocabulary = {"شا": 3, "چتار": 2, "شاچتار": 1, "کتاب": 5, "کت": 1, "اب": 4, "ها": 9}
    asked: list[tuple[str, str]] = []

    def doc_freqs(field: str, terms: list[str]) -> list[int]:
        asked.extend((field, t) for t in terms)
        return [vocabulary.get(t, 0) if field in ("all", "title") else 0 for t in terms]

    def doc_freq(field: str, term: str) -> int:
        return doc_freqs(field, [term])[0]

    batched = Planner(doc_freq, doc_freqs)
    plan = batched.plan(parse(query))
    plain = Planner(lambda f, t: vocabulary.get(t, 0) if f in ("all", "title") else 0)
    assert plan == plain.plan(parse(query))  # the same plan, whichever way the counts arrive
    assert batched.highlights == plain.highlights
    # Right parts of splits whose left part is not a term (ش|اچتار, کتا|ب, شاچتاره|ا), and for a
    # quoted phrase the splits of its words joined, which only an unquoted word looks up.
    wasted = {"اچتار", "تار", "ار", "ر", "تاب", "ب", "اچتارها", "تارها", "ارها", "رها", "ا",
              "اچتارکتاب", "تارکتاب", "ارکتاب", "رکتاب", "چتارکتاب", "شاچتارک", "شاچتارکت", "شاچتارکتا"}
    assert {t for _f, t in asked} & wasted == set()
    assert len(asked) == len(set(asked))  # nothing asked twice


def test_term_counts_follow_the_searcher_across_a_commit(index):
    engine = index.engine
    assert engine.doc_freqs("all", ["زلزله", "باران"]) == [0, 0]
    add(index, article("زلزله در شهر"))
    index.engine.commit()
    assert engine.doc_freqs("all", ["زلزله", "باران"]) == [1, 0]
    assert engine.doc_freq("all", "زلزله") == 1


def test_a_collapsed_page_has_one_loaded_hit_per_group_its_size_and_the_matching_copies(index):
    story = (
        "شورای شهر امروز بودجه سال آینده را با افزایش سهم حمل و نقل عمومی تصویب کرد و "
        "ساخت دو خط تازه مترو و خرید سیصد اتوبوس برقی را در اولویت قرار داد."
    )
    add(
        index,
        article(story, source="مهر", url="https://mehr.example/2", published="2017-01-10T09:00:00+03:30"),
        article(story + " به گزارش ایسنا", source="ایسنا", url="https://isna.example/2",
                published="2017-01-10T12:00:00+03:30"),
        article("بودجه مدرسه های روستا در نشست شورا بررسی شد", source="فارس", url="https://fars.example/2"),
        fingerprints=True,
    )
    engine = index.engine
    with engine.snapshot():
        plan = Planner(engine.doc_freq, engine.doc_freqs)
        page = engine.collapsed(plan.plan(parse("بودجه")), sort="relevance", offset=0, limit=10, facets=True)
        assert page.total == 3
        assert len(page.hits) == 2  # the two copies of the story collapse to one
        sizes = sorted(h.group_size for h in page.hits)
        assert sizes == [1, 2]
        assert all(h.data["url"] for h in page.hits)  # stored fields come with the hits
        grouped = next(h for h in page.hits if h.group_size == 2)
        assert page.matching[grouped.group] == {"k0", "k1"}
        # A filter to one source: only that source's copy matches within the group.
        filtered = engine.collapsed(plan.plan(parse("بودجه source:ایسنا")), sort="relevance", offset=0, limit=10,
                                    facets=False)
        assert [h.group_size for h in filtered.hits] == [2]
        assert filtered.matching[filtered.hits[0].group] == {"k1"}
        # Past the last group: an empty page, the total still counted.
        assert engine.collapsed(plan.plan(parse("بودجه")), sort="relevance", offset=10, limit=10,
                                facets=True).hits == []
