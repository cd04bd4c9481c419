"""The catalog's connection, whichever database holds it: SQLite (the default) or PostgreSQL.

The catalog is named by URL (`vazeh.config.backends(home).catalog`):
``sqlite:///path/catalog.sqlite`` or ``postgresql://user@host:port/db``. Every
store above the archive (articles, the room's listing, revisit schedule, view
counts ...) keeps its tables in that one catalog, through a `CatalogConnection`:

- SQL is written once, in the portable subset both dialects share (``?``
  placeholders, ``ON CONFLICT ... DO ...`` upserts, ``RETURNING id`` instead of
  ``lastrowid``, ``"offset"`` for the one column whose name PostgreSQL reserves);
  the PostgreSQL connection translates placeholders and the few SQLite-only
  spellings that remain (``INSERT OR IGNORE``, ``BEGIN IMMEDIATE``, PRAGMAs, the
  schema's ``INTEGER PRIMARY KEY`` and ``BLOB``).
- ``BEGIN IMMEDIATE`` means what it means on SQLite everywhere: the writer takes
  the catalog's one write turn for its transaction. On PostgreSQL that turn is a
  transaction-level advisory lock (`WRITE_TURN`), so code that relied on SQLite's
  single writer for mutual exclusion (the rekeying cursor, the listing's
  watermark, view-count key moves) stays correct on a shared server, across
  machines.
- Rows read back index by position and by column name on both (`Row`), as
  `sqlite3.Row` does.
- `Error`, `IntegrityError` and `OperationalError` are tuples of both drivers'
  exception types, for ``except`` clauses: alone (``except catalog.Error``) or
  spread (``except (*catalog.Error, ValueError)``); a tuple nested in an except
  tuple is a TypeError at the moment an exception arrives.

The WARC append -> fsync -> catalog commit ordering of `Archive.transaction`
is the same on both: only the commit goes to another place.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:  # psycopg is the postgresql extra; SQLite needs nothing beyond the standard library
    import psycopg
    import psycopg.errors
except ImportError:  # pragma: no cover - exercised only where the extra is not installed
    psycopg = None  # type: ignore[assignment]

if psycopg is not None:
    Error: tuple[type[BaseException], ...] = (sqlite3.Error, psycopg.Error)
    IntegrityError: tuple[type[BaseException], ...] = (sqlite3.IntegrityError, psycopg.IntegrityError)
    # A table that is not there yet is an OperationalError on SQLite, UndefinedTable on PostgreSQL.
    OperationalError: tuple[type[BaseException], ...] = (
        sqlite3.OperationalError, psycopg.OperationalError, psycopg.errors.UndefinedTable,
    )
else:  # pragma: no cover
    Error, IntegrityError, OperationalError = (sqlite3.Error,), (sqlite3.IntegrityError,), (sqlite3.OperationalError,)

# The advisory lock key of the catalog's write turn on PostgreSQL ("vazeh" in ASCII).
WRITE_TURN = 0x76617A6568
# The key that orders article numbers (seq) with their commits; see ArticleStore.put.
FEED_TURN = 0x76617A6566


class CatalogError(Exception):
    """A catalog that cannot be opened, worded for the user."""


class Row(tuple):
    """A result row: by position, by column name, `keys()` and `dict(row)`, like sqlite3.Row."""

    _index: dict[str, int]

    def __new__(cls, values: Sequence[Any], index: dict[str, int]) -> Row:
        row = super().__new__(cls, values)
        row._index = index
        return row

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


class SQLiteRow(sqlite3.Row):
    """sqlite3.Row (C speed) that also equals the tuple of its values, as PostgreSQL's `Row` does."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, tuple):
            return tuple(self) == other
        return super().__eq__(other)

    def __hash__(self) -> int:
        return hash(tuple(self))


class CatalogConnection:
    """One connection to the catalog, in autocommit mode (transactions are explicit BEGIN/COMMIT)."""

    dialect: str = ""
    url: str = ""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        raise NotImplementedError

    def executescript(self, script: str) -> None:
        raise NotImplementedError

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Sequence[Any]]:
        """The rows of a large query, without holding them all in memory."""
        raise NotImplementedError

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, batch: int = 5000) -> int:
        """Bulk-insert rows in one transaction (COPY on PostgreSQL); returns how many."""
        raise NotImplementedError

    def has_table(self, name: str) -> bool:
        raise NotImplementedError

    @property
    def in_transaction(self) -> bool:
        raise NotImplementedError

    def has_index(self, name: str) -> bool:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        """End the open transaction, if any (sqlite3's commit, for callers written against it)."""
        if self.in_transaction:
            self.execute("COMMIT")

    def reopen(self, *, wait: bool = True) -> CatalogConnection:
        """A second connection to the same catalog (for work that must not share this one's transaction).
        `wait=False`: a write that finds the catalog busy fails at once instead of waiting."""
        return connect(self.url, wait=wait)

    @contextmanager
    def immediate(self) -> Iterator[None]:
        """One transaction holding the catalog's write turn (SQLite's BEGIN IMMEDIATE)."""
        self.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    @contextmanager
    def immediate_feed(self) -> Iterator[None]:
        """One transaction holding the article feed's turn (see `take_feed_turn`)."""
        self.execute("BEGIN")
        try:
            take_feed_turn(self)
            yield
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def __enter__(self) -> CatalogConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SQLiteCatalog(CatalogConnection):
    dialect = "sqlite"

    def __init__(self, path: Path, *, wait: bool = True):
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        timeout = 60 if wait else 0
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=timeout)
        except sqlite3.Error as e:
            raise CatalogError(f"catalog {self.url}: cannot open: {e}") from None
        self._db.row_factory = SQLiteRow
        self._db.execute(f"PRAGMA busy_timeout={timeout * 1000}")
        if wait:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")

    @classmethod
    def wrap(cls, conn: sqlite3.Connection) -> SQLiteCatalog:
        """An existing sqlite3 connection (tests, tools) behind the catalog interface."""
        self = cls.__new__(cls)
        path = conn.execute("PRAGMA database_list").fetchone()[2]
        self.path = Path(path) if path else Path(":memory:")
        self.url = f"sqlite:///{self.path}"
        self._db = conn
        return self

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._db.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._db.executemany(sql, rows)

    def executescript(self, script: str) -> None:
        self._db.executescript(script)

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Sequence[Any]]:
        yield from self._db.execute(sql, params)

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, batch: int = 5000) -> int:
        sql = f'INSERT INTO "{table}"({", ".join(_quoted(columns))}) VALUES({", ".join("?" * len(columns))})'
        n = 0
        with self.immediate():
            chunk: list[Sequence[Any]] = []
            for row in rows:
                chunk.append(tuple(row))
                if len(chunk) >= batch:
                    self._db.executemany(sql, chunk)
                    n += len(chunk)
                    chunk = []
            self._db.executemany(sql, chunk)
            n += len(chunk)
        return n

    @property
    def in_transaction(self) -> bool:
        return self._db.in_transaction

    def has_table(self, name: str) -> bool:
        return self._db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)).fetchone() is not None

    def has_index(self, name: str) -> bool:
        return self._db.execute("SELECT 1 FROM sqlite_master WHERE type='index' AND name=?", (name,)).fetchone() is not None

    def close(self) -> None:
        self._db.close()


_STREAMS = itertools.count(1)


def _quoted(columns: Sequence[str]) -> list[str]:
    return [f'"{c}"' for c in columns]


def as_catalog(db: CatalogConnection | sqlite3.Connection) -> CatalogConnection:
    """A catalog connection, also from a bare sqlite3 connection."""
    return SQLiteCatalog.wrap(db) if isinstance(db, sqlite3.Connection) else db


def _row_factory(cursor: Any) -> Any:
    desc = cursor.description
    if desc is None:
        return None
    index = {d.name: i for i, d in enumerate(desc)}

    def make(values: Sequence[Any]) -> Row:
        return Row(values, index)

    return make


_QMARK = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|\?")
_OFFSET_COLUMN = re.compile(r"(?<![\"\w])offset(?![\"\w])")  # the column; the keyword is written OFFSET
_OR_IGNORE = re.compile(r"^\s*(INSERT|UPDATE)\s+OR\s+IGNORE\b", re.I)


def translate(sql: str, *, with_params: bool) -> str:
    """SQLite's spelling of a statement as PostgreSQL takes it (placeholders, OR IGNORE, the offset column)."""
    out = _OFFSET_COLUMN.sub('"offset"', sql)
    m = _OR_IGNORE.match(out)
    if m:
        if m.group(1).upper() != "INSERT":
            raise CatalogError(f"UPDATE OR IGNORE has no PostgreSQL spelling: {sql[:60]!r}")
        out = "INSERT" + out[m.end():]
        at = re.search(r"\bRETURNING\b", out, re.I)
        out = (out[: at.start()] + " ON CONFLICT DO NOTHING " + out[at.start():]) if at else out + " ON CONFLICT DO NOTHING"
    if not with_params:
        return out
    out = out.replace("%", "%%")
    return _QMARK.sub(lambda m: "%s" if m.group(0) == "?" else m.group(0), out)


_SCHEMA_TYPES = [
    (re.compile(r"\bINTEGER\s+PRIMARY\s+KEY(\s+AUTOINCREMENT)?", re.I), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b", re.I), "BIGINT"),
    (re.compile(r"\bBLOB\b", re.I), "BYTEA"),
    (re.compile(r"\bREAL\b", re.I), "DOUBLE PRECISION"),
    (re.compile(r"\)\s*WITHOUT\s+ROWID", re.I), ")"),
    (re.compile(r"^\s*PRAGMA[^;]*;", re.I | re.M), ""),
]


def translate_schema(script: str) -> str:
    out = script
    for pattern, repl in _SCHEMA_TYPES:
        out = pattern.sub(repl, out)
    return translate(out, with_params=False)


_CREATED = re.compile(r"CREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX|SEQUENCE)\s+IF\s+NOT\s+EXISTS\s+(\w+)", re.I)


class PostgresCatalog(CatalogConnection):
    dialect = "postgresql"

    def __init__(self, url: str, *, wait: bool = True):
        if psycopg is None:
            raise CatalogError(f"catalog {url}: PostgreSQL needs psycopg (pip install 'vazeh[postgresql]')")
        self.url = url
        try:
            self._db = psycopg.connect(_libpq_url(url), autocommit=True, row_factory=_row_factory)
        except psycopg.Error as e:
            raise CatalogError(f"catalog {_safe(url)}: cannot connect: {str(e).strip()}") from None
        if not wait:
            # A write that would wait for another writer's lock fails at once instead.
            self._db.execute("SET lock_timeout = 1")
        self._lock = threading.RLock()
        self._sql: dict[tuple[str, bool], str] = {}

    def _q(self, sql: str, with_params: bool) -> str:
        key = (sql, with_params)
        q = self._sql.get(key)
        if q is None:
            head = sql.lstrip().upper()
            if head.startswith("BEGIN IMMEDIATE"):
                q = f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_TURN})"
            elif head.startswith("PRAGMA"):
                q = "SELECT 1 WHERE false"
            else:
                q = translate(sql, with_params=with_params)
            self._sql[key] = q
        return q

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        params = tuple(params)
        return self._db.execute(self._q(sql, bool(params)), params or None)  # type: ignore[arg-type]

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._db.cursor() as cur:
            cur.executemany(self._q(sql, True), [tuple(r) for r in rows])  # type: ignore[arg-type]

    def executescript(self, script: str) -> None:
        # Two processes creating the same tables at once collide in PostgreSQL's catalog:
        # schema changes take the write turn.
        names = _CREATED.findall(script)
        if names and all(self.has_table(n) for n in names):
            return  # nothing to create: no turn taken (another connection of this process may hold it)
        ddl = translate_schema(script)
        if self.in_transaction:
            self._db.execute(ddl)  # type: ignore[arg-type]
            return
        self._db.execute(f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_TURN})")  # type: ignore[arg-type]
        try:
            self._db.execute(ddl)  # type: ignore[arg-type]
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @property
    def in_transaction(self) -> bool:
        return self._db.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Sequence[Any]]:
        params = tuple(params)
        # A server-side cursor (WITH HOLD, as the connection autocommits) sends rows in batches.
        with self._db.cursor(name=f"vazeh_stream_{next(_STREAMS)}", withhold=True) as cur:
            cur.itersize = 5000
            cur.execute(self._q(sql, bool(params)), params or None)  # type: ignore[arg-type]
            yield from cur

    def load(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, batch: int = 5000) -> int:
        n = 0
        with self._db.transaction(), self._db.cursor() as cur:
            with cur.copy(f'COPY "{table}" ({", ".join(_quoted(columns))}) FROM STDIN') as copy:  # type: ignore[arg-type]
                for row in rows:
                    copy.write_row([bytes(v) if isinstance(v, memoryview) else v for v in row])
                    n += 1
        return n

    def has_table(self, name: str) -> bool:
        return self._db.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0]  # type: ignore[index]

    def has_index(self, name: str) -> bool:
        return self.has_table(name)

    def close(self) -> None:
        self._db.close()


def _libpq_url(url: str) -> str:
    # postgresql+psycopg:// (SQLAlchemy's spelling) and postgres:// name the same server.
    scheme, _, rest = url.partition("://")
    return "postgresql://" + rest if scheme.startswith(("postgresql", "postgres")) else url


def _safe(url: str) -> str:
    """A URL for messages: without the password."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def connect(url: str, *, wait: bool = True) -> CatalogConnection:
    """The catalog at `url` (sqlite:///path or postgresql://...)."""
    from vazeh.config import ConfigError, path_of_file_url

    scheme = url.split(":", 1)[0].split("+", 1)[0]
    if scheme == "sqlite":
        try:
            return SQLiteCatalog(path_of_file_url(url), wait=wait)
        except ConfigError as e:
            raise CatalogError(str(e)) from None
    if scheme in ("postgresql", "postgres"):
        return PostgresCatalog(url, wait=wait)
    raise CatalogError(f"catalog {url!r}: expected sqlite:///path or postgresql://...")


def connect_home(home: Path) -> CatalogConnection:
    """The catalog of an archive home, as its backends setting names it."""
    from vazeh.config import backends

    return connect(backends(home).catalog)


def next_seq(db: CatalogConnection) -> str:
    """The SQL expression of the next article number (`articles.seq`).

    SQLite runs one writing statement at a time on the whole file, so the number
    taken inside the writing statement is handed out in commit order. PostgreSQL
    takes it from a sequence; `take_feed_turn` must be called first in the same
    transaction so that numbers still commit in order.
    """
    if db.dialect == "postgresql":
        return "nextval('articles_seq')"
    return "(SELECT COALESCE(MAX(seq), 0) + 1 FROM articles)"


def take_feed_turn(db: CatalogConnection) -> None:
    """Hold the article feed's turn until the current transaction ends (PostgreSQL only).

    A sequence hands out numbers when asked, not when the asking transaction commits:
    a writer that took 11 may commit before the one that took 10, and a consumer that
    read up to 11 (the search index's watermark) would skip 10 for good. Taking the
    turn before the number and keeping it to the commit makes numbers commit in order,
    across every process and machine that writes the catalog; writers of articles take
    turns only for the length of one short transaction. On SQLite this is already so.
    """
    if db.dialect == "postgresql":
        db.execute(f"SELECT pg_advisory_xact_lock({FEED_TURN})")
