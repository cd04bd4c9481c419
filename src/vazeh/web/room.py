"""The reading room's state in one process: the archive home, opened once per thread.

SQLite connections must not be shared between the threads FastAPI runs
requests on, so each thread opens its own `Archive` (and so its own catalog
connection) on first use. The search index is opened once and used from one
thread of its own: its near-duplicate store is a SQLite connection tied to the
thread that opened it, and one searcher at a time is all two cores can use anyway.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vazeh.archive import Archive, open_archive
from vazeh.extract.model import ArticleStore
from vazeh.web.listing import Listing
from vazeh.web.pagecache import SharedPageCache
from vazeh.web.settings import WebConfig
from vazeh.web.views import ViewCounter
from vazeh.web.views import flush_all as flush_views

log = logging.getLogger(__name__)


class IndexThread:
    """One daemon thread that runs every call on the search index, in order.

    A daemon, unlike a ThreadPoolExecutor's worker, so a long catch-up of the index
    never keeps the server from stopping: the index is crash-safe and resumes at the
    next start.
    """

    def __init__(self) -> None:
        self._calls: queue.SimpleQueue[tuple[Callable[[], Any], Future] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="vazeh-index", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._calls.get()
            if item is None:
                return
            fn, future = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn())
            except BaseException as e:  # noqa: BLE001 - handed to the caller through the future
                future.set_exception(e)

    def submit(self, fn: Callable[[], Any]) -> Future:
        future: Future = Future()
        self._calls.put((fn, future))
        return future

    def shutdown(self) -> None:
        self._calls.put(None)


class BoundedCache(dict):
    """A dict that forgets its oldest entries past maxsize (insertion order)."""

    def __init__(self, maxsize: int):
        super().__init__()
        self.maxsize = maxsize
        self._lock = threading.Lock()

    def __setitem__(self, key: Any, value: Any) -> None:
        with self._lock:
            super().__setitem__(key, value)
            while len(self) > self.maxsize:
                try:
                    del self[next(iter(self))]
                except (KeyError, StopIteration, RuntimeError):
                    break


class SearchUnavailable(RuntimeError):
    """The search index is missing or broken; the message says what to run."""


@dataclass
class Shelf:
    """One thread's handles on the archive."""

    archive: Archive
    articles: ArticleStore
    listing: Listing
    views: ViewCounter


class ReadingRoom:
    def __init__(self, home: Path, config: WebConfig):
        self.home = Path(home)
        self.config = config
        self._local = threading.local()
        self._shelves: list[Shelf] = []
        self._shelves_lock = threading.Lock()
        self._cache: dict[str, Any] = {}
        self._index: Any = None
        self._index_thread = IndexThread()
        self.shared_pages = SharedPageCache(self.home / "cache" / "search-pages.sqlite")
        self.shelf()  # create the catalog tables up front, in this thread

    def shelf(self) -> Shelf:
        shelf = getattr(self._local, "shelf", None)
        if shelf is None:
            archive = open_archive(self.home)
            articles = ArticleStore(archive.db)
            shelf = Shelf(
                archive,
                articles,
                Listing(archive.db, articles, self._cache),
                ViewCounter(archive.db, window_seconds=self.config.view_window_minutes * 60),
            )
            self._local.shelf = shelf
            with self._shelves_lock:
                self._shelves.append(shelf)
        return shelf

    def cache(self, name: str, *, maxsize: int) -> BoundedCache:
        """A process-wide cache by name, shared by the request threads."""
        with self._shelves_lock:
            found = self._cache.get(name)
            if found is None:
                found = self._cache[name] = BoundedCache(maxsize)
            return found

    def warm(self) -> None:
        """Bring the derived lists up to date and open the search index, before serving."""
        changed = self.shelf().listing.sync()
        if changed:
            log.info("reading room lists caught up with %d articles", changed)
        try:
            index = self._index_thread.submit(self._open_index).result()
        except Exception as e:  # noqa: BLE001 - pages without search still work; search reports it
            log.warning("search index of %s cannot be opened: %s", self.home, e)
            return
        behind = self.shelf().articles.max_seq() - index.last_seq
        if behind > 0:
            # A new index format (or articles stored without indexing) leaves the index
            # behind the store: catch up on the index thread, where searches queue
            # behind it, rather than answering with missing stories.
            log.warning("search index of %s is %d articles behind; catching up", self.home, behind)
            self._index_thread.submit(self._sync_in_index_thread)

    def listing(self) -> Listing:
        listing = self.shelf().listing
        listing.sync()
        return listing

    # ------------------------------------------------------------------ search
    def _open_index(self) -> Any:
        if self._index is None:
            from vazeh.index import SearchIndex

            self._index = SearchIndex.open(self.home)
        return self._index

    def search(self, query: str, **kw: Any) -> Any:
        """SearchIndex.search on the index's own thread.

        Raises QueryError (a ValueError) for a bad query, SearchUnavailable when the
        index itself cannot answer.
        """
        return self._search(query, None, kw)[0]

    def search_then(self, query: str, then: Callable[[Any], Any], **kw: Any) -> tuple[Any, Any]:
        """search(query, **kw), then `then(index)` in the same turn of the index thread
        (the search page's chart): one hand-over between threads instead of two, each
        of which wakes threads contending for the GIL. Returns the results and what
        `then` answered, None if it failed (the page shows the results without it)."""
        return self._search(query, then, kw)

    def _search(self, query: str, then: Callable[[Any], Any] | None, kw: dict[str, Any]) -> tuple[Any, Any]:
        from vazeh.index import QueryError

        def run() -> tuple[Any, Any]:
            index = self._open_index()
            results = index.search(query, **kw)
            if then is None:
                return results, None
            try:
                return results, then(index)
            except QueryError:
                return results, None
            except Exception:  # noqa: BLE001 - the results stand without it
                log.warning("after the search for %r, %r failed", query, then, exc_info=True)
                return results, None

        try:
            return self._index_thread.submit(run).result()
        except QueryError:
            raise
        except Exception as e:
            log.exception("search for %r failed", query)
            raise SearchUnavailable(
                f"the search index of {self.home} cannot answer ({e}); run `vazeh reindex` or check the logs"
            ) from e

    def index_generation(self) -> Any:
        """The search index's generation (changes at every commit), or None without an index."""
        try:
            return self._index_thread.submit(lambda: self._open_index().engine.generation).result()
        except Exception:  # noqa: BLE001 - no index: nothing may be cached, search reports why
            return None

    def same_story(self, key: str) -> list[dict[str, Any]]:
        """SearchIndex.same_story on the index's own thread ([] if there is no index)."""
        try:
            return self._index_thread.submit(lambda: self._open_index().same_story(key)).result()
        except Exception:  # noqa: BLE001 - a missing index must not hide the article
            log.warning("no near-duplicate group for %s", key, exc_info=True)
            return []

    def sync_index(self) -> int:
        """Index what the article store gained (after save page now); returns how many articles.

        Runs on the index thread with a SearchIndex of its own, opened and closed there,
        so the writer lock is held only while syncing; the reader is reopened to see it.
        """

        return self._index_thread.submit(self._sync_in_index_thread).result()

    def _sync_in_index_thread(self) -> int:
        from vazeh.index import SearchIndex

        if self._index is not None:
            self._index.close()
            self._index = None
        archive = open_archive(self.home)
        try:
            with SearchIndex.open(self.home) as index:
                return index.sync(ArticleStore(archive.db))
        except Exception:
            log.exception("indexing the new articles of %s failed; run `vazeh reindex`", self.home)
            raise
        finally:
            archive.close()

    def close(self) -> None:
        def close_index() -> None:
            if self._index is not None:
                self._index.close()
                self._index = None

        try:
            self._index_thread.submit(close_index).result(timeout=10)
        except FutureTimeout:
            log.warning("the search index is still busy (catching up); leaving it to finish at the next start")
        self._index_thread.shutdown()
        self.shared_pages.close()
        flush_views()
        with self._shelves_lock:
            for shelf in self._shelves:
                shelf.archive.close()
            self._shelves.clear()
