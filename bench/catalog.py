"""The catalog on SQLite and on PostgreSQL: rows loaded per second, exact SURT lookups.

    flock /tmp/vazeh-bench.lock .venv/bin/python bench/catalog.py [--captures 1000000] [--catalog postgresql://...]

Loads N captures (a `records` row and a `captures` row each, as the archive writes
them) into an empty catalog of each backend through the catalog interface's bulk
load (`COPY` on PostgreSQL, executemany in one transaction on SQLite), then times
lookups of one URL's captures by SURT key with `Archive.captures`' query. Without
--catalog a PostgreSQL server of its own is started on 127.0.0.1 (Debian's
binaries, as the `postgres` user when run as root) and removed at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from vazeh.archive import catalog
from vazeh.archive.store import _CAPTURE_SELECT, _SCHEMA
from vazeh.archive.surt import surt


def rows(n: int):  # noqa: ANN201 - a generator of tuples
    return ((i, f"<urn:uuid:{i:032x}>", "response", f"vazeh-{i // 100000:05d}.warc.gz", (i % 100000) * 5000, 4800)
            for i in range(1, n + 1))


def capture_rows(n: int):  # noqa: ANN201
    for i in range(1, n + 1):
        url = f"https://www.site{i % 50}.ir/news/{i}"
        yield (i, i, None, url, surt(url), f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00.000000Z", 200,
               "text/html", f"sha1:{i:032X}", "utf-8", 4000, None, 0, None)


CAPTURE_COLS = ["id", "record", "request_record", "url", "surt", "captured_at", "status", "mime", "payload_digest",
                "charset", "payload_length", "revisit_of", "imported", "origin"]


def bench(db: catalog.CatalogConnection, n: int, lookups: int) -> dict[str, float]:
    db.executescript(_SCHEMA)
    # Made before the clock starts: the figure is the catalog's, not Python's SURT keys.
    records, captures = list(rows(n)), list(capture_rows(n))
    t = time.perf_counter()
    db.load("records", ["id", "record_id", "type", "warc_file", "offset", "length"], records, batch=20000)
    db.load("captures", CAPTURE_COLS, captures, batch=20000)
    load_s = time.perf_counter() - t
    if db.dialect == "postgresql":
        db.execute("ANALYZE")
    rng = random.Random(7)
    keys = [surt(f"https://www.site{i % 50}.ir/news/{i}") for i in (rng.randint(1, n) for _ in range(lookups))]
    sql = _CAPTURE_SELECT + " WHERE c.surt=? ORDER BY c.captured_at"
    for k in keys[:200]:  # warm
        db.execute(sql, (k,)).fetchall()
    times = []
    for k in keys:
        t = time.perf_counter()
        found = db.execute(sql, (k,)).fetchall()
        times.append(time.perf_counter() - t)
        assert len(found) == 1
    times.sort()
    return {"rows_per_s": 2 * n / load_s, "load_s": load_s, "p50_ms": 1000 * statistics.median(times),
            "p99_ms": 1000 * times[int(len(times) * 0.99)]}


def start_pg() -> tuple[str, Path, list[str]]:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql), or pass --catalog")
    bin_ = found[-1].parent
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data = Path(tempfile.mkdtemp(prefix="vazeh-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run([*as_pg, str(bin_ / "initdb"), "-D", str(data / "db"), "-U", "postgres", "--auth=trust"],
                   check=True, capture_output=True)
    # Default durability (fsync on): the figure is for a real server's commit path.
    stop = [*as_pg, str(bin_ / "pg_ctl"), "-D", str(data / "db"), "-m", "fast", "stop"]
    subprocess.run([*as_pg, str(bin_ / "pg_ctl"), "-D", str(data / "db"), "-l", str(data / "log"), "-w", "-o",
                    f"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c shared_buffers=512MB", "start"],
                   check=True, capture_output=True)
    return f"postgresql://postgres@127.0.0.1:{port}/postgres", data, stop


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--captures", type=int, default=1_000_000)
    ap.add_argument("--lookups", type=int, default=5000)
    ap.add_argument("--catalog", help="an empty PostgreSQL catalog to use instead of a server of its own")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vazeh-bench-catalog-"))
    data, stop = None, None
    url = args.catalog
    if url is None:
        url, data, stop = start_pg()
    try:
        results = {}
        with catalog.connect(f"sqlite:///{work / 'catalog.sqlite'}") as db:
            results["sqlite"] = bench(db, args.captures, args.lookups)
        with catalog.connect(url) as db:
            results["postgresql"] = bench(db, args.captures, args.lookups)
    finally:
        if stop is not None:
            subprocess.run(stop, capture_output=True)
            shutil.rmtree(data, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    print(f"catalog with {args.captures:,} captures ({2 * args.captures:,} rows), {args.lookups:,} SURT lookups")
    for name, r in results.items():
        print(f"  {name:10s} load {r['rows_per_s']:>9,.0f} rows/s ({r['load_s']:.1f} s)   "
              f"lookup p50 {r['p50_ms']:.3f} ms  p99 {r['p99_ms']:.3f} ms")
    s, p = results["sqlite"], results["postgresql"]
    print(f"  postgresql/sqlite: load rate {p['rows_per_s'] / s['rows_per_s']:.2f}x, "
          f"lookup p50 {p['p50_ms'] / s['p50_ms']:.2f}x")


if __name__ == "__main__":
    main()
