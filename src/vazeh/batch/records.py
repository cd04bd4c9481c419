"""One WARC file in, its articles out: the work of one batch task.

A task reads one WARC file (a local path or an s3:// object, streamed, never held
whole), and for every HTML response does what `vazeh import` does to it: the
response body as `Archive.read_response` gives it (chunking undone, content
decoded), `extract_article` on it, the MinHash `fingerprint` of a story. Each
article becomes one row of the export schema (`vazeh.export.articles`), its
provenance pointing into the source file: the record's offset and length there,
its WARC-Record-ID, payload digest, capture time. `article_id` and `capture_id`
are left empty: the catalog gives them when `vazeh batch load` stores the rows.

Records over the caps are passed over (counted, logged) before their payload is
read: warcio skips the rest of a record in blocks, so one huge record costs a
read of it, never its size in memory.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator

from vazeh.archive import Capture, decode_content, importable_problem, parse_warc_date
from vazeh.archive.store import _dechunk, iso_utc, payload_digest
from vazeh.archive.surt import surt
from vazeh.export.articles import COLUMN_NAMES, arrow_schema, record
from vazeh.export.selection import Row

log = logging.getLogger(__name__)

MAX_RECORD_BYTES = 16 << 20  # a record's block as the WARC holds it (HTTP head + payload, content-encoded)
MAX_DECODED_BYTES = 64 << 20  # the body once gzip/br is undone (the archive's own read cap)
MAX_PROBLEMS_KEPT = 100  # per file: a file damaged all through says so once, not ten thousand times
FINGERPRINT_COLUMNS = ("position", "story_key", "captured_at", "warc_record_id", "fingerprint")


@dataclass(frozen=True)
class Caps:
    max_record_bytes: int = MAX_RECORD_BYTES
    max_decoded_bytes: int = MAX_DECODED_BYTES


@dataclass
class FileTask:
    index: int  # the file's place in the input list: rows and groups follow this order
    source: str  # path or s3:// URL, as the collection is named in the rows
    stage: str  # folder the task writes its Parquet part into
    caps: Caps = field(default_factory=Caps)
    s3_endpoint: str | None = None


@dataclass
class FileResult:
    index: int
    source: str
    records: int = 0  # WARC records read
    responses: int = 0  # HTML responses extracted
    articles: int = 0
    not_articles: int = 0
    oversized: int = 0
    revisits: int = 0  # left to `vazeh import`, which resolves them against the archive
    failed: int = 0  # extraction raised
    skipped: int = 0  # records not importable (damaged headers)
    damaged: bool = False
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0  # CPU time of the task (process time, so pool and Spark compare)

    def problem(self, offset: int | None, reason: str) -> None:
        msg = f"{self.source}" + (f" at offset {offset}" if offset is not None else "") + f": {reason}"
        log.warning("%s", msg)
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(msg)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def part_name(index: int) -> str:
    return f"part-{index:05d}.parquet"


@contextmanager
def open_source(source: str, s3_endpoint: str | None = None) -> Iterator[BinaryIO]:
    """A WARC file as a stream: a local file, or an S3 object read in one streamed GET."""
    if source.startswith("s3://"):
        from vazeh.archive.warcstore import s3_client  # the archive's own client: retries, timeouts

        bucket, _, key = source.removeprefix("s3://").partition("/")
        client = s3_client(s3_endpoint)
        body = client.get_object(Bucket=bucket, Key=key)["Body"]
        try:
            yield body  # type: ignore[misc]
        finally:
            body.close()
    else:
        with open(source, "rb") as f:
            yield f


def extract_file(task: FileTask) -> FileResult:
    """Run one task: write its article rows and fingerprints as Parquet, return its counts."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    t0 = time.process_time()
    result = FileResult(task.index, task.source)
    rows: list[dict[str, Any]] = []
    prints: list[tuple[int, str, str, str, bytes]] = []
    try:
        with open_source(task.source, task.s3_endpoint) as f:
            for position, row, fp in _articles(f, task, result):
                rows.append(row)
                if fp:
                    prints.append((position, row["story_key"], row["_captured_at"], row["warc_record_id"], fp))
    except Exception as e:  # noqa: BLE001 - a file that cannot be opened is reported, not fatal
        result.damaged = True
        result.problem(None, f"cannot be read: {type(e).__name__}: {e}")
    stage = Path(task.stage)
    schema = arrow_schema()
    columns = {name: [r[name] for r in rows] for name in COLUMN_NAMES}
    pq.write_table(pa.Table.from_pydict(columns, schema=schema), stage / "articles" / part_name(task.index),
                   compression="zstd")  # fmt: skip
    fp_schema = pa.schema([("position", pa.int64()), ("story_key", pa.string()), ("captured_at", pa.string()),
                           ("warc_record_id", pa.string()), ("fingerprint", pa.binary())])  # fmt: skip
    fp_cols = {name: [p[i] for p in prints] for i, name in enumerate(FINGERPRINT_COLUMNS)}
    pq.write_table(pa.Table.from_pydict(fp_cols, schema=fp_schema), stage / "fingerprints" / part_name(task.index))
    result.seconds = time.process_time() - t0
    return result


def _articles(f: BinaryIO, task: FileTask, result: FileResult) -> Iterator[tuple[int, dict[str, Any], bytes | None]]:
    from vazeh.capture.importers import _LineGuard
    from vazeh.extract import EXTRACTOR_VERSION, extract_article
    from vazeh.index.neardup import fingerprint
    from vazeh.pipeline import is_extractable

    it = ArchiveIterator(f)
    # Told the format, warcio rejects junk instead of reading it as ARC lines (as the importer does).
    it.known_format = "warc"
    # The importer's guard: lines and heads bounded, junk after a record is damage (not a
    # warning on stderr), so a batch job and `vazeh import` see the same damage.
    guard = _LineGuard(it, arc=False)
    caps = task.caps
    position = -1
    while True:
        offset = it.offset
        guard.reset()
        try:
            rec = next(it)
        except StopIteration:
            # warcio ends quietly at a record it cannot start (a cut gzip member): anything
            # but blank lines after the last good record is damage.
            if not _rest_is_blank(f, it.offset):
                result.damaged = True
                result.problem(it.offset, "the file ends inside a record (truncated?); the rest is not read")
            return
        except Exception as e:  # noqa: BLE001 - damage ends this file, reported; other files go on
            result.damaged = True
            result.problem(offset, f"damaged record, the rest of the file is not read ({type(e).__name__}: {e})")
            return
        position += 1
        result.records += 1
        offset = it.get_record_offset() if it.member_info else offset
        kind = rec.rec_type
        if kind not in ("response", "resource", "revisit"):
            continue
        problem = importable_problem(rec)
        if problem is not None:
            result.skipped += 1
            result.problem(offset, problem + "; the record is left out")
            continue
        declared = rec.length
        if declared is not None and declared > caps.max_record_bytes:
            result.oversized += 1
            result.problem(offset, f"record of {declared:,} bytes passed over (cap {caps.max_record_bytes:,})")
            continue
        h = rec.rec_headers
        url = (h.get_header("WARC-Target-URI") or "").strip()
        status: int | None = None
        mime: str | None = None
        headers: list[tuple[str, str]] = []
        if kind == "resource":
            status = 200
            ctype = h.get_header("Content-Type") or "application/octet-stream"
            mime = ctype.split(";")[0].strip().lower() or None
            headers = [("Content-Type", ctype)]
        elif rec.http_headers is not None:
            code = rec.http_headers.get_statuscode()
            status = int(code) if code and code.isdigit() else None
            headers = list(rec.http_headers.headers)
            mime = next((v.split(";")[0].strip().lower() or None for k, v in headers if k.lower() == "content-type"), None)
        captured_at = parse_warc_date(h.get_header("WARC-Date"))
        probe = Capture(0, url, surt(url), captured_at, status, mime, None, None, None, "", 0, 0, kind)
        if not is_extractable(probe):
            continue
        if kind == "revisit":
            result.revisits += 1
            continue
        raw = rec.raw_stream.read(caps.max_record_bytes + 1)
        if len(raw) > caps.max_record_bytes:  # no Content-Length to trust: the read itself is capped
            result.oversized += 1
            result.problem(offset, f"record over {caps.max_record_bytes:,} bytes passed over")
            continue
        if getattr(rec.raw_stream, "limit", 0) > 0:
            # The data ended before the record's Content-Length did: a cut file.
            result.damaged = True
            result.problem(offset, "the record is cut short (truncated file?); the rest of the file is not read")
            return
        digest = h.get_header("WARC-Payload-Digest") or payload_digest(raw)
        body = raw
        if kind != "resource":
            if any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in headers):
                raw = _dechunk(raw)
            encoding = next((v for k, v in headers if k.lower() == "content-encoding"), None)
            body, cut = decode_content(raw, encoding, limit=caps.max_decoded_bytes)
            if cut:
                result.oversized += 1
                result.problem(offset, f"decoded body over {caps.max_decoded_bytes:,} bytes passed over")
                continue
        try:
            it.read_to_end(rec)  # what follows the record is checked here (the guard)
        except Exception as e:  # noqa: BLE001 - damage ends this file, reported
            result.damaged = True
            result.problem(offset, f"{e}; this record and the rest of the file are not read")
            return
        length = it.get_record_length()
        result.responses += 1
        try:
            article = extract_article(body, url=url, headers={k: v for k, v in headers})
        except Exception as e:  # noqa: BLE001 - one bad page must not stop the job
            result.failed += 1
            result.problem(offset, f"extraction failed for {url}: {e}")
            continue
        if not article.is_article:
            result.not_articles += 1
            continue
        result.articles += 1
        fp = fingerprint(article)
        row = Row(
            article_id=None,  # type: ignore[arg-type] - given by the catalog at load
            capture_id=None,  # type: ignore[arg-type]
            story_key=surt(url),
            extractor_version=EXTRACTOR_VERSION,
            article=article.to_dict(),
            capture_url=url,
            captured_at=iso_utc(captured_at),
            status=status,
            mime=mime,
            payload_digest=digest,
            origin=task.source,
            record_id=h.get_header("WARC-Record-ID"),
            record_type=kind,
            warc_file=task.source,
            warc_offset=offset,
            warc_length=length,
            request=None,
            revisit_of=None,
        )
        d = record(row)
        d["_captured_at"] = row.captured_at
        yield position, d, fp


def _rest_is_blank(f: BinaryIO, offset: int) -> bool:
    try:
        if not f.seekable():
            return True  # a stream (S3) cannot look back; its records so far are good
        f.seek(offset)
        return not f.read(1 << 16).strip()
    except (OSError, ValueError):
        return True
