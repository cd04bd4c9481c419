"""The reading room over an archive built the way capture builds it: exchange, then the pipeline."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from fastapi.testclient import TestClient

from vazeh.pipeline import Pipeline
from vazeh.web import WebConfig, create_app

PAGE = """<!doctype html>
<html lang="fa" dir="rtl"><head><meta charset="utf-8">
<title>آغاز طرح کاشت درخت در حاشیهٔ رودخانه</title>
<meta property="og:title" content="آغاز طرح کاشت درخت در حاشیهٔ رودخانه">
<meta property="article:published_time" content="2026-11-20T09:15:00+03:30">
<meta property="og:site_name" content="خبرگزاری آوا">
</head><body><article>
<h1>آغاز طرح کاشت درخت در حاشیهٔ رودخانه</h1>
<p>طرح کاشت هزار اصله درخت بومی در حاشیهٔ رودخانهٔ شهر از صبح امروز با همکاری داوطلبان آغاز شد.</p>
<p>مدیر فضای سبز شهرداری گفت نهال‌ها از گونه‌های کم‌آب‌بر انتخاب شده‌اند تا در تابستان‌های خشک هم بمانند.</p>
<p>به گفتهٔ او آبیاری قطره‌ای در سه ماه نخست به عهدهٔ گروه‌های محلی خواهد بود.</p>
</article></body></html>"""


def test_a_captured_page_becomes_a_readable_article(home):
    url = "http://ava.example/news/5005/" + quote("کاشت-درخت")
    with Pipeline(home) as pipeline:
        capture = pipeline.archive.write_exchange(
            url=url, status=200, reason="OK", response_headers=[("Content-Type", "text/html; charset=utf-8")],
            body=PAGE.encode(), captured_at=datetime(2026, 11, 20, 7, 0, tzinfo=UTC),
        )
        pipeline.on_capture(capture)
        stored = pipeline.articles.for_capture(capture.id)
    assert stored is not None and stored.article.is_article
    with TestClient(create_app(home, config=WebConfig()), headers={"User-Agent": "Mozilla/5.0 reader"}) as c:
        page = c.get(f"/article/{stored.id}")
        assert page.status_code == 200
        assert "آغاز طرح کاشت درخت در حاشیهٔ رودخانه" in page.text
        assert "جمعه ۲۹ آبان ۱۴۰۵ - ۰۹:۱۵" in page.text
        assert "تعداد بازدید: <strong>۱</strong>" in page.text
        hits = c.get("/api/search", params={"q": "نهال"}).json()
        assert [h["article_id"] for h in hits["hits"]] == [stored.id]
        home_page = c.get("/")
        assert f'href="/article/{stored.id}"' in home_page.text
        replay = c.get(f"/web/{capture.timestamp14}/{url}")
        assert replay.status_code == 200 and "نهال‌ها" in replay.text


def test_an_index_behind_the_store_catches_up_at_startup(home):
    url = "http://ava.example/news/5006/trees"
    with Pipeline(home, index=False) as pipeline:  # extracted, never indexed
        capture = pipeline.archive.write_exchange(
            url=url, status=200, reason="OK", response_headers=[("Content-Type", "text/html; charset=utf-8")],
            body=PAGE.encode(), captured_at=datetime(2026, 11, 20, 7, 0, tzinfo=UTC),
        )
        pipeline.on_capture(capture)
        article_id = pipeline.articles.for_capture(capture.id).id
    with TestClient(create_app(home, config=WebConfig())) as c:
        hits = c.get("/api/search", params={"q": "نهال"}).json()["hits"]
        assert [h["article_id"] for h in hits] == [article_id]
