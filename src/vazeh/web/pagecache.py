"""Rendered search pages shared by every worker process of the reading room.

Each uvicorn worker keeps its own small in-memory cache, but a popular query asked
of worker A was computed again the first time worker B saw it, and every worker
held its own copy. This cache is one SQLite file under VAZEH_HOME/cache that all
workers read and write, keyed by the query and the index generation (tantivy's
commit stamp, the same in every process), so a page computed once is served by
all of them until the next commit.

It is a cache and nothing else: losing it loses no archived data, so every
failure (a locked file, a full disk, a corrupt database) is logged once and
turns into a miss, and a file that cannot be opened is replaced.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    key TEXT PRIMARY KEY,
    generation TEXT NOT NULL,
    body BLOB NOT NULL
)
"""


class SharedPageCache:
    """get/put of rendered pages by (key, generation); at most `max_pages` kept."""

    def __init__(self, path: Path, *, max_pages: int = 5000):
        self.path = Path(path)
        self.max_pages = max_pages
        self._local = threading.local()
        self._puts = 0
        self._warned = False
        self._lock = threading.Lock()
        self._all: list[sqlite3.Connection] = []
        self.hits = 0
        self.misses = 0

    def _db(self) -> sqlite3.Connection | None:
        db = getattr(self._local, "db", None)
        if db is not None:
            return db
        try:
            db = self._open()
        except sqlite3.DatabaseError as e:
            # Not a database (or a broken one): a cache may be thrown away and rebuilt.
            self._fail("unreadable, replaced", e)
            try:
                self.path.unlink(missing_ok=True)
                db = self._open()
            except (OSError, sqlite3.Error) as e2:
                self._fail("unavailable", e2)
                return None
        except OSError as e:
            self._fail("unavailable", e)
            return None
        self._local.db = db
        with self._lock:
            self._all.append(db)
        return db

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # A short busy timeout: a request waits a few ms at most, then treats the
        # page as a miss (reading) or skips caching it (writing).
        db = sqlite3.connect(self.path, timeout=0.05, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: never corrupt, may forget the last pages
        db.execute(SCHEMA)
        return db

    def _fail(self, what: str, error: Exception) -> None:
        # Once per process: a cache that keeps failing must not flood the log.
        if not self._warned:
            self._warned = True
            log.warning("page cache %s %s (%s); serving without it where it fails", self.path, what, error)

    def get(self, key: str, generation: str) -> bytes | None:
        db = self._db()
        if db is None:
            return None
        try:
            row = db.execute("SELECT body FROM pages WHERE key=? AND generation=?", (key, generation)).fetchone()
        except sqlite3.Error as e:
            self._fail("read failed", e)
            return None
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        return bytes(row[0])

    def put(self, key: str, generation: str, body: bytes) -> None:
        db = self._db()
        if db is None:
            return
        try:
            # REPLACE gives the page a new rowid, so trimming by rowid drops the oldest.
            db.execute("INSERT OR REPLACE INTO pages(key, generation, body) VALUES(?,?,?)", (key, generation, body))
            self._puts += 1
            if self._puts % 100 == 0:
                self._trim(db)
        except sqlite3.Error as e:
            self._fail("write skipped", e)

    def _trim(self, db: sqlite3.Connection) -> None:
        # rowids grow with each insert, so the oldest pages have the smallest.
        (top,) = db.execute("SELECT coalesce(max(rowid), 0) FROM pages").fetchone()
        db.execute("DELETE FROM pages WHERE rowid <= ?", (top - self.max_pages,))

    def close(self) -> None:
        with self._lock:
            for db in self._all:
                db.close()
            self._all.clear()
        self._local = threading.local()
