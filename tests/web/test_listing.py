"""The reading room's derived lists: one row per story, counts per source, category and day."""

from __future__ import annotations

from datetime import date, timedelta

from vazeh.archive import open_archive
from vazeh.extract.model import ArticleStore
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
