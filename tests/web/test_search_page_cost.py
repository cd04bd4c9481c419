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
