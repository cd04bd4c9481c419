"""WARCs in object storage: reading a record by offset from S3 (a ranged GET) beside a local read.

    flock /tmp/vazeh-bench.lock .venv/bin/python bench/warcstore.py [--records 2000] [--reads 1000]

Writes one archive of N captured pages (original Persian text, ~20 KiB each) with
1 MiB rotation, copies it, and gives the copy an S3 backend served by moto's S3
server on 127.0.0.1 (the server the tests use): `vazeh warcs seal --current`
uploads and checks every file and drops the local copies. Then prints, for the
same random records on both:
  - `Archive.read_raw` (the stored bytes of one record) p50 / p99, local and S3,
  - `Archive.read_response` (decompressed, parsed) p50 / p99, local and S3,
  - seal + upload + check throughput (MiB/s).
Every S3 read is checked byte for byte against the local one. moto is an
in-process Python server on loopback: the figures bound the client side and the
protocol round trip, not a real store's latency over a network.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vazeh.archive import Archive, warcstore

PARAGRAPH = "گزارش شمارهٔ {n}: شورای شهر امروز دربارهٔ طرح تازهٔ حمل‌ونقل عمومی و نرخ بلیت مترو گفت‌وگو کرد. "


def page(n: int) -> bytes:
    body = "".join(f"<p>{PARAGRAPH.format(n=n * 100 + j)}</p>" for j in range(90))
    return f'<html lang="fa"><head><meta charset="utf-8"><title>خبر {n}</title></head><body>{body}</body></html>'.encode()


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=2000)
    ap.add_argument("--reads", type=int, default=1000)
    args = ap.parse_args()
    from moto.server import ThreadedMotoServer

    for k, v in {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1",
                 "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}.items():  # fmt: skip
        os.environ[k] = v
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    tmp = Path(tempfile.mkdtemp(prefix="vazeh-bench-s3-"))
    try:
        os.environ.pop("VAZEH_WARCS", None)
        local = Archive(tmp / "local", rotate_bytes=1 << 20)
        t0 = datetime(2025, 1, 1, tzinfo=UTC)
        caps = []
        with local.transaction():
            for n in range(args.records):
                caps.append(local.write_exchange(
                    url=f"https://news.example.ir/{n}", status=200, reason="OK",
                    response_headers=[("Content-Type", "text/html; charset=utf-8")], body=page(n),
                    captured_at=t0 + timedelta(seconds=n),
                ))  # fmt: skip
        local.close()
        shutil.copytree(tmp / "local", tmp / "s3")
        bucket = f"vazeh-bench-{uuid.uuid4().hex[:8]}"
        warcstore.s3_client(endpoint).create_bucket(Bucket=bucket)
        os.environ["VAZEH_WARCS"] = f"s3://{bucket}/bench"
        os.environ["VAZEH_S3_ENDPOINT"] = endpoint
        size = sum(p.stat().st_size for p in (tmp / "s3" / "warcs").glob("*.warc.gz"))
        remote = Archive(tmp / "s3")
        start = time.perf_counter()
        stored = remote.seal_warcs(current=True)
        upload_s = time.perf_counter() - start
        os.environ.pop("VAZEH_WARCS")
        local = Archive(tmp / "local")

        rng = random.Random(7)
        picks = [rng.choice(caps) for _ in range(args.reads)]
        timings: dict[str, list[float]] = {k: [] for k in ("raw_local", "raw_s3", "resp_local", "resp_s3")}
        for cap in picks:
            for name, archive in (("local", local), ("s3", remote)):
                t = time.perf_counter()
                raw = archive.read_raw(cap.warc_file, cap.offset, cap.length)
                timings[f"raw_{name}"].append(time.perf_counter() - t)
                if name == "local":
                    want = raw
                elif raw != want:
                    raise SystemExit(f"S3 read of capture {cap.id} differs from the local one")
                t = time.perf_counter()
                archive.read_response(cap)
                timings[f"resp_{name}"].append(time.perf_counter() - t)
        print(f"archive: {args.records} pages, {len(stored)} WARC files, {size / (1 << 20):.1f} MiB "
              f"(record ~{statistics.mean(c.length for c in caps) / 1024:.1f} KiB gzip)")  # fmt: skip
        print(f"seal + upload + check: {size / (1 << 20) / upload_s:.1f} MiB/s ({upload_s:.2f} s)")
        for kind in ("raw", "resp"):
            lp50, sp50 = pct(timings[f"{kind}_local"], 0.5), pct(timings[f"{kind}_s3"], 0.5)
            lp99, sp99 = pct(timings[f"{kind}_local"], 0.99), pct(timings[f"{kind}_s3"], 0.99)
            label = "read_raw     " if kind == "raw" else "read_response"
            print(f"{label} p50 local {lp50:.3f} ms  s3 {sp50:.3f} ms  ({sp50 / lp50:.0f}x)   "
                  f"p99 local {lp99:.3f} ms  s3 {sp99:.3f} ms")  # fmt: skip
        local.close()
        remote.close()
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
