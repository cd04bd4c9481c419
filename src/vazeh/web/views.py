"""View counts like Vazeh's: how many readers opened a story.

Counted per story (the URL's SURT key), so every capture of a page shares one
count. A reader is counted at most once per window (30 minutes by default),
recognised by a salted hash of IP address and User-Agent so that neither is
stored. Requests from known bots (patterns in `bots.txt`) are not counted.
Counts live in the catalog SQLite (`web_views`), so they survive restarts.

Counting happens off the request path: a view is added to this process's pending
views at once (and shown at once), and a background thread commits the pending
views in one transaction every half second, at shutdown, and on `flush()`. Writing
in the request instead made readers queue on SQLite's write lock, whose busy
handler sleeps up to 100 ms per retry: under load the slowest article pages took
most of a second. A crash loses at most the last half second of views; two
worker processes may each count one reader once within that half second.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import secrets
import threading
import time
from collections import Counter
from functools import lru_cache
from importlib import resources

from vazeh.archive import catalog
from vazeh.archive.catalog import CatalogConnection, as_catalog

log = logging.getLogger(__name__)
FLUSH_SECONDS = 0.5

_SCHEMA = """
CREATE TABLE IF NOT EXISTS web_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS web_views (story TEXT PRIMARY KEY, count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS web_view_clients (
  story TEXT NOT NULL,
  client TEXT NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (story, client)
);
CREATE INDEX IF NOT EXISTS web_view_clients_age ON web_view_clients(seen_at);
"""


@lru_cache(maxsize=1)
def bot_patterns() -> tuple[str, ...]:
    text = resources.files("vazeh.web").joinpath("bots.txt").read_text(encoding="utf-8")
    return tuple(
        line.strip().lower() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    )


def is_bot(user_agent: str | None) -> bool:
    """Whether a User-Agent belongs to a crawler or tool; an empty one counts as a bot."""
    ua = (user_agent or "").strip().lower()
    if not ua:
        return True
    return any(p in ua for p in bot_patterns())


class ViewCounter:
    """Durable per-story view counts in the catalog (one instance per connection)."""

    def __init__(self, db: CatalogConnection, *, window_seconds: int = 30 * 60):
        self.db = db = as_catalog(db)
        self.window = window_seconds
        db.executescript(_SCHEMA)
        _follow_key_moves(db)
        self.salt = self._salt()
        self.pending = _pending_for(db)

    def _salt(self) -> str:
        row = self.db.execute("SELECT value FROM web_meta WHERE key='view_salt'").fetchone()
        if row:
            return row[0]
        self.db.execute(
            "INSERT OR IGNORE INTO web_meta(key, value) VALUES('view_salt', ?)", (secrets.token_hex(16),)
        )
        return self.db.execute("SELECT value FROM web_meta WHERE key='view_salt'").fetchone()[0]

    def client_key(self, ip: str | None, user_agent: str | None) -> str:
        raw = f"{self.salt}\x00{ip or ''}\x00{user_agent or ''}".encode()
        return hashlib.sha256(raw).hexdigest()[:32]

    def count(self, story: str) -> int:
        row = self.db.execute("SELECT count FROM web_views WHERE story=?", (story,)).fetchone()
        return (row[0] if row else 0) + self.pending.count(story)

    def record(self, story: str, *, ip: str | None, user_agent: str | None, now: float | None = None) -> int:
        """Count one view unless it is a bot or the same client within the window; returns the count."""
        if is_bot(user_agent):
            return self.count(story)
        now_s = int(now if now is not None else time.time())
        client = self.client_key(ip, user_agent)
        seen = self.pending.seen(story, client)
        if seen is None:
            row = self.db.execute(
                "SELECT seen_at FROM web_view_clients WHERE story=? AND client=?", (story, client)
            ).fetchone()
            seen = row[0] if row else None
        if seen is None or now_s - seen >= self.window:
            self.pending.add(story, client, now_s, self.window)
        return self.count(story)

    def flush(self) -> None:
        """Commit this process's pending views now."""
        self.pending.flush()


def _follow_key_moves(db: CatalogConnection) -> None:
    """Move counts kept under old story keys to the keys the catalog now uses, once
    per key format (vazeh.archive.migrate rekeys the catalog; the counts are ours)."""
    from vazeh.archive.migrate import key_moves
    from vazeh.archive.surt import KEY_FORMAT

    def current() -> bool:
        row = db.execute("SELECT value FROM web_meta WHERE key='views_key_format'").fetchone()
        return row is not None and row[0] == str(KEY_FORMAT)

    if current():
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        if not current():  # another process may have moved them meanwhile
            for old, new in key_moves(db).items():
                if old == new:
                    continue
                db.execute(
                    "INSERT INTO web_views(story, count) SELECT ?, count FROM web_views WHERE story=? "
                    "ON CONFLICT(story) DO UPDATE SET count=web_views.count+excluded.count",
                    (new, old),
                )
                db.execute("DELETE FROM web_views WHERE story=?", (old,))
                db.execute(
                    "UPDATE web_view_clients SET story=? WHERE story=? AND NOT EXISTS (SELECT 1 FROM "
                    "web_view_clients w WHERE w.story=? AND w.client=web_view_clients.client)",
                    (new, old, new),
                )
                db.execute("DELETE FROM web_view_clients WHERE story=?", (old,))
            db.execute(
                "INSERT INTO web_meta(key, value) VALUES('views_key_format', ?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (str(KEY_FORMAT),),
            )
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


class _Pending:
    """Views counted in this process and not yet committed, for one catalog file."""

    def __init__(self, path: str):
        self.path = path
        self.lock = threading.Lock()
        self.flush_lock = threading.Lock()
        self.clients: dict[tuple[str, str], int] = {}
        self.counts: Counter[str] = Counter()
        self.window = 30 * 60
        self._thread: threading.Thread | None = None

    def seen(self, story: str, client: str) -> int | None:
        with self.lock:
            return self.clients.get((story, client))

    def count(self, story: str) -> int:
        with self.lock:
            return self.counts.get(story, 0)

    def add(self, story: str, client: str, now_s: int, window: int) -> None:
        with self.lock:
            # Checked again under the lock: two tabs opening the story at once count once.
            seen = self.clients.get((story, client))
            if seen is not None and now_s - seen < window:
                return
            self.clients[(story, client)] = now_s
            self.counts[story] += 1
            self.window = window
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="vazeh-views", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS)
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - keep counting; the views stay pending for the next try
                log.exception("could not store view counts in %s", self.path)

    def flush(self) -> None:
        # One flusher at a time; the pending views stay visible (and counted by count())
        # until their transaction commits, then leave the buffer.
        with self.flush_lock:
            with self.lock:
                if not self.counts:
                    return
                clients, counts = dict(self.clients), Counter(self.counts)
            db = catalog.connect(self.path)
            try:
                db.execute("BEGIN IMMEDIATE")
                db.executemany(
                    "INSERT INTO web_view_clients(story, client, seen_at) VALUES(?,?,?) "
                    "ON CONFLICT(story, client) DO UPDATE SET seen_at=CASE WHEN excluded.seen_at > "
                    "web_view_clients.seen_at THEN excluded.seen_at ELSE web_view_clients.seen_at END",
                    [(story, client, at) for (story, client), at in clients.items()],
                )
                db.executemany(
                    "INSERT INTO web_views(story, count) VALUES(?, ?) "
                    "ON CONFLICT(story) DO UPDATE SET count=web_views.count+excluded.count",
                    list(counts.items()),
                )
                if secrets.randbelow(50) == 0:
                    # Now and then forget clients older than the window; they no longer matter.
                    newest = max(clients.values())
                    db.execute("DELETE FROM web_view_clients WHERE seen_at < ?", (newest - self.window,))
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            finally:
                db.close()
            with self.lock:
                for key, at in clients.items():
                    if self.clients.get(key) == at:
                        del self.clients[key]
                self.counts.subtract(counts)
                self.counts = +self.counts  # drop stories whose pending views are all stored


_PENDING: dict[str, _Pending] = {}
_PENDING_LOCK = threading.Lock()


def _pending_for(db: CatalogConnection) -> _Pending:
    path = db.url  # one buffer per catalog, whichever connection counted
    with _PENDING_LOCK:
        found = _PENDING.get(path)
        if found is None:
            found = _PENDING[path] = _Pending(path)
        return found


@atexit.register
def flush_all() -> None:
    """Commit every pending view (at exit, and when the reading room closes)."""
    with _PENDING_LOCK:
        pending = list(_PENDING.values())
    for p in pending:
        try:
            p.flush()
        except Exception:  # noqa: BLE001 - at exit there is nobody left to tell but the log
            log.exception("could not store view counts in %s", p.path)
