"""Word forms in search (issue 16): plural, ezafe and suffix forms find each other, the form
asked ranks first, a quoted phrase stays exact, three joined parts find the parts."""

from __future__ import annotations

import pytest
from tests.index.conftest import add, article, urls

from vazeh.index.plan import Highlights
from vazeh.index.snippets import make_snippet


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("گنجشک‌ها", "گنجشک‌های باغ پریدند"),  # the three cases
        ("انارهای", "انار ساوه رسید"),
        ("گنجشک‌ها", "گنجشکهای باغ پریدند"),
        ("گنجشکها", "گنجشک‌های باغ پریدند"),
        ("درخت", "درختان کهن باغ"),
        ("مسافران", "هر مسافر بلیت دارد"),
        ("تحقیقات", "نتیجه تحقیق منتشر شد"),
        ("بزرگ", "بزرگترین سد کشور"),
        ("بزرگ", "بزرگ‌ترین سد کشور"),
        ("کتاب", "کتاب‌هایشان را آوردند"),
        ("کتاب", "کتابهایشان را آوردند"),
        ("شورا", "شورای شهر تهران"),
        ("نماینده", "نمایندگان مجلس"),
        ("دانشجو", "دانشجویان دانشگاه"),
        ("هم‌تیمی‌ها", "هم‌تیمی‌های او آمدند"),
        ("هم‌تیمیهای", "هم‌تیمی او آمد"),
        ("همتیمیها", "هم‌تیمی‌ها آمدند"),  # three parts joined: the harness's one miss
        ("همتیمیها", "هم تیمی ها آمدند"),
        ("ناامیدکننده", "نتیجه‌ای نا امید کننده بود"),
        # clitics مان / تان after a consonant, ام / اش after ه (issue 16, "Word forms")
        ("کشورمان", "مردم کشور رای دادند"),
        ("کشور", "برای کشورمان کار کردیم"),
        ("دوستانمان", "دوست قدیمی آمد"),
        ("شهر", "شهرتان زیباست"),
        ("خانه", "خانهاش را فروخت"),
        ("خانهام", "خانه را فروختم"),
        # ات of a word in ه, and of a word in ت
        ("مطالعات", "نتیجه این مطالعه منتشر شد"),
        ("مطالعه", "مطالعات تازه منتشر شد"),
        ("حمله", "حملات هوایی ادامه یافت"),
        ("مذاکرات", "دور تازه مذاکره آغاز شد"),
        ("خدمت", "خدمات شهری"),
        ("امتحان", "امتحانات نهایی برگزار شد"),  # امتحانات → امتحان → امتح, as the query asks
        ("ایالت", "ایالات متحده"),
        # Arabic broken plurals
        ("احزاب", "حزب حاکم پیروز شد"),  # (اخبار / خبر: test_a_listed_plural_asked_ranks_first)
        ("حزب", "احزاب سیاسی"),
        ("قانون", "قوانین تازه تصویب شد"),
        ("مسئله", "مسائل اقتصادی کشور"),
        ("اعضای", "هر عضو شورا رای داد"),
    ],
)
def test_a_form_finds_another_form(index, query, text):
    add(
        index,
        article(text, title="خبر", url="https://example.ir/match"),
        article("گزارشی دیگر درباره باران و مهر", title="خبر", url="https://example.ir/other"),
    )
    assert urls(index.search(query)) == ["https://example.ir/match"]


def test_title_field_finds_forms(index):
    # title:مترو for a title that says متروی (the third case)
    add(index, article("متن", title="متروی تهران", url="https://example.ir/t"), article("مترو در متن", title="خبر"))
    assert urls(index.search("title:مترو")) == ["https://example.ir/t"]
    assert urls(index.search("title:متروی")) == ["https://example.ir/t"]


@pytest.mark.parametrize(
    ("query", "text"),
    [("مهر", "مهران آمد"), ("ایر", "ایران آمد"), ("دور", "دوران گذشت"), ("بار", "باران آمد"),
     ("تهر", "تهران"), ("ماه", "ماهی قرمز"), ("این", "اینتر برد"), ("ایران", "ایرانی"),
     ("مرد", "مردمان شهر"), ("شهرت", "شهرتان زیباست"), ("حمل", "حملات هوایی"), ("گفت", "گفتمان تازه"),
     ("مطالب", "مطالبات کارگران"), ("خاطر", "خاطرات جنگ")],
)
def test_a_word_does_not_find_a_word_that_only_looks_like_its_form(index, query, text):
    add(index, article(text, url="https://example.ir/x"))
    assert urls(index.search(query)) == []


def test_the_form_asked_ranks_first(index):
    add(
        index,
        article("گنجشک‌های باغ و گنجشک‌های کوچه", title="باغ", url="https://example.ir/other-form"),
        article("گنجشک آمد", title="کوچه", url="https://example.ir/bare"),
        article("گنجشک‌ها آمدند", title="شهر", url="https://example.ir/exact"),
    )
    found = urls(index.search("گنجشک‌ها"))
    assert found[0] == "https://example.ir/exact"
    assert set(found) == {"https://example.ir/exact", "https://example.ir/bare", "https://example.ir/other-form"}
    assert urls(index.search("انار")) == []  # nothing else leaks in


def test_a_listed_plural_asked_ranks_first(index):
    # اخبار finds the singular خبر through the list, below the plural as written
    add(
        index,
        article("یک خبر کوتاه", url="https://example.ir/singular"),
        article("اخبار ورزشی", url="https://example.ir/plural"),
    )
    assert urls(index.search("اخبار")) == ["https://example.ir/plural", "https://example.ir/singular"]
    assert urls(index.search("خبر")) == ["https://example.ir/singular", "https://example.ir/plural"]
    assert urls(index.search('"اخبار"')) == ["https://example.ir/plural"]  # quoted: as written


def test_the_bare_form_ranks_first_for_a_bare_query(index):
    add(
        index,
        article("درختان باغ و درختان کوچه", url="https://example.ir/plural"),
        article("یک درخت در باغ", url="https://example.ir/bare"),
    )
    assert urls(index.search("درخت")) == ["https://example.ir/bare", "https://example.ir/plural"]


def test_a_quoted_phrase_stays_exact(index):
    add(
        index,
        article("گنجشک‌های باغ پریدند", url="https://example.ir/form"),
        article("گنجشک‌ها باغ را ترک کردند", url="https://example.ir/exact"),
    )
    assert urls(index.search('"گنجشک‌ها"')) == ["https://example.ir/exact"]
    assert urls(index.search('"گنجشک‌های باغ"')) == ["https://example.ir/form"]
    assert set(urls(index.search("گنجشک‌ها"))) == {"https://example.ir/form", "https://example.ir/exact"}
    # spelling variants still hold inside quotes
    assert urls(index.search('"گنجشکهای باغ"')) == ["https://example.ir/form"]


def test_excluding_a_word_excludes_its_forms(index):
    add(index, article("درختان و باغ", url="https://example.ir/a"), article("باغ سبز", url="https://example.ir/b"))
    assert urls(index.search("باغ -درخت")) == ["https://example.ir/b"]


def test_snippet_marks_the_form_found(index):
    add(index, article("امسال انارهای ساوه زود رسید", title="میوه", url="https://example.ir/a"))
    hit = index.search("انار").hits[0]
    assert "<mark>انارهای</mark>" in hit.snippet_html


def test_snippet_marks_forms_when_the_fold_moves_offsets():
    # harakat make the fast path give up; the word-by-word path must mark the form too
    hl = Highlights(stems={"انار"}, words=1)
    html = make_snippet(["امسالْ انارهای ساوه زود رسید"], hl)
    assert "<mark>انارهای</mark>" in html
