"""What a never-asked search page costs the room's threads: the work it hands over.

The search page's CPU is budgeted (bench/serve.py, "search-new"); these tests pin the
parts of it that are counted in calls rather than time, so they cannot drift back
unnoticed. Speed itself is measured by the benchmark, never asserted here.
"""

from __future__ import annotations

import re

from vazeh.web.room import IndexThread


def test_a_new_search_page_hands_the_index_thread_one_search_and_its_chart_together(client, sample, monkeypatch):
    submitted: list[str] = []
    real = IndexThread.submit

    def counting(self, fn):
        submitted.append(getattr(fn, "__qualname__", repr(fn)))
        return real(self, fn)

    monkeypatch.setattr(IndexThread, "submit", counting)
    r = client.get("/search", params={"q": "سمنان"})
    assert r.status_code == 200
    # The chart is on the page, drawn from the same turn of the index thread as the results.
    assert re.search(r'<figure class="attention search-attention">.*?<svg class="attn-chart"', r.text, re.S)
    assert "نتیجه" in r.text
    # One turn for the index's generation (the page cache's key), one for the search
    # with its chart: each hand-over wakes a thread that contends for the GIL.
    assert len(submitted) == 2, submitted
    # Asked again, the page comes from the cache: only the generation is asked.
    submitted.clear()
    again = client.get("/search", params={"q": "سمنان"})
    assert again.text == r.text and len(submitted) == 1, submitted


def test_a_chart_that_fails_leaves_the_results(client, sample, monkeypatch):
    from vazeh.web import attention

    def broken(q):
        def count(index):
            raise RuntimeError("the histogram broke")

        return count

    monkeypatch.setattr(attention, "search_chart_counts", broken)
    r = client.get("/search", params={"q": "سمنان"})
    assert r.status_code == 200
    assert 'class="attn-chart"' not in r.text
    assert re.search(r'<ol class="hits">\s*<li>\s*<a class="title"', r.text)


def test_the_room_writes_each_time_as_format_for_does_though_it_converts_each_day_once():
    """The date filters convert a day once and write the other times of that day by
    its clock alone: whatever the order, zone or calendar, the text is format_for's."""
    import random
    from datetime import UTC, datetime, timedelta
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    from vazeh.persian.dates import format_for
    from vazeh.web.app import make_templates
    from vazeh.web.fmt import parse_when

    env = make_templates("x").env
    page = env.from_string("{{ v|jalali(lang) }}|{{ v|jalali_date(lang) }}")
    rng = random.Random(16)
    zones = [UTC, ZoneInfo("Asia/Tehran"), ZoneInfo("Asia/Kabul"), ZoneInfo("America/New_York")]
    start = datetime(2004, 1, 1, tzinfo=UTC)
    moments = [(start + timedelta(minutes=rng.randrange(25 * 365 * 24 * 60))).astimezone(rng.choice(zones))
               for _ in range(1500)]
    # Many stories of a few days, around Iran's old clock changes and Kabul's midnight
    # (the Gregorian date turns at the same local midnight as the Jalali one).
    for day in (datetime(2015, 3, 21, tzinfo=ZoneInfo("Asia/Tehran")), datetime(2015, 9, 21, tzinfo=ZoneInfo("Asia/Tehran")),
                datetime(2025, 7, 23, 23, tzinfo=ZoneInfo("Asia/Kabul"))):
        moments += [day + timedelta(minutes=m) for m in range(-90, 26 * 60, 13)]
    rng.shuffle(moments)
    for both in (False, True):
        request = SimpleNamespace(cookies={"vazeh_calendar": "both"} if both else {})
        for dt in moments:
            for lang in (None, "prs"):
                value = dt.isoformat() if rng.random() < 0.5 else dt
                read = parse_when(value)  # the text's offset, for a wall time a clock change skipped
                assert page.render(v=value, lang=lang, request=request) == (
                    format_for(read, lang, gregorian=both) + "|" + format_for(read, lang, gregorian=both, clock=False)
                ), (value, lang, both)
