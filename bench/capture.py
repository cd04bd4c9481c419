"""Capture-stage benchmark: importing a large WARC and reading records back by offset.

    .venv/bin/python bench/capture.py [--records 10000] [--reads 3000]

Builds a WARC.gz of N response records (one gzip member each, original Persian
text), then prints records/s for
  - iterating it with warcio and with fastwarc (payloads read),
  - `vazeh import` of it (warcio records, copied and catalogued, fsync per batch),
  - random reads by offset from the archive: warcio (what `Archive.read_record`
    uses), fastwarc (`WarcRecord.from_bytes`), and `Archive.read_response`.
Each fastwarc result is checked against warcio's for the same record, so a
faster reader only counts where it is also correct.
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from vazeh.archive import open_archive
from vazeh.capture import import_paths

PARAGRAPH = "گزارش شمارهٔ {n}: شورای شهر امروز دربارهٔ طرح تازهٔ حمل‌ونقل عمومی و نرخ بلیت مترو گفت‌وگو کرد. "


def build_warc(path: Path, n: int) -> None:
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for i in range(n):
            body = (
                f"<!doctype html><html lang='fa'><head><meta charset='utf-8'><title>خبر {i}</title></head><body>"
                + "".join(f"<p>{PARAGRAPH.format(n=i)}</p>" for _ in range(8 + i % 20))
                + "</body></html>"
            ).encode()
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            rec = writer.create_warc_record(
                f"https://bench.example.ir/news/{i}", "response", payload=io.BytesIO(body), length=len(body), http_headers=http
            )
            writer.write_record(rec)


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:12,.0f} records/s  ({count:,} in {seconds:.2f} s)"


def iterate_warcio(path: Path) -> tuple[int, int]:
    n = size = 0
    with open(path, "rb") as f:
        for rec in ArchiveIterator(f):
            size += len(rec.content_stream().read())
            n += 1
    return n, size


def iterate_fastwarc(path: Path) -> tuple[int, int]:
    from fastwarc.warc import ArchiveIterator as FastIterator

    n = size = 0
    for rec in FastIterator(str(path), parse_http=True, auto_decode="none", fsspec_args=False):
        size += len(rec.reader.read())
        n += 1
    return n, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--reads", type=int, default=3_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="vazeh-bench-"))
    try:
        warc = tmp / "bench.warc.gz"
        t = time.perf_counter()
        build_warc(warc, args.records)
        print(f"built {warc.name}: {args.records:,} records, {warc.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t:.1f} s")

        t = time.perf_counter()
        n1, s1 = iterate_warcio(warc)
        print(f"iterate  warcio    {rate(n1, time.perf_counter() - t)}")
        t = time.perf_counter()
        n2, s2 = iterate_fastwarc(warc)
        print(f"iterate  fastwarc  {rate(n2, time.perf_counter() - t)}")
        print(f"         same records and payload bytes: {(n1, s1) == (n2, s2)}")

        archive = open_archive(tmp / "home")
        t = time.perf_counter()
        report = import_paths(archive, [warc])
        print(f"import   vazeh     {rate(report.records, time.perf_counter() - t)}  (problems: {len(report.problems)})")
        t = time.perf_counter()
        again = import_paths(archive, [warc])
        print(f"reimport vazeh     {rate(again.duplicates, time.perf_counter() - t)}  (new records: {again.records})")

        caps = list(archive.iter_captures())
        sample = random.Random(1).choices(caps, k=args.reads)
        t = time.perf_counter()
        warcio_payloads = []
        for c in sample:
            rec = archive.read_record(c)
            warcio_payloads.append(rec.raw_stream.read())
        print(f"read     warcio    {rate(len(sample), time.perf_counter() - t)}")

        from fastwarc.warc import WarcRecord

        t = time.perf_counter()
        fast_payloads = []
        for c in sample:
            rec = WarcRecord.from_bytes(_gunzip(archive.read_raw(c.warc_file, c.offset, c.length)))
            rec.parse_http()
            fast_payloads.append(rec.reader.read())
        print(f"read     fastwarc  {rate(len(sample), time.perf_counter() - t)}")
        print(f"         same payloads: {fast_payloads == warcio_payloads}")

        t = time.perf_counter()
        for c in sample:
            archive.read_response(c)
        print(f"read     vazeh Archive.read_response  {rate(len(sample), time.perf_counter() - t)}")
        archive.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _gunzip(member: bytes) -> bytes:
    import zlib

    return zlib.decompressobj(31).decompress(member)


if __name__ == "__main__":
    sys.exit(main())
