"""Which articles an export holds, read from the catalog in batches.

An export is selected the way a reader searches: a query in the search language
(`vazeh.index.query`), a collection (where the captures came from) and a capture-time
window. The rows are read in batches of article ids or story keys, never all at
once, so an export of ten million articles needs the memory of one batch.

The provenance of a row (record id, WARC file, offset, request record) is not on
`Capture`, and a query per article would cost more than the export itself, so the
article store reads it joined (`ArticleStore.provenance_after`, `provenance_of`);
this module runs no SQL of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from vazeh.archive import Archive
from vazeh.extract.model import ArticleStore, CaptureFilter
from vazeh.index import SearchIndex

OWN_CAPTURES = "captured"  # the collection of vazeh's own captures (no import origin)
DEFAULT_BATCH = 2000


class SelectionError(ValueError):
    """A selection that cannot be run (a bad time or query), worded for the user."""


@dataclass(frozen=True)
class Selection:
    """`query` in the search language; `collection` an import origin (its path, or its
    file name) or "captured" for vazeh's own captures; `from_ts`/`to_ts` capture-time
    bounds, inclusive, as 14-digit timestamps or a prefix of one ("2024", "202403")
    or ISO 8601 dates and times."""

    query: str | None = None
    collection: str | None = None
    from_ts: str | None = None
    to_ts: str | None = None


@dataclass
class Row:
    """One exported article: its Article fields (as stored) and its provenance."""

    article_id: int
    capture_id: int
    story_key: str
    extractor_version: str
    article: dict[str, Any]
    capture_url: str
    captured_at: str  # ISO 8601 UTC as the catalog keeps it
    status: int | None
    mime: str | None
    payload_digest: str | None
    origin: str | None
    record_id: str
    record_type: str
    warc_file: str
    warc_offset: int
    warc_length: int
    request: tuple[str, int, int] | None  # (warc file, offset, length) of the request record
    revisit_of: int | None
    neardup_group: str | None = None


def timestamp_bound(value: str, *, upper: bool) -> str:
    """A capture-time bound as the catalog's text compares (`2024-03-01T00:00:00`).

    Accepts what pywb's CDX API takes (14 digits or a prefix of them) and ISO dates
    and times; an upper bound covers the whole of what it names (`2024` is the year)."""
    text = value.strip()
    digits: str
    if re.fullmatch(r"\d{4,14}", text):
        digits = text
    elif re.fullmatch(r"\d{4}(-\d\d){1,2}", text):  # 2024-03, 2024-03-01
        digits = text.replace("-", "")
    else:
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise SelectionError(
                f"cannot read the time {value!r}: write 20240301, 20240301120000 or 2024-03-01T12:00:00Z"
            ) from None
        if dt.tzinfo is not None:
            dt = dt.astimezone(UTC)
        has_time = "T" in text or " " in text
        digits = dt.strftime("%Y%m%d%H%M%S" if has_time else "%Y%m%d")
    full = (digits + ("9" if upper else "0") * 14)[:14]
    if not upper:
        # A prefix like 2024 means 2024-01-01, not the month 00.
        full = full[:4] + (full[4:6] if full[4:6] != "00" else "01") + (full[6:8] if full[6:8] != "00" else "01") + full[8:]
    return f"{full[0:4]}-{full[4:6]}-{full[6:8]}T{full[8:10]}:{full[10:12]}:{full[12:14]}"


def _filter(sel: Selection) -> CaptureFilter:
    return CaptureFilter(
        own_captures=sel.collection == OWN_CAPTURES,
        origin=sel.collection if sel.collection and sel.collection != OWN_CAPTURES else None,
        captured_from=timestamp_bound(sel.from_ts, upper=False) if sel.from_ts else None,
        captured_to=timestamp_bound(sel.to_ts, upper=True) if sel.to_ts else None,
    )


def _row(r: tuple) -> Row:
    return Row(
        article_id=r[0],
        capture_id=r[1],
        story_key=r[2] or f"capture:{r[1]}",
        extractor_version=r[3],
        article=orjson.loads(r[4]),
        capture_url=r[5],
        captured_at=r[6],
        status=r[7],
        mime=r[8],
        payload_digest=r[9],
        origin=r[10],
        record_id=r[11],
        record_type=r[12],
        warc_file=r[13],
        warc_offset=r[14],
        warc_length=r[15],
        request=(r[16], r[17], r[18]) if r[16] is not None else None,
        revisit_of=r[19],
    )


def count_articles(archive: Archive, sel: Selection) -> int:
    """How many articles a selection without a query holds (for a progress bar)."""
    return ArticleStore(archive.db).count_filtered(_filter(sel))


def iter_batches(
    archive: Archive,
    sel: Selection,
    *,
    index: SearchIndex | None = None,
    batch: int = DEFAULT_BATCH,
) -> Iterator[list[Row]]:
    """The selected articles in batches of at most `batch` rows.

    Without a query every article in the catalog passes through the filters, in
    article-id order. With one, the search `index` names the matching stories (see
    `vazeh.export.matching`) and every stored version of those stories passes, story
    by story. With an index, each row also gets its story's near-duplicate group."""
    from vazeh.export.matching import iter_matching_keys

    f, store = _filter(sel), ArticleStore(archive.db)
    if sel.query:
        if index is None:
            raise SelectionError("a selection by query needs the search index")
        source = _rows_by_key(store, f, iter_matching_keys(index, sel.query), batch)
    else:
        source = _rows_by_id(store, f, batch)
    for rows in source:
        if index is not None:
            for row in rows:
                row.neardup_group = index.neardup.group(row.story_key)
        yield rows


def _rows_by_id(store: ArticleStore, f: CaptureFilter, batch: int) -> Iterator[list[Row]]:
    last = 0
    while True:
        raw = store.provenance_after(last, f, limit=batch)
        if not raw:
            return
        yield [_row(r) for r in raw]
        last = raw[-1][0]


def _rows_by_key(store: ArticleStore, f: CaptureFilter, keys: Iterator[str], batch: int) -> Iterator[list[Row]]:
    # SQLite's limit on bound parameters is far above this; a story has few versions.
    per_query = 400
    pending: list[Row] = []
    chunk: list[str] = []

    def fetch(chunk: list[str]) -> list[Row]:
        surts = [k for k in chunk if not k.startswith("capture:")]
        ids = [int(k.removeprefix("capture:")) for k in chunk if k.startswith("capture:")]
        return [_row(r) for r in store.provenance_of(f, surts=surts, capture_ids=ids)]

    for key in keys:
        chunk.append(key)
        if len(chunk) >= per_query:
            pending += fetch(chunk)
            chunk = []
            while len(pending) >= batch:
                yield pending[:batch]
                pending = pending[batch:]
    if chunk:
        pending += fetch(chunk)
    while pending:
        yield pending[:batch]
        pending = pending[batch:]
