"""A WACZ 1.1.1 package of a selection, laid out as py-wacz writes one.

    archive/data.warc.gz      the selection's records (see vazeh.export.warc), stored
    indexes/index.cdx.gz      sorted CDXJ in gzip blocks of 300 lines, stored
    indexes/index.idx         one line per block (its first key, offset, length), deflated
    pages/pages.jsonl         one page per article: url, ts, title
    datapackage.json          every file with its sha256 and size
    datapackage-digest.json   the sha256 of datapackage.json (no signature)

WARCs and the compressed index are stored, not deflated, so a reader (pywb,
ReplayWeb.page) can seek into them by range. Everything is written to temporary
files beside the output first and streamed into the zip, so memory stays flat.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from vazeh.archive import Archive
from vazeh.export.cdxj import sorted_lines
from vazeh.export.selection import Row
from vazeh.export.warc import write_warc_subset

WACZ_VERSION = "1.1.1"
BLOCK_LINES = 300  # CDXJ lines per gzip block, as py-wacz and cdxj-indexer
WARC_NAME = "data.warc.gz"


@dataclass
class WaczSummary:
    path: str
    pages: int
    captures: int
    records: int
    bytes: int
    batches: int
    resources: int = 0

    def to_dict(self) -> dict[str, object]:
        return {"format": "wacz", "path": self.path, "rows": self.pages, "captures": self.captures,
                "resources": self.resources, "records": self.records, "batches": self.batches,
                "bytes": self.bytes}  # fmt: skip


def export_wacz(
    archive: Archive,
    batches: Iterable[list[Row]],
    out: Path | str,
    *,
    title: str = "vazeh export",
    description: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> WaczSummary:
    path = Path(out)
    with tempfile.TemporaryDirectory(prefix=".vazeh-wacz-", dir=path.parent) as tmp:
        work = Path(tmp)
        warc_path, lines_path, pages_path = work / WARC_NAME, work / "lines.txt", work / "pages.jsonl"
        pages = 0
        with open(warc_path, "wb") as warc, open(lines_path, "w", encoding="utf-8") as lines, open(
            pages_path, "w", encoding="utf-8"
        ) as pages_out:
            pages_out.write(json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}) + "\n")

            def on_capture(row: Row | None, line: str) -> None:
                nonlocal pages
                lines.write(line)
                if row is None:
                    return
                pages += 1
                page = {
                    "id": f"capture-{row.capture_id}",
                    "url": row.capture_url,
                    "ts": row.captured_at[:19] + "Z",
                    "title": row.article.get("title") or row.capture_url,
                }
                pages_out.write(json.dumps(page, ensure_ascii=False) + "\n")

            subset = write_warc_subset(
                archive, batches, warc, filename=WARC_NAME, on_capture=on_capture, progress=progress,
                description=description or title,
            )  # fmt: skip
        cdx_path, idx_path = work / "index.cdx.gz", work / "index.idx"
        with open(lines_path, encoding="utf-8") as f:
            _write_compressed_index(sorted_lines(f, tmpdir=tmp), cdx_path, idx_path)
        members = [
            ("archive/" + WARC_NAME, warc_path, zipfile.ZIP_STORED),
            ("indexes/index.cdx.gz", cdx_path, zipfile.ZIP_STORED),
            ("indexes/index.idx", idx_path, zipfile.ZIP_DEFLATED),
            ("pages/pages.jsonl", pages_path, zipfile.ZIP_DEFLATED),
        ]
        package = {
            "profile": "data-package",
            "resources": [
                {"name": os.path.basename(name), "path": name, "hash": _sha256(p), "bytes": p.stat().st_size}
                for name, p, _ in members
            ],
            "title": title,
            **({"description": description} if description else {}),
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "wacz_version": WACZ_VERSION,
            "software": _software(),
        }
        package_bytes = json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")
        digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest()}
        partial = path.with_name(path.name + ".partial")
        with zipfile.ZipFile(partial, "w", allowZip64=True) as z:
            for name, p, method in members:
                z.write(p, name, compress_type=method)
            z.writestr(zipfile.ZipInfo("datapackage.json", _now()), package_bytes, zipfile.ZIP_DEFLATED)
            z.writestr(
                zipfile.ZipInfo("datapackage-digest.json", _now()),
                json.dumps(digest, indent=2).encode(),
                zipfile.ZIP_DEFLATED,
            )
        os.replace(partial, path)  # a half-written package never carries the final name
    return WaczSummary(str(path), pages, subset.captures, subset.records, path.stat().st_size, subset.batches,
                       subset.resources)


def _write_compressed_index(lines: Iterable[str], cdx_path: Path, idx_path: Path) -> None:
    """ZipNum CDXJ as cdxj-indexer's CompressedWriter writes it: each block of lines one
    gzip member, and a secondary index line per block naming its first key."""
    with open(cdx_path, "wb") as cdx, open(idx_path, "w", encoding="utf-8") as idx:
        idx.write("!meta 0 " + json.dumps({"format": "cdxj-gzip-1.0", "filename": "index.cdx.gz"}) + "\n")
        offset = 0
        block: list[str] = []

        def flush() -> None:
            nonlocal offset, block
            data = gzip.compress("".join(block).encode("utf-8"), mtime=0)
            prefix = block[0].split("{", 1)[0].strip()
            idx.write(f"{prefix} " + json.dumps({"offset": offset, "length": len(data)}) + "\n")
            cdx.write(data)
            offset += len(data)
            block = []

        for line in lines:
            block.append(line)
            if len(block) == BLOCK_LINES:
                flush()
        if block:
            flush()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def _now() -> tuple[int, int, int, int, int, int]:
    return datetime.now(UTC).timetuple()[:6]


def _software() -> str:
    from vazeh import __version__

    return f"vazeh {__version__}"
