"""Importing existing collections: WARC, WARC.gz, ARC, ARC.gz, WACZ, folders of saved HTML.

Every record is copied into the archive as its own gzip member and catalogued
once, keyed by its WARC-Record-ID (ARC records and saved pages get a stable id
derived from their content), so importing the same file twice adds nothing and
an import killed halfway is finished by running it again.

A damaged file does not stop an import: the problem is reported with the file,
the byte offset and the reason, the reader skips forward to the next record it
can find (the next gzip member, or the next `WARC/` line), the good records are
kept and the skipped ones counted.

warcio reads the records: it handles WARC and ARC, gzip'd or not, and its
records are what `Archive.import_record` copies (fastwarc is faster at
iterating but cannot read ARC; see bench/capture.py for the figures).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator

from vazeh.archive import Archive, Capture, decode_content, detect_charset

log = logging.getLogger(__name__)

BATCH = 200  # records per transaction: one fsync per batch, not per record
# A batch is also committed once its payloads reach this size, so a collection of
# large records (video, PDF) is held in memory 64 MiB at a time, not 200 records.
BATCH_BYTES = 64 << 20
# Records are read whole into memory; one larger than this (a video, a disk image)
# is reported and passed over, read through in blocks, never held.
MAX_RECORD_BYTES = 1 << 30
# Saved HTML files are read whole too; no saved page is anywhere near this.
MAX_HTML_BYTES = 256 << 20
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_RECORD_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz", ".wacz")
_CANONICAL = re.compile(rb"""<link[^>]+rel=["']?canonical["']?[^>]*>""", re.I)
_OG_URL = re.compile(rb"""<meta[^>]+property=["']og:url["'][^>]*>""", re.I)
_HREF = re.compile(rb"""(?:href|content)=["']([^"']+)["']""", re.I)
_SAVED_FROM = re.compile(rb"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.I)


@dataclass
class ImportProblem:
    file: str
    offset: int | None
    reason: str

    def __str__(self) -> str:
        where = f" at offset {self.offset}" if self.offset is not None else ""
        return f"{self.file}{where}: {self.reason}"


@dataclass
class ImportReport:
    files: int = 0
    records: int = 0  # records newly added
    captures: int = 0  # of which captures (response, revisit, resource)
    duplicates: int = 0  # records already in the archive
    skipped: int = 0  # damaged records (or unreadable files) left out
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


OnCapture = Callable[[Capture], None]
Progress = Callable[[int], None]  # called with the number of records just handled


def import_paths(
    archive: Archive,
    paths: Iterable[str | os.PathLike[str]],
    *,
    on_capture: OnCapture | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import every WARC/ARC/WACZ file and every folder of saved HTML given."""
    report = ImportReport()
    importer = _Importer(archive, report, on_capture, progress)
    for path in map(Path, paths):
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            for f in files:
                if _is_record_file(f):
                    importer.record_file(f)
            html = [f for f in files if f.suffix.lower() in HTML_SUFFIXES]
            if html:
                importer.html_files(path, html)
        elif path.is_file() and _is_record_file(path):
            importer.record_file(path)
        elif path.is_file() and path.suffix.lower() in HTML_SUFFIXES:
            importer.html_files(path.parent, [path])
        elif not path.exists():
            report.problems.append(ImportProblem(str(path), None, "no such file or folder"))
            report.skipped += 1
        else:
            report.problems.append(
                ImportProblem(str(path), None, "not a WARC, ARC, WACZ or HTML file (by its name)")
            )
            report.skipped += 1
    return report


def _is_record_file(path: Path) -> bool:
    return path.name.lower().endswith(_RECORD_SUFFIXES)


class _Importer:
    def __init__(self, archive: Archive, report: ImportReport, on_capture: OnCapture | None, progress: Progress | None):
        self.archive = archive
        self.report = report
        self.on_capture = on_capture
        self.progress = progress
        self._arc = False

    # ------------------------------------------------------------------ WARC / ARC / WACZ
    def record_file(self, path: Path) -> None:
        self.report.files += 1
        if path.name.lower().endswith(".wacz"):
            self._wacz(path)
            return
        with open(path, "rb") as f:
            self._stream(f, str(path), gzipped=_starts_with_gzip(f))

    # warcio gives converted ARC records random WARC-Record-IDs (and a broken WARC may
    # have none); a stable one, made from what the record holds, lets a re-import of
    # the same file add nothing.
    def _stable_id(self, record, payload: bytes) -> None:
        h = record.rec_headers
        seed = f"arc|{h.get_header('WARC-Target-URI') or h.get_header('WARC-Filename')}|{h.get_header('WARC-Date')}|{hashlib.sha1(payload).hexdigest()}"
        h.replace_header("WARC-Record-ID", f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}>")

    def _wacz(self, path: Path) -> None:
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as e:
            self._problem(str(path), None, f"not a readable WACZ (zip) file: {e}")
            return
        with zf:
            members = [n for n in zf.namelist() if n.startswith("archive/") and _is_record_file(Path(n))]
            if not members:
                self._problem(str(path), None, "WACZ holds no archive/*.warc(.gz) files")
            for name in sorted(members):
                origin = f"{path}!{name}"
                try:
                    # Streamed, not read into memory: WACZ members are often gigabytes.
                    with zf.open(name) as member:
                        self._stream(member, origin, gzipped=_starts_with_gzip(member))
                except (zipfile.BadZipFile, OSError, EOFError) as e:
                    self._problem(origin, None, f"cannot read from the zip: {e}")

    def _stream(self, f: BinaryIO, origin: str, *, gzipped: bool) -> None:
        """Read records from `f`, resyncing past damage, importing them in batches."""
        start = f.tell()
        self._arc = _is_arc(f, gzipped)
        while start is not None:
            f.seek(start)
            bad_at = self._records_from(f, origin, start)
            start = None
            if bad_at is not None:
                start = _next_record_start(f, bad_at + 1, gzipped)

    def _records_from(self, f: BinaryIO, origin: str, base: int) -> int | None:
        """Import records from the current position; returns the offset of damage, if any."""
        it = ArchiveIterator(f, arc2warc=self._arc)
        # Told the format, warcio rejects junk instead of reading it as ARC lines.
        it.known_format = "arc" if self._arc else "warc"
        batch: list[tuple] = []
        batch_bytes = 0
        offset = base
        try:
            while True:
                offset = it.offset
                try:
                    record = next(it)
                except StopIteration:
                    # warcio ends quietly at a record it cannot start (a cut gzip member):
                    # anything but blank lines after the last good record is damage.
                    if _has_data_after(f, it.offset):
                        raise EOFError("the file ends inside a record (truncated?)") from None
                    break
                size = _declared_length(record)
                if size is not None and size > MAX_RECORD_BYTES:
                    self._problem(
                        origin, offset,
                        f"record of {size:,} bytes passed over (larger than {MAX_RECORD_BYTES:,}; "
                        "the file itself keeps it)",
                    )
                    it.read_to_end()
                    continue
                payload = record.raw_stream.read()
                missing = getattr(record.raw_stream, "limit", 0)
                if missing:
                    raise EOFError(f"record ends {missing} bytes early (file truncated?)")
                if self._arc:
                    _check_arc_record(record)
                    self._stable_id(record, payload)
                batch.append((record, payload))
                batch_bytes += len(payload)
                it.read_to_end()
                if len(batch) >= BATCH or batch_bytes >= BATCH_BYTES:
                    self._commit(batch, origin)
                    batch, batch_bytes = [], 0
        except Exception as e:  # noqa: BLE001 - damage is reported and skipped, never fatal
            self._commit(batch, origin)
            self._problem(origin, offset, _reason(e))
            return offset
        self._commit(batch, origin)
        return None

    def _commit(self, batch: list[tuple], origin: str) -> None:
        if not batch:
            return
        new_captures: list[Capture] = []
        with self.archive.transaction():
            for record, payload in batch:
                rid = record.rec_headers.get_header("WARC-Record-ID")
                if not rid:  # invalid WARC, but the record is worth keeping: give it a stable id
                    self._stable_id(record, payload)
                    rid = record.rec_headers.get_header("WARC-Record-ID")
                if self.archive.has_record(rid):
                    self.report.duplicates += 1
                    continue
                capture = self.archive.import_record(
                    record, payload=payload, origin=origin, charset_for=_charset_for(record)
                )
                self.report.records += 1
                if capture is not None:
                    self.report.captures += 1
                    new_captures.append(capture)
        self._after_commit(new_captures, len(batch))

    def _after_commit(self, captures: list[Capture], handled: int) -> None:
        # Later stages read the records back, so they run only once the batch is committed.
        if self.on_capture is not None:
            for capture in captures:
                try:
                    self.on_capture(capture)
                except Exception as e:  # noqa: BLE001 - a failing later stage never loses an import
                    log.warning("after importing %s: %s", capture.url, e)
        if self.progress is not None:
            self.progress(handled)

    def _problem(self, file: str, offset: int | None, reason: str) -> None:
        log.warning("import: %s%s: %s", file, f" at offset {offset}" if offset is not None else "", reason)
        self.report.problems.append(ImportProblem(file, offset, reason))
        self.report.skipped += 1

    # ------------------------------------------------------------------ saved HTML
    def html_files(self, root: Path, files: list[Path]) -> None:
        new_captures: list[Capture] = []
        for chunk in _chunks(files, BATCH):
            with self.archive.transaction():
                for path in chunk:
                    capture = self._html_file(root, path)
                    if capture is not None:
                        new_captures.append(capture)
            self._after_commit(new_captures, len(chunk))
            new_captures = []

    def _html_file(self, root: Path, path: Path) -> Capture | None:
        self.report.files += 1
        try:
            size = path.stat().st_size
            if size > MAX_HTML_BYTES:
                self._problem(str(path), None, f"saved page of {size:,} bytes passed over (larger than {MAX_HTML_BYTES:,})")
                return None
            body = path.read_bytes()
            mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except OSError as e:
            self._problem(str(path), None, f"cannot read: {e}")
            return None
        url = saved_page_url(body) or "file:///" + path.relative_to(root).as_posix()
        digest = hashlib.sha1(body).hexdigest()
        # The same file (same URL, time and bytes) always gets the same record id.
        record_id = f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{url}|{mtime.isoformat()}|{digest}')}>"
        if self.archive.has_record(record_id):
            self.report.duplicates += 1
            return None
        charset = detect_charset(body, None)
        capture = self.archive.write_exchange(
            url=url,
            status=200,
            reason="OK",
            response_headers=[("Content-Type", f"text/html; charset={charset.name}"), ("Content-Length", str(len(body)))],
            body=body,
            captured_at=mtime,
            charset=charset.name,
            imported=True,
            origin=str(path),
            record_id=record_id,
            extra_warc_headers=[("Vazeh-Imported-From", path.name)],
        )
        self.report.records += 1
        self.report.captures += 1
        return capture


def saved_page_url(body: bytes) -> str | None:
    """The page's own address, as a saved page records it (canonical, og:url, 'saved from')."""
    head = body[:65536]
    for pattern in (_CANONICAL, _OG_URL):
        tag = pattern.search(head)
        if tag:
            href = _HREF.search(tag.group(0))
            if href and href.group(1).startswith((b"http://", b"https://")):
                return href.group(1).decode("utf-8", "replace")
    saved = _SAVED_FROM.search(head)
    if saved and saved.group(1).startswith((b"http://", b"https://")):
        return saved.group(1).decode("utf-8", "replace")
    return None


def _charset_for(record) -> Callable[[bytes, str | None], str | None]:
    http = record.http_headers if record.rec_type != "resource" else None
    encoding = http.get_header("Content-Encoding") if http is not None else None

    def charset(payload: bytes, content_type: str | None) -> str | None:
        mime = (content_type or "").lower()
        if mime and not ("html" in mime or mime.startswith("text/") or "xml" in mime):
            return None
        sample = decode_content(payload, encoding, 2 << 20)[0]
        return detect_charset(sample, content_type).name

    return charset


def _starts_with_gzip(f: BinaryIO) -> bool:
    pos = f.tell()
    magic = f.read(2)
    f.seek(pos)
    return magic == b"\x1f\x8b"


_ARC_URI = re.compile(r"^(?:[a-z][a-z0-9+.-]*):\S+$", re.I)


def _check_arc_record(record) -> None:
    # ARC headers are one space-separated line, so junk lines parse as records too.
    uri = record.rec_headers.get_header("WARC-Target-URI") or record.rec_headers.get_header("WARC-Filename") or ""
    if record.rec_type != "warcinfo" and not _ARC_URI.match(uri):
        raise ValueError(f"not an ARC record header (URL {uri[:60]!r})")


def _has_data_after(f: BinaryIO, offset: int) -> bool:
    f.seek(offset)
    while True:
        block = f.read(1 << 16)
        if not block:
            return False
        if block.strip():
            return True


def _is_arc(f: BinaryIO, gzipped: bool) -> bool:
    pos = f.tell()
    try:
        head = f.read(64)
        if gzipped:
            head = zlib.decompressobj(47).decompress(head, 16)
    except zlib.error:
        return False
    finally:
        f.seek(pos)
    return head.startswith(b"filedesc://")


def _next_record_start(f: BinaryIO, pos: int, gzipped: bool) -> int | None:
    """Where the next record seems to begin after damage at `pos` (None: end of file)."""
    marks = (b"\x1f\x8b\x08",) if gzipped else (b"WARC/1.", b"\nhttp://", b"\nhttps://")
    f.seek(pos)
    carry = b""
    base = pos
    while True:
        block = f.read(1 << 20)
        if not block:
            return None
        data = carry + block
        hits = [i for i in (data.find(m) for m in marks) if i >= 0]
        if hits:
            i = min(hits)
            return base - len(carry) + i + (1 if data[i : i + 1] == b"\n" else 0)
        carry = data[-8:]
        base += len(block)


def _reason(e: BaseException) -> str:
    text = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def _declared_length(record) -> int | None:
    try:
        value = record.rec_headers.get_header("Content-Length")
        return int(value) if value is not None else None
    except ValueError:
        return None


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
