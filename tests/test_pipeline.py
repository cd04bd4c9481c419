"""The pipeline after a crash: captures that never got their article, and articles the
index never saw, are finished by the next run, exactly once."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from vazeh.pipeline import Pipeline
from vazeh.sample.build_site import EXPECTED, SITE_DIR

BASE = "http://127.0.0.1:8788"


def _sample_articles() -> list[dict]:
    pages = json.loads(EXPECTED.read_text(encoding="utf-8"))["pages"]
    return [p for p in pages if p.get("is_article") and p.get("file") and p.get("http_content_type")][:6]


def _archive_without_extracting(pipeline: Pipeline, pages: list[dict]) -> None:
    """What a process killed between committing captures and extracting them leaves behind."""
    for p in pages:
        pipeline.archive.write_exchange(
            url=BASE + p["url_path"],
            status=200,
            reason="OK",
            response_headers=[("Content-Type", p["http_content_type"])],
            body=(SITE_DIR / p["file"]).read_bytes(),
            captured_at=datetime(2026, 11, 1, tzinfo=UTC),
        )


def test_catch_up_extracts_and_indexes_what_a_killed_run_left(home):
    pages = _sample_articles()
    with Pipeline(home) as pipeline:
        _archive_without_extracting(pipeline, pages)
        assert pipeline.articles.count() == 0
    with Pipeline(home) as pipeline:
        stats = pipeline.catch_up()
        assert stats.articles == len(pages)
        assert stats.failed == 0
        results = pipeline.index.search(f'"{pages[0]["title"]}"')
        assert results.total >= 1
        assert any(h.title == pages[0]["title"] for h in results.hits)
    with Pipeline(home) as pipeline:
        again = pipeline.catch_up()
        assert again.extracted == 0  # nothing twice
        assert pipeline.articles.count() == len(pages)


def test_reextract_reruns_only_outdated_articles(home):
    pages = _sample_articles()[:2]
    with Pipeline(home) as pipeline:
        _archive_without_extracting(pipeline, pages)
        pipeline.catch_up()
        pipeline.archive.db.execute("UPDATE articles SET extractor_version='0-old' WHERE id=1")
        stats = pipeline.reextract()
        assert stats.extracted == 1
        assert pipeline.articles.count() == len(pages)


def test_a_page_that_is_not_an_article_is_recorded_as_such(home):
    with Pipeline(home) as pipeline:
        cap = pipeline.archive.write_exchange(
            url=BASE + "/",
            status=200,
            response_headers=[("Content-Type", "text/html; charset=utf-8")],
            body=(SITE_DIR / "index.html").read_bytes(),
        )
        pipeline.on_capture(cap)
        stored = pipeline.articles.for_capture(cap.id)
        assert stored is not None and not stored.article.is_article
        assert pipeline.articles.count() == 0
        assert pipeline.articles.count(articles_only=False) == 1
