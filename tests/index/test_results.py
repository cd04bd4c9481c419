"""What a result shows: original text in snippets, marks, facets, Jalali dates, near-duplicates."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.index.conftest import add, article


def test_snippet_is_the_original_text_with_matches_marked(index):
    add(index, article("در اين گزارش كتاب‌ها و دفترها را شمردیم؛ قیمت ۲٫۵ هزار تومان بود."))
    hit = index.search("کتاب 2.5").hits[0]
    # Arabic yeh/kaf, ZWNJ and Persian digits stay as published.
    assert "<mark>كتاب</mark>\u200cها" in hit.snippet_html
    assert "<mark>۲٫۵</mark>" in hit.snippet_html
    assert "اين" in hit.snippet_html


def test_snippet_is_html_escaped(index):
    add(index, article('کد <script>alert("x")</script> در صفحه مترو & اتوبوس'))
    html = index.search("مترو").hits[0].snippet_html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&amp;" in html
    assert "<mark>مترو</mark>" in html


def test_snippet_marks_both_halves_of_a_spaced_match(index):
    add(index, article("سامانه جدید فردا راه اندازی خواهد شد."))
    assert "<mark>راه</mark> <mark>اندازی</mark>" in index.search("راهاندازی").hits[0].snippet_html


def test_snippet_picks_the_matching_paragraph_of_a_long_article(index):
    filler = "این بند درباره موضوعی دیگر است. " * 30
    a = article("", lead="لید خبر")
    a.body = [filler, "در این بند سخن از آتشفشان است.", filler]
    add(index, a)
    html = index.search("آتشفشان").hits[0].snippet_html
    assert "<mark>آتشفشان</mark>" in html
    assert len(html) < 400


def test_facets_count_sources_categories_and_jalali_months(index):
    add(
        index,
        article("خبر انتخابات", source="مهر", category=["سیاسی"], published="2017-01-10T10:00:00+03:30"),
        article("خبر انتخابات", source="مهر", category=["سیاسی"], published="2017-01-25T10:00:00+03:30"),
        article("خبر انتخابات", source="ایسنا", category=["اجتماعی"], published="2017-02-25T10:00:00+03:30"),
    )
    r = index.search("انتخابات")
    assert r.facets["source"] == [("مهر", 2), ("ایسنا", 1)]
    assert dict(r.facets["category"]) == {"سیاسی": 2, "اجتماعی": 1}
    assert r.facets["month"] == [("1395-12", 1), ("1395-11", 1), ("1395-10", 1)]


def test_hit_fields(index):
    add(index, article("خبر آزمون", title="عنوان آزمون", source="مهر", url="https://mehr.example/n/1",
                       published="2017-01-10T10:00:00+03:30"))
    hit = index.search("آزمون").hits[0]
    assert hit.title == "عنوان آزمون"
    assert hit.source == "مهر"
    assert hit.url == "https://mehr.example/n/1"
    assert hit.published == "2017-01-10T10:00:00+03:30"
    assert "۱۳۹۵" in (hit.published_jalali or "")
    d = index.search("آزمون").to_dict()
    assert d["hits"][0]["snippet_html"] and d["total"] == 1 and d["facets"]["source"] == [["مهر", 1]]


def test_republished_story_shows_earliest_version_and_who_else_published_it(index):
    story = (
        "وزیر نیرو امروز در نشستی خبری از آغاز ساخت سه سد تازه در استان‌های جنوبی کشور خبر داد "
        "و گفت این طرح‌ها تا پایان سال آینده به بهره‌برداری می‌رسند و آب آشامیدنی صدها روستا را تامین می‌کنند."
    )
    add(
        index,
        article(story + " به گزارش ایسنا", source="ایسنا", url="https://isna.example/1", published="2017-01-10T12:00:00+03:30"),
        article(story, source="مهر", url="https://mehr.example/1", published="2017-01-10T09:00:00+03:30"),
        article(story + " منبع: مهر", source="وضوح", url="https://vazeh.example/1", published="2017-01-10T15:00:00+03:30"),
        article("گزارشی بی‌ربط درباره ساخت سد در کشوری دیگر که کوتاه است", source="فارس", url="https://fars.example/1"),
        fingerprints=True,
    )
    r = index.search("سد")
    assert r.total == 4
    assert len(r.hits) == 2
    grouped = next(h for h in r.hits if h.also_published_by)
    assert grouped.url == "https://mehr.example/1"  # the earliest version
    assert sorted(o["source"] for o in grouped.also_published_by) == ["ایسنا", "وضوح"]


def test_a_source_filter_shows_that_sources_copy_of_a_republished_story(index):
    story = (
        "شورای شهر امروز بودجه سال آینده را با افزایش سهم حمل و نقل عمومی تصویب کرد و "
        "ساخت دو خط تازه مترو و خرید سیصد اتوبوس برقی را در اولویت قرار داد."
    )
    add(
        index,
        article(story, source="مهر", url="https://mehr.example/2", published="2017-01-10T09:00:00+03:30"),
        article(story + " به گزارش ایسنا", source="ایسنا", url="https://isna.example/2",
                published="2017-01-10T12:00:00+03:30"),
        fingerprints=True,
    )
    hit = index.search("بودجه source:ایسنا").hits[0]
    assert hit.url == "https://isna.example/2"
    assert [o["source"] for o in hit.also_published_by] == ["مهر"]


def test_no_hits_still_has_every_facet(index):
    add(index, article("گزارش"))
    r = index.search("ناموجود")
    assert r.total == 0 and r.hits == []
    assert r.facets == {"source": [], "agency": [], "outlet": [], "category": [], "month": []}


def test_title_matches_rank_first(index):
    add(
        index,
        article("در این متن از زلزله یاد شده است اما موضوع چیز دیگری است", title="خبر روز", url="https://a.ir/body"),
        article("متن کوتاه", title="زلزله در کرمان", url="https://a.ir/title"),
    )
    assert [h.url for h in index.search("زلزله").hits] == ["https://a.ir/title", "https://a.ir/body"]


def test_snippet_marks_words_whose_spelling_changes_length_when_folded(index):
    # Harakat vanish when folded, so offsets shift: the word-by-word path marks these.
    add(index, article("سخنرانی مُحَمَّد در دانشگاه تهران برگزار شد."))
    html = index.search("محمد").hits[0].snippet_html
    assert "<mark>مُحَمَّد</mark>" in html


def test_snippet_does_not_mark_part_of_a_number(index):
    add(index, article("نرخ رشد 2.5 درصد و 2 برابر شد"))
    html = index.search("2").hits[0].snippet_html
    assert "<mark>2</mark> برابر" in html
    assert "<mark>2</mark>.5" not in html


def test_snippet_fold_agrees_with_persian_normalize():
    from vazeh.index.snippets import _fold_same_length
    from vazeh.persian import normalize

    for text in ["كتاب‌هاي ۱۲۳ ٢٫٥ TEHRAN", "ﻛﺘﺎﺏ خانۀ", "سلام\\nدنیا", "مُحَمَّد", "😀 خبر"]:
        folded = _fold_same_length(text)
        if folded is not None:
            assert folded == normalize(text)
    assert _fold_same_length("كتاب‌هاي ۱۲۳") == normalize("كتاب‌هاي ۱۲۳")


def test_a_repeated_query_is_answered_again_after_a_commit(index):
    from tests.index.conftest import add, article

    add(index, article("باران شدید در گیلان", url="https://example.ir/a"))
    first = index.search("باران")
    assert index.search("باران") is first  # cached while nothing changed
    add(index, article("باران و برف در اردبیل", url="https://example.ir/b"))
    assert index.search("باران").total == 2  # a commit makes the cached answer stale


def test_snippet_looks_past_the_first_stretch_for_a_passage_with_every_word(index):
    filler = "این بند درباره موضوعی دیگر است. " * 60  # longer than the first stretch searched
    a = article("", lead="لید خبر درباره باران")
    a.body = [filler, "باران و سیلاب در این بند با هم آمده‌اند.", filler]
    add(index, a)
    html = index.search("باران سیلاب").hits[0].snippet_html
    assert "<mark>باران</mark> و <mark>سیلاب</mark>" in html


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=-1_700_000_000, max_value=4_700_000_000))
def test_month_table_agrees_with_the_calendar(ts):
    from datetime import UTC, datetime

    from vazeh.index.search import _month_starts, jalali_month, jalali_month_at

    assert jalali_month_at(ts) == jalali_month(datetime.fromtimestamp(ts, UTC))
    # and on both sides of the month start nearest to ts
    starts, _ = _month_starts()
    edge = min(starts, key=lambda s: abs(s - ts))
    for t in (edge - 1, edge, edge + 1):
        assert jalali_month_at(t) == jalali_month(datetime.fromtimestamp(t, UTC))
