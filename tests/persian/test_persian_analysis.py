"""Search analysis: the fold, the tokenizer, joined pairs and the matching rule.

Every row of the equivalence table in docs/persian.md (and vazeh.persian.analysis) is a case
in test_equivalence_table_row.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from vazeh.persian import (
    ZWNJ,
    analysis,
    joined_pairs,
    normalize,
    spellings_match,
    to_ascii_digits,
    to_persian_digits,
    token_text,
    token_texts,
    tokenize,
)

# (written, matches, why): both sides must give the same tokens, or for the spelling rows,
# find each other through spellings_match in both directions.
EQUIVALENCE_TABLE = [
    ("می‌شود", "می شود", "ZWNJ / space"),
    ("می‌شود", "میشود", "ZWNJ / joined"),
    ("می شود", "میشود", "space / joined"),
    ("راه‌اندازی", "راه اندازی", "ZWNJ / space"),
    ("راه‌اندازی", "راهاندازی", "ZWNJ / joined"),
    ("راه اندازی", "راهاندازی", "space / joined"),
    ("کتاب", "کتاب‌ها", "one way: ZWNJ splits tokens"),
    ("کتاب", "کتاب ها", "one way: space splits tokens"),
    ("علي", "علی", "Arabic yeh"),
    ("كتاب", "کتاب", "Arabic kaf"),
    ("يك", "یک", "Arabic yeh and kaf"),
    ("مصطفى", "مصطفی", "alef maksura"),
    ("عَلی", "علی", "harakat"),
    ("مُحَمَّد", "محمد", "harakat"),
    ("اصلاً", "اصلا", "tanwin"),
    ("کتـــاب", "کتاب", "tatweel"),
    ("خانۀ", "خانه", "heh with yeh above"),
    ("خانهٔ", "خانه", "hamza above deleted"),
    ("مدرسة", "مدرسه", "teh marbuta"),
    ("آب", "اب", "alef with madda"),
    ("أحمد", "احمد", "alef with hamza above"),
    ("إسلام", "اسلام", "alef with hamza below"),
    ("رئیس", "رییس", "yeh with hamza"),
    ("مؤسسه", "موسسه", "waw with hamza"),
    ("۱۳۹۵", "1395", "Persian digits"),
    ("١٣٩٥", "1395", "Arabic-Indic digits"),
    ("۲٫۵", "2.5", "decimal separator"),
    ("۱٬۰۰۰", "1000", "thousands separator"),
    ("1,000", "1000", "thousands comma"),
    ("ﻛﺘﺎﺏ", "کتاب", "presentation forms"),
    ("TEHRAN", "tehran", "casefold"),
    ("Tehran", "tehran", "casefold"),
    ("کتاب\u200fها", "کتابها", "RLM deleted"),
    ("ک\u200dتاب", "کتاب", "ZWJ deleted"),
    ("\u202bکتاب\u202c", "کتاب", "bidi embedding deleted"),
]


@pytest.mark.parametrize(("written", "other", "why"), EQUIVALENCE_TABLE)
def test_equivalence_table_row(written: str, other: str, why: str) -> None:
    assert spellings_match(written, other), why
    if not why.startswith("one way"):
        assert spellings_match(other, written), why


@pytest.mark.parametrize(
    ("written", "other"),
    [(w, o) for w, o, why in EQUIVALENCE_TABLE if not why.startswith(("ZWNJ", "space", "one way"))],
)
def test_letter_folds_give_identical_tokens(written: str, other: str) -> None:
    assert tokenize(written) == tokenize(other)


def test_tokenize_splits_at_zwnj_space_and_punctuation() -> None:
    assert tokenize("کتاب‌ها") == ["کتاب", "ها"]
    assert tokenize("می‌شود") == ["می", "شود"]
    assert tokenize("«تهران»، (ایران)؛ خبر.") == ["تهران", "ایران", "خبر"]
    assert tokenize("snake_case") == ["snake", "case"]
    assert tokenize("") == []
    assert tokenize(" \u200c،.") == []


def test_tokenize_keeps_numbers_whole() -> None:
    assert tokenize("نرخ ۲٫۵ درصد") == ["نرخ", "2.5", "درصد"]
    assert tokenize("۱٬۲۰۰٬۰۰۰ و 1,200,000 و 1200000") == ["1200000", "و", "1200000", "و", "1200000"]
    assert tokenize("1,2,3") == ["1", "2", "3"]
    assert tokenize("سال ۱۴۰۲. سپس") == ["سال", "1402", "سپس"]
    assert tokenize("۱۳۹۵/۱۰/۱۴") == ["1395", "10", "14"]


def test_normalize_keeps_zwnj_and_punctuation() -> None:
    assert normalize("كتاب‌هاي «ما»") == "کتاب\u200cهای «ما»"


def test_normalize_folds_as_documented() -> None:
    assert normalize("يكى ےۓ") == "یکی یی"
    assert normalize("ۀہۂەھة") == "هههههه"
    assert normalize("آأإٱؤ") == "ااااو"
    assert normalize("ء") == "ء"  # the standalone hamza is kept
    assert normalize("ﷲ") == "الله"


def test_normalize_deletes_invisible_controls() -> None:
    invisible = "\u200b\u200d\u200e\u200f\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u0640"
    assert normalize(f"ت{invisible}هران") == "تهران"


def test_joined_pairs() -> None:
    assert joined_pairs(["می", "شود", "که"]) == ["میشود", "شودکه"]
    assert joined_pairs(["تنها"]) == []
    assert joined_pairs([]) == []


def test_matching_is_and_of_words() -> None:
    text = "این طرح در تهران راه‌اندازی می‌شود."
    assert spellings_match("تهران راهاندازی", text)
    assert spellings_match("راه اندازی میشود", text)
    assert not spellings_match("تهران اصفهان", text)


def test_matching_does_not_find_a_prefix_inside_a_joined_word() -> None:
    assert not spellings_match("کتاب", "کتابخانه")
    assert not spellings_match("میشود", "می رود")


def test_query_without_tokens_matches_nothing() -> None:
    assert not spellings_match("«»،", "هر متنی")
    assert not spellings_match("", "هر متنی")


def test_multi_word_spelling_needs_adjacent_words() -> None:
    assert spellings_match("می شود", "میشود")
    assert spellings_match("می شود", "شود می")  # AND of words, not a phrase
    assert not spellings_match("می شود", "شودمی")  # joined the other way round


@pytest.mark.parametrize("fn", [normalize, tokenize])
def test_lone_surrogate_is_rejected_with_a_clear_error(fn) -> None:
    bad = "خبر".encode() + b"\xff"
    text = bad.decode("utf-8", errors="surrogateescape")
    with pytest.raises(ValueError, match="lone surrogate U\\+DCFF at index 3"):
        fn(text)


def test_every_unicode_decimal_digit_becomes_ascii() -> None:
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        if unicodedata.category(ch) == "Nd":
            assert tokenize(ch) == [str(unicodedata.decimal(ch))], hex(cp)


def test_digit_conversion() -> None:
    assert to_persian_digits("1395/10/14 11:13") == "۱۳۹۵/۱۰/۱۴ ۱۱:۱۳"
    assert to_persian_digits("٢٠") == "۲۰"
    assert to_persian_digits(1403) == "۱۴۰۳"
    assert to_ascii_digits("۱۳۹۵ و ١٣٩٥") == "1395 و 1395"
    assert to_ascii_digits("بدون رقم") == "بدون رقم"


# --- properties -------------------------------------------------------------------------------

PERSIAN_LETTERS = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیآأإئؤةيكىۀ"
any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
persianish = st.text(
    st.sampled_from(
        PERSIAN_LETTERS + "۰۱۲۳۴۵۶۷۸۹٫٬0123456789.,  \u200c\u200d\u064b\u064e\u0650\u0651\u0654\u0640،؛«»"
    ),
    max_size=60,
)
word = st.text(st.sampled_from(PERSIAN_LETTERS + "\u064e\u0640"), min_size=1, max_size=8).filter(tokenize)


@settings(max_examples=500, deadline=None)
@given(st.one_of(any_text, persianish))
@example("a\u064b\u0654\u0301")  # deleting a mark lets NFKC compose a + U+0301
@example("\u01f0")  # casefold and NFKC disagree on ǰ
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(any_text, persianish), min_size=1, max_size=12))
@example(["ﷲ" + "ب" * 250])  # one character expands to four: the array path must step aside
@example(["\u064e" * 300])  # every character deleted
def test_long_text_folds_as_str_translate_does(parts: list[str]) -> None:
    # Long text takes a numpy gather instead of str.translate; both must give the same string.
    text = "".join(parts) * (1 + 200 // max(1, len("".join(parts))))
    if analysis._has_astral(text):
        return
    for tokens, table in ((False, analysis._FOLD_BMP), (True, analysis._TOKEN_BMP)):
        assert len(text) < analysis._ARRAY_MIN or analysis._translate_bmp(text, tokens) == text.translate(table)
    fast = normalize(text), tokenize(text)
    saved, analysis._ARRAY_MIN = analysis._ARRAY_MIN, 10**9
    try:
        assert fast == (normalize(text), tokenize(text))
    finally:
        analysis._ARRAY_MIN = saved


@settings(max_examples=500, deadline=None)
@given(st.one_of(any_text, persianish))
@example("🄐")  # an astral symbol NFKC spells with a letter: "(A)"
@example("a🄐b 🄀 𝐀")
def test_tokenize_never_crashes_and_tokens_are_clean(text: str) -> None:
    tokens = tokenize(text)
    for token in tokens:
        assert token and not any(ch.isspace() or ch == ZWNJ for ch in token)
        assert normalize(token) == token
    assert tokenize(" ".join(tokens)) == tokens
    assert tokenize(normalize(text)) == tokens


@settings(max_examples=300, deadline=None)
@given(word, word)
def test_three_spellings_of_a_joined_word_always_match(first: str, second: str) -> None:
    spellings = [first + ZWNJ + second, first + " " + second, first + second]
    for query in spellings:
        for text in spellings:
            assert spellings_match(query, text), (query, text)
    assert spellings_match(first, spellings[0])


@settings(max_examples=200, deadline=None)
@given(word, word, st.lists(word, max_size=5))
def test_spellings_match_inside_longer_text(first: str, second: str, context: list[str]) -> None:
    text = " ".join([*context, first + ZWNJ + second, *context])
    assert spellings_match(first + second, text)
    assert spellings_match(first + " " + second, text)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**12), st.integers(0, 999))
def test_numbers_agree_across_digit_sets_and_separators(whole: int, fraction: int) -> None:
    plain = str(whole)
    grouped = f"{whole:,}"
    expected = tokenize(plain)
    assert expected == [plain]
    for written in (grouped, grouped.replace(",", "٬"), to_persian_digits(grouped.replace(",", "٬"))):
        assert tokenize(written) == expected, written
    decimal = f"{whole}.{fraction}"
    assert tokenize(to_persian_digits(decimal.replace(".", "٫"))) == [decimal]
    assert tokenize(f"{grouped}.{fraction}") == [decimal]


def test_mixed_scripts_and_symbols() -> None:
    assert tokenize("خبرگزاری IRNA گزارش داد: COVID-19 😷 در ۳۱ استان") == [
        "خبرگزاری", "irna", "گزارش", "داد", "covid", "19", "در", "31", "استان",
    ]  # fmt: skip
    assert tokenize("مدينة الكتب") == ["مدینه", "الکتب"]
    assert tokenize("کتاب‌ها‌یشان") == ["کتاب", "ها", "یشان"]


def _published_table_rows() -> list[tuple[list[str], list[str], bool]]:
    """The rows of the equivalence table in docs/persian.md, as (queries, texts, both_ways)."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "persian.md").read_text(encoding="utf-8")
    section = doc.split("### Equivalence table", 1)[1].split("\n### ", 1)[0]
    names = {"RLM": "\u200f", "ZWJ": "\u200d", "RLE": "\u202b", "PDF": "\u202c"}
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("a query for", "---"):
            continue
        one_way = "(one way)" in cells[1]
        queries, texts = (
            [c.strip() for c in cell.replace("(one way)", "").split(", ")] for cell in cells[:2]
        )
        queries = ["".join(names.get(p, p) for p in q.split("+")) for q in queries]
        texts = ["".join(names.get(p, p) for p in t.split("+")) for t in texts]
        queries = [q.split(" (")[0].strip() for q in queries]
        rows.append((queries, texts, not one_way))
    return rows


def test_the_published_equivalence_table_holds() -> None:
    rows = _published_table_rows()
    assert len(rows) >= 14
    for queries, texts, both_ways in rows:
        if texts == ["any of the three"]:
            pairs = [(q, t) for q in queries for t in queries]
        elif len(texts) == len(queries):
            pairs = list(zip(queries, texts, strict=True))
        else:
            pairs = [(q, t) for q in queries for t in texts]
        for query, text in pairs:
            assert spellings_match(query, text), (query, text)
            if both_ways:
                assert spellings_match(text, query), (text, query)


@settings(max_examples=200, deadline=None)
@given(word, word, st.sampled_from(["یي", "کك", "هة", "اأ"]))
def test_spellings_match_across_letter_variants(first: str, second: str, swap: str) -> None:
    persian, arabic = swap
    query = (first + second).replace(persian, arabic)
    assert spellings_match(query, first + ZWNJ + second)
    assert spellings_match(first + " " + second, query)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(any_text, persianish, st.sampled_from(["", "۱٬۰۰۰.", "2.", ".5", "a\x00b", "ﷲ", "𝔸"])), max_size=8))
def test_a_batch_folds_each_text_as_it_would_alone(texts: list[str]) -> None:
    assert token_texts(texts) == [token_text(t) for t in texts]
