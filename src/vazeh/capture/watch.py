"""`watch`: poll the sources' feeds and sitemaps, capture the articles they announce.

Feeds are fetched with conditional requests (If-None-Match / If-Modified-Since
from the last answer), so an unchanged feed costs a 304 and nothing else. Feed
and sitemap responses are archived like any page (an unchanged one becomes a
revisit record). A URL is new when the archive has no capture of it yet.
The validators live in the catalog's `feed_state` table, so they survive restarts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from vazeh.archive import Archive
from vazeh.capture.feeds import discover_feeds, parse_links
from vazeh.capture.fetcher import CaptureOutcome, CaptureReport, FetchConfig, Fetcher, OnCapture
from vazeh.capture.revisit import RevisitReport, run_revisits
from vazeh.capture.sources import Source

log = logging.getLogger(__name__)

MAX_NEW_PER_SOURCE = 500  # a first poll of a big sitemap should not become a full crawl
MAX_CHILD_SITEMAPS = 3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feed_state (
  url TEXT PRIMARY KEY,
  etag TEXT,
  last_modified TEXT,
  status INTEGER,
  checked_at TEXT
)
"""


@dataclass
class WatchReport:
    sources: int = 0
    feeds: int = 0  # feed and sitemap fetches
    not_modified: int = 0
    new_urls: int = 0
    capture: CaptureReport = field(default_factory=CaptureReport)
    source_errors: list[str] = field(default_factory=list)
    revisits: RevisitReport | None = None  # the scheduled revisits run after the round


class FeedState:
    """ETag and Last-Modified of each polled feed, in the catalog (own connection)."""

    def __init__(self, archive: Archive):
        self._db = archive.db.reopen()
        self._db.executescript(_SCHEMA)

    def validators(self, url: str) -> dict[str, str]:
        row = self._db.execute("SELECT etag, last_modified FROM feed_state WHERE url=?", (url,)).fetchone()
        headers = {}
        if row and row[0]:
            headers["If-None-Match"] = row[0]
        if row and row[1]:
            headers["If-Modified-Since"] = row[1]
        return headers

    def remember(self, url: str, status: int, etag: str | None, last_modified: str | None) -> None:
        now = datetime.now(UTC).isoformat()
        if status == 304:
            self._db.execute("UPDATE feed_state SET status=304, checked_at=? WHERE url=?", (now, url))
            return
        self._db.execute(
            "INSERT INTO feed_state(url, etag, last_modified, status, checked_at) VALUES(?,?,?,?,?) "
            "ON CONFLICT(url) DO UPDATE SET etag=excluded.etag, last_modified=excluded.last_modified, "
            "status=excluded.status, checked_at=excluded.checked_at",
            (url, etag, last_modified, status, now),
        )

    def close(self) -> None:
        self._db.close()


class Watcher:
    def __init__(self, fetcher: Fetcher, state: FeedState, progress: Callable[[CaptureOutcome], None] | None = None):
        self.fetcher = fetcher
        self.state = state
        self.progress = progress

    async def poll(self, source: Source, report: WatchReport) -> None:
        """One round for one source: read its feeds and sitemaps, capture what is new."""
        if not source.feeds and not source.sitemaps:
            await self.discover(source, report)
        found: list[str] = []
        for url in source.feeds:
            found += await self._links(url, report)
        for url in source.sitemaps:
            found += await self._links(url, report, follow_index=True)
        archive = self.fetcher.archive
        new = [u for u in dict.fromkeys(found) if not archive.captures(u)][:MAX_NEW_PER_SOURCE]
        report.new_urls += len(new)

        async def capture(url: str) -> None:
            outcome = await self.fetcher.capture(url)
            report.capture.add(outcome)
            if self.progress:
                self.progress(outcome)
            outcome.release()

        await asyncio.gather(*(capture(u) for u in new))

    async def discover(self, source: Source, report: WatchReport) -> None:
        """Find a source's feeds (home page `<link rel=alternate>`) and sitemaps (robots.txt).

        Found once, kept on the Source for the following rounds.
        """
        for domain in source.domains:
            origin = domain.rstrip("/") if domain.startswith(("http://", "https://")) else f"https://{domain}"
            outcome = await self.fetcher.capture(origin + "/")
            final = outcome.final
            if final is not None and final.status == 200:
                source.feeds += [u for u in discover_feeds(final.body(), final.url) if u not in source.feeds]
            source.sitemaps += [u for u in await self.fetcher.robots.sitemaps(origin) if u not in source.sitemaps]
            if source.feeds or source.sitemaps:
                return
        raise RuntimeError(f"no feeds or sitemaps found for {source.id} (domains: {', '.join(source.domains) or 'none'})")

    async def _links(self, url: str, report: WatchReport, *, follow_index: bool = False) -> list[str]:
        outcome = await self.fetcher.capture(url, extra_headers=self.state.validators(url))
        report.feeds += 1
        final = outcome.final
        if final is None or outcome.error or outcome.skipped:
            raise RuntimeError(f"feed {url}: {outcome.error or outcome.skipped or 'no response'}")
        if final.status == 304:
            report.not_modified += 1
            self.state.remember(url, 304, None, None)
            return []
        if final.status != 200:
            raise RuntimeError(f"feed {url}: HTTP {final.status}")
        self.state.remember(url, 200, final.header("ETag"), final.header("Last-Modified"))
        parsed = parse_links(final.body(), base_url=final.url)
        if parsed.kind == "unknown":
            raise RuntimeError(f"feed {url}: neither RSS, Atom nor a sitemap")
        if parsed.kind != "sitemapindex":
            return parsed.links
        if not follow_index:
            return []
        links: list[str] = []
        for child in parsed.links[:MAX_CHILD_SITEMAPS]:
            try:
                links += await self._links(child, report)
            except RuntimeError as e:
                report.source_errors.append(str(e))
        return links


async def _poll_guarded(watcher: Watcher, source: Source, report: WatchReport) -> None:
    try:
        await watcher.poll(source, report)
    except Exception as e:  # noqa: BLE001 - one failing source must not stop the others
        msg = f"{source.id}: {e}"
        log.info("watch: %s", msg)
        report.source_errors.append(msg)


async def watch_once_async(
    archive: Archive,
    sources: list[Source],
    config: FetchConfig | None = None,
    on_capture: OnCapture | None = None,
    progress: Callable[[CaptureOutcome], None] | None = None,
    revisits: bool = True,
) -> WatchReport:
    report = WatchReport(sources=len(sources))
    state = FeedState(archive)
    try:
        async with Fetcher(archive, config, on_capture) as fetcher:
            watcher = Watcher(fetcher, state, progress)
            await asyncio.gather(*(_poll_guarded(watcher, s, report) for s in sources))
            if revisits:
                report.revisits = await run_revisits(fetcher, sources)
    finally:
        state.close()
    return report


def watch_once(
    archive: Archive,
    sources: list[Source],
    config: FetchConfig | None = None,
    on_capture: OnCapture | None = None,
    progress: Callable[[CaptureOutcome], None] | None = None,
    revisits: bool = True,
) -> WatchReport:
    """One polling round over every source, then the revisits due; returns the counts."""
    return asyncio.run(watch_once_async(archive, sources, config, on_capture, progress, revisits))


async def watch_forever_async(
    archive: Archive,
    sources: list[Source],
    config: FetchConfig | None = None,
    on_capture: OnCapture | None = None,
    on_round: Callable[[Source, WatchReport], None] | None = None,
    rounds: int | None = None,
    revisits: bool = True,
) -> None:
    """Poll each source on its own interval until cancelled (or `rounds` rounds each);
    after each round, revisit the stories that are due."""
    state = FeedState(archive)
    try:
        async with Fetcher(archive, config, on_capture) as fetcher:
            watcher = Watcher(fetcher, state)
            revisiting = asyncio.Lock()

            async def loop(source: Source) -> None:
                n = 0
                while rounds is None or n < rounds:
                    report = WatchReport(sources=1)
                    await _poll_guarded(watcher, source, report)
                    if revisits:
                        # One revisit pass at a time: sources' rounds overlap, the due stories are shared.
                        async with revisiting:
                            report.revisits = await run_revisits(fetcher, sources)
                    if on_round:
                        on_round(source, report)
                    n += 1
                    if rounds is None or n < rounds:
                        await asyncio.sleep(source.interval)

            await asyncio.gather(*(loop(s) for s in sources))
    finally:
        state.close()
