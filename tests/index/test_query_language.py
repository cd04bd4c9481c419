"""Each feature of the query language, and a clear QueryError for each kind of mistake."""

from __future__ import annotations

import pytest
from tests.index.conftest import add, article, urls

from vazeh.index import QueryError


@pytest.fixture
def news(index):
    add(
        index,
        article(
            "بارش باران در تهران ادامه دارد و مدارس تعطیل شد.",
            title="باران تهران",
            source="خبرگزاری مهر",
            category=["اجتماعی"],
            tags=["آب و هوا"],
            published="2017-01-10T10:00:00+03:30",  # 1395/10/21
            url="https://example.ir/rain",
        ),
        article(
            "تیم ملی فوتبال در تهران تمرین کرد.",
            title="تمرین تیم ملی",
            source="ایسنا",
            category=["ورزشی"],
            tags=["فوتبال"],
            published="2016-12-25T18:00:00+03:30",  # 1395/10/05
            url="https://example.ir/football",
        ),
        article(
            "قیمت نفت در بازار جهانی بالا رفت و باران خبری نبود.",
            title="بازار نفت",
            source="خبرگزاری مهر",
            category=["اقتصادی"],
            published="2017-03-01T09:00:00+03:30",  # 1395/12/11
            url="https://example.ir/oil",
        ),
    )
    return index


def found(index, q, **kw):
    return sorted(urls(index.search(q, **kw)))


def test_words_must_all_match(news):
    assert found(news, "تهران باران") == ["https://example.ir/rain"]
    assert found(news, "تهران") == ["https://example.ir/football", "https://example.ir/rain"]


def test_phrase_keeps_word_order(news):
    assert found(news, '"باران در تهران"') == ["https://example.ir/rain"]
    assert found(news, '"تهران در باران"') == []
    assert found(news, "«تیم ملی»") == ["https://example.ir/football"]


def test_exclusion(news):
    assert found(news, "باران -تهران") == ["https://example.ir/oil"]
    assert found(news, 'تهران -"تیم ملی"') == ["https://example.ir/rain"]


def test_or(news):
    assert found(news, "نفت OR فوتبال") == ["https://example.ir/football", "https://example.ir/oil"]
    assert found(news, "(نفت OR فوتبال) تهران") == ["https://example.ir/football"]


def test_fields(news):
    assert found(news, "title:باران") == ["https://example.ir/rain"]
    assert found(news, 'source:"خبرگزاری مهر"') == ["https://example.ir/oil", "https://example.ir/rain"]
    assert found(news, "source:ایسنا تهران") == ["https://example.ir/football"]
    assert found(news, "category:ورزشی") == ["https://example.ir/football"]
    assert found(news, 'tag:"آب و هوا"') == ["https://example.ir/rain"]
    assert found(news, "منبع:ایسنا") == ["https://example.ir/football"]


def test_field_values_are_matched_with_the_same_analysis(news):
    # Arabic kaf/yeh and ZWNJ/space differences in a source name do not matter.
    assert found(news, 'source:"خبرگزاري مهر"') == ["https://example.ir/oil", "https://example.ir/rain"]


def test_jalali_and_gregorian_dates(news):
    assert found(news, "date:1395/10/01..1395/10/30") == ["https://example.ir/football", "https://example.ir/rain"]
    assert found(news, "date:۱۳۹۵/۱۰/۲۱") == ["https://example.ir/rain"]
    assert found(news, "date:2017-01-01..2017-01-31") == ["https://example.ir/rain"]
    assert found(news, "date:1395/10/21..") == ["https://example.ir/oil", "https://example.ir/rain"]
    assert found(news, "date:..2016-12-31") == ["https://example.ir/football"]
    assert found(news, "date:1395/12") == ["https://example.ir/oil"]
    assert found(news, "باران date:2017") == ["https://example.ir/oil", "https://example.ir/rain"]


def test_date_range_includes_its_last_day_in_tehran_time(index):
    add(index, article("گزارش شب", published="2017-01-31T23:50:00+03:30", url="https://example.ir/late"))
    assert found(index, "date:2017-01-01..2017-01-31") == ["https://example.ir/late"]
    assert found(index, "date:2017-02-01..") == []


def test_sort_newest(news):
    r = news.search("تهران OR نفت", sort="newest")
    assert urls(r) == ["https://example.ir/oil", "https://example.ir/rain", "https://example.ir/football"]


def test_pagination_and_total(index):
    add(index, *[article(f"گزارش شماره {i} درباره مترو", url=f"https://example.ir/{i}") for i in range(25)])
    pages = [index.search("مترو", page=p, per_page=10, sort="newest") for p in (1, 2, 3)]
    assert [r.total for r in pages] == [25, 25, 25]
    assert [len(r.hits) for r in pages] == [10, 10, 5]
    assert pages[0].pages == 3
    seen = [u for r in pages for u in urls(r)]
    assert len(set(seen)) == 25


@pytest.mark.parametrize(
    "query, message, code",
    [
        ("", "empty query", "empty_query"),
        ("   ", "empty query", "empty_query"),
        ('"راه اندازی', "unbalanced quote", "unbalanced_quote"),
        ("«راه اندازی", "unbalanced quote", "unbalanced_quote"),
        ("author:علی", "unknown field 'author:'", "unknown_field"),
        ("date:1395/13/01", "not a valid Jalali date", "impossible_date"),
        ("date:2017-02-30", "not a valid Gregorian date", "impossible_date"),
        ("date:دیروز", "bad date", "bad_date"),
        ("date:1395/10/30..1395/10/01", "start is after the end", "reversed_date_range"),
        ("date:..", "at least one end", "open_date_range"),
        ("-تهران", "only of exclusions", "only_exclusions"),
        ("-تهران -باران", "only of exclusions", "only_exclusions"),
        ("تهران OR", "OR needs a search term on both sides", "or_needs_sides"),
        ("OR تهران", "OR needs a search term on both sides", "or_needs_sides"),
        ("تهران OR -باران", "cannot be one side of OR", "or_exclusion"),
        ("(تهران", "unbalanced parentheses", "unclosed_parenthesis"),
        ("تهران)", "unbalanced parentheses", "unopened_parenthesis"),
        ("()", "empty parentheses", "empty_parentheses"),
        ("title:", "needs a value", "field_needs_value"),
        ('""', "empty phrase", "empty_phrase"),
        ("، ؛ !", "no searchable words", "no_searchable_words"),
        ("باران " * 300, "too long", "too_many_characters"),
        ("واژه " * 70, "more than 64 words", "too_many_words"),
    ],
)
def test_malformed_queries_say_what_is_wrong(news, query, message, code):
    with pytest.raises(QueryError) as e:
        news.search(query)
    assert message in str(e.value)
    # The code is what other interfaces (the reading room's Persian) translate from.
    assert e.value.code == code


def test_errors_carry_the_fragments_they_are_about(news):
    with pytest.raises(QueryError) as e:
        news.search('تهران "راه اندازی')
    assert e.value.params == {"fragment": '"راه اندازی', "close": '"'}
    with pytest.raises(QueryError) as e:
        news.search("author:علی")
    assert e.value.params == {"field": "author:"}
    with pytest.raises(QueryError) as e:
        news.search("date:1395/10/30..1395/10/01")
    assert e.value.params == {"value": "1395/10/30..1395/10/01"}


def test_bad_sort_and_page(news):
    with pytest.raises(QueryError, match="unknown sort"):
        news.search("تهران", sort="oldest-first")
    with pytest.raises(QueryError, match="page must be"):
        news.search("تهران", page=0)


def test_an_address_or_a_colon_in_text_is_not_a_field(index):
    add(index, article("به گزارش https://news.example.ir/a ساعت 10:30 گفت: سلام", url="https://example.ir/u"))
    assert urls(index.search("https://news.example.ir/a")) == ["https://example.ir/u"]
    assert urls(index.search("گفت: 10:30")) == ["https://example.ir/u"]


def test_a_filter_alone_lists_what_it_selects(news):
    assert found(news, "source:ایسنا") == ["https://example.ir/football"]
    assert found(news, "date:1395/12/01..") == ["https://example.ir/oil"]


@pytest.mark.parametrize("buckets", [None, 2])
def test_phrases_of_common_words_find_exactly_the_contiguous_runs(index, monkeypatch, buckets):
    # Such phrases are answered with word-pair terms; they must find what a plain
    # positional phrase would, even when every hashed pair shares one of two buckets.
    import random

    from vazeh.index import plan

    if buckets:
        monkeypatch.setattr(plan, "PAIR_BUCKETS", buckets)

    from vazeh.persian import tokenize

    rng = random.Random(7)
    vocab = ["و", "در", "به", "از", "که", "این", "را", "تهران", "باران", "خبر"]
    texts = [" ".join(rng.choice(vocab) for _ in range(rng.randint(2, 12))) for _ in range(60)]
    add(index, *[article(t, title=None, url=f"https://example.ir/{i}") for i, t in enumerate(texts)])

    def has_run(text, run):
        toks = tokenize(text)
        return any(toks[i : i + len(run)] == run for i in range(len(toks) - len(run) + 1))

    for _ in range(60):
        words = [rng.choice(vocab) for _ in range(rng.randint(2, 3))]
        expected = {f"https://example.ir/{i}" for i, t in enumerate(texts) if has_run(t, words)}
        got = set(urls(index.search('"' + " ".join(words) + '"', per_page=100)))
        assert got == expected, words
