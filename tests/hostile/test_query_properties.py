"""Any text typed as a query either parses or raises QueryError with a message, and
what parses runs on a real index without any other exception (issue 12)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vazeh.extract.model import Article
from vazeh.index import QueryError, SearchIndex, Story
from vazeh.index.query import MAX_QUERY_CHARS, MAX_TERMS, parse

# Pieces of the query language and of what breaks parsers, glued together at random.
PIECES = [
    " ", "  ", "\t", "\n", "(", ")", '"', "«", "»", "“", "”", "-", "|", ":", "..", "/", "//", "_", "=", ".",
    "OR", "or", "NOT", "AND", "title:", "source:", "category:", "tag:", "date:", "author:", "https://",
    "عنوان:", "منبع:", "دسته:", "برچسب:", "تاریخ:",
    "1395/10/01", "1395/13/40", "2017-01-31", "0001", "9999", "99999999999999999999", "۱۳۹۵/۱۰", "٢٠١٧",
    "باران", "تهران", "در", "از", "این", "راه", "اندازی", "راه‌اندازی", "راهاندازی", "می‌شود", "ي", "ك", "ـ",
    "\u200c", "\u200d", "\u200f", "\ufeff", "\x00", "\x1f", "\x7f", "\ud800", "\udfff", "\U0001f110", "ﷺ",
    "a", "ab", "abc" * 40, "a.b.c", "é", "ß", "İ", "ﬁ", "①", "\u0301",
]
# Mostly well-formed queries with odd characters inside words, so that many reach the engine.
WORDISH = [p for p in PIECES if p.strip() and p not in ("(", ")", '"', "«", "»", "“", "”", "-", "|", ":", "author:")]
queries = st.one_of(
    st.lists(st.lists(st.sampled_from(WORDISH), min_size=1, max_size=3).map("".join), max_size=8).map(" ".join),
    st.text(max_size=80),
    st.lists(st.sampled_from(PIECES), max_size=60).map("".join),
    st.text(min_size=MAX_QUERY_CHARS - 5, max_size=MAX_QUERY_CHARS + 5),
    st.integers(0, 40).flatmap(lambda n: st.just("(" * n + "باران" + ")" * n)),
    st.integers(0, 80).map(lambda n: "-" * n + "باران"),
    st.integers(1, 600).map(lambda n: '"' + ".".join(["ab"] * n) + '"'),
)


def _is_tree(node: object) -> bool:
    from vazeh.index import query as q

    return isinstance(node, q.Word | q.PhraseQ | q.Exact | q.DateRange | q.Not | q.And | q.Or)


@settings(max_examples=400, deadline=None)
@given(queries)
def test_any_text_parses_or_raises_query_error(text: str) -> None:
    try:
        node = parse(text)
    except QueryError as e:
        assert str(e).strip()
        return
    assert _is_tree(node)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    ix = SearchIndex(Path(tmp_path_factory.mktemp("qprop")) / "index")
    texts = [
        ("بارش باران در تهران ادامه دارد و مدارس تعطیل شد.", "باران تهران", "خبرگزاری مهر", "2017-01-10T10:00:00+03:30"),
        ("راه اندازی خط تازه مترو از این هفته آغاز می‌شود. ab abc a b", "مترو", "ایسنا", "2016-12-25T18:00:00+03:30"),
        ("قیمت نفت در بازار جهانی بالا رفت؛ باران خبری نبود. ab.ab.ab", "بازار نفت", "ایرنا", "2017-03-01T09:00:00+03:30"),
    ]
    stories = [
        Story(
            key=f"k{i}",
            article_id=i,
            capture_id=100 + i,
            article=Article(
                url=f"https://example.ir/news/{i}", title=title, body=[body], source=source, published=published,
                category=["اجتماعی"], tags=["آب و هوا"],
            ),
            fingerprint=None,
        )
        for i, (body, title, source, published) in enumerate(texts)
    ]
    ix.add_stories(stories)
    ix.commit()
    try:
        yield ix
    finally:
        ix.close()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(queries, st.sampled_from(["relevance", "newest"]))
def test_any_query_runs_on_an_index_or_raises_query_error(index: SearchIndex, text: str, sort: str) -> None:
    # BaseException: a Rust panic in the engine arrives as pyo3_runtime.PanicException.
    try:
        results = index.search(text, sort=sort)
    except QueryError as e:
        assert str(e).strip()
        return
    except BaseException as e:  # noqa: BLE001 - this is what the test is looking for
        pytest.fail(f"{text!r} raised {type(e).__name__}: {e}")
    assert results.total >= len(results.hits)


@pytest.mark.parametrize("text", ["باران\ud800", "\udfffتهران", 'title:"باران \ud83d"', "source:\udc80"])
def test_a_lone_surrogate_is_a_query_error(index: SearchIndex, text: str) -> None:
    with pytest.raises(QueryError, match="invalid character .* position"):
        index.search(text)


@pytest.mark.parametrize("join", [".", "/", "،", "_"])
def test_one_word_of_too_many_tokens_is_a_query_error(index: SearchIndex, join: str) -> None:
    word = join.join(["ab"] * (MAX_TERMS + 1))
    for text in (word, f'"{word}"', f"title:{word}", f'باران -"{word}"'):
        with pytest.raises(QueryError, match="query too long"):
            index.search(text)
    assert index.search(join.join(["ab"] * MAX_TERMS)).total == 0
