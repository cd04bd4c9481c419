"""A WARC file of a selection: the selected captures' records copied byte for byte.

Each stored record is its own gzip member, so a subset is the members in a row
after a warcinfo record of its own: no record is parsed or rewritten, and its
payload digest and record id still hold. A capture's request record comes before
its response; a revisit's original response is copied too (before the first
revisit that needs it), and so are the page resources each page was captured
with (stylesheets, pictures, fonts, scripts), so the subset replays on its own,
styled.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warcio.warcwriter import BufferWARCWriter

from vazeh.archive import Archive, Capture
from vazeh.export.cdxj import capture_line, cdxj_line
from vazeh.export.selection import Row


@dataclass
class WarcSubset:
    """What was written."""

    filename: str
    captures: int = 0
    resources: int = 0  # page resources copied with the selected pages
    records: int = 0
    bytes: int = 0
    batches: int = 0


def warcinfo(filename: str, description: str) -> bytes:
    from vazeh import __version__

    builder = BufferWARCWriter(gzip=True, warc_version="WARC/1.1")
    info = builder.create_warcinfo_record(
        filename,
        {
            "software": f"vazeh/{__version__} (export)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "description": description,
        },
    )
    builder.write_record(info)
    return builder.get_contents()


def write_warc_subset(
    archive: Archive,
    batches: Iterable[list[Row]],
    out: BinaryIO,
    *,
    filename: str,
    on_capture: Callable[[Row, str], None] | None = None,
    progress: Callable[[int], None] | None = None,
    description: str = "a selection of a vazeh Persian news archive",
    resources: bool = True,
) -> WarcSubset:
    """Write the selected captures to `out` (a binary stream at offset 0) as WARC
    `filename`. `on_capture(row, cdxj_line)` is told each selected capture's CDXJ line
    in the new file (a revisit's original gets its line too, with row None)."""
    result = WarcSubset(filename)
    written: set[int] = set()  # capture ids only, so a repeated original is copied once
    offset = 0

    def put(data: bytes) -> int:
        nonlocal offset
        at = offset
        out.write(data)
        offset += len(data)
        result.records += 1
        return at

    put(warcinfo(filename, description))
    for rows in batches:
        result.batches += 1
        for row in rows:
            if row.capture_id in written:
                continue
            if row.record_type == "revisit" and row.revisit_of is not None and row.revisit_of not in written:
                original = archive.get(row.revisit_of)
                at = put(archive.read_raw(original.warc_file, original.offset, original.length))
                written.add(original.id)
                if on_capture is not None:
                    on_capture(None, capture_line(original, offset=at, filename=filename))  # type: ignore[arg-type]
            if row.request is not None:
                put(archive.read_raw(*row.request))
            at = put(archive.read_raw(row.warc_file, row.warc_offset, row.warc_length))
            written.add(row.capture_id)
            result.captures += 1
            if on_capture is not None:
                on_capture(row, _row_line(row, at, filename))
            if resources:
                # The page's stylesheets, pictures, fonts and scripts, so that the subset
                # replays styled; each once, however many pages share it.
                for capture, request in _resources_of(archive, row.capture_id):
                    if capture.id in written:
                        continue
                    if capture.record_type == "revisit" and capture.revisit_of and capture.revisit_of not in written:
                        original = archive.get(capture.revisit_of)
                        at = put(archive.read_raw(original.warc_file, original.offset, original.length))
                        written.add(original.id)
                        if on_capture is not None:
                            on_capture(None, capture_line(original, offset=at, filename=filename))  # type: ignore[arg-type]
                    if request is not None:
                        put(archive.read_raw(*request))
                    at = put(archive.read_raw(capture.warc_file, capture.offset, capture.length))
                    written.add(capture.id)
                    result.resources += 1
                    if on_capture is not None:
                        on_capture(None, capture_line(capture, offset=at, filename=filename))  # type: ignore[arg-type]
        if progress is not None:
            progress(len(rows))
    result.bytes = offset
    return result


def _resources_of(archive: Archive, page: int) -> list[tuple[Capture, tuple[str, int, int] | None]]:
    """The resource captures a page capture was linked to at capture time (the
    catalog's page_resources table, written by vazeh.capture.resources), each with
    where its request record lies."""
    from vazeh.capture.resources import resources_with_requests

    return resources_with_requests(archive, page)


def _row_line(row: Row, offset: int, filename: str) -> str:
    ts = row.captured_at[:19].replace("-", "").replace(":", "").replace("T", "")
    return cdxj_line(
        row.story_key,
        ts,
        url=row.capture_url,
        mime=row.mime,
        status=row.status,
        digest=row.payload_digest,
        length=row.warc_length,
        offset=offset,
        filename=filename,
        record_type=row.record_type,
    )


def export_warc(
    archive: Archive,
    batches: Iterable[list[Row]],
    out: Path | str,
    *,
    progress: Callable[[int], None] | None = None,
) -> WarcSubset:
    path = Path(out)
    with open(path, "wb") as f:
        return write_warc_subset(archive, batches, f, filename=path.name, progress=progress)


def iter_records(data: bytes) -> Iterator[tuple[str, str | None]]:
    """(WARC-Type, WARC-Target-URI) of each record in a WARC's bytes (for tests and checks)."""
    from warcio.archiveiterator import ArchiveIterator

    for rec in ArchiveIterator(io.BytesIO(data)):
        yield rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI")

