"""WARC collections made from the sample site's pages, as large as a test or a bench needs.

`write_sample_warcs(dest, records=10_000)` writes gzip'd WARC files of HTTP response
records, one gzip member per record, cycling through the site's served HTML pages
(articles, list pages, the hostile ones). Copy `k` of a page gets its own URL
(`?copy=k`), its own capture time and a copy number written between the words of its
paragraphs: the copies are distinct stories to near-duplicate grouping (a copy
shares almost no 3-word shingle with another copy), while the site's own
republished stories (the same report at two outlets) stay near-duplicates of each
other within a copy. Digits are ASCII, so the pages in windows-1256 or with
character references stay valid in their own encoding.
"""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

SITE = Path(__file__).parent / "site"
BASE_URL = "http://sample.vazeh.test"
_PARAGRAPH = re.compile(rb"(<p\b[^>]*>)(.*?)(</p>)", re.S | re.I)
_TAG = re.compile(rb"(<[^>]*>)")


def site_pages() -> list[tuple[str, bytes, str]]:
    """(URL path, bytes, Content-Type) of every HTML page the sample server serves, in path order."""
    headers = json.loads((SITE / "_headers.json").read_text(encoding="utf-8"))
    pages = []
    for path in sorted(SITE.rglob("*.html")):
        rel = path.relative_to(SITE)
        if any(part.startswith("_") for part in rel.parts):
            continue  # never served (versions, round 2)
        url_path = "/" + rel.as_posix()
        url_path = url_path.removesuffix("index.html") if rel.name == "index.html" else url_path.removesuffix(".html")
        ctype = headers.get(url_path, {}).get("Content-Type", "text/html; charset=utf-8")
        pages.append((url_path, path.read_bytes(), ctype))
    return pages


def _mark(page: bytes, copy: int) -> bytes:
    if copy == 0:
        return page
    token = b" %d " % copy

    def paragraph(m: re.Match[bytes]) -> bytes:
        parts = _TAG.split(m.group(2))
        text = b"".join(p if p.startswith(b"<") else p.replace(b" ", token) for p in parts)
        return m.group(1) + text + m.group(3)

    return _PARAGRAPH.sub(paragraph, page)


def write_sample_warcs(
    dest: Path | str,
    *,
    records: int = 10_000,
    per_file: int = 1_000,
    start: datetime = datetime(2024, 3, 1, tzinfo=UTC),
) -> list[Path]:
    """Write `records` response records into files of `per_file` records; returns the files in order."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    pages = site_pages()
    files: list[Path] = []
    f = writer = None
    try:
        for i in range(records):
            if i % per_file == 0:
                if f is not None:
                    f.close()
                path = dest / f"sample-{i // per_file:05d}.warc.gz"
                files.append(path)
                f = open(path, "wb")
                writer = WARCWriter(f, gzip=True)
            url_path, body, ctype = pages[i % len(pages)]
            copy = i // len(pages)
            body = _mark(body, copy)
            url = BASE_URL + quote(url_path) + (f"?copy={copy}" if copy else "")
            http = StatusAndHeaders(
                "200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))], protocol="HTTP/1.1"
            )
            when = (start + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
            assert writer is not None
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
                    warc_headers_dict={"WARC-Date": when},
                )
            )
    finally:
        if f is not None:
            f.close()
    return files
