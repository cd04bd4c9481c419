"""The reading room's derived lists: one row per story, counts per source, category and day."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from tests.web.conftest import NOW, add_story

from vazeh.archive import open_archive
from vazeh.extract.model import Article, ArticleStore
from vazeh.index import SearchIndex
from vazeh.web import create_app
from vazeh.web.fmt import tehran_day
from vazeh.web.listing import Listing


def test_lists_follow_the_article_store(sample):
    archive = open_archive(sample.home)
    listing = Listing(archive.db, ArticleStore(archive.db))
    assert listing.sync() == 5  # every stored article is read once (two are versions of one story)
    assert listing.sync() == 0
    assert listing.count() == 4
    assert listing.count(source="خبرگزاری آوا") == 3
    assert listing.count(trail=["استان‌ها"]) == 2 and listing.count(trail=["استان‌ها", "سمنان"]) == 2
    assert listing.subcategories(["ورزشی"]) == [("ورزشی > فوتبال", 1)]
    newest = listing.newest(limit=10)
    assert [s.id for s in newest][1] == sample.stories["flood"].article_id  # the newest version stands for the story
    archive.close()


def test_day_chart_ends_at_the_newest_story(sample):
    archive = open_archive(sample.home)
    listing = Listing(archive.db, ArticleStore(archive.db))
    listing.sync()
    newest_day = max(tehran_day(s.article.published) for s in sample.stories.values())
    far_future = date.fromisoformat(newest_day) + timedelta(days=400)
    agg = listing.aggregates(today=far_future)
    assert len(agg.days) == 90 and agg.days[-1][0] == newest_day
    assert sum(n for _, n in agg.days) == 4
    assert dict(agg.sources) == {"خبرگزاری آوا": 3, "روزنامهٔ پیک": 1}
    archive.close()


def test_one_outlet_under_several_names_is_one_source(tmp_path, config):
    """«مهر», «خبرگزاری مهر» and a story with only the site mehrnews.com are one outlet for
    the search's source: filter and facet; the room's source pages, feeds and API lists
    treat them as one too, newest first across the names, paged without repeats."""
    archive = open_archive(tmp_path)
    store = ArticleStore(archive.db)
    names = ["مهر", "خبرگزاری مهر", None, "خبرگزاری مهر", "ایرنا"]
    for i, source in enumerate(names):
        add_story(archive, store, Article(
            url=f"https://www.mehrnews.com/news/{100 + i}/x", source=source, site="mehrnews.com",
            news_id=str(100 + i), title=f"خبر شمارهٔ {i}", lead="متن کوتاه خبر.", body=["بند نخست خبر."],
            published=(NOW - timedelta(hours=10 - i)).isoformat(timespec="seconds"),
        ), when=NOW - timedelta(hours=10 - i))
    with SearchIndex.open(tmp_path) as index:
        index.sync(store)
    listing = Listing(archive.db, store)
    listing.sync()
    ids = [s.id for s in listing.newest(limit=10, source="مهر")]
    assert len(ids) == 4 and listing.count(source="مهر") == listing.count(source="mehrnews.com") == 4
    assert [s.article.news_id for s in listing.articles(ids)] == ["103", "102", "101", "100"]  # newest first
    paged = [s.id for p in range(4) for s in listing.newest(limit=1, offset=p, source="خبرگزاری مهر")]
    assert paged == ids
    keys, after = [], None
    while batch := listing.keyset(source="مهر", after=after, limit=3):
        keys += [i for _k, i in batch]
        after = batch[-1]
    assert keys == ids
    assert dict(listing.aggregates().sources) == {"خبرگزاری مهر": 4, "ایرنا": 1}
    archive.close()
    with TestClient(create_app(tmp_path, config=config)) as client:
        page = client.get("/source/مهر")
        assert page.status_code == 200 and all(f"خبر شمارهٔ {i}" in page.text for i in range(4))
        assert "خبر شمارهٔ 4" not in page.text
        assert client.get("/sources").text.count('href="/source/') == 2
        assert all(f"خبر شمارهٔ {i}" in client.get("/feeds/source/مهر.rss").text for i in range(4))
