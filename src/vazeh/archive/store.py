"""The record of truth: WARC files and the SQLite catalog that points into them.

Every record goes into a WARC/1.1 file as its own gzip member, so a record is
read back with one seek and one small decompression. The catalog lists every
record (`records`) and every capture of a page (`captures`: a response, a
revisit, or a resource record).

Crash safety: records are appended and fsynced before their catalog rows are
committed, and the catalog keeps how many bytes of each WARC file are
committed. Bytes past that point belong to a write that never committed; the
next writer cuts them off before appending, so a killed process leaves neither
a half-written record in the catalog nor a broken gzip member at a file's end.
Each record is keyed by its WARC-Record-ID, so replaying the same import is a
no-op.
"""

from __future__ import annotations

import base64
import fcntl
import gzip
import hashlib
import io
import os
import re
import threading
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import BufferWARCWriter

from vazeh.archive import warcstore as _warcstore
from vazeh.archive.catalog import CatalogConnection, CatalogError, Row, connect_home
from vazeh.archive.catalog import Error as CatalogDBError
from vazeh.archive.migrate import rekey_catalog
from vazeh.archive.surt import KEY_FORMAT, surt

WARC_VERSION = "WARC/1.1"
DEFAULT_ROTATE_BYTES = 1 << 30  # 1 GiB, the usual size for crawl WARCs
MAX_DECODED_BODY = 64 << 20  # a decompressed body larger than this is cut (gzip bombs)
# Reading a record back loads at most this much of its payload: an imported record
# may hold a gigabyte of zeros in a gzip member of a megabyte, and replay serves
# anyone who asks.
MAX_READ_BODY = MAX_DECODED_BODY
_MAX_READ_HEAD = 1 << 20  # WARC and HTTP headers of a stored record, generously

_SCHEMA = """
CREATE TABLE IF NOT EXISTS warc_files (
  name TEXT PRIMARY KEY,
  committed_length INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
  id INTEGER PRIMARY KEY,
  record_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  warc_file TEXT NOT NULL,
  offset INTEGER NOT NULL,
  length INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS captures (
  id INTEGER PRIMARY KEY,
  record INTEGER NOT NULL UNIQUE REFERENCES records(id),
  request_record INTEGER REFERENCES records(id),
  url TEXT NOT NULL,
  surt TEXT NOT NULL,
  captured_at TEXT NOT NULL,
  status INTEGER,
  mime TEXT,
  payload_digest TEXT,
  charset TEXT,
  payload_length INTEGER,
  revisit_of INTEGER REFERENCES captures(id),
  imported INTEGER NOT NULL DEFAULT 0,
  origin TEXT
);
CREATE INDEX IF NOT EXISTS captures_by_surt ON captures(surt, captured_at);
CREATE INDEX IF NOT EXISTS captures_by_digest ON captures(surt, payload_digest);
CREATE INDEX IF NOT EXISTS captures_by_time ON captures(captured_at);
CREATE TABLE IF NOT EXISTS originals (
  surt TEXT NOT NULL,
  payload_digest TEXT NOT NULL,
  capture INTEGER REFERENCES captures(id),
  captured_at TEXT NOT NULL,
  PRIMARY KEY (surt, payload_digest)
);
"""
# `originals` is what revisit detection rests on: one row per (surt, payload digest),
# naming the capture whose record holds that payload. A writer claims the row before
# it writes a response (INSERT ... ON CONFLICT DO NOTHING) and re-reads it when the
# claim is taken, so two writers racing on the same page end with one response and
# one revisit even without the write turn: on PostgreSQL the second claim waits for
# the first writer's commit (or rollback) on the key itself. `capture` is NULL only
# between a claim and its capture row, inside the claiming transaction.


class ArchiveError(Exception):
    """A problem with the archive home or one of its files, worded for the user."""


@dataclass(frozen=True)
class Capture:
    """One catalogued capture of a URL: where its record sits and what it held."""

    id: int
    url: str
    surt: str
    captured_at: datetime
    status: int | None
    mime: str | None
    payload_digest: str | None
    charset: str | None
    payload_length: int | None
    warc_file: str
    offset: int
    length: int
    record_type: str
    revisit_of: int | None = None
    imported: bool = False
    origin: str | None = None

    @property
    def timestamp14(self) -> str:
        return self.captured_at.astimezone(UTC).strftime("%Y%m%d%H%M%S")


@dataclass
class ArchivedResponse:
    """An archived HTTP response as it was served, read back from its WARC record."""

    capture: Capture
    status: int
    reason: str
    headers: list[tuple[str, str]]
    raw_body: bytes  # as served: still content-encoded if the server compressed it; cut at MAX_READ_BODY
    body: bytes  # content-decoded (gzip, deflate, br undone), cut at MAX_DECODED_BODY
    truncated: bool = False

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for k, v in self.headers:
            if k.lower() == lname:
                return v
        return None


@dataclass
class PendingRecord:
    record_id: str
    type: str
    data: bytes


@dataclass
class _Txn:
    files: dict[str, io.BufferedWriter] = field(default_factory=dict)


def payload_digest(payload: bytes) -> str:
    """WARC-Payload-Digest in the customary form: sha1 in base32."""
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")


def iso_utc(dt: datetime) -> str:
    if dt.tzinfo is None:
        raise ValueError("capture times must be timezone-aware")
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso_utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _warc_date(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


WARC_TYPES = frozenset(
    ("warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion", "continuation")
)
CAPTURE_TYPES = ("response", "revisit", "resource")
# W3C-ISO8601 as WARC 1.1 has it: a full date and time, and a zone (Z, or an offset).
_WARC_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})")


def quote_prefix(value: str | bytes, limit: int = 40) -> str:
    """A short quotation of something read from a file, for messages: never the whole line."""
    text = repr(value[:limit])
    if len(text) > limit + 20:  # NULs and other escapes take four characters each
        text = text[: limit + 16] + "..."
    if len(value) > limit:
        text += f" ... ({len(value):,} in all)"
    return text


def parse_warc_date(value: str | None) -> datetime:
    """A WARC-Date as a timezone-aware datetime; ValueError, worded for the user, if it is not one."""
    if not value:
        raise ValueError("the record has no WARC-Date")
    text = value.strip()
    if not _WARC_DATE.fullmatch(text):
        raise ValueError(
            f"WARC-Date {quote_prefix(text)} is not a date and time with a zone (like 2024-05-01T12:30:00Z)"
        )
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        dt.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError(f"WARC-Date {quote_prefix(text)} is not a real date and time") from None
    return dt


def importable_problem(record: ArcWarcRecord) -> str | None:
    """Why a record read from another file cannot be catalogued (None: it can).

    The checks are the ones the catalog needs: a known WARC-Type, and for a capture
    its URL, a real date with a zone and a status that fits a three-digit code.
    """
    h = record.rec_headers
    rtype = record.rec_type
    if not rtype:
        return "the record has no WARC-Type"
    if rtype not in WARC_TYPES:
        return f"unknown WARC-Type {quote_prefix(rtype)}"
    length = h.get_header("Content-Length")
    if length is not None and not length.strip().isdigit():
        return f"Content-Length {quote_prefix(length)} is not a number of bytes"
    if rtype not in CAPTURE_TYPES:
        return None
    if not (h.get_header("WARC-Target-URI") or "").strip():
        return f"{rtype} record without a WARC-Target-URI (no address to file it under)"
    try:
        parse_warc_date(h.get_header("WARC-Date"))
    except ValueError as e:
        return str(e)
    if record.http_headers is not None and rtype != "resource":
        code = record.http_headers.get_statuscode()
        if code and code.isdigit() and not 100 <= int(code) <= 999:
            return f"HTTP status {quote_prefix(code)} is not a three-digit code"
    return None


def decode_content(raw: bytes, encoding: str | None, limit: int = MAX_DECODED_BODY) -> tuple[bytes, bool]:
    """Undo Content-Encoding without ever inflating more than `limit` bytes.

    Stacked encodings ("gzip, br") are undone last first, each step bounded. A
    body that cannot be decoded is kept as it is (cut at `limit`), never lost.
    """
    codings = [c.strip().lower() for c in (encoding or "").split(",")]
    codings = [c for c in codings if c not in ("", "identity")]
    if not codings:
        return raw[:limit], len(raw) > limit
    if len(codings) > _MAX_CODINGS or any(c not in _DECODERS for c in codings):
        return raw[:limit], len(raw) > limit
    data, truncated = raw, False
    try:
        for coding in reversed(codings):
            data, cut = _DECODERS[coding](data, limit)
            truncated = truncated or cut
    except Exception:  # noqa: BLE001 - an undecodable body is kept raw, never lost
        return raw[:limit], len(raw) > limit
    return data, truncated


def _inflate(raw: bytes, limit: int, *, deflate: bool) -> tuple[bytes, bool]:
    d = zlib.decompressobj(zlib.MAX_WBITS if deflate else 47)
    try:
        out = d.decompress(raw, limit)
    except zlib.error:
        if not deflate:
            raise
        d = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send
        out = d.decompress(raw, limit)
    return out, bool(d.unconsumed_tail)


def _unbrotli(raw: bytes, limit: int) -> tuple[bytes, bool]:
    # brotli.decompress() has no output bound: 800 bytes can inflate to 1 GiB. The
    # streaming Decompressor of brotli >= 1.1 stops at output_buffer_limit; older
    # ones (and brotlicffi) are fed a little input at a time instead, so one call
    # inflates at most a few MiB before the limit is checked.
    try:
        import brotli  # type: ignore[import-not-found]
    except ImportError:
        import brotlicffi as brotli  # type: ignore[import-not-found, no-redef]

    d = brotli.Decompressor()
    parts: list[bytes] = []
    size = 0
    try:
        first = d.process(b"", output_buffer_limit=1)
    except TypeError:
        return _unbrotli_fed(d, raw, limit)
    if first:
        parts.append(first)
        size += len(first)
    pos = 0
    feed = 1 << 16

    def step(room: int) -> bytes:
        nonlocal pos
        piece = b""
        if d.can_accept_more_data() and pos < len(raw):
            piece, pos = raw[pos : pos + feed], pos + feed
        return d.process(piece, output_buffer_limit=room)

    while size < limit and not d.is_finished():
        at = pos
        out = step(min(limit - size, 1 << 20))
        if not out and pos == at:
            break  # all input taken and nothing more comes out: a cut stream
        parts.append(out)
        size += len(out)
    body = b"".join(parts)
    parts.clear()
    if size > limit:
        return body[:limit], True
    # At the limit exactly: the body was cut only if the stream still has output.
    while size == limit and not d.is_finished():
        at = pos
        if step(1):
            return body, True
        if pos == at:
            break
    return body, False


def _unbrotli_fed(d: Any, raw: bytes, limit: int) -> tuple[bytes, bool]:
    # One byte of brotli can stand for megabytes, so the input goes in small steps.
    parts: list[bytes] = []
    size = 0
    step = 16
    for pos in range(0, len(raw), step):
        out = d.process(raw[pos : pos + step])
        parts.append(out)
        size += len(out)
        if size >= limit:
            return b"".join(parts)[:limit], size > limit or pos + step < len(raw)
    return b"".join(parts), False


_DECODERS: dict[str, Callable[[bytes, int], tuple[bytes, bool]]] = {
    "gzip": lambda raw, limit: _inflate(raw, limit, deflate=False),
    "x-gzip": lambda raw, limit: _inflate(raw, limit, deflate=False),
    "deflate": lambda raw, limit: _inflate(raw, limit, deflate=True),
    "br": _unbrotli,
}
# Real servers stack two codings at most; more is a crafted body, kept as it is.
_MAX_CODINGS = 4


class Archive:
    """The archive home's WARC files and catalog. One instance per process; thread-safe."""

    def __init__(
        self, home: Path, *, rotate_bytes: int | None = None, create: bool = True, warcs: Any = None
    ):
        self.home = Path(home)
        if not self.home.exists():
            if not create:
                raise ArchiveError(f"no archive at {self.home}: run `vazeh init` first")
            self.home.mkdir(parents=True)
        # Where finished WARC files go (vazeh.config's `warcs` backend); writing is always local.
        self.warcs = warcs if warcs is not None else _warcstore.warcs_of_home(self.home)
        self.warc_dir = self.warcs.local_dir
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        if rotate_bytes is None:  # not named by the caller: $VAZEH_ROTATE_BYTES, else 1 GiB
            from vazeh.config import ConfigError
            from vazeh.config import rotate_bytes as rotate_setting

            try:
                rotate_bytes = rotate_setting(DEFAULT_ROTATE_BYTES)
            except ConfigError as e:
                raise ArchiveError(str(e)) from None
        self.rotate_bytes = rotate_bytes
        self._lock = threading.RLock()
        # SQLite in the home (the default) or a shared PostgreSQL: vazeh.config.backends names it.
        try:
            self._db = connect_home(self.home)
        except (CatalogError, ValueError) as e:  # ValueError: vazeh.config's ConfigError
            raise ArchiveError(str(e)) from None
        self._db.executescript(_SCHEMA)
        _warcstore.ensure_seal_columns(self._db)
        rekey_catalog(self._db)  # keys in an older format are recomputed, once
        fill_originals(self._db)  # after the rekeying: originals are keyed like captures
        self._txn: _Txn | None = None
        self._writer_fd: int | None = None
        self._current_file: str | None = None
        self._recovered = False
        self._sealing = _warcstore.Sealing(self)

    # ------------------------------------------------------------------ lifecycle
    @property
    def db(self) -> CatalogConnection:
        """The catalog connection: later stages keep their tables in the same catalog."""
        return self._db

    @property
    def catalog(self) -> CatalogConnection:
        return self._db

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writing
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes: all records in it are fsynced, then catalogued in one commit.

        Holds the home's writer lock, so writers in several processes take turns.
        Nested use joins the outer transaction.
        """
        with self._lock:
            if self._txn is not None:
                yield
                return
            lock_fd = os.open(self.home / "writer.lock", os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            self._txn = _Txn()
            try:
                if not self._recovered:
                    self._recover()
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield
                    for f in self._txn.files.values():
                        f.flush()
                        os.fsync(f.fileno())
                    for name, f in self._txn.files.items():
                        self._db.execute(
                            "INSERT INTO warc_files(name, committed_length) VALUES(?, ?) "
                            "ON CONFLICT(name) DO UPDATE SET committed_length=excluded.committed_length",
                            (name, f.tell()),
                        )
                    self._sealing.seal_finished()
                    self._db.execute("COMMIT")
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
            finally:
                for f in self._txn.files.values():
                    f.close()
                self._txn = None
                fcntl.flock(lock_fd, fcntl.LOCK_UN)
                os.close(lock_fd)
            self._sealing.store_sealed()  # uploads run outside the writer lock

    def _recover(self) -> None:
        """Undo what killed writers left behind (called once, holding the writer lock).

        A file whose every write was uncommitted is not in `warc_files` at all: it
        holds nothing the catalog points to, so it is removed. Any other file is cut
        back to its committed length, so the WARC files on disk hold exactly the
        catalogued records and stay readable end to end by any WARC tool.
        """
        committed = {r[0]: r[1] for r in self._db.execute("SELECT name, committed_length FROM warc_files")}
        for path in self.warc_dir.glob("vazeh-*.warc.gz"):
            length = committed.get(path.name)
            if length is None:
                path.unlink()
            elif path.stat().st_size > length:
                with open(path, "r+b") as f:
                    f.truncate(length)
                    os.fsync(f.fileno())
        self._recovered = True

    def _committed_length(self, name: str) -> int:
        row = self._db.execute("SELECT committed_length FROM warc_files WHERE name=?", (name,)).fetchone()
        return row[0] if row else 0

    def _open_for_append(self, size_hint: int) -> tuple[str, io.BufferedWriter]:
        assert self._txn is not None
        name = self._current_file
        if name in self._txn.files:
            f = self._txn.files[name]
            if f.tell() == 0 or f.tell() + size_hint <= self.rotate_bytes:
                return name, f
            name = None  # full: rotate
        elif name is None:
            row = self._db.execute("SELECT name FROM warc_files ORDER BY name DESC LIMIT 1").fetchone()
            name = row["name"] if row else None
        if name is not None and (
            not (self.warc_dir / name).exists()
            or self._committed_length(name) + size_hint > self.rotate_bytes
            or self._sealing.is_sealed(name)  # finished: never appended to again
        ):
            name = None
        if name is None:
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
            name = f"vazeh-{stamp}-{os.getpid()}.warc.gz"
        self._current_file = name
        path = self.warc_dir / name
        committed = self._committed_length(name)
        f = open(path, "ab")  # noqa: SIM115 - closed at the end of the transaction
        if f.tell() != committed:
            # Bytes past the committed length come from a write that never finished.
            f.truncate(committed)
            f.seek(committed)
        self._txn.files[name] = f
        if committed == 0:
            self._write_warcinfo(name, f)
        return name, f

    def _write_warcinfo(self, name: str, f: io.BufferedWriter) -> None:
        # Every WARC file opens with a warcinfo record saying who wrote it and how.
        from vazeh import __version__

        builder = self._builder()
        info = builder.create_warcinfo_record(
            name,
            {
                "software": f"vazeh/{__version__} (warcio)",
                "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
                "description": "Persian news web archive",
            },
        )
        rec = self._serialize(info)
        offset = f.tell()
        f.write(rec.data)
        self._db.execute(
            "INSERT INTO records(record_id, type, warc_file, offset, length) VALUES(?,?,?,?,?)",
            (rec.record_id, rec.type, name, offset, len(rec.data)),
        )

    def _append(self, rec: PendingRecord) -> int:
        """Append one serialized record; returns its `records.id`, or the existing one."""
        row = self._db.execute("SELECT id FROM records WHERE record_id=?", (rec.record_id,)).fetchone()
        if row:
            return row[0]
        name, f = self._open_for_append(len(rec.data))
        offset = f.tell()
        f.write(rec.data)
        cur = self._db.execute(
            "INSERT INTO records(record_id, type, warc_file, offset, length) VALUES(?,?,?,?,?) RETURNING id",
            (rec.record_id, rec.type, name, offset, len(rec.data)),
        )
        return int(cur.fetchone()[0])

    def record_identity(self, record_id: str) -> tuple[str, str | None, datetime | None] | None:
        """What a catalogued record is: its type, and the URL and time of its capture if it is one."""
        row = self._db.execute(
            "SELECT r.type, c.url, c.captured_at FROM records r LEFT JOIN captures c ON c.record = r.id "
            "WHERE r.record_id=?",
            (record_id,),
        ).fetchone()
        if row is None:
            return None
        return row[0], row[1], parse_iso_utc(row[2]) if row[2] else None

    def has_record(self, record_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM records WHERE record_id=?", (record_id,)).fetchone() is not None

    def _serialize(self, record: ArcWarcRecord) -> PendingRecord:
        writer = BufferWARCWriter(gzip=True, warc_version=WARC_VERSION)
        writer.write_record(record)
        rid = record.rec_headers.get_header("WARC-Record-ID")
        return PendingRecord(rid, record.rec_type, writer.get_contents())

    def _builder(self) -> BufferWARCWriter:
        return BufferWARCWriter(gzip=True, warc_version=WARC_VERSION)

    def _find_original(self, key: str, digest: str) -> Row | None:
        return self._db.execute(
            "SELECT c.id, c.url, c.captured_at, c.status, c.mime FROM originals o JOIN captures c ON c.id = o.capture "
            "WHERE o.surt=? AND o.payload_digest=?",
            (key, digest),
        ).fetchone()

    def _claim_original(self, key: str, digest: str, captured_at: str) -> Row | None:
        """Claim (surt, digest) for a response about to be written; the original already
        there if another writer has it (then this capture is a revisit of it)."""
        won = self._db.execute(
            "INSERT INTO originals(surt, payload_digest, captured_at) VALUES(?,?,?) "
            "ON CONFLICT(surt, payload_digest) DO NOTHING RETURNING surt",
            (key, digest, captured_at),
        ).fetchone()
        return None if won is not None else self._find_original(key, digest)

    def _keep_original(self, capture_id: int, key: str, digest: str, captured_at: str) -> None:
        # Fills this writer's claim, or makes the capture the original when it is earlier
        # than the one there (an import of an older crawl): the earliest holds the payload,
        # as pywb picks it.
        self._db.execute(
            "INSERT INTO originals(surt, payload_digest, capture, captured_at) VALUES(?,?,?,?) "
            "ON CONFLICT(surt, payload_digest) DO UPDATE SET capture=excluded.capture, captured_at=excluded.captured_at "
            "WHERE originals.capture IS NULL OR excluded.captured_at < originals.captured_at",
            (key, digest, capture_id, captured_at),
        )

    def _original_for(
        self, url: str, digest: str | None, refers_to_uri: str | None, refers_to: str | None
    ) -> Row | None:
        """The capture holding a revisit's payload, found as pywb finds it: the record
        it names (WARC-Refers-To) if that is here, else the earliest response or resource
        of WARC-Refers-To-Target-URI (or its own URL) with the same payload digest."""
        if refers_to:
            row = self._db.execute(
                "SELECT c.id, c.url, c.captured_at, c.status, c.mime FROM captures c JOIN records r ON r.id = c.record "
                "WHERE r.record_id=? AND r.type IN ('response','resource')",
                (refers_to.strip(),),
            ).fetchone()
            if row is not None:
                return row
        if not digest:
            return None
        keys = dict.fromkeys(surt(u.strip()) for u in (refers_to_uri, url) if u and u.strip())
        for key in keys:
            row = self._find_original(key, digest)
            if row is not None:
                return row
        return None

    def _link_revisits(self, original_id: int, key: str, digest: str) -> None:
        # Revisits imported before their original (another file, read first) point to
        # it from now on; ones that name another URL are found when read.
        self._db.execute(
            "UPDATE captures SET revisit_of=?, status=COALESCE(status, (SELECT status FROM captures WHERE id=?)) "
            "WHERE surt=? AND payload_digest=? AND revisit_of IS NULL "
            "AND record IN (SELECT id FROM records WHERE type='revisit')",
            (original_id, original_id, key, digest),
        )

    def _resolve_revisit(self, capture: Capture, rec: ArcWarcRecord) -> Capture | None:
        """A revisit's original, found when it is read: import order never matters."""
        if capture.revisit_of is not None:
            try:
                known = self.get(capture.revisit_of)
            except ArchiveError:
                known = None  # points nowhere: found again below
            if known is not None and known.record_type in ("response", "resource"):
                return known
        h = rec.rec_headers
        row = self._original_for(
            capture.url,
            capture.payload_digest or h.get_header("WARC-Payload-Digest"),
            h.get_header("WARC-Refers-To-Target-URI"),
            h.get_header("WARC-Refers-To"),
        )
        if row is None:
            return None
        self._remember_original(capture.id, int(row["id"]))
        return self.get(int(row["id"]))

    def _remember_original(self, capture_id: int, original_id: int) -> None:
        # A read must never wait on or fail for this write: a connection of its own
        # that gives up at once if a writer holds the catalog (the next read tries again).
        try:
            db = self._db.reopen(wait=False)
        except (*CatalogDBError, CatalogError, OSError):
            return
        try:
            db.execute(
                "UPDATE captures SET revisit_of=?, status=COALESCE(status, (SELECT status FROM captures WHERE id=?)) "
                "WHERE id=?",
                (original_id, original_id, capture_id),
            )
        except CatalogDBError:
            pass
        finally:
            db.close()

    def write_exchange(
        self,
        *,
        url: str,
        request_method: str = "GET",
        request_headers: Iterable[tuple[str, str]] = (),
        status: int,
        reason: str = "",
        response_headers: Iterable[tuple[str, str]],
        body: bytes,
        captured_at: datetime | None = None,
        ip: str | None = None,
        charset: str | None = None,
        http_version: str = "HTTP/1.1",
        imported: bool = False,
        origin: str | None = None,
        record_id: str | None = None,
        dedupe: bool = True,
        extra_warc_headers: Iterable[tuple[str, str]] = (),
        http_head: bytes | None = None,
        request_head: bytes | None = None,
    ) -> Capture:
        """Archive one HTTP exchange as a request record and a response (or revisit) record.

        `http_head` and `request_head`, when given, are the heads exactly as received
        and sent (status or request line, headers, blank line) and are stored verbatim;
        `status`, `reason` and the headers then only feed the catalog.

        `body` is the payload exactly as served (not content-decoded). When the same
        payload is already archived for this URL, a revisit record is written instead
        of the bytes again.
        """
        captured_at = captured_at or datetime.now(UTC)
        response_headers = list(response_headers)
        mime = _mime(response_headers)
        digest = payload_digest(body)
        key = surt(url)
        date = _warc_date(captured_at)
        builder = self._builder()
        with self.transaction():
            if record_id and self.has_record(record_id):
                return self._capture_by_record_id(record_id)
            http_headers = StatusAndHeaders(f"{status} {reason}".strip(), response_headers, protocol=http_version)
            if http_head is not None:
                http_headers = _verbatim(http_headers, http_head)
            original = self._claim_original(key, digest, iso_utc(captured_at)) if dedupe else None
            warc_headers = [("WARC-Date", date)] + list(extra_warc_headers)
            if ip:
                warc_headers.append(("WARC-IP-Address", ip))
            if record_id:
                warc_headers.append(("WARC-Record-ID", record_id))
            if original is not None:
                record = builder.create_revisit_record(
                    url, digest, original["url"], _warc_date(parse_iso_utc(original["captured_at"])), http_headers=http_headers
                )
                for k, v in warc_headers:
                    record.rec_headers.replace_header(k, v)
            else:
                record = builder.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=http_headers,
                    warc_headers_dict={k: v for k, v in warc_headers},
                )
                record.rec_headers.replace_header("WARC-Payload-Digest", digest)
            resp = self._serialize(record)
            if self.has_record(resp.record_id):
                if dedupe and original is None:  # the claim made above stays unused
                    self._db.execute(
                        "DELETE FROM originals WHERE surt=? AND payload_digest=? AND capture IS NULL", (key, digest)
                    )
                return self._capture_by_record_id(resp.record_id)
            req_rowid = None
            if not imported:
                req_http = StatusAndHeaders(f"{request_method} {_request_target(url)} {http_version}", list(request_headers), is_http_request=True)
                if request_head is not None:
                    req_http = _verbatim(req_http, request_head)
                req = builder.create_warc_record(
                    url, "request", http_headers=req_http, warc_headers_dict={"WARC-Date": date}
                )
                req.rec_headers.add_header("WARC-Concurrent-To", resp.record_id)
                req_rowid = self._append(self._serialize(req))
            rec_rowid = self._append(resp)
            cur = self._db.execute(
                "INSERT INTO captures(record, request_record, url, surt, captured_at, status, mime, payload_digest, "
                "charset, payload_length, revisit_of, imported, origin) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                (
                    rec_rowid,
                    req_rowid,
                    url,
                    key,
                    iso_utc(captured_at),
                    status,
                    mime,
                    digest,
                    charset,
                    len(body),
                    original["id"] if original is not None else None,
                    int(imported),
                    origin,
                ),
            )
            capture_id = int(cur.fetchone()[0])
            if original is None:
                self._keep_original(capture_id, key, digest, iso_utc(captured_at))
                self._link_revisits(capture_id, key, digest)
            return self.get(capture_id)

    def import_record(
        self,
        record: ArcWarcRecord,
        *,
        payload: bytes | None = None,
        http_head: bytes | None = None,
        origin: str | None = None,
        charset_for: Callable[[bytes, str | None], str | None] | None = None,
    ) -> Capture | None:
        """Copy one record read from another WARC into the archive, cataloguing it once.

        Returns the Capture for response/revisit/resource records, else None.
        `payload` must be the record's payload bytes when the record is a capture
        (the caller has already read them to compute the charset). `http_head` is
        the record's HTTP head exactly as the file has it (b"" when it has none):
        the stored block is then http_head + payload, byte for byte the source's,
        so the record's own block and payload digests stay true. Without it the
        head warcio parsed is written out again, which is not always the same bytes.
        """
        problem = importable_problem(record)
        if problem is not None:
            raise ArchiveError(problem)
        rec = self._serialize_imported(record, payload, http_head)
        with self.transaction():
            if self.has_record(rec.record_id):
                if rec.type in ("response", "revisit", "resource"):
                    return self._capture_by_record_id(rec.record_id)
                return None
            rowid = self._append(rec)
            if rec.type not in ("response", "revisit", "resource"):
                return None
            h = record.rec_headers
            url = (h.get_header("WARC-Target-URI") or "").strip()
            captured_at = parse_warc_date(h.get_header("WARC-Date"))
            status = None
            mime = None
            if record.http_headers is not None and rec.type != "resource":
                code = record.http_headers.get_statuscode()
                status = int(code) if code and code.isdigit() else None
                mime = _mime(record.http_headers.headers)
            elif rec.type == "resource":
                status = 200
                mime = (h.get_header("Content-Type") or "").split(";")[0].strip().lower() or None
            digest = h.get_header("WARC-Payload-Digest") or (payload_digest(payload) if payload is not None else None)
            original = None
            if rec.type == "revisit":
                original = self._original_for(
                    url, digest, h.get_header("WARC-Refers-To-Target-URI"), h.get_header("WARC-Refers-To")
                )
                if original is not None and status is None:
                    status, mime = original["status"], mime or original["mime"]  # an old-style revisit: no head
            charset = None
            if charset_for is not None and payload is not None:
                charset = charset_for(payload, _content_type(record))
            cur = self._db.execute(
                "INSERT INTO captures(record, url, surt, captured_at, status, mime, payload_digest, charset, "
                "payload_length, revisit_of, imported, origin) VALUES(?,?,?,?,?,?,?,?,?,?,1,?) RETURNING id",
                (rowid, url, surt(url), iso_utc(captured_at), status, mime, digest, charset,
                 len(payload) if payload is not None else None,
                 original["id"] if original is not None else None, origin),
            )
            capture_id = int(cur.fetchone()[0])
            if rec.type != "revisit" and digest:
                self._keep_original(capture_id, surt(url), digest, iso_utc(captured_at))
                self._link_revisits(capture_id, surt(url), digest)
            return self.get(capture_id)

    def _serialize_imported(
        self, record: ArcWarcRecord, payload: bytes | None, http_head: bytes | None = None
    ) -> PendingRecord:
        """A foreign record as one gzip member of our own: its WARC headers kept
        (Content-Length written anew, a block digest added when it has none, as ARC
        records never do), its block copied as it was."""
        h = record.rec_headers
        if record.format == "arc" or not h.get_header("WARC-Record-ID"):
            # ARC records carry no record id: give them a stable one so re-imports dedupe.
            seed = f"{h.get_header('WARC-Target-URI') or h.get_header('uri')}|{h.get_header('WARC-Date')}|{payload_digest(payload or b'')}"
            h.replace_header("WARC-Record-ID", f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}>")
        if http_head is None:
            http_head = b""
            if record.http_headers is not None and record.rec_type != "resource":
                http_head = record.http_headers.to_bytes()
        body = payload or b""
        length = len(http_head) + len(body)
        headers = [(k, v) for k, v in h.headers if k.lower() != "content-length"]
        proto = h.protocol if h.protocol.startswith("WARC/") else WARC_VERSION
        if record.format == "arc":
            proto = WARC_VERSION
        if not any(k.lower() == "warc-block-digest" for k, _ in headers):
            # So any WARC tool can check the copy: the digest is of the bytes kept.
            block_sha1 = hashlib.sha1(http_head)
            block_sha1.update(body)
            headers.append(("WARC-Block-Digest", "sha1:" + base64.b32encode(block_sha1.digest()).decode("ascii")))
        head = proto + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
        head += f"Content-Length: {length}\r\n\r\n"
        out = io.BytesIO()
        with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
            gz.write(head.encode("utf-8"))
            gz.write(http_head)
            gz.write(body)
            gz.write(b"\r\n\r\n")
        return PendingRecord(h.get_header("WARC-Record-ID"), record.rec_type, out.getvalue())

    # ------------------------------------------------------------------ reading
    def _capture_by_record_id(self, record_id: str) -> Capture:
        row = self._db.execute(
            _CAPTURE_SELECT + " WHERE r.record_id=?", (record_id,)
        ).fetchone()
        if row is None:
            raise ArchiveError(f"record {record_id} is not a capture")
        return _capture(row)

    def get(self, capture_id: int) -> Capture:
        row = self._db.execute(_CAPTURE_SELECT + " WHERE c.id=?", (capture_id,)).fetchone()
        if row is None:
            raise ArchiveError(f"no capture with id {capture_id}")
        return _capture(row)

    def captures(self, url: str) -> list[Capture]:
        """Every capture of a URL (by SURT key), oldest first."""
        rows = self._db.execute(_CAPTURE_SELECT + " WHERE c.surt=? ORDER BY c.captured_at", (surt(url),)).fetchall()
        return [_capture(r) for r in rows]

    def nearest(self, url: str, at: datetime | None = None, *, statuses: tuple[int, ...] | None = None) -> Capture | None:
        """The capture of `url` closest in time to `at` (the newest when `at` is None)."""
        caps = self.captures(url)
        if statuses is not None:
            caps = [c for c in caps if c.status in statuses]
        if not caps:
            return None
        if at is None:
            return caps[-1]
        # Replay timestamps have whole seconds: among captures of one key in the same
        # second (`/x` and `/x/` share a key), the one of the URL asked for wins.
        asked = url.strip()
        return min(caps, key=lambda c: (
            abs(int(c.captured_at.timestamp()) - int(at.timestamp())),
            c.url != asked,
            abs((c.captured_at - at).total_seconds()),
        ))

    def iter_captures(self, *, after_id: int = 0, html_only: bool = False, batch: int = 1000) -> Iterator[Capture]:
        """All captures in catalog order, read in batches so the archive may be huge."""
        last = after_id
        cond = " AND (c.mime LIKE '%html%' OR c.mime IS NULL)" if html_only else ""
        while True:
            rows = self._db.execute(
                _CAPTURE_SELECT + f" WHERE c.id > ?{cond} ORDER BY c.id LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            for r in rows:
                yield _capture(r)
            last = rows[-1]["id"]

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM captures").fetchone()[0]

    def count_html_pages(self) -> int:
        """Captures of HTML pages served with 200."""
        return self._db.execute("SELECT COUNT(*) FROM captures WHERE mime LIKE '%html%' AND status = 200").fetchone()[0]

    def newest_html_url(self) -> str | None:
        """The URL of the newest catalogued HTML page served with 200."""
        row = self._db.execute(
            "SELECT url FROM captures WHERE status = 200 AND mime LIKE 'text/html%' ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return row[0] if row else None

    def seal_warcs(self, *, current: bool = False) -> list[str]:
        """Seal the finished WARC files (and the one being written, with `current`), store
        them in the `warcs` backend and check them there; the locations stored now."""
        return self._sealing.seal_and_store(current=current)

    def read_raw(self, warc_file: str, offset: int, length: int) -> bytes:
        """The exact bytes of one record (a whole gzip member) as stored."""
        try:
            f = open(self.warc_dir / warc_file, "rb")  # noqa: SIM115 - closed just below
        except FileNotFoundError:
            data = self._sealing.read_stored(warc_file, offset, length)  # sealed and stored away: a ranged GET
        else:
            with f:
                f.seek(offset)
                data = f.read(length)
        if len(data) != length:
            raise ArchiveError(f"{warc_file} is shorter than the catalog says (offset {offset})")
        return data

    def read_record(self, capture: Capture) -> ArcWarcRecord:
        """The WARC record of a capture, fully loaded (the payload is read into memory)."""
        data = self.read_raw(capture.warc_file, capture.offset, capture.length)
        it = ArchiveIterator(io.BytesIO(data), no_record_parse=False)
        for rec in it:
            return rec
        raise ArchiveError(f"no record at {capture.warc_file}:{capture.offset}")

    def read_response(self, capture: Capture) -> ArchivedResponse:
        """The archived response of a capture; a revisit is resolved to its original payload."""
        if capture.record_type == "response":
            fast = _fast_response(self.read_raw(capture.warc_file, capture.offset, capture.length))
            if fast is not None:
                status, reason, headers, raw = fast
                encoding = next((v for k, v in headers if k.lower() == "content-encoding"), None)
                body, truncated = decode_content(raw, encoding)
                return ArchivedResponse(capture, status, reason, headers, raw, body, truncated)
        rec = self.read_record(capture)
        if capture.record_type == "resource":
            raw, cut = _read_bounded(rec.raw_stream)
            ctype = rec.rec_headers.get_header("Content-Type") or "application/octet-stream"
            return ArchivedResponse(capture, 200, "OK", [("Content-Type", ctype)], raw, raw, cut)
        http = rec.http_headers
        status = int(http.get_statuscode()) if http is not None else 200
        reason = http.statusline.split(" ", 1)[1] if http is not None and " " in http.statusline else ""
        headers = list(http.headers) if http is not None else []
        if capture.record_type == "revisit":
            found = self._resolve_revisit(capture, rec)
            if found is None:
                raise ArchiveError(f"revisit capture {capture.id} of {capture.url} has no original in the archive")
            original = self.read_response(found)
            raw, cut = original.raw_body, original.truncated  # already de-chunked by its own read
            if http is None or not http.headers:
                # An old-style revisit records no HTTP head: the original's is the one served.
                status, reason, headers = original.status, original.reason, original.headers
        else:
            raw, cut = _read_bounded(rec.raw_stream)
            # Chunking is the connection's framing, not the payload (vazeh's own captures
            # keep it as it crossed the wire, as warcio's capture_http does): the body as
            # served is the de-chunked one, still content-encoded, as pywb's id_ gives it.
            if any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in headers):
                raw = _dechunk(raw)
        encoding = next((v for k, v in headers if k.lower() == "content-encoding"), None)
        body, truncated = decode_content(raw, encoding)
        return ArchivedResponse(capture, status, reason, headers, raw, body, truncated or cut)


def _read_bounded(stream: BinaryIO) -> tuple[bytes, bool]:
    """At most MAX_READ_BODY bytes of a record's payload, and whether there was more."""
    data = stream.read(MAX_READ_BODY + 1)
    return data[:MAX_READ_BODY], len(data) > MAX_READ_BODY


def _dechunk(raw: bytes) -> bytes:
    """Undo HTTP/1.1 chunking (RFC 9112 7.1): chunk extensions and trailers are
    framing too. A malformed chunking is kept as it is; a body cut short keeps the
    chunks it has (a capture cut at its size cap ends mid-chunk)."""
    out = bytearray()
    pos, n = 0, len(raw)
    while pos < n:
        eol = raw.find(b"\n", pos)
        if eol < 0:
            return raw if not out else bytes(out)
        size_text = raw[pos:eol].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            return raw if not out else bytes(out)
        if size < 0:
            return raw
        if size == 0:
            return bytes(out)  # what follows is trailers
        start = eol + 1
        out += raw[start : start + size]
        pos = start + size
        if raw[pos : pos + 2] == b"\r\n":
            pos += 2
        elif raw[pos : pos + 1] == b"\n":
            pos += 1
    return bytes(out)


def _fast_response(member: bytes) -> tuple[int, str, list[tuple[str, str]], bytes] | None:
    """Parse a plain response record with fastwarc, about 3x faster than warcio (bench/capture.py).

    Only the simple, common case: ASCII HTTP headers and no Transfer-Encoding.
    Anything else returns None and is read by warcio, which the tests compare with.
    """
    try:
        from fastwarc.warc import WarcRecord
    except ImportError:  # pragma: no cover - fastwarc is a dependency, but optional here
        return None
    try:
        d = zlib.decompressobj(31)
        data = d.decompress(member, _MAX_READ_HEAD + MAX_READ_BODY)
        if d.unconsumed_tail or not d.eof:
            return None  # larger than a read may load: warcio reads it in bounded steps
        head_end = data.find(b"\r\n\r\n")
        http_end = data.find(b"\r\n\r\n", head_end + 4)
        if head_end < 0 or http_end < 0:
            return None
        http_head = data[head_end + 4 : http_end]
        if not http_head.isascii() or b"transfer-encoding" in http_head.lower():
            return None
        if b"\n\n" in http_head or b"\n\r\n" in http_head:
            # The HTTP head ended on a bare-LF blank line (kept as served): the CRLF
            # search above overshot into the body. warcio reads such heads right.
            return None
        rec = WarcRecord.from_bytes(data)
        rec.parse_http()
        http = rec.http_headers
        return http.status_code, http.reason_phrase or "", [(k, v) for k, v in http.astuples()], rec.reader.read()
    except Exception:  # noqa: BLE001 - warcio gets the last word on anything unusual
        return None


def fill_originals(db: CatalogConnection) -> None:
    """Give a catalog from before `originals` (or one whose keys were just rekeyed) its
    originals: the earliest response or resource of each (surt, payload digest). Old
    catalogs may hold several responses of one payload for one URL (writers that raced
    before the constraint); the earliest is the original, the others stay responses.
    Runs once per key format, in the write turn, so two processes opening at once
    fill it once."""
    done = str(KEY_FORMAT)

    def filled() -> bool:
        row = db.execute("SELECT value FROM archive_meta WHERE key='originals_key_format'").fetchone()
        return row is not None and row[0] == done

    if filled():
        return
    with db.immediate():
        if filled():
            return
        db.execute("DELETE FROM originals")
        db.execute(
            "INSERT INTO originals(surt, payload_digest, capture, captured_at) "
            "SELECT surt, payload_digest, id, captured_at FROM ("
            "SELECT c.surt, c.payload_digest, c.id, c.captured_at, ROW_NUMBER() OVER "
            "(PARTITION BY c.surt, c.payload_digest ORDER BY c.captured_at, c.id) AS n "
            "FROM captures c JOIN records r ON r.id = c.record "
            "WHERE r.type IN ('response','resource') AND c.payload_digest IS NOT NULL) AS firsts WHERE n = 1"
        )
        db.execute(
            "INSERT INTO archive_meta(key, value) VALUES('originals_key_format', ?) "
            "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
            (done,),
        )


def capture_index_rows(
    db: CatalogConnection, low: str, high: str, *, from_text: str | None = None, to_text: str | None = None,
    desc: bool = False,
) -> Iterator[Row]:
    """The captures whose key is in [low, high), in the order of a CDX index's lines (key,
    second, URL, file, offset; reversed with `desc`), optionally within [from_text, to_text]
    compared to the second: (surt, captured_at, url, mime, status, payload_digest, length,
    offset, warc_file, type) each."""
    sql = (
        "SELECT c.surt, c.captured_at, c.url, c.mime, c.status, c.payload_digest, r.length, r.offset, r.warc_file, "
        "r.type FROM captures c JOIN records r ON r.id=c.record WHERE c.surt>=? AND c.surt<?"
    )
    args: list[object] = [low, high]
    if from_text:
        sql += " AND substr(c.captured_at,1,19)>=?"
        args.append(from_text)
    if to_text:
        # Second precision: the stored text carries microseconds after the seconds.
        sql += " AND substr(c.captured_at,1,19)<=?"
        args.append(to_text)
    # pywb's index is sorted by its lines' text: key, timestamp, then the JSON, which starts with the URL.
    order = "c.surt, substr(c.captured_at,1,19), c.url, r.warc_file, r.offset"
    if desc:
        order = ", ".join(f"{part} DESC" for part in order.split(", "))
    yield from db.execute(sql + " ORDER BY " + order, args)


_CAPTURE_SELECT = (
    "SELECT c.*, r.warc_file, r.offset, r.length, r.type AS record_type FROM captures c "
    "JOIN records r ON r.id = c.record"
)


def _capture(row: Row) -> Capture:
    return Capture(
        id=row["id"],
        url=row["url"],
        surt=row["surt"],
        captured_at=parse_iso_utc(row["captured_at"]),
        status=row["status"],
        mime=row["mime"],
        payload_digest=row["payload_digest"],
        charset=row["charset"],
        payload_length=row["payload_length"],
        warc_file=row["warc_file"],
        offset=row["offset"],
        length=row["length"],
        record_type=row["record_type"],
        revisit_of=row["revisit_of"],
        imported=bool(row["imported"]),
        origin=row["origin"],
    )


def _mime(headers: Iterable[tuple[str, str]]) -> str | None:
    for k, v in headers:
        if k.lower() == "content-type":
            return v.split(";")[0].strip().lower() or None
    return None


def _content_type(record: ArcWarcRecord) -> str | None:
    if record.http_headers is not None and record.rec_type != "resource":
        return record.http_headers.get_header("Content-Type")
    return record.rec_headers.get_header("Content-Type")


class _VerbatimHead(StatusAndHeaders):
    """A head whose block bytes are the ones that crossed the wire: warcio would re-serialize
    (HTTP/1.1, its own spacing, non-ASCII %-encoded) what the server actually sent."""

    raw = b""

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        self.headers_buff = self.raw


def _verbatim(parsed: StatusAndHeaders, raw: bytes) -> StatusAndHeaders:
    head = _VerbatimHead.__new__(_VerbatimHead)
    head.__dict__.update(parsed.__dict__)
    head.raw = raw
    return head


def _request_target(url: str) -> str:
    from urllib.parse import urlsplit

    p = urlsplit(url)
    return (p.path or "/") + (f"?{p.query}" if p.query else "")


def open_archive(home: Path | str | None = None, *, create: bool = True) -> Archive:
    from vazeh.config import home_path

    return Archive(home_path(home), create=create)
