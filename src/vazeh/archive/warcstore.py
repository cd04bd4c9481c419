"""Where finished WARC files live: a local folder, or an S3-compatible object store.

The WARC file being written is always a local file, appended to with store.py's
crash-safe logic. A finished (rotated) file is *sealed*: its size and sha256 go
into the catalog and nobody appends to it again. The store then takes it: a
local store keeps it where it is; an S3 store uploads it (multipart when big),
checks the object against the server's own checksum and the size, and only then
may the local copy go. Reads by offset of a file that is no longer local are
ranged GETs of one record's bytes, never of the whole object.

The backend is named by the `warcs` setting (see vazeh.config): ``file:///path``
(the default, ``<home>/warcs``) or ``s3://bucket/prefix``; an S3 URL may end in
``?keep_local=true`` to keep the local copy after a verified upload.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from vazeh.config import Backends, ConfigError, backends, path_of_file_url

log = logging.getLogger(__name__)

# Parts of a multipart upload. Fixed, so the composite checksum the server reports
# (sha256 of the parts' sha256s) can be computed here from the local file.
PART_BYTES = 64 << 20
# A GET is tried this many times in all (botocore's standard retry mode backs off
# between attempts): enough for a flaky network, short enough for a reader waiting.
READ_ATTEMPTS = 3


class WarcStoreError(Exception):
    """A WARC file that cannot be stored or read back; the message names it and where."""


@dataclass(frozen=True)
class Seal:
    """A finished WARC file as it was sealed: its name, size and sha256 (hex)."""

    name: str
    size: int
    sha256: str


def seal_file(path: Path) -> Seal:
    """Size and sha256 of a finished local WARC file, read in 1 MiB steps."""
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return Seal(path.name, size, h.hexdigest())


class WarcStore(Protocol):
    url: str
    local_dir: Path  # where WARC files are written (and kept, for a local store)
    remote: bool
    keep_local: bool

    def store(self, path: Path, seal: Seal) -> str:
        """Put a sealed file where it belongs and check it there; its location (idempotent)."""
        ...

    def read(self, location: str, offset: int, length: int) -> bytes:
        """`length` bytes at `offset` of a stored file."""
        ...


class LocalWarcStore:
    """WARC files in a local folder: sealing records the checksum, the file stays."""

    remote = False
    keep_local = True

    def __init__(self, local_dir: Path):
        self.local_dir = Path(local_dir)
        self.url = self.local_dir.as_uri()

    def store(self, path: Path, seal: Seal) -> str:
        return path.as_uri()

    def read(self, location: str, offset: int, length: int) -> bytes:
        if location.startswith("s3://"):
            raise WarcStoreError(f"{location} is in object storage, but the warcs backend is {self.url}")
        path = path_of_file_url(location)
        try:
            with open(path, "rb") as f:
                f.seek(offset)
                return f.read(length)
        except FileNotFoundError:
            raise WarcStoreError(f"{path} is missing") from None


def _parse_s3(url: str) -> tuple[str, str, dict[str, list[str]]]:
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ConfigError(f"warcs {url!r}: expected s3://bucket/prefix")
    return parts.netloc, parts.path.strip("/"), parse_qs(parts.query)


_clients: dict[str | None, Any] = {}
_clients_lock = threading.Lock()


def s3_client(endpoint: str | None) -> Any:
    """One boto3 S3 client per endpoint for the process (clients are thread-safe, and slow to make)."""
    with _clients_lock:
        client = _clients.get(endpoint)
        if client is None:
            try:
                import boto3
                from botocore.config import Config
            except ImportError:
                raise ConfigError("warcs in S3 need boto3: pip install 'vazeh[s3]'") from None
            config = Config(
                retries={"max_attempts": READ_ATTEMPTS, "mode": "standard"},
                connect_timeout=10,
                read_timeout=60,
                # Only the checksums asked for (a sealed file's SHA256), not CRC32 on every call.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            )
            client = boto3.client("s3", endpoint_url=endpoint, config=config)
            _clients[endpoint] = client
        return client


class S3WarcStore:
    """Sealed WARC files as objects `<prefix>/<name>` in a bucket of an S3-compatible store."""

    remote = True

    def __init__(self, url: str, local_dir: Path, endpoint: str | None = None, *, part_bytes: int = PART_BYTES):
        self.url = url
        self.bucket, self.prefix, query = _parse_s3(url)
        unknown = set(query) - {"keep_local"}
        if unknown:
            raise ConfigError(f"warcs {url!r}: unknown option(s) {sorted(unknown)}; known: ['keep_local']")
        keep = (query.get("keep_local") or ["false"])[-1].lower()
        if keep not in ("true", "false", "1", "0", "yes", "no"):
            raise ConfigError(f"warcs {url!r}: keep_local must be true or false")
        self.keep_local = keep in ("true", "1", "yes")
        self.local_dir = Path(local_dir)
        self.endpoint = endpoint
        self.part_bytes = part_bytes

    @property
    def client(self) -> Any:
        return s3_client(self.endpoint)

    def location(self, name: str) -> str:
        return f"s3://{self.bucket}/{self.key(name)}"

    def key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    # ---------------------------------------------------------------- writing
    def store(self, path: Path, seal: Seal) -> str:
        """Upload a sealed file unless the same bytes are there already, then check the object.

        Safe to repeat after a crash at any point: an object that matches the seal
        is left alone, anything else at the key is replaced.
        """
        from boto3.s3.transfer import TransferConfig
        from botocore.exceptions import BotoCoreError, ClientError

        key = self.key(seal.name)
        where = self.location(seal.name)
        try:
            if self._matches(key, seal) is not None:  # missing, or other bytes: (re)upload
                config = TransferConfig(
                    multipart_threshold=self.part_bytes, multipart_chunksize=self.part_bytes, use_threads=False
                )
                self.client.upload_file(
                    str(path), self.bucket, key, Config=config,
                    ExtraArgs={"ChecksumAlgorithm": "SHA256", "Metadata": {"sha256": seal.sha256},
                               "ContentType": "application/warc"},
                )  # fmt: skip
                problem = self._matches(key, seal)
                if problem is not None:
                    raise WarcStoreError(f"{where} does not match {seal.name} after upload: {problem}")
        except (BotoCoreError, ClientError) as e:
            raise WarcStoreError(f"{seal.name} could not be stored at {where}: {e}") from e
        return where

    def _matches(self, key: str, seal: Seal) -> str | None:
        """None when the object at `key` holds the sealed bytes; else what differs
        (and "missing" when there is none). The server's checksum decides, not ours."""
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return "missing"
            raise
        if head.get("ContentLength") != seal.size:
            return f"{head.get('ContentLength')} bytes, sealed {seal.size}"
        reported = head.get("ChecksumSHA256")
        if reported:
            # A multipart object reports the sha256 of its parts' sha256s ("...-N" on AWS).
            whole = base64.b64encode(bytes.fromhex(seal.sha256)).decode("ascii")
            if reported.split("-", 1)[0] not in (whole, self._composite(key, seal)):
                return f"server checksum {reported}, sealed sha256 {seal.sha256}"
            return None
        # A store that keeps no checksums: read the object back and hash it.
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        h = hashlib.sha256()
        for chunk in iter(lambda: body.read(1 << 20), b""):
            h.update(chunk)
        return None if h.hexdigest() == seal.sha256 else f"sha256 {h.hexdigest()}, sealed {seal.sha256}"

    def _composite(self, key: str, seal: Seal) -> str | None:
        if seal.size <= self.part_bytes:
            return None
        path = self.local_dir / seal.name
        if not path.exists():
            return None
        digests = b""
        whole = hashlib.sha256()
        with open(path, "rb") as f:
            while part := f.read(self.part_bytes):
                digests += hashlib.sha256(part).digest()
                whole.update(part)
        if whole.hexdigest() != seal.sha256:
            return None  # the local file is no longer the one sealed: nothing here can vouch for the object
        return base64.b64encode(hashlib.sha256(digests).digest()).decode("ascii")

    def remove(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(name))

    # ---------------------------------------------------------------- reading
    def read(self, location: str, offset: int, length: int) -> bytes:
        return read_s3(self.endpoint, location, offset, length)


def read_s3(endpoint: str | None, location: str, offset: int, length: int) -> bytes:
    """One ranged GET (`Range: bytes=offset-(offset+length-1)`), retried by botocore."""
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, key, _ = _parse_s3(location)
    if length <= 0:
        return b""
    last: Exception | None = None
    for _ in range(READ_ATTEMPTS):
        # botocore retries a failed request; a body cut off mid-read is retried here.
        try:
            got = s3_client(endpoint).get_object(Bucket=bucket, Key=key, Range=f"bytes={offset}-{offset + length - 1}")
            data = got["Body"].read()
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404", "NotFound"):
                raise WarcStoreError(f"{location} is missing from the object store") from None
            if code == "InvalidRange":
                raise WarcStoreError(f"{location} is shorter than the catalog says (offset {offset})") from None
            raise WarcStoreError(f"{location} could not be read at offset {offset}: {e}") from None
        except (BotoCoreError, OSError) as e:
            last = e
            continue
        if len(data) != length:
            raise WarcStoreError(f"{location} is shorter than the catalog says (offset {offset})")
        return data
    raise WarcStoreError(f"{location} could not be read at offset {offset} ({READ_ATTEMPTS} attempts): {last}")


# ---------------------------------------------------------------- the catalog's side
# `warc_files` gains these columns (old catalogs get them on open): when a file was
# sealed, its size and sha256 then, and where the store put it (NULL until it is
# stored and checked there: a crash before that leaves the file to be stored again).
SEAL_COLUMNS = (("sealed_at", "TEXT"), ("size", "INTEGER"), ("sha256", "TEXT"), ("location", "TEXT"))


def ensure_seal_columns(db: Any) -> None:
    try:
        db.execute("SELECT sealed_at, size, sha256, location FROM warc_files LIMIT 0").fetchall()
        return
    except Exception:  # noqa: BLE001 - either driver's "no such column": the catalog is older
        pass
    for column, kind in SEAL_COLUMNS:
        try:
            db.execute(f"ALTER TABLE warc_files ADD COLUMN {column} {kind}")
        except Exception:  # noqa: BLE001 - another process added it first
            pass


def seal_finished(db: Any, local_dir: Path, *, current: bool = False) -> list[Seal]:
    """Seal every finished file: all but the newest (the one appends go to), or all with `current`.

    Runs inside the writer's transaction, holding the writer lock, so no append
    races the checksum; a sealed file is never appended to again (store.py opens
    a new one). A file cut short of its committed length is reported, not sealed.
    """
    rows = db.execute("SELECT name, committed_length FROM warc_files WHERE sealed_at IS NULL ORDER BY name").fetchall()
    if not rows:
        return []
    newest = db.execute("SELECT MAX(name) FROM warc_files").fetchone()[0]
    sealed = []
    for name, committed in rows:
        if name == newest and not current:
            continue
        path = local_dir / name
        if not path.exists():
            log.error("WARC file %s is in the catalog but not in %s: not sealed", name, local_dir)
            continue
        size = path.stat().st_size
        if size > committed:
            # Bytes past the committed length are a killed writer's: never part of the file.
            with open(path, "r+b") as f:
                f.truncate(committed)
                os.fsync(f.fileno())
        elif size < committed:
            log.error("WARC file %s is %d bytes, the catalog says %d: not sealed", name, size, committed)
            continue
        seal = seal_file(path)
        db.execute(
            "UPDATE warc_files SET sealed_at=?, size=?, sha256=? WHERE name=?",
            (datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), seal.size, seal.sha256, name),
        )
        sealed.append(seal)
    return sealed


def store_sealed(db: Any, store: LocalWarcStore | S3WarcStore) -> list[str]:
    """Store every sealed file not yet stored (or stored elsewhere than an S3 backend),
    mark its location, then drop the local copy if the store says so. Returns the
    locations stored. Idempotent: a crash anywhere leaves it to be done again."""
    rows = db.execute(
        "SELECT name, size, sha256, location FROM warc_files WHERE sealed_at IS NOT NULL "
        "AND (location IS NULL OR location NOT LIKE ?) ORDER BY name",
        ("s3://%" if store.remote else "file:%",),
    ).fetchall()
    done = []
    for name, size, sha256, location in rows:
        path = store.local_dir / name
        if not path.exists():
            if location is None and not stored_by_another(db, store, name):
                raise WarcStoreError(f"{name} was sealed but is gone from {store.local_dir} before it was stored")
            continue  # stored in the other backend already, or by another writer just now
        try:
            where = store.store(path, Seal(name, size, sha256))
        except OSError:
            # Writers of one home store after their commits, outside the writer lock: another
            # may have stored this file and removed the local copy while this one read it.
            if stored_by_another(db, store, name):
                continue
            raise
        db.execute("UPDATE warc_files SET location=? WHERE name=?", (where, name))
        done.append(where)
        if store.remote and not store.keep_local:
            path.unlink(missing_ok=True)  # another writer storing it too may have removed it first
    if store.remote and not store.keep_local:
        # A crash between the catalog's mark and the unlink leaves a copy behind.
        for (name,) in db.execute("SELECT name FROM warc_files WHERE location LIKE 's3://%'").fetchall():
            (store.local_dir / name).unlink(missing_ok=True)
    return done


def stored_by_another(db: Any, store: LocalWarcStore | S3WarcStore, name: str) -> bool:
    """Whether the catalog now says `name` is stored in this backend (marked by another writer)."""
    location = location_of(db, name)
    return location is not None and location.startswith("s3://" if store.remote else "file:")


def warc_files(db: Any) -> list[dict[str, Any]]:
    """Every WARC file in the catalog, oldest first: committed length, seal and location."""
    rows = db.execute(
        "SELECT name, committed_length, sealed_at, size, sha256, location FROM warc_files ORDER BY name"
    ).fetchall()
    return [dict(zip(("name", "committed_length", "sealed_at", "size", "sha256", "location"), r, strict=True))
            for r in rows]  # fmt: skip


def location_of(db: Any, name: str) -> str | None:
    row = db.execute("SELECT location FROM warc_files WHERE name=?", (name,)).fetchone()
    return row[0] if row else None


RETRY_SECONDS = 60  # a store that failed is tried again at the first write after this


class Sealing:
    """An archive's side of sealing: what store.py's writer calls, and reads of stored files."""

    def __init__(self, archive: Any):
        self.archive = archive
        self._pending = True  # not known at open: looked at once
        self._retry_at = 0.0
        self._current = False
        self._explicit = False
        self._known: set[str] | None = None  # the files written by this process's last transaction

    def seal_finished(self) -> None:
        # A file is finished when a newer one starts: only a transaction that wrote to a
        # file this process has not written to before can have finished one (and the
        # first, for files of earlier runs), so the others skip the catalog query.
        txn = getattr(self.archive, "_txn", None)
        names = set(txn.files) if txn is not None else set()
        if not self._current and self._known is not None and names <= self._known:
            return
        self._known = names
        if seal_finished(self.archive.db, self.archive.warc_dir, current=self._current):
            self._pending = True

    def store_sealed(self, *, raise_errors: bool = False) -> list[str]:
        """After a commit: store what was sealed. A failing store never fails the write
        that was just committed; it is logged and tried again later."""
        if not self._pending or (self._explicit and not raise_errors):
            return []
        if not raise_errors and time.monotonic() < self._retry_at:
            return []
        try:
            done = store_sealed(self.archive.db, self.archive.warcs)
        except (WarcStoreError, OSError) as e:
            if raise_errors:
                from vazeh.archive.store import ArchiveError

                raise ArchiveError(str(e)) from None
            log.warning("%s (tried again at a write after %d s, or by `vazeh warcs seal`)", e, RETRY_SECONDS)
            self._retry_at = time.monotonic() + RETRY_SECONDS
            return []
        self._pending = False
        return done

    def seal_and_store(self, *, current: bool = False) -> list[str]:
        self._current, self._explicit, self._pending = current, True, True
        try:
            with self.archive.transaction():
                pass  # the transaction seals before it commits
            return self.store_sealed(raise_errors=True)
        finally:
            self._current = self._explicit = False

    def is_sealed(self, name: str) -> bool:
        row = self.archive.db.execute("SELECT sealed_at FROM warc_files WHERE name=?", (name,)).fetchone()
        return row is not None and row[0] is not None

    def read_stored(self, name: str, offset: int, length: int) -> bytes:
        from vazeh.archive.store import ArchiveError

        location = location_of(self.archive.db, name)
        if location is None or not location.startswith("s3://"):
            raise ArchiveError(f"WARC file {name} is missing from {self.archive.warc_dir}")
        store = self.archive.warcs
        endpoint = store.endpoint if isinstance(store, S3WarcStore) else backends(self.archive.home).s3_endpoint
        try:
            return read_s3(endpoint, location, offset, length)
        except (WarcStoreError, ConfigError) as e:
            raise ArchiveError(f"WARC file {name}: {e}") from None


def warcs_of_home(home: Path) -> LocalWarcStore | S3WarcStore:
    """The WARC store an archive home's configuration names (an ArchiveError if it cannot be used)."""
    try:
        return warc_store(backends(home), home)
    except ConfigError as e:
        from vazeh.archive.store import ArchiveError

        raise ArchiveError(str(e)) from None


def warc_store(backends: Backends, home: Path) -> LocalWarcStore | S3WarcStore:
    """The store the `warcs` backend names. An S3 store writes in `<home>/warcs` first."""
    if backends.warcs_scheme == "s3":
        return S3WarcStore(backends.warcs, home / "warcs", backends.s3_endpoint)
    return LocalWarcStore(path_of_file_url(backends.warcs))
