"""Phrases and split spellings of two uncommon words, through the real index: the
pairs field narrows them down ("~" buckets), and the phrase is still checked on
positions, so a shared bucket never loses a match nor adds one."""

from __future__ import annotations

import random

import pytest
from tests.index.conftest import add, article, urls

from vazeh.index import plan
from vazeh.index.engine import All, Any_, Phrase, Term
from vazeh.index.plan import COMMON_WORDS, Planner, pair_term
from vazeh.index.query import parse
from vazeh.persian import tokenize

# No word of these is a common word, the concatenation of two others, or split into two.
VOCAB = ["گنجشک", "کوهستان", "پرنده", "دریاچه", "آسمان", "جنگل", "ماهیگیر", "قایق"]


def test_vocabulary_is_uncommon():
    assert not COMMON_WORDS & set(VOCAB)


def _filters(m) -> list[Term]:
    """The pairs terms of a plan."""
    if isinstance(m, Term):
        return [m] if m.field == "pairs" else []
    if isinstance(m, Any_):
        return [t for p in m.parts for t in _filters(p)]
    if isinstance(m, All):
        return [t for p in (*m.must, *m.must_not) for t in _filters(p)]
    return []


def test_a_quoted_phrase_of_two_uncommon_words_is_found_and_filtered(index):
    add(
        index,
        article("پرواز گنجشک کوهستان در صبح", title=None, url="https://example.ir/run"),
        article("کوهستان و گنجشک", title=None, url="https://example.ir/apart"),
        article("کوهستان گنجشک", title=None, url="https://example.ir/reversed"),
        article("کوهستان آرام", title="پرواز گنجشک", url="https://example.ir/across-fields"),
    )
    assert urls(index.search('"گنجشک کوهستان"')) == ["https://example.ir/run"]
    m = Planner(index.engine.doc_freq, index.engine.doc_freqs).plan(parse('"گنجشک کوهستان"'))
    assert _filters(m) == [Term("pairs", pair_term("گنجشک", "کوهستان"), 0.0)]


def test_a_joined_word_finds_its_split_spelling_of_two_uncommon_tokens(index):
    add(
        index,
        article("پرواز گنجشک کوهستان در صبح", title=None, url="https://example.ir/split"),
        article("گنجشک آمد و کوهستان ماند", title=None, url="https://example.ir/apart"),
    )
    assert urls(index.search("گنجشککوهستان")) == ["https://example.ir/split"]
    m = Planner(index.engine.doc_freq, index.engine.doc_freqs).plan(parse("گنجشککوهستان"))
    split = All((Phrase("all", ("گنجشک", "کوهستان"), plan.SPLIT_BOOST),
                 Term("pairs", pair_term("گنجشک", "کوهستان"), 0.0)))
    assert m == split or split in getattr(m, "parts", ())


@pytest.mark.parametrize("buckets", [None, 2])
def test_a_shared_bucket_never_loses_or_adds_a_match(index, monkeypatch, buckets):
    # With two buckets about half of all uncommon pairs share one: the filter lets the
    # wrong articles through, and the phrase check on "all" must drop them.
    if buckets:
        monkeypatch.setattr(plan, "UNCOMMON_BUCKETS", buckets)
    rng = random.Random(16)
    texts = [" ".join(rng.choice(VOCAB) for _ in range(rng.randint(2, 10))) for _ in range(60)]
    add(index, *[article(t, title=None, url=f"https://example.ir/{i}") for i, t in enumerate(texts)])

    def has_run(text: str, run: list[str]) -> bool:
        toks = tokenize(text)
        return any(toks[i : i + len(run)] == run for i in range(len(toks) - len(run) + 1))

    for _ in range(60):
        words = tokenize(" ".join(rng.choice(VOCAB) for _ in range(rng.randint(2, 3))))  # آ -> ا
        expected = {f"https://example.ir/{i}" for i, t in enumerate(texts) if has_run(t, words)}
        assert set(urls(index.search('"' + " ".join(words) + '"', per_page=100))) == expected, words
        if len(words) == 2:  # the joined spelling: its split into the two words (no word is a suffix form)
            got = set(urls(index.search("".join(words), per_page=100)))
            assert got == expected, words
