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


def test_a_dari_story_found_by_search_is_dated_as_afghans_write_it(tmp_path):
    """Search hits carry the story's language, so the results page dates a Dari story
    with Afghan month names in Kabul time, as its article page does."""
    from fastapi.testclient import TestClient

    from vazeh.pipeline import Pipeline
    from vazeh.web import WebConfig, create_app

    page = (
        "<html lang='prs'><head><meta charset='utf-8'><title>بارش برف در کابل</title>"
        "<meta property='article:published_time' content='2025-03-01T10:00:00+04:30'></head><body><article>"
        "<h1>بارش برف در کابل</h1><p>برف سنگین امروز راه‌های کابل را بست و مکتب‌ها تعطیل شدند و شاروالی "
        "برای پاک‌کردن جاده‌ها کار می‌کند.</p><p>مسئولان گفتند تا فردا جاده‌های شمال کابل بسته می‌ماند و "
        "مردم از سفرهای بی‌ضرورت پرهیز کنند.</p><p>هواشناسی از ادامهٔ بارش در ولایت‌های مرکزی خبر داد.</p>"
        "</article></body></html>"
    ).encode()
    home = tmp_path / "home"
    with Pipeline(home) as pipeline:
        with pipeline.archive.transaction():
            cap = pipeline.archive.write_exchange(
                url="https://tolonews.com/fa/news/190001", status=200, body=page,
                response_headers=[("Content-Type", "text/html; charset=utf-8")],
            )
        pipeline.on_capture(cap)
        stored = pipeline.articles.for_capture(cap.id)
        assert stored is not None and stored.article.language == "prs" and stored.article.is_article
    with TestClient(create_app(home, config=WebConfig())) as c:
        hits = c.get("/api/search", params={"q": "کابل"}).json()["hits"]
        assert [h["language"] for h in hits] == ["prs"]
        html = c.get("/search", params={"q": "کابل"}).text
        hit = html[html.index('<ol class="hits">'):html.index("</ol>")]
        assert "حوت" in hit and "به وقت کابل" in hit and "اسفند" not in hit
