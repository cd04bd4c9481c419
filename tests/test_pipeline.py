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


def test_a_run_of_captures_is_indexed_in_batches_not_one_commit_each(home, monkeypatch, tmp_path):
    """Import with extraction once committed the index after every capture (10.3 s for
    200 captures against 5.3 s for import, then reextract)."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from vazeh.capture import import_paths
    from vazeh.index import SearchIndex

    def write_warc(path, n):
        with open(path, "wb") as f:
            writer = WARCWriter(f, gzip=True)
            for i in range(n):
                body = (
                    f"<html><head><meta charset='utf-8'><title>گزارش شمارهٔ {i}</title></head><body><article>"
                    f"<h1>گزارش شمارهٔ {i}</h1><p>متن خبر شمارهٔ {i} دربارهٔ باران و برف در شهرهای کشور است "
                    "و چند جملهٔ دیگر دارد تا صفحه یک خبر کامل باشد.</p></article></body></html>"
                ).encode()
                http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(
                    f"https://news.example.ir/news/{i}", "response", payload=io.BytesIO(body), length=len(body),
                    http_headers=http,
                ))
        return path

    commits = []
    real_commit = SearchIndex.commit
    monkeypatch.setattr(SearchIndex, "commit", lambda self, seq=None: (commits.append(seq), real_commit(self, seq)))
    source = write_warc(tmp_path / "two-hundred.warc.gz", 200)
    with Pipeline(home, index_interval=3600.0, index_batch=64) as pipeline:
        report = import_paths(pipeline.archive, [source], on_capture=pipeline.on_capture)
        assert report.captures == 200
        assert len(commits) == 3  # after 64, 128 and 192 new articles; close() indexes the last 8
    assert len(commits) == 4
    with SearchIndex.open(home) as index:
        assert index.count() == 200
        assert index.search("باران").total == 200
