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

import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from vazeh.archive.catalog import CatalogConnection, as_catalog, next_seq, take_feed_turn
from vazeh.archive.surt import KEY_FORMAT, surt

log = logging.getLogger(__name__)

BATCH = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS archive_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS surt_moves (old TEXT NOT NULL, new TEXT NOT NULL, PRIMARY KEY (old, new));
"""


def key_format(db: CatalogConnection) -> int:
    """The key format the catalog's keys are in; 1 for a catalog from before it was recorded."""
    row = db.execute("SELECT value FROM archive_meta WHERE key='key_format'").fetchone()
    return int(row[0]) if row else 1


def rekey_catalog(db: CatalogConnection, *, batch: int | None = None) -> bool:
    """Bring every stored key to `KEY_FORMAT`; returns whether this call changed any.

    `db` is in autocommit mode (the archive's connection is): each batch is
    committed here.
    """
    batch = batch or BATCH
    db = as_catalog(db)
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
def _immediate(db: CatalogConnection) -> Iterator[None]:
    # IMMEDIATE: the cursor is read and moved under the write lock, so two
    # processes never take the same batch.
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _finish(db: CatalogConnection) -> None:
    db.execute("DELETE FROM archive_meta WHERE key IN ('rekey_captures_at', 'rekey_articles_at')")
    db.execute(
        "INSERT INTO archive_meta(key, value) VALUES('key_format', ?) "
        "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
        (str(KEY_FORMAT),),
    )


def _has_articles(db: CatalogConnection) -> bool:
    if not db.has_table("articles"):
        return False
    return db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is not None


def _cursor(db: CatalogConnection, name: str) -> int:
    row = db.execute("SELECT value FROM archive_meta WHERE key=?", (name,)).fetchone()
    return int(row[0]) if row else 0


def _advance(db: CatalogConnection, name: str, at: int) -> None:
    db.execute(
        "INSERT INTO archive_meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
        (name, str(at)),
    )


def _moved(db: CatalogConnection, old: str, new: str) -> None:
    db.execute("INSERT OR IGNORE INTO surt_moves(old, new) VALUES(?, ?)", (old, new))


def _captures_batch(db: CatalogConnection, batch: int) -> tuple[bool, int]:
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


def _articles_batch(db: CatalogConnection, batch: int) -> tuple[bool, int]:
    if not db.has_table("articles"):
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
            take_feed_turn(db)
            db.execute(f"UPDATE articles SET surt=?, seq={next_seq(db)} WHERE id=?", (new, id_))
            _moved(db, old, new)
            changed += 1
    if rows:
        _advance(db, "rekey_articles_at", rows[-1][0])
    return len(rows) == batch, changed


def key_moves(db: CatalogConnection) -> dict[str, str]:
    """Old key -> new key, for a store that keeps rows of its own under catalog keys.

    In the rare case one old key became several (two URLs the old format keyed
    alike, such as `?q=a b` and `?q=a+b`), the smallest new key stands for them.
    """
    db = as_catalog(db)
    if not db.has_table("surt_moves"):
        return {}
    return dict(db.execute("SELECT old, MIN(new) FROM surt_moves GROUP BY old").fetchall())


# ---------------------------------------------------------------------- copying a catalog
# Tables whose rows others point to go first (captures reference records).
_FIRST = ("warc_files", "records", "captures")
COPY_BATCH = 5000


@dataclass
class TableCopy:
    """One table of a catalog copy: rows and digests on both sides."""

    table: str
    source_rows: int
    target_rows: int
    source_digest: str
    target_digest: str

    @property
    def same(self) -> bool:
        return self.source_rows == self.target_rows and self.source_digest == self.target_digest


class CopyError(Exception):
    """A catalog that cannot be copied as asked, worded for the user."""


def catalog_tables(db: CatalogConnection) -> list[str]:
    """The catalog's tables, those others point to first."""
    if db.dialect == "sqlite":
        rows = db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'").fetchall()
    else:
        rows = db.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE'"
        ).fetchall()
    names = sorted(r[0] for r in rows)
    return [t for t in _FIRST if t in names] + [t for t in names if t not in _FIRST]


def table_columns(db: CatalogConnection, table: str) -> list[str]:
    cur = db.execute(f'SELECT * FROM "{table}" LIMIT 0')
    return [d[0] for d in cur.description]


def _value_bytes(v: object) -> bytes:
    # One spelling per value on both dialects: SQLite's INTEGER and PostgreSQL's BIGINT are
    # both int, TEXT is str, BLOB and BYTEA come back as bytes (or a memoryview).
    if v is None:
        return b"N"
    if isinstance(v, bool):
        v = int(v)
    if isinstance(v, int):
        return b"i%d" % v
    if isinstance(v, float):
        return b"f" + repr(v).encode()
    if isinstance(v, (bytes, bytearray, memoryview)):
        return b"b" + bytes(v).hex().encode()
    return b"s" + str(v).encode("utf-8", "surrogatepass")


def table_digest(db: CatalogConnection, table: str, columns: list[str]) -> tuple[int, str]:
    """(rows, digest) of a table: the sum of each row's sha256, so the order rows come in
    (which differs between the dialects for NULLs and collations) does not matter."""
    cols = ", ".join(f'"{c}"' for c in columns)
    total, n = 0, 0
    for row in db.stream(f'SELECT {cols} FROM "{table}"'):
        h = hashlib.sha256(b"\x1f".join(_value_bytes(v) for v in row)).digest()
        total = (total + int.from_bytes(h, "big")) % (1 << 256)
        n += 1
    return n, f"sha256-sum:{total:064x}"


def copy_catalog(
    source: CatalogConnection, target: CatalogConnection, schemas: list[str],
    progress: Callable[[str, int], None] | None = None,
) -> list[TableCopy]:
    """Copy every table of `source` into `target` (SQLite to PostgreSQL or back), then
    compare rows and digests table by table.

    `schemas` are the DDL scripts of the stores that own the tables, made on the target
    first, so the target has each store's own schema (indexes, constraints, PostgreSQL's
    identity columns and article sequence), not a guess from the source's. The target's
    tables must be empty: a copy never merges two catalogs. Ids are copied as they are
    (WARC files, the search index and links point to them), and PostgreSQL's identity
    columns and the article sequence then continue after the largest copied value.
    """
    for script in schemas:
        target.executescript(script)
    tables = catalog_tables(source)
    known = set(catalog_tables(target))
    missing = [t for t in tables if t not in known]
    if missing:
        raise CopyError(f"no vazeh store owns table(s) {', '.join(missing)} of the source: not copied")
    plan: list[tuple[str, list[str]]] = []
    for t in tables:
        cols, have = table_columns(source, t), set(table_columns(target, t))
        lost = [c for c in cols if c not in have]
        if lost:
            raise CopyError(f"table {t}: the target has no column(s) {', '.join(lost)}")
        if target.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() is not None:
            raise CopyError(f"the target catalog is not empty (table {t} has rows): copy into an empty one")
        plan.append((t, cols))
    for t, cols in plan:
        n = target.load(t, cols, source.stream(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM "{t}"'),
                        batch=COPY_BATCH)
        if progress is not None:
            progress(t, n)
    if target.dialect == "postgresql":
        _continue_sequences(target)
    out = []
    for t, cols in plan:
        sn, sd = table_digest(source, t, cols)
        tn, td = table_digest(target, t, cols)
        out.append(TableCopy(t, sn, tn, sd, td))
    return out


def _continue_sequences(db: CatalogConnection) -> None:
    # Rows came with their ids: the identity columns must go on after the largest one.
    rows = db.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND is_identity = 'YES'"
    ).fetchall()
    for table, column in rows:
        db.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
            f'COALESCE((SELECT MAX("{column}") FROM "{table}"), 0) + 1, false)'
        )
    if db.has_table("articles_seq") and db.has_table("articles"):
        db.execute("SELECT setval('articles_seq', COALESCE((SELECT MAX(seq) FROM articles), 0) + 1, false)")
