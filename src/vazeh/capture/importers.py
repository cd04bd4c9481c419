"""Importing existing collections: WARC, WARC.gz, ARC, ARC.gz, WACZ, folders of saved HTML.

Every record is copied into the archive as its own gzip member, its block
(HTTP head and payload) byte for byte, and catalogued once, keyed by its
WARC-Record-ID (ARC records and saved pages get a stable id derived from their
content), so importing the same file twice adds nothing and an import killed
halfway is finished by running it again.

A damaged file does not stop an import: the problem is reported with the file,
the byte offset and the reason, the reader skips forward to the next record it
can find (the next gzip member, or the next `WARC/` line), the good records are
kept and the skipped ones counted.

warcio reads the records: it handles WARC and ARC, gzip'd or not, and its
records are what `Archive.import_record` copies (fastwarc is faster at
iterating but cannot read ARC; see bench/capture.py for the figures).
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import io
import logging
import os
import re
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from vazeh.archive import (
    Archive,
    ArchiveError,
    Capture,
    catalog,
    decode_content,
    detect_charset,
    importable_problem,
    parse_warc_date,
    quote_prefix,
)

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
# A header line longer than this is not one (URLs and cookies stay far below it):
# a file of NULs, or a line that never ends, is reported instead of read on.
MAX_LINE_BYTES = 1 << 20
MAX_CONTENT_LENGTH = 1 << 50  # a PiB: larger is a damaged number, not a record
MAX_HEAD_BYTES = 4 << 20  # all header lines of one record, WARC and HTTP
# Past this many damaged places a file is given up on: each resync rereads from
# the damage, and a list of thousands of problems helps nobody.
MAX_PROBLEMS_PER_FILE = 1000
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
    origins: Mapping[str, str] | None = None,
) -> ImportReport:
    """Import every WARC/ARC/WACZ file and every folder of saved HTML given.

    `origins` names a record file by where it came from instead of its path (the
    collection its captures belong to, and the file its problems cite): a copy
    fetched from an s3:// URL to a temporary file is imported as that URL.
    """
    report = ImportReport()
    importer = _Importer(archive, report, on_capture, progress)
    importer.origins = dict(origins or {})
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
        self._note = ""  # said after an offset that is not a plain file offset
        self._file_problems = 0
        self.origins: dict[str, str] = {}

    # ------------------------------------------------------------------ WARC / ARC / WACZ
    def record_file(self, path: Path) -> None:
        self.report.files += 1
        name = self.origins.get(str(path), str(path))
        try:
            if path.name.lower().endswith(".wacz"):
                self._wacz(path, name)
                return
            with open(path, "rb") as f:
                self._stream(f, name, size=os.fstat(f.fileno()).st_size)
        except OSError as e:
            if e.errno == errno.ENOSPC:
                raise
            self._problem(name, None, f"cannot read the file: {_reason(e)}")

    # warcio gives converted ARC records random WARC-Record-IDs (and a broken WARC may
    # have none); a stable one, made from what the record holds, lets a re-import of
    # the same file add nothing.
    def _stable_id(self, record, payload: bytes) -> None:
        h = record.rec_headers
        seed = f"arc|{h.get_header('WARC-Target-URI') or h.get_header('WARC-Filename')}|{h.get_header('WARC-Date')}|{hashlib.sha1(payload).hexdigest()}"
        h.replace_header("WARC-Record-ID", f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, seed)}>")

    def _wacz(self, path: Path, label: str) -> None:
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as e:
            self._problem(label, None, f"not a readable WACZ (zip) file: {_reason(e)}")
            return
        with zf:
            members = [n for n in zf.namelist() if n.startswith("archive/") and _is_record_file(Path(n))]
            if not members:
                self._problem(label, None, "WACZ holds no archive/*.warc(.gz) files")
            for name in sorted(members):
                origin = f"{label}!{name}"
                try:
                    # Streamed, not read into memory: WACZ members are often gigabytes.
                    with zf.open(name) as member:
                        self._stream(member, origin, size=zf.getinfo(name).file_size)
                except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as e:
                    self._problem(origin, None, f"cannot read from the zip: {_reason(e)}")

    def _stream(self, f: BinaryIO, origin: str, *, size: int | None) -> None:
        """Read records from `f`, resyncing past damage, importing them in batches."""
        start = f.tell()
        if not f.read(1):
            self._problem(origin, None, "the file is empty (0 bytes): nothing to import")
            return
        f.seek(start)
        gzipped = _starts_with_gzip(f)
        self._arc = _is_arc(f, gzipped)
        self._file_problems = 0
        self._note = ""
        read, whole_at = self._read_from(f, origin, start, gzipped=gzipped, size=size)
        if whole_at is not None:
            # One gzip member around many records (gzip'd after writing): readable,
            # but only as one stream, so offsets count in the gunzipped data.
            f.seek(whole_at)
            with gzip.GzipFile(fileobj=_Window(f, whole_at), mode="rb") as plain:
                self._arc = _is_arc(plain, False)
                self._note = f" (offset in the data gunzipped from byte {whole_at})" if whole_at else " (offset in the gunzipped file)"
                more, _ = self._read_from(plain, origin, 0, gzipped=False, size=None)
                read += more
            self._note = ""
        if read == 0 and self._file_problems == 0:
            self._problem(origin, None, "holds no WARC or ARC records")

    def _read_from(
        self, f: BinaryIO, origin: str, start: int, *, gzipped: bool, size: int | None
    ) -> tuple[int, int | None]:
        """Every record from `start` on, past any damage: (records read, start of a whole-file gzip member)."""
        read = 0
        pos: int | None = start
        while pos is not None:
            if self._file_problems >= MAX_PROBLEMS_PER_FILE:
                self._problem(
                    origin, None,
                    f"more than {MAX_PROBLEMS_PER_FILE:,} damaged places: the rest of the file is not read",
                )
                break
            try:
                f.seek(pos)
                n, bad_at, whole = self._records_from(f, origin, pos, gzipped=gzipped, size=size)
                read += n
                if whole:
                    return read, bad_at
                pos = None if bad_at is None else _next_record_start(f, bad_at + 1, gzipped)
            except (OSError, EOFError, zlib.error) as e:
                if isinstance(e, OSError) and e.errno == errno.ENOSPC:
                    raise
                # Only a gunzipped stream fails here: past damage to its gzip data
                # nothing can be found again.
                self._problem(origin, None, f"the rest cannot be read ({_reason(e)})")
                break
        return read, None

    def _records_from(
        self, f: BinaryIO, origin: str, base: int, *, gzipped: bool, size: int | None
    ) -> tuple[int, int | None, bool]:
        """Import records from here: (records read, offset of damage or None, a whole-file gzip?)."""
        it = ArchiveIterator(f, arc2warc=self._arc)
        # Told the format, warcio rejects junk instead of reading it as ARC lines.
        it.known_format = "arc" if self._arc else "warc"
        guard = _LineGuard(it, arc=self._arc)
        batch: list[tuple] = []
        batch_bytes = 0
        offset = base
        read = 0
        try:
            while True:
                offset = it.offset
                guard.reset()
                try:
                    record = next(it)
                except StopIteration:
                    # warcio ends quietly at a record it cannot start (a cut gzip member):
                    # anything but blank lines after the last good record is damage.
                    if _has_data_after(f, it.offset):
                        raise EOFError("the file ends inside a record (truncated?)") from None
                    break
                except ArchiveLoadFailed as e:
                    if gzipped and "non-chunked gzip" in str(e) and batch:
                        # The member holding the last record goes on past it: the
                        # whole file is one gzip member. Its first record is read again.
                        whole_at = batch.pop()[2]
                        self._commit(batch, origin)
                        return read - 1, whole_at, True
                    raise
                read += 1
                declared = _framing_length(record)
                if declared is not None and size is not None and not gzipped and declared > size - offset:
                    raise _Damage(
                        f"Content-Length {declared:,} runs past the end of the file "
                        f"({size - offset:,} bytes from this record on)"
                    )
                problem = importable_problem(record)
                if problem is None and self._arc:
                    problem = _arc_record_problem(record)
                if problem is not None:
                    self._problem(origin, offset, problem + "; the record is left out")
                    guard.reset()
                    it.read_to_end()
                    continue
                if declared is not None and declared > MAX_RECORD_BYTES:
                    guard.reset()
                    it.read_to_end()
                    _check_complete(record, declared)
                    self._problem(
                        origin, offset,
                        f"record of {declared:,} bytes passed over (larger than {MAX_RECORD_BYTES:,}; "
                        "the file itself keeps it)",
                    )
                    continue
                head = guard.http_head if record.http_headers is not None else b""
                payload = record.raw_stream.read()
                _check_complete(record, declared)
                if self._arc:
                    self._stable_id(record, payload)
                batch.append((record, payload, offset, head))
                batch_bytes += len(head) + len(payload)
                guard.reset()
                it.read_to_end()
                if len(batch) >= BATCH or batch_bytes >= BATCH_BYTES:
                    self._commit(batch, origin)
                    batch, batch_bytes = [], 0
        except Exception as e:  # noqa: BLE001 - damage is reported and skipped, never fatal
            if isinstance(e, OSError) and e.errno == errno.ENOSPC:
                raise
            self._commit(batch, origin)
            if isinstance(e, _Damage) and e.after_record:
                offset = _position(it, offset, gzipped, e.back)
            self._problem(origin, offset, _reason(e))
            return read, offset, False
        self._commit(batch, origin)
        return read, None, False

    def _commit(self, batch: list[tuple], origin: str) -> None:
        if not batch:
            return
        try:
            self._commit_records(batch, origin)
        except (*catalog.Error, ArchiveError, ValueError, OverflowError, TypeError):
            # Something the checks let through still failed: commit what is good one
            # record at a time, so only the bad one is left out (and said so).
            for item in batch:
                try:
                    self._commit_records([item], origin)
                except (*catalog.Error, ArchiveError, ValueError, OverflowError, TypeError) as e:
                    self._problem(origin, item[2], f"cannot be catalogued ({_reason(e)}); the record is left out")

    def _commit_records(self, batch: list[tuple], origin: str) -> None:
        new_captures: list[Capture] = []
        counts = [0, 0, 0]  # records, captures, duplicates: added once the commit succeeded
        conflicts: list[tuple[int, str]] = []
        with self.archive.transaction():
            for record, payload, offset, http_head in batch:
                rid = record.rec_headers.get_header("WARC-Record-ID")
                if not rid:  # invalid WARC, but the record is worth keeping: give it a stable id
                    self._stable_id(record, payload)
                    rid = record.rec_headers.get_header("WARC-Record-ID")
                known = self.archive.record_identity(rid)
                if known is not None:
                    conflict = _conflict(known, record)
                    if conflict:
                        conflicts.append((offset, f"WARC-Record-ID {quote_prefix(rid, 50)} {conflict}"))
                    else:
                        counts[2] += 1
                    continue
                capture = self.archive.import_record(
                    record, payload=payload, http_head=http_head, origin=origin, charset_for=_charset_for(record)
                )
                counts[0] += 1
                if capture is not None:
                    counts[1] += 1
                    new_captures.append(capture)
        self.report.records += counts[0]
        self.report.captures += counts[1]
        self.report.duplicates += counts[2]
        for offset, reason in conflicts:
            self._problem(origin, offset, reason)
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
        if offset is not None:
            reason += self._note
        self._file_problems += 1
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


def _arc_record_problem(record) -> str | None:
    # ARC headers are one space-separated line, so junk lines parse as records too.
    uri = record.rec_headers.get_header("WARC-Target-URI") or record.rec_headers.get_header("WARC-Filename") or ""
    if record.rec_type != "warcinfo" and not _ARC_URI.match(uri):
        return f"not an ARC record header (URL {quote_prefix(uri)})"
    return None


def _check_complete(record, declared: int | None) -> None:
    missing = getattr(record.raw_stream, "limit", 0)
    if missing:
        raise _Damage(
            f"the record ends {missing:,} bytes before its Content-Length of {declared or 0:,} "
            "(file cut short, or a damaged Content-Length)"
        )


def _conflict(known: tuple[str, str | None, datetime | None], record) -> str | None:
    """How a record differs from the catalogued one with its WARC-Record-ID (None: the same)."""
    ktype, kurl, kdate = known
    if ktype != record.rec_type:
        return f"already names a {ktype} record: this {record.rec_type} record is left out"
    if kurl is None:
        return None
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip()
    if url != kurl:
        return (
            f"already names the capture of {quote_prefix(kurl, 50)}: this one, "
            f"of {quote_prefix(url, 50)}, is left out (the first one is kept)"
        )
    date = parse_warc_date(record.rec_headers.get_header("WARC-Date"))
    if kdate is not None and date != kdate:
        return f"already names the capture of this URL at {kdate.isoformat()}: this one is left out"
    return None


class _Damage(ValueError):
    """Damage found while reading, already worded for the user."""

    def __init__(self, reason: str, *, after_record: bool = False, back: int = 0):
        super().__init__(reason)
        self.after_record = after_record  # found after a good record, not at its start
        self.back = back  # bytes already read of what is reported


class _LineGuard:
    """Bounds what warcio reads line by line, and keeps it from writing to stderr.

    warcio grows a line by concatenation (16 MiB without a newline took 28 s) and
    prints a whole unexpected line to stderr; here a line is cut off at
    MAX_LINE_BYTES, the header lines of one record at MAX_HEAD_BYTES, and what
    follows a record is checked to be the next one.
    """

    def __init__(self, it: ArchiveIterator, *, arc: bool):
        self.reader = it.reader
        self.arc = arc
        self.used = 0
        self.between = False  # reading what follows a record, before the next one
        self.http_head = b""
        it.reader.readline = self.readline  # type: ignore[method-assign]
        it._consume_blanklines = self.consume_blanklines  # type: ignore[method-assign]
        load_http_headers = it.loader.load_http_headers

        # warcio fails on a record without WARC-Target-URI (None.startswith): with
        # "" it yields the record, and the checks report it with its own reason.
        def http_headers(rec_type, uri, stream, length):  # type: ignore[no-untyped-def]
            if length is not None and not 0 <= length <= MAX_CONTENT_LENGTH:
                # warcio would fail with an OverflowError of its own: say what it is.
                raise _Damage(f"Content-Length {quote_prefix(str(length))} is not a possible record size")
            # warcio keeps only the parsed head; the bytes it read are kept too, so
            # the record is copied with its block as it was and its digests stay true.
            recorder = _Recorder(stream)
            try:
                return load_http_headers(rec_type, uri if uri is not None else "", recorder, length)
            finally:
                self.http_head = b"".join(recorder.lines)

        it.loader.load_http_headers = http_headers  # type: ignore[method-assign]

    def reset(self) -> None:
        self.used = 0
        self.http_head = b""  # the HTTP head of the record just read, exactly as in the file

    def readline(self, length: int | None = None) -> bytes:
        r = self.reader
        if length == 0:
            return b""
        r._fillbuff()
        if r.empty():
            return b""
        part = r.buff.readline(length)
        parts = [part]
        total = len(part)
        while not part.endswith(b"\n"):
            if length:
                length -= len(part)
                if length <= 0:
                    break
            if total > MAX_LINE_BYTES:
                raise _Damage(
                    f"a line of more than {MAX_LINE_BYTES:,} bytes without a line end: {quote_prefix(parts[0][:40])}",
                    after_record=self.between,
                    back=total,
                )
            r._fillbuff()
            if r.empty():
                break
            part = r.buff.readline(length)
            parts.append(part)
            total += len(part)
        if total > MAX_LINE_BYTES:  # read whole in one go (a gzip member inflates in large blocks)
            raise _Damage(
                f"a header line of more than {MAX_LINE_BYTES:,} bytes: {quote_prefix(parts[0])}",
                after_record=self.between,
                back=total,
            )
        self.used += total
        if self.used > MAX_HEAD_BYTES:
            raise _Damage(f"more than {MAX_HEAD_BYTES:,} bytes of header lines: not a record header")
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def consume_blanklines(self) -> tuple[bytes | None, int]:
        empty_size = 0
        while True:
            self.between = True
            try:
                line = self.readline()
            finally:
                self.between = False
            if not line:
                return None, empty_size
            if not line.strip():
                empty_size += len(line)
                continue
            if self.arc or line.startswith(b"WARC/"):
                return line, empty_size
            raise _Damage(
                f"the record before is followed by {quote_prefix(line)}, not by the next record "
                "(a wrong Content-Length, or junk between records)",
                after_record=True,
                back=len(line),
            )


class _Recorder:
    """A record's stream that keeps the lines warcio's header parser reads from it.

    The parser reads by readline only; what it read, joined, is the head byte for
    byte (line ends, spacing, folding and non-UTF-8 bytes as they were).
    """

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.lines: list[bytes] = []

    def readline(self, length: int | None = None) -> bytes:
        line = self.stream.readline(length) if length is not None else self.stream.readline()
        self.lines.append(line)
        return line

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.stream, name)


class _Window(io.RawIOBase):
    """A file seen from `start` on, so gzip can read one member of it from there."""

    def __init__(self, f: BinaryIO, start: int):
        self.f = f
        self.start = start

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        data = self.f.read(len(b))
        b[: len(data)] = data
        return len(data)

    def seek(self, pos: int, whence: int = 0) -> int:
        return self.f.seek(self.start + pos if whence == 0 else pos, whence) - self.start

    def tell(self) -> int:
        return self.f.tell() - self.start


def _position(it: ArchiveIterator, record_offset: int, gzipped: bool, back: int) -> int:
    # In a gzip'd file only a member's start is an offset a user can seek to.
    if gzipped:
        return record_offset
    try:
        return max(record_offset, it.fh.tell() - it.reader.rem_length() - back)
    except (AttributeError, OSError):
        return record_offset


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
        # A whole file deflated as one stream may give nothing for its first 64 bytes.
        head = f.read(1 << 16 if gzipped else 64)
        if gzipped:
            head = zlib.decompressobj(47).decompress(head, 64)
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


_WARCIO_FIRST_LINE = ("Invalid WARC record, first line: ", "Invalid ARC record, first line: ",
                      "Unknown archive format, first line: ")


def _reason(e: BaseException) -> str:
    """A short reason for the user; never a whole line of the file, never a traceback."""
    text = str(e).strip()
    if isinstance(e, _Damage):
        return text
    if isinstance(e, ArchiveLoadFailed):
        for prefix in _WARCIO_FIRST_LINE:
            if text.startswith(prefix):
                return f"not the start of a record: {quote_prefix(text[len(prefix):])}"
        if "non-chunked gzip" in text:
            return "a gzip member holds more than one record"
    if isinstance(e, EOFError):
        return "the file ends inside a record (truncated?)" if not text else text[:200]
    if isinstance(e, zlib.error | gzip.BadGzipFile):
        return f"damaged gzip data ({text[:100]})"
    first = text.splitlines()[0] if text else ""
    if len(first) > 200:
        first = first[:200] + "..."
    return f"{type(e).__name__}: {first}" if first else type(e).__name__


def _framing_length(record) -> int:
    """The record's Content-Length; _Damage if it has none that can be trusted to frame it."""
    value = record.rec_headers.get_header("Content-Length")
    if value is None:
        raise _Damage("the record has no Content-Length (the file is cut inside its header?)")
    if not value.strip().isdigit():
        raise _Damage(f"Content-Length {quote_prefix(value)} is not a number of bytes")
    return int(value)


def _declared_length(record) -> int | None:
    try:
        value = record.rec_headers.get_header("Content-Length")
        return int(value) if value is not None else None
    except ValueError:
        return None


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
