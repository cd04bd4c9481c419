"""An archive of a few Persian stories, captured and imported, extracted and indexed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from vazeh.archive import Archive, open_archive
from vazeh.extract.model import Article, ArticleStore, Image
from vazeh.index import SearchIndex
from vazeh.index.neardup import fingerprint

IMPORTED_FROM = "/data/old/mehr-2016.warc.gz"


@dataclass
class Corpus:
    home: Path
    archive: Archive
    index: SearchIndex
    capture_ids: list[int]


def story(i: int, source: str) -> Article:
    body = [f"پاراگراف {j} از خبر شماره {i} دربارهٔ {'بازار نفت' if i % 2 else 'تیم ملی'}" for j in range(3)]
    return Article(
        url=f"https://{'mehrnews.com' if source == 'مهر' else 'isna.ir'}/news/{i}",
        site="mehrnews.com" if source == "مهر" else "isna.ir",
        source=source,
        news_id=str(1000 + i),
        title=f"خبر شماره {i}",
        kicker="روتیتر",
        lead=f"لید خبر {i}",
        body=body,
        published=f"2016-0{1 + i % 3}-10T10:00:00+03:30",
        published_jalali="۱۳۹۴/۱۰/۲۰",
        category=["اقتصادی" if i % 2 else "ورزشی"],
        tags=["نفت"] if i % 2 else ["فوتبال"],
        author="خبرنگار",
        images=[Image(url=f"https://cdn.example/{i}.jpg", caption="عکس")],
        language="fa",
    )


def html(a: Article) -> bytes:
    return f"<html><head><title>{a.title}</title></head><body><p>{a.lead}</p></body></html>".encode()


@pytest.fixture
def corpus(home: Path) -> Iterator[Corpus]:
    archive = open_archive(home)
    store = ArticleStore(archive.db)
    ids = []
    for i in range(6):
        source = "مهر" if i < 4 else "ایسنا"
        a = story(i, source)
        imported = i < 2  # two stories came in with an old WARC
        cap = archive.write_exchange(
            url=a.url,
            status=200,
            reason="OK",
            response_headers=[("Content-Type", "text/html; charset=utf-8")],
            body=html(a),
            captured_at=datetime(2024, 1 + i, 15, 12, 0, tzinfo=UTC),
            imported=imported,
            origin=IMPORTED_FROM if imported else None,
        )
        store.put(cap.id, a, extractor_version="t1", surt=cap.surt,
                  captured_at=cap.captured_at.isoformat(), fingerprint=fingerprint(a))  # fmt: skip
        ids.append(cap.id)
    # A page that is not a story is archived but never exported as an article.
    cap = archive.write_exchange(url="https://isna.ir/", status=200, response_headers=[("Content-Type", "text/html")],
                                 body=b"<html>home</html>", captured_at=datetime(2024, 7, 1, tzinfo=UTC))  # fmt: skip
    store.put(cap.id, Article(url="https://isna.ir/", is_article=False), extractor_version="t1", surt=cap.surt,
              captured_at=cap.captured_at.isoformat())  # fmt: skip
    index = SearchIndex.open(home)
    index.sync(store)
    try:
        yield Corpus(home, archive, index, ids)
    finally:
        index.close()
        archive.close()
