"""CDXJ lines as pywb and cdxj-indexer write them, and an index of the whole archive.

A line is `urlkey timestamp {json}`: the SURT key, the 14-digit capture time and a
JSON object with url, mime, status, digest, length, offset and filename (values
as strings, as cdxj-indexer gives them). Files of lines are sorted as plain text,
by key, then time; sorting spills runs to temporary files, so an index of any
size is sorted in bounded memory.
"""

from __future__ import annotations

import heapq
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from vazeh.archive import Archive, Capture

SORT_RUN = 200_000  # lines held in memory before a sorted run goes to a temporary file


def cdxj_line(
    urlkey: str,
    timestamp14: str,
    *,
    url: str,
    mime: str | None,
    status: int | None,
    digest: str | None,
    length: int,
    offset: int,
    filename: str,
    record_type: str = "response",
) -> str:
    fields: dict[str, str] = {"url": url, "mime": "warc/revisit" if record_type == "revisit" else (mime or "unk")}
    if status is not None:
        fields["status"] = str(status)
    if digest:
        fields["digest"] = digest
    fields.update(length=str(length), offset=str(offset), filename=filename)
    return f"{urlkey} {timestamp14} {json.dumps(fields)}\n"


def capture_line(capture: Capture, *, offset: int | None = None, filename: str | None = None) -> str:
    """The CDXJ line of a capture, at its place in the archive's WARC files unless
    `offset`/`filename` say where a copy of its record sits."""
    return cdxj_line(
        capture.surt,
        capture.timestamp14,
        url=capture.url,
        mime=capture.mime,
        status=capture.status,
        digest=capture.payload_digest,
        length=capture.length,
        offset=capture.offset if offset is None else offset,
        filename=capture.warc_file if filename is None else filename,
        record_type=capture.record_type,
    )


def parse_line(line: str) -> tuple[str, str, dict[str, str]]:
    """(urlkey, timestamp, fields) of one CDXJ line."""
    urlkey, ts, fields = line.rstrip("\n").split(" ", 2)
    return urlkey, ts, json.loads(fields)


def sorted_lines(lines: Iterable[str], *, run: int = SORT_RUN, tmpdir: str | None = None) -> Iterator[str]:
    """The lines in text order with repeats dropped (as cdxj-indexer's sorting writer),
    holding at most `run` of them in memory."""
    runs: list[str] = []
    buf: list[str] = []
    try:
        for line in lines:
            buf.append(line)
            if len(buf) >= run:
                runs.append(_spill(buf, tmpdir))
                buf = []
        buf.sort()
        with ExitStack() as stack:
            files: list[IO[str]] = [stack.enter_context(open(p, encoding="utf-8")) for p in runs]
            last = None
            for line in heapq.merge(buf, *files):
                if line != last:
                    yield line
                last = line
    finally:
        for p in runs:
            os.unlink(p)


def _spill(buf: list[str], tmpdir: str | None) -> str:
    buf.sort()
    fd, name = tempfile.mkstemp(prefix="vazeh-cdxj-", suffix=".txt", dir=tmpdir)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.writelines(buf)
    return name


def write_archive_cdxj(
    archive: Archive, out: Path | str, *, progress: Callable[[int], None] | None = None
) -> int:
    """A CDXJ index of every capture in the archive, pointing into its WARC files;
    returns the number of lines."""
    path = Path(out)

    def lines() -> Iterator[str]:
        for i, capture in enumerate(archive.iter_captures(batch=5000), start=1):
            yield capture_line(capture)
            if progress is not None and i % 1000 == 0:
                progress(1000)

    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for line in sorted_lines(lines(), tmpdir=str(path.parent)):
            f.write(line)
            n += 1
    if progress is not None:
        progress(n % 1000)
    return n
