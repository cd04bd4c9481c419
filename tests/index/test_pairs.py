"""The pairs field: computed with numpy for whole texts at index time, one pair at a
time in Python at query time. The two must agree term for term."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from vazeh.index.plan import (
    COMMON_WORDS,
    has_pair_term,
    pair_term,
    pair_terms,
    pair_terms_many,
    token_hash,
)
from vazeh.persian import token_text, tokenize

COMMON = sorted(COMMON_WORDS)
other = st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc", "Zl", "Zp")), min_size=1, max_size=12)
token = st.one_of(st.sampled_from(COMMON), st.sampled_from(["تهران", "باران", "خبر", "𝔸𝔹", "a" * 300]), other)
gaps = st.sampled_from([" ", "  ", "   "])


def expected(tokens: list[str]) -> list[str]:
    return sorted(
        pair_term(a, b) for a, b in zip(tokens, tokens[1:], strict=False) if has_pair_term(a, b)
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(token, gaps), max_size=40), gaps, gaps)
@example([("در", " "), ("این", " "), ("باران", " ")], " ", "")
def test_pair_terms_of_a_text_are_pair_term_of_each_adjacent_pair(parts, lead, trail):
    tokens = [t.replace(" ", "") for t, _ in parts]
    tokens = [t for t in tokens if t and not any(c.isspace() for c in t)]
    text = lead + " ".join(tokens) + trail
    assert sorted(pair_terms(text).split()) == expected(text.split())


def test_both_common_pairs_are_exact_and_others_share_buckets():
    codes = {pair_term(a, b) for a in COMMON for b in COMMON}
    assert len(codes) == len(COMMON) ** 2 and all(c.startswith("=") for c in codes)  # one code per pair
    assert pair_term("در", "باران").startswith("_")
    assert pair_term("باران", "در") != pair_term("در", "باران")  # order matters
    assert pair_terms("باران خبر") == ""  # no common word, no pair
    assert pair_terms("در باران").startswith("_")


def test_hash_is_stable_across_processes():
    # Stored in the index: it must not depend on PYTHONHASHSEED or the platform.
    assert token_hash("در") == ord("د") + ord("ر") * 0x100000001B3
    assert token_hash("") == 0


def test_on_real_text_after_token_text():
    text = "گزارش‌ها در باره‌ی بارانِ دیروز و خسارت‌های آن در تهران منتشر شد."
    assert sorted(pair_terms(token_text(text)).split()) == expected(tokenize(text))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.one_of(st.sampled_from(COMMON), st.sampled_from(["", " ", "باران"])), max_size=8).map(" ".join), max_size=8))
def test_a_batch_gives_each_text_its_own_pairs(texts):
    # No pair spans two texts of a batch.
    assert pair_terms_many(texts) == [pair_terms(t) for t in texts]
    for text, pairs in zip(texts, pair_terms_many(texts), strict=True):
        assert sorted(pairs.split()) == expected(text.split())
