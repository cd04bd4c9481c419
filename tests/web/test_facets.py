"""The search page's filters: typed by hand or clicked, each shown once as active."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from vazeh.web.fmt import tehran_day


def facet_links(html: str) -> dict[str, tuple[bool, str]]:
    """Each facet value's label -> (chosen, the query its link runs)."""
    out = {}
    for on, href, label in re.findall(r'<li( class="on")?><a href="([^"]+)">(?:✕ )?([^<]+)</a> <span>', html):
        out[unescape(label)] = (bool(on), parse_qs(urlsplit(unescape(href)).query).get("q", [""])[0])
    return out


def chips(html: str) -> list[tuple[str, str]]:
    """Each active filter chip: its text and the query its ✕ runs."""
    found = re.findall(r'<li class="chip[^"]*"><span>(.*?)</span> <a href="([^"]+)"', html)
    return [(unescape(re.sub(r"<[^>]+>", "", t)), parse_qs(urlsplit(unescape(h)).query).get("q", [""])[0])
            for t, h in found]


def test_a_filter_typed_by_hand_is_active_and_its_facet_value_takes_it_off(client, sample):
    r = client.get("/search", params={"q": "سمنان منبع:آوا"})
    assert r.status_code == 200
    # «آوا» is not «خبرگزاری آوا»: not one value, so nothing is chosen and the filter matches nothing.
    assert chips(r.text) == [("منبع: آوا", "سمنان")]
    r = client.get("/search", params={"q": 'سمنان منبع:"خبرگزاري  آوا"'})
    links = facet_links(r.text)
    assert chips(r.text) == [("منبع: خبرگزاري  آوا", "سمنان")]
    assert links["خبرگزاری آوا"] == (True, "سمنان")  # Arabic yeh and two spaces: the same value
    assert links["ava.example"] == (False, 'سمنان منبع:"خبرگزاري  آوا" outlet:"ava.example"')


def test_clicking_an_active_facet_never_adds_it_twice(client, sample):
    first = client.get("/search", params={"q": "سمنان"})
    on, q = facet_links(first.text)["خبرگزاری آوا"]
    assert not on and q == 'سمنان agency:"خبرگزاری آوا"'
    second = client.get("/search", params={"q": q})
    assert chips(second.text) == [("منبع خبر: خبرگزاری آوا", "سمنان")]
    on, q2 = facet_links(second.text)["خبرگزاری آوا"]
    assert on and q2 == "سمنان" and q2.count("agency:") == 0


def test_outlet_facet_lists_the_site_of_each_copy(client, sample):
    r = client.get("/search", params={"q": "سمنان outlet:peyk.example"})
    links = facet_links(r.text)
    assert links["peyk.example"] == (True, "سمنان")
    assert "۱ نتیجه" in unescape(re.sub(r"<[^>]+>", " ", r.text))


def test_hand_typed_category_and_month_are_active(client, sample):
    day = tehran_day(sample.stories["flood"].article.published)
    from vazeh.index.search import jalali_month
    from vazeh.web.fmt import parse_when

    month = jalali_month(parse_when(sample.stories["flood"].article.published))
    q = f"سیلاب دسته:سمنان تاریخ:{month.replace('-', '/')}"
    r = client.get("/search", params={"q": q})
    assert r.status_code == 200 and day
    links = facet_links(r.text)
    assert links["سمنان"] == (True, f"سیلاب تاریخ:{month.replace('-', '/')}")
    chosen_months = [label for label, (on, _q) in links.items() if on and label != "سمنان"]
    assert len(chosen_months) == 1
    assert [c[1] for c in chips(r.text)] == [f"سیلاب تاریخ:{month.replace('-', '/')}", "سیلاب دسته:سمنان"]


def test_an_exclusion_is_a_chip_and_a_side_of_or_is_not(client, sample):
    r = client.get("/search", params={"q": "سمنان -دسته:ورزشی (شهرداری OR source:x)"})
    assert r.status_code == 200
    assert chips(r.text) == [("بدون دسته: ورزشی", "سمنان (شهرداری OR source:x)")]


def test_no_results_suggest_the_nearest_query_in_persian(client, sample):
    r = client.get("/search", params={"q": "سمنان زیردریایی"})
    assert r.status_code == 200
    page = unescape(re.sub(r"<[^>]+>", " ", r.text))
    assert "چیزی پیدا نشد" in page
    assert "آیا منظورتان" in page and "بود؟" in page and "(۲ نتیجه، بدون یک واژه)" in page
    m = re.search(r'<p class="suggestion">آیا منظورتان <a href="([^"]+)">', r.text)
    assert parse_qs(urlsplit(unescape(m.group(1))).query)["q"] == ["سمنان"]
    assert "آیا منظورتان" not in client.get("/search", params={"q": "سمنان"}).text


def test_the_api_gives_the_suggestion_and_each_hits_outlet_and_agency(client, sample):
    data = client.get("/api/search", params={"q": "سمنان زیردریایی"}).json()
    assert data["total"] == 0 and data["suggestion"] == {"query": "سمنان", "total": 2, "kind": "drop"}
    data = client.get("/api/search", params={"q": "سمنان"}).json()
    assert data["suggestion"] is None
    assert {(h["outlet"], h["agency"]) for h in data["hits"]} == {("ava.example", "خبرگزاری آوا")}
    assert dict(data["facets"]["outlet"]) == {"ava.example": 1, "peyk.example": 1}
    assert dict(data["facets"]["agency"]) == {"خبرگزاری آوا": 1, "روزنامهٔ پیک": 1}
    twin = client.get("/search.json", params={"q": "سمنان زیردریایی"}).json()
    assert twin["suggestion"] == {"query": "سمنان", "total": 2, "kind": "drop"}
