"""Every spelling equivalence of vazeh.persian holds in search: each query spelling
finds each text spelling, through the real index."""

from __future__ import annotations

import itertools

import pytest
from tests.index.conftest import add, article, urls

GROUPS = {
    "ZWNJ/space/joined می‌شود": ["می‌شود", "می شود", "میشود"],
    "ZWNJ/space/joined راه‌اندازی": ["راه‌اندازی", "راه اندازی", "راهاندازی"],
    "Arabic yeh": ["علي", "علی"],
    "Arabic kaf": ["كتاب", "کتاب"],
    "Arabic yeh and kaf together": ["يك", "یک"],
    "digit sets": ["۱۳۹۵", "١٣٩٥", "1395"],
    "decimal separator": ["۲٫۵", "2.5", "٢٫٥"],
    "harakat": ["مُحَمَّد", "محمد"],
    "heh with hamza": ["خانۀ", "خانه"],
}

CASES = [
    pytest.param(q, t, id=f"{name}: {q} -> {t}")
    for name, spellings in GROUPS.items()
    for q, t in itertools.product(spellings, repeat=2)
]


@pytest.mark.parametrize("query, text", CASES)
def test_query_spelling_finds_text_spelling(index, query, text):
    add(
        index,
        article(f"در این گزارش {text} آمده است", url="https://example.ir/match"),
        article("گزارشی دیگر بدون آن واژه درباره باران", url="https://example.ir/other"),
    )
    assert urls(index.search(query)) == ["https://example.ir/match"]


@pytest.mark.parametrize("text", ["کتاب‌ها", "کتاب ها", "کتاب"])
def test_a_word_finds_its_zwnj_plural(index, text):
    add(index, article(f"فهرست {text} کتابخانه", url="https://example.ir/books"), article("باران آمد"))
    assert urls(index.search("کتاب")) == ["https://example.ir/books"]


def test_joined_plural_is_a_word_form(index):
    # Before word forms, "کتابها" (joined) was its own word and کتاب missed it; now the
    # stem field finds it, and a quoted word still matches only as written.
    add(index, article("کتابها رسید", url="https://example.ir/joined"))
    assert urls(index.search("کتاب")) == ["https://example.ir/joined"]
    assert urls(index.search("کتابها")) == ["https://example.ir/joined"]
    assert urls(index.search("کتاب‌ها")) == ["https://example.ir/joined"]
    assert urls(index.search('"کتاب"')) == []


@pytest.mark.parametrize("query", ['"راه‌اندازی خط"', '"راه اندازی خط"', '"راهاندازی خط"'])
@pytest.mark.parametrize("text", ["راه‌اندازی خط", "راه اندازی خط", "راهاندازی خط"])
def test_phrases_hold_the_same_equivalences(index, query, text):
    add(index, article(f"خبر {text} مترو", url="https://example.ir/metro"), article("خط جدید و راه دیگر"))
    assert urls(index.search(query)) == ["https://example.ir/metro"]


def test_title_field_holds_the_equivalences(index):
    add(index, article("متن", title="راه‌اندازی سامانه", url="https://example.ir/t"), article("راهاندازی در متن"))
    for q in ("title:راهاندازی", "title:راه‌اندازی", 'title:"راه اندازی"'):
        assert urls(index.search(q)) == ["https://example.ir/t"], q
