"""View counts like Vazeh's: how many readers opened a story.

Counted per story (the URL's SURT key), so every capture of a page shares one
count. A reader is counted at most once per window (30 minutes by default),
recognised by a salted hash of IP address and User-Agent so that neither is
stored. Requests from known bots (patterns in `bots.txt`) are not counted.
Counts live in the catalog SQLite (`web_views`), so they survive restarts.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from functools import lru_cache
from importlib import resources

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

    def __init__(self, db: sqlite3.Connection, *, window_seconds: int = 30 * 60):
        self.db = db
        self.window = window_seconds
        db.executescript(_SCHEMA)
        self.salt = self._salt()

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
        return row[0] if row else 0

    def record(self, story: str, *, ip: str | None, user_agent: str | None, now: float | None = None) -> int:
        """Count one view unless it is a bot or the same client within the window; returns the count."""
        if is_bot(user_agent):
            return self.count(story)
        now_s = int(now if now is not None else time.time())
        client = self.client_key(ip, user_agent)
        row = self.db.execute(
            "SELECT seen_at FROM web_view_clients WHERE story=? AND client=?", (story, client)
        ).fetchone()
        if row is not None and now_s - row[0] < self.window:
            return self.count(story)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            # Checked again inside the write lock: two tabs opening the story at once count once.
            row = self.db.execute(
                "SELECT seen_at FROM web_view_clients WHERE story=? AND client=?", (story, client)
            ).fetchone()
            if row is None or now_s - row[0] >= self.window:
                self.db.execute(
                    "INSERT INTO web_view_clients(story, client, seen_at) VALUES(?,?,?) "
                    "ON CONFLICT(story, client) DO UPDATE SET seen_at=excluded.seen_at",
                    (story, client, now_s),
                )
                self.db.execute(
                    "INSERT INTO web_views(story, count) VALUES(?, 1) "
                    "ON CONFLICT(story) DO UPDATE SET count=count+1",
                    (story,),
                )
                if secrets.randbelow(200) == 0:
                    # Now and then forget clients older than the window; they no longer matter.
                    self.db.execute("DELETE FROM web_view_clients WHERE seen_at < ?", (now_s - self.window,))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return self.count(story)
