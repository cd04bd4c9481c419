"""The pairs field: computed with numpy for whole texts at index time, one pair at a
time in Python at query time. The two must agree term for term."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from vazeh.index import plan
from vazeh.index.engine import All, Phrase, Term
from vazeh.index.plan import (
    COMMON_WORDS,
    has_pair_term,
    pair_term,
    pair_terms,
    pair_terms_many,
    phrase_match,
    token_hash,
)
from vazeh.index.tantivy_engine import FIELD_GAP
from vazeh.persian import token_text, tokenize

COMMON = sorted(COMMON_WORDS)
other = st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc", "Zl", "Zp")), min_size=1, max_size=12)
token = st.one_of(
    st.sampled_from(COMMON), st.sampled_from(["تهران", "باران", "خبر", "𝔸𝔹", "a" * 300, FIELD_GAP, "¶¶"]), other
)
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
    assert pair_terms("در باران").startswith("_")


def test_pairs_of_two_uncommon_words_have_their_own_buckets():
    assert pair_terms("باران خبر") == pair_term("باران", "خبر")
    assert pair_term("باران", "خبر").startswith("~") and pair_term("خبر", "باران").startswith("~")
    assert has_pair_term("باران", "خبر")
    # Both parts of a frequent split, neither a common word (bench/search.py's چیتیم).
    assert pair_terms("گزارش چی تیم") == f"{pair_term('گزارش', 'چی')} {pair_term('چی', 'تیم')}"
    assert len({pair_term(f"واژه{i}", f"کلمه{j}") for i in range(60) for j in range(60)}) > 3000


def test_no_pair_spans_the_field_separator():
    # Title, kicker, lead and body are joined with FIELD_GAP; no phrase crosses it.
    assert pair_terms(f"باران {FIELD_GAP} خبر") == ""
    assert pair_terms(f"{FIELD_GAP} در {FIELD_GAP}") == ""
    assert pair_terms(f"از {FIELD_GAP} ¶¶ در") == pair_term("¶¶", "در")  # only the separator itself
    assert not has_pair_term(FIELD_GAP, "در") and not has_pair_term("باران", FIELD_GAP)


@settings(max_examples=200, deadline=None)
@given(st.text(st.sampled_from("~=_ab۱تهرانx\u200c -.")))
def test_no_query_token_is_a_pairs_term(text):
    # Query words are tokenized the same way; a token with a code prefix could meet a code.
    assert not any(c in tok for tok in tokenize(text) for c in "~=_")


@pytest.mark.parametrize("buckets", [2, 1 << 4, 1 << 16])
def test_the_uncommon_bucket_count_is_honoured_by_both_sides(monkeypatch, buckets):
    monkeypatch.setattr(plan, "UNCOMMON_BUCKETS", buckets)
    words = [f"واژه{i}" for i in range(40)]
    text = " ".join(words)
    got = pair_terms(text).split()
    assert got == [pair_term(a, b) for a, b in zip(words, words[1:], strict=False)]
    assert all(t.startswith("~") and int(t[1:], 16) < buckets for t in got)
    assert len(set(got)) == min(buckets, len(got)) or buckets > 2


def test_every_phrase_of_two_or_more_words_gets_a_pairs_filter():
    for seq in [("باران", "خبر"), ("چی", "تیم"), ("در", "باران"), ("باران", "خبر", "تهران")]:
        m = phrase_match("all", seq, 0.5)
        assert isinstance(m, All) and m.must[0] == Phrase("all", seq, 0.5)
        assert m.must[1:] == tuple(Term("pairs", pair_term(a, b), 0.0) for a, b in zip(seq, seq[1:], strict=False))


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
