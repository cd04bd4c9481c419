"""The chart's count of every story per day is computed once per window and commit."""

from __future__ import annotations

from datetime import date

from tests.index.conftest import add, article

from vazeh.index.attention import attention


def test_the_count_of_all_stories_is_reused_until_a_commit(index):
    add(index, article("باران در شمال", published="2021-03-10T10:00:00+03:30"),
        article("سیل در جنوب", published="2021-03-12T10:00:00+03:30"))
    engine = index.engine
    calls = []
    histogram = engine.histogram

    def counting(match, **kw):
        calls.append(repr(match))
        return histogram(match, **kw)

    engine.histogram = counting
    first, last = date(2021, 3, 9), date(2021, 3, 13)
    a = attention(index, ["باران"], by="day", start=first, end=last)
    b = attention(index, ["سیل"], by="day", start=first, end=last)
    everything = [c for c in calls if "All(must=()" in c]
    assert len(everything) == 1  # the second query's chart reused the first one's totals
    assert a.totals == b.totals and sum(a.totals) == 2
    add(index, article("باران دوباره", published="2021-03-11T10:00:00+03:30"))
    c = attention(index, ["باران"], by="day", start=first, end=last)
    assert sum(c.totals) == 3  # a commit makes them counted again
    assert sum(c.series[0].counts) == 2


def test_a_query_is_planned_once_for_its_span_and_its_counts(index, monkeypatch):
    from vazeh.index import plan as plan_module
    from vazeh.index.attention import window

    add(index, article("تگرگ در شمال", published="2021-03-10T10:00:00+03:30"))
    planned = []
    original = plan_module.Planner.plan

    def counting(self, node):
        planned.append(node)
        return original(self, node)

    monkeypatch.setattr(plan_module.Planner, "plan", counting)
    span = window(index, ["تگرگ"])
    a = attention(index, ["تگرگ"], by="day", start=span[0], end=span[1])
    assert sum(a.series[0].counts) == 1
    assert len(planned) == 1  # the counts reused the span's plan
    add(index, article("تگرگ دوباره", published="2021-03-10T11:00:00+03:30"))
    assert sum(attention(index, ["تگرگ"], by="day", start=span[0], end=span[1]).series[0].counts) == 2
    assert len(planned) == 2  # a commit: planned again against the new index


def test_the_search_chart_counts_its_query_in_one_pass_and_agrees_with_attention(index):
    from datetime import timedelta

    from vazeh.index.attention import query_chart, window

    add(index, article("تگرگ در شمال", published="2023-06-10T10:00:00+03:30"),
        article("تگرگ در جنوب", published="2023-06-20T23:50:00+03:30"),
        article("باران", published="2023-05-01T10:00:00+03:30"))
    span = window(index, ["تگرگ"])
    first, last = min(span[0], span[1] - timedelta(days=13)), span[1]
    expected = attention(index, ["تگرگ"], by="day", start=first, end=last)
    engine = index.engine
    calls = []
    histogram = engine.histogram

    def counting(match, **kw):
        calls.append(repr(match))
        return histogram(match, **kw)

    engine.histogram = counting
    chart = query_chart(index, "تگرگ", min_days=14, pick_by=lambda a, b: "day")
    assert (chart.periods, chart.totals, chart.series[0].counts) == (expected.periods, expected.totals,
                                                                     expected.series[0].counts)
    assert sum(chart.series[0].counts) == 2
    # One histogram of the query's matches (2023 has no summer time: one run of days),
    # not one for its span and another for its counts; the archive's span and the count
    # of all stories are histograms of every story, kept until the next commit.
    assert len([c for c in calls if "تگرگ" in c]) == 1
    assert query_chart(index, "برف", min_days=14, pick_by=lambda a, b: "day") is None
