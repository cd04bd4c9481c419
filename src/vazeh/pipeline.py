"""The pipeline that ties the stages together: a committed capture becomes an
Article, and an Article becomes searchable.

Stages never call forward (capture does not know about extraction); this module,
used by the CLI and the web app, is the one place that runs them in order.
Each step is idempotent and keyed by what it has already done, so after a crash
`catch_up()` finishes whatever the killed process left: captures without an
article get extracted, articles the index has not seen get indexed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vazeh.archive import Archive, Capture, open_archive
from vazeh.extract.model import ArticleStore

log = logging.getLogger(__name__)


@dataclass
class PipelineStats:
    extracted: int = 0
    articles: int = 0
    not_articles: int = 0
    failed: int = 0
    indexed: int = 0
    errors: list[str] = field(default_factory=list)


def is_extractable(capture: Capture) -> bool:
    if capture.status is None or not (200 <= capture.status < 300):
        return False
    mime = (capture.mime or "").lower()
    return mime == "" or "html" in mime or mime == "application/xhtml+xml"


class Pipeline:
    """Archive + article store + search index of one archive home."""

    def __init__(
        self,
        home: Path | str | None = None,
        *,
        archive: Archive | None = None,
        index: bool = True,
        index_interval: float = 0.0,
        index_batch: int = 1000,
    ):
        """`index_interval`: seconds that `on_capture` may let new articles wait for
        the index, so that a run of captures (an import) costs one index commit per
        interval (or per `index_batch` articles) instead of one per capture; `flush()`
        (and `close()`) index the rest. 0 indexes each capture at once. Articles that
        wait are already stored: a killed process leaves them to the next catch-up."""
        self.archive = archive or open_archive(home)
        self.home = self.archive.home
        self.articles = ArticleStore(self.archive.db)
        self._index = None
        self._want_index = index
        self.index_interval = index_interval
        self.index_batch = index_batch
        self._unindexed = 0
        self._last_sync = time.monotonic()
        self.stats = PipelineStats()

    @property
    def index(self):  # -> vazeh.index.SearchIndex
        if self._index is None:
            from vazeh.index import SearchIndex

            self._index = SearchIndex.open(self.home)
        return self._index

    def close(self) -> None:
        try:
            self.flush()
        finally:
            if self._index is not None:
                self._index.close()
            self.archive.close()

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------
    def extract_capture(self, capture: Capture) -> int | None:
        """Extract the Article of one capture and store it; returns the article row id."""
        from vazeh.capture.revisit import schedule_story
        from vazeh.extract import EXTRACTOR_VERSION, extract_article
        from vazeh.index.neardup import fingerprint

        if not is_extractable(capture):
            return None
        try:
            response = self.archive.read_response(capture)
            headers = {k: v for k, v in response.headers}
            article = extract_article(response.body, url=capture.url, headers=headers)
        except Exception as e:  # noqa: BLE001 - one bad page must not stop the archive
            self.stats.failed += 1
            msg = f"extraction failed for capture {capture.id} ({capture.url}): {e}"
            self.stats.errors.append(msg)
            log.warning(msg)
            return None
        fp = fingerprint(article) if article.is_article else None
        row = self.articles.put(
            capture.id,
            article,
            extractor_version=EXTRACTOR_VERSION,
            surt=capture.surt,
            captured_at=capture.captured_at.isoformat(),
            fingerprint=fp,
        )
        self.stats.extracted += 1
        if article.is_article:
            self.stats.articles += 1
            schedule_story(self.archive.db, capture)  # revisits: see vazeh.capture.revisit
        else:
            self.stats.not_articles += 1
        return row

    def on_capture(self, capture: Capture) -> None:
        """Callback for capture and import: extract now, index now (or within
        `index_interval` seconds)."""
        if self.extract_capture(capture) is not None and self._want_index:
            self._unindexed += 1
            if self._unindexed >= self.index_batch or time.monotonic() - self._last_sync >= self.index_interval:
                self.flush()

    def flush(self) -> None:
        """Index the articles that `on_capture` left waiting."""
        if self._unindexed and self._want_index:
            self._unindexed = 0
            self.stats.indexed += self.index.sync(self.articles)
        self._last_sync = time.monotonic()

    def catch_up(self, *, progress: Callable[[int], None] | None = None) -> PipelineStats:
        """Extract every HTML capture that has no article yet, then bring the index up to date."""
        from vazeh.extract import EXTRACTOR_VERSION  # noqa: F401 - fail early if extract is broken

        self.stats = PipelineStats()  # figures of this run only

        for capture_id in self.articles.captures_without_article():
            self.extract_capture(self.archive.get(capture_id))
            if progress:
                progress(1)
        if self._want_index:
            self.stats.indexed += self.index.sync(self.articles)
        return self.stats

    def reextract(self, *, force: bool = False, progress: Callable[[int], None] | None = None) -> PipelineStats:
        """Rerun extraction over the archive where the extractor version changed (or all, with force)."""
        from vazeh.extract import EXTRACTOR_VERSION

        self.stats = PipelineStats()
        current = self.articles.extractor_versions()
        for cap in self.archive.iter_captures(html_only=True):
            if not force and current.get(cap.id) == EXTRACTOR_VERSION:
                continue
            self.extract_capture(cap)
            if progress:
                progress(1)
        if self._want_index:
            self.stats.indexed += self.index.sync(self.articles)
        return self.stats
