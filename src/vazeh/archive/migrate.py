"""Rekeying a catalog whose SURT keys were made by an older key format.

The catalog keeps keys in `captures.surt` and, when extraction has run, in
`articles.surt` (the story key). Keys are a function of the URL, so both are
recomputed from URLs: a capture's from its own `url`, an article's from its
capture's (the pipeline keys an article by its capture), or from the
article's own `url` when the capture is gone. Rows whose key is NULL stay NULL.

The work goes in batches, each its own transaction, with the last id done kept
in `archive_meta`: a process killed midway leaves every row either rekeyed or
not, the cursor saying which, and the next open carries on from there. Two
processes opening at once share the work, one batch at a time. When both
tables are done, `archive_meta.key_format` is set to `KEY_FORMAT` and later
opens return at once.

Layers above the catalog that keep keys of their own follow without the
archive knowing them:
- an article whose key changed gets a new `seq`, as every update does, so
  consumers that catch up by `seq` (the reading room's lists) re-read it;
- every old key and its new one are kept in `surt_moves(old, new)`, for stores
  whose rows are the record of truth under a key (view counts) to move them;
- stores that cannot delete a document by an old key they no longer know (the
  search index) compare `KEY_FORMAT` with the one they were built with, and
  rebuild when it differs.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from vazeh.archive.surt import KEY_FORMAT, surt

log = logging.getLogger(__name__)

BATCH = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS archive_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS surt_moves (old TEXT NOT NULL, new TEXT NOT NULL, PRIMARY KEY (old, new));
"""


def key_format(db: sqlite3.Connection) -> int:
    """The key format the catalog's keys are in; 1 for a catalog from before it was recorded."""
    row = db.execute("SELECT value FROM archive_meta WHERE key='key_format'").fetchone()
    return int(row[0]) if row else 1


def rekey_catalog(db: sqlite3.Connection, *, batch: int | None = None) -> bool:
    """Bring every stored key to `KEY_FORMAT`; returns whether this call changed any.

    `db` is in autocommit mode (the archive's connection is): each batch is
    committed here.
    """
    batch = batch or BATCH
    db.executescript(_SCHEMA)
    if key_format(db) == KEY_FORMAT:
        return False
    with _immediate(db):
        if not db.execute("SELECT 1 FROM captures LIMIT 1").fetchone() and not _has_articles(db):
            # A new catalog has nothing to rekey: it starts in the current format.
            _finish(db)
            return False
    log.info("rekeying the catalog to SURT key format %d", KEY_FORMAT)
    changed = 0
    for step in (_captures_batch, _articles_batch):
        while True:
            with _immediate(db):
                if key_format(db) == KEY_FORMAT:
                    return changed > 0  # another process finished meanwhile
                more, n = step(db, batch)
            changed += n
            if not more:
                break
    with _immediate(db):
        if key_format(db) != KEY_FORMAT:
            _finish(db)
    log.info("rekeyed %d keys of the catalog", changed)
    return changed > 0


@contextmanager
def _immediate(db: sqlite3.Connection) -> Iterator[None]:
    # IMMEDIATE: the cursor is read and moved under the write lock, so two
    # processes never take the same batch.
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _finish(db: sqlite3.Connection) -> None:
    db.execute("DELETE FROM archive_meta WHERE key IN ('rekey_captures_at', 'rekey_articles_at')")
    db.execute(
        "INSERT INTO archive_meta(key, value) VALUES('key_format', ?) "
        "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
        (str(KEY_FORMAT),),
    )


def _has_articles(db: sqlite3.Connection) -> bool:
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='articles'").fetchone():
        return False
    return db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is not None


def _cursor(db: sqlite3.Connection, name: str) -> int:
    row = db.execute("SELECT value FROM archive_meta WHERE key=?", (name,)).fetchone()
    return int(row[0]) if row else 0


def _advance(db: sqlite3.Connection, name: str, at: int) -> None:
    db.execute(
        "INSERT INTO archive_meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
        (name, str(at)),
    )


def _moved(db: sqlite3.Connection, old: str, new: str) -> None:
    db.execute("INSERT OR IGNORE INTO surt_moves(old, new) VALUES(?, ?)", (old, new))


def _captures_batch(db: sqlite3.Connection, batch: int) -> tuple[bool, int]:
    at = _cursor(db, "rekey_captures_at")
    rows = db.execute(
        "SELECT id, url, surt FROM captures WHERE id > ? ORDER BY id LIMIT ?", (at, batch)
    ).fetchall()
    changed = 0
    for id_, url, old in rows:
        new = surt(url)
        if new != old:
            db.execute("UPDATE captures SET surt=? WHERE id=?", (new, id_))
            _moved(db, old, new)
            changed += 1
    if rows:
        _advance(db, "rekey_captures_at", rows[-1][0])
    return len(rows) == batch, changed


def _articles_batch(db: sqlite3.Connection, batch: int) -> tuple[bool, int]:
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='articles'").fetchone():
        return False, 0  # extraction never ran on this catalog
    at = _cursor(db, "rekey_articles_at")
    rows = db.execute(
        "SELECT a.id, a.surt, c.url, a.url FROM articles a LEFT JOIN captures c ON c.id=a.capture_id "
        "WHERE a.id > ? ORDER BY a.id LIMIT ?",
        (at, batch),
    ).fetchall()
    changed = 0
    for id_, old, capture_url, own_url in rows:
        url = capture_url or own_url
        if old is None or not url:
            continue
        new = surt(url)
        if new != old:
            # A new seq, as ArticleStore.put takes one, so consumers that follow seq see the new key.
            db.execute(
                "UPDATE articles SET surt=?, seq=(SELECT COALESCE(MAX(seq), 0) + 1 FROM articles) WHERE id=?",
                (new, id_),
            )
            _moved(db, old, new)
            changed += 1
    if rows:
        _advance(db, "rekey_articles_at", rows[-1][0])
    return len(rows) == batch, changed


def key_moves(db: sqlite3.Connection) -> dict[str, str]:
    """Old key -> new key, for a store that keeps rows of its own under catalog keys.

    In the rare case one old key became several (two URLs the old format keyed
    alike, such as `?q=a b` and `?q=a+b`), the smallest new key stands for them.
    """
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='surt_moves'").fetchone():
        return {}
    return dict(db.execute("SELECT old, MIN(new) FROM surt_moves GROUP BY old").fetchall())
