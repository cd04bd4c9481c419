"""A search with no results suggests the nearest query that has some."""

from __future__ import annotations

import pytest

from vazeh.index.suggest import suggest

from .conftest import add, article


@pytest.fixture
def metro(index):
    add(
        index,
        article("خط ده مترو تا پایان سال به ایستگاه شهرک غرب می‌رسد", title="مترو شهرک غرب",
                published="2017-01-10T10:00:00+03:30", category=["شهری"]),  # 1395/10/21
        article("بارش برف جاده چالوس را بست", title="برف", published="2017-02-25T10:00:00+03:30"),  # 1395/12/07
    )
    return index


def test_one_word_dropped(metro):
    r = metro.search("مترو زیردریایی")
    assert r.total == 0
    assert (r.suggestion.query, r.suggestion.total, r.suggestion.kind) == ("مترو", 1, "drop")
    assert r.to_dict()["suggestion"] == {"query": "مترو", "total": 1, "kind": "drop"}


def test_a_phrase_as_plain_words_comes_before_dropping_a_word(metro):
    r = metro.search('"غرب شهرک" مترو')
    assert r.total == 0
    assert (r.suggestion.query, r.suggestion.kind) == ("غرب شهرک مترو", "form")


def test_a_looser_date_day_then_month_then_year(metro):
    r = metro.search("مترو date:1395/10/05")
    assert (r.suggestion.query, r.suggestion.kind) == ("مترو date:1395/10", "date")
    r = metro.search("برف تاریخ:1395/10/05")
    assert (r.suggestion.query, r.suggestion.kind) == ("برف date:1395", "date")
    r = metro.search("برف date:2016-01-01..2016-12-31")
    assert (r.suggestion.query, r.suggestion.total) == ("برف date:2015..2017", 1)
    r = metro.search("مترو date:1395/10/25..")
    assert r.suggestion.query == "مترو date:1395.."
    r = metro.search("برف date:1394")
    assert (r.suggestion.query, r.suggestion.kind) == ("برف", "date")


def test_another_filter_dropped_last(metro):
    r = metro.search("مترو category:ورزشی")
    assert (r.suggestion.query, r.suggestion.kind) == ("مترو", "filter")


def test_no_suggestion_when_there_are_hits_or_nothing_near(metro):
    assert metro.search("مترو").suggestion is None
    assert metro.search("زیردریایی").suggestion is None
    # a side of OR is not a word of the whole query: left as it is
    assert metro.search("(زیردریایی OR هواپیما) کشتی").suggestion is None


def test_an_exclusion_is_kept(metro):
    r = metro.search("مترو زیردریایی -برف")
    assert r.suggestion.query == "مترو -برف"


def test_a_word_form_is_tried_first():
    seen = []

    def count(q: str) -> int:
        seen.append(q)
        return {"کتاب تهران": 4, "کتابهایشان": 9}.get(q, 0)

    s = suggest("کتابهایشان تهران", count)
    assert (s.query, s.total, s.kind) == ("کتاب تهران", 4, "form")
    assert seen[0] == "کتاب تهران"
    s = suggest("کتاب‌های تهران", count)
    assert (s.query, s.kind) == ("کتاب تهران", "form")


def test_the_rewrite_with_most_hits_wins_within_a_kind():
    s = suggest("الف ب پ", lambda q: {"ب پ": 2, "الف پ": 5, "الف ب": 1}.get(q, 0))
    assert (s.query, s.total) == ("الف پ", 5)
