"""The reading room's dates by place and by the reader's calendar, newest captured, phone layout."""

from __future__ import annotations


def test_calendar_setting_is_a_cookie_set_by_a_plain_link(client):
    home = client.get("/")
    assert "/settings/calendar?calendar=both" in home.text and "<script" not in home.text
    r = client.get("/settings/calendar", params={"calendar": "both", "back": "/newest"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/newest"
    assert "vazeh_calendar=both" in r.headers["set-cookie"]
    client.cookies.set("vazeh_calendar", "both")
    try:
        page = client.get("/newest").text
        assert "(۳ ژانویه ۲۰۱۷)" in page or "۲۰۱۷)" in page or "۲۰۲" in page.split("<main>")[1]
        assert "به وقت" in page
        assert "calendar=jalali" in page
    finally:
        client.cookies.delete("vazeh_calendar")
    assert "به وقت" in client.get("/newest").text


def test_calendar_setting_never_redirects_elsewhere(client):
    for back in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        r = client.get("/settings/calendar", params={"calendar": "both", "back": back}, follow_redirects=False)
        assert r.headers["location"] == "/", back


def test_newest_captured_beside_newest_published(client):
    home = client.get("/").text
    assert "تازه‌ترین بایگانی‌شده‌ها" in home and 'href="/newest/captured"' in home
    # The news leads the home page; the charts come after it.
    assert home.index("تازه‌ترین خبرها</h1>") < home.index("<svg")
    listing = client.get("/newest/captured")
    assert listing.status_code == 200 and "تازه‌ترین بایگانی‌شده‌ها" in listing.text


def test_search_facets_fold_in_a_details_after_the_results(client):
    page = client.get("/search", params={"q": "سمنان"}).text
    assert '<details class="side-col facets">' in page and "<summary>پالایش نتیجه‌ها</summary>" in page
    assert page.index('class="hits"') < page.index("<details")
