"""Articles as data sets: JSONL, CSV and Parquet, one row per article with its provenance.

The columns (docs/export.md lists them with their types) are the Article's fields
as extracted, then where the article came from: its capture, the WARC record that
holds the page and the near-duplicate group of its story. Every writer takes the
rows in batches and keeps none of them once written, so memory is flat in the
size of the export; Parquet gets one row group per batch.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from vazeh.export.selection import Row

ARTICLE_FORMATS = ("jsonl", "csv", "parquet")

# (column, Parquet/Arrow type as docs/export.md names it). Lists stay lists in JSONL
# and Parquet; CSV cells hold them JSON-encoded.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("article_id", "int64"),
    ("capture_id", "int64"),
    ("story_key", "string"),
    ("url", "string"),
    ("canonical_url", "string"),
    ("site", "string"),
    ("source", "string"),
    ("news_id", "string"),
    ("title", "string"),
    ("kicker", "string"),
    ("lead", "string"),
    ("body", "list<string>"),
    ("published", "string"),
    ("published_at", "timestamp[us, UTC]"),
    ("published_jalali", "string"),
    ("modified", "string"),
    ("category", "list<string>"),
    ("tags", "list<string>"),
    ("author", "string"),
    ("language", "string"),
    ("images", "list<struct<url: string, caption: string>>"),
    ("warnings", "list<string>"),
    ("extractor_version", "string"),
    ("capture_url", "string"),
    ("captured_at", "timestamp[us, UTC]"),
    ("status", "int32"),
    ("mime", "string"),
    ("collection", "string"),
    ("warc_file", "string"),
    ("warc_offset", "int64"),
    ("warc_length", "int64"),
    ("warc_record_id", "string"),
    ("warc_record_type", "string"),
    ("payload_digest", "string"),
    ("neardup_group", "string"),
)
COLUMN_NAMES = tuple(name for name, _ in COLUMNS)
_LISTS = {"body", "category", "tags", "images", "warnings"}
_ARTICLE_TEXT = (
    "url", "canonical_url", "site", "source", "news_id", "title", "kicker", "lead",
    "published", "published_jalali", "modified", "author", "language",
)  # fmt: skip


@dataclass
class ExportSummary:
    format: str
    path: str
    rows: int = 0
    batches: int = 0
    bytes: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.format, "path": self.path, "rows": self.rows, "batches": self.batches, "bytes": self.bytes}


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    return dt.astimezone(UTC) if dt.tzinfo is not None else None


def record(row: Row) -> dict[str, Any]:
    """One row as a dict in column order, times as datetimes (UTC)."""
    a = row.article
    d: dict[str, Any] = {"article_id": row.article_id, "capture_id": row.capture_id, "story_key": row.story_key}
    for name in _ARTICLE_TEXT:
        d[name] = a.get(name)
    for name in _LISTS:
        d[name] = a.get(name) or []
    d["images"] = [{"url": i.get("url"), "caption": i.get("caption")} for i in d["images"]]
    d["published_at"] = _instant(a.get("published"))
    d["extractor_version"] = row.extractor_version
    d["capture_url"] = row.capture_url
    d["captured_at"] = _instant(row.captured_at.replace("Z", "+00:00"))
    d["status"] = row.status
    d["mime"] = row.mime
    d["collection"] = row.origin
    d["warc_file"] = row.warc_file
    d["warc_offset"] = row.warc_offset
    d["warc_length"] = row.warc_length
    d["warc_record_id"] = row.record_id
    d["warc_record_type"] = row.record_type
    d["payload_digest"] = row.payload_digest
    d["neardup_group"] = row.neardup_group
    return {name: d[name] for name in COLUMN_NAMES}


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat().replace("+00:00", "Z") if dt is not None else None


def write_articles(
    fmt: str,
    out: Path | str,
    batches: Iterable[list[Row]],
    *,
    progress: Callable[[int], None] | None = None,
) -> ExportSummary:
    """Write the rows of `batches` to `out` as `fmt` (jsonl, csv or parquet)."""
    writers = {"jsonl": _write_jsonl, "csv": _write_csv, "parquet": _write_parquet}
    if fmt not in writers:
        raise ValueError(f"unknown article format {fmt!r}; use one of: {', '.join(ARTICLE_FORMATS)}")
    path = Path(out)
    summary = ExportSummary(fmt, str(path))

    def counted() -> Iterator[list[dict[str, Any]]]:
        for rows in batches:
            summary.batches += 1
            summary.rows += len(rows)
            yield [record(r) for r in rows]
            if progress is not None:
                progress(len(rows))

    writers[fmt](path, counted())
    summary.bytes = path.stat().st_size
    return summary


def _write_jsonl(path: Path, batches: Iterator[list[dict[str, Any]]]) -> None:
    with open(path, "wb") as f:
        for recs in batches:
            buf = bytearray()
            for d in recs:
                d["published_at"] = _iso(d["published_at"])
                d["captured_at"] = _iso(d["captured_at"])
                buf += orjson.dumps(d)
                buf += b"\n"
            f.write(buf)


def _write_csv(path: Path, batches: Iterator[list[dict[str, Any]]]) -> None:
    # UTF-8 with a BOM, so a spreadsheet opens Persian text as Persian.
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMN_NAMES)
        for recs in batches:
            buf = io.StringIO()
            bw = csv.writer(buf)
            for d in recs:
                bw.writerow(_csv_cell(name, d[name]) for name in COLUMN_NAMES)
            f.write(buf.getvalue())


def _csv_cell(name: str, value: Any) -> Any:
    if value is None:
        return ""
    if name in _LISTS:
        return orjson.dumps(value).decode()
    if isinstance(value, datetime):
        return _iso(value)
    return value


def arrow_schema():  # noqa: ANN201 - pyarrow.Schema; pyarrow is an optional dependency
    pa = _pyarrow()
    ts = pa.timestamp("us", tz="UTC")
    types = {
        "int64": pa.int64(),
        "int32": pa.int32(),
        "string": pa.string(),
        "list<string>": pa.list_(pa.string()),
        "timestamp[us, UTC]": ts,
        "list<struct<url: string, caption: string>>": pa.list_(
            pa.struct([("url", pa.string()), ("caption", pa.string())])
        ),
    }
    return pa.schema([(name, types[t]) for name, t in COLUMNS])


def _pyarrow():  # noqa: ANN202
    try:
        import pyarrow
    except ImportError:
        raise RuntimeError(
            "Parquet export needs pyarrow: pip install 'vazeh[export]' (or pip install pyarrow)"
        ) from None
    return pyarrow


def _write_parquet(path: Path, batches: Iterator[list[dict[str, Any]]]) -> None:
    pa = _pyarrow()
    import pyarrow.parquet as pq

    schema = arrow_schema()
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for recs in batches:
            columns = {name: [d[name] for d in recs] for name in COLUMN_NAMES}
            writer.write_table(pa.Table.from_pydict(columns, schema=schema))
        # An export of nothing is still a file with the schema, which readers open.
