"""Export benchmark: articles/s and peak memory of `vazeh export` to JSONL and Parquet.

Builds (or reuses, under --home) a catalog of N synthetic Persian articles, then
runs each article export in a fresh process (so each one's peak RSS is its own)
through the library path the CLI uses: `iter_batches` (catalog read in batches,
provenance joined) and `write_articles`. The catalog rows are written directly
in one transaction, pointing at a WARC that is never read: article exports read
the catalog only, and writing 100,000 real exchanges would time the archive, not
the export.

    .venv/bin/python bench/export.py                  # 10,000 articles
    .venv/bin/python bench/export.py --articles 100000

Targets: over 5,000 articles/s; peak memory flat in the count (compare two sizes).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from vazeh.archive import open_archive  # noqa: E402
from vazeh.archive.store import iso_utc  # noqa: E402
from vazeh.extract.model import Article, ArticleStore, Image  # noqa: E402

WORDS = (
    "و در به از که این را با است برای کشور ایران سال دولت مردم تهران رئیس جمهوری مجلس "
    "گزارش خبرگزاری اقتصادی وزیر طرح قانون نفت گاز بازار قیمت دلار بانک تورم استان شهر"
).split()
SOURCES = ["مهر", "ایسنا", "ایرنا", "تسنیم", "فارس", "همشهری", "شرق", "اعتماد"]


def build(home: Path, n: int) -> None:
    archive = open_archive(home)
    store = ArticleStore(archive.db)  # creates the articles table
    have = store.count()
    if have >= n:
        archive.close()
        return
    rng = random.Random(14)
    db = archive.db
    start = datetime(2016, 1, 1, tzinfo=UTC)
    db.execute("BEGIN")
    for i in range(have, n):
        source = SOURCES[i % len(SOURCES)]
        body = [" ".join(rng.choices(WORDS, k=rng.randint(25, 60))) for _ in range(rng.randint(4, 12))]
        url = f"https://news{i % len(SOURCES)}.ir/news/{i}"
        surt = f"ir,news{i % len(SOURCES)})/news/{i}"
        at = start + timedelta(minutes=7 * i)
        a = Article(
            url=url, site=f"news{i % len(SOURCES)}.ir", source=source, news_id=str(i),
            title=" ".join(rng.choices(WORDS, k=8)), kicker=" ".join(rng.choices(WORDS, k=4)),
            lead=" ".join(rng.choices(WORDS, k=30)), body=body, published=at.isoformat(),
            published_jalali="۱۳۹۴/۱۰/۱۱ ۱۲:۰۰", category=[rng.choice(WORDS)], tags=rng.choices(WORDS, k=3),
            author="خبرنگار", images=[Image(f"https://cdn.ir/{i}.jpg", "عکس")], language="fa",
        )  # fmt: skip
        rec = db.execute(
            "INSERT INTO records(record_id, type, warc_file, offset, length) VALUES(?,?,?,?,?)",
            (f"<urn:uuid:bench-{i}>", "response", "bench.warc.gz", i * 4000, 4000),
        ).lastrowid
        cap = db.execute(
            "INSERT INTO captures(record, url, surt, captured_at, status, mime, payload_digest, payload_length) "
            "VALUES(?,?,?,?,?,?,?,?)",
            (rec, url, surt, iso_utc(at), 200, "text/html", f"sha1:BENCH{i:027d}", 4000),
        ).lastrowid
        db.execute(
            "INSERT INTO articles(capture_id, seq, extractor_version, is_article, url, surt, source, site, news_id, "
            "title, published, captured_at, data) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (cap, i + 1, "bench", 1, url, surt, source, a.site, a.news_id, a.title, a.published, at.isoformat(),
             a.to_json()),
        )  # fmt: skip
    db.execute("COMMIT")
    archive.close()


def run_one(home: Path, fmt: str, out: Path) -> dict:
    from vazeh.export import Selection, iter_batches, write_articles

    archive = open_archive(home, create=False)
    t0 = time.perf_counter()
    summary = write_articles(fmt, out, iter_batches(archive, Selection()))
    elapsed = time.perf_counter() - t0
    archive.close()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"format": fmt, "rows": summary.rows, "batches": summary.batches, "seconds": round(elapsed, 2),
            "articles_per_s": round(summary.rows / elapsed), "peak_rss_mib": round(peak_kib / 1024, 1),
            "bytes": summary.bytes}  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--articles", type=int, default=10_000)
    p.add_argument("--home", type=Path, help="build or reuse the catalog here (default: a temporary folder)")
    p.add_argument("--formats", default="jsonl,parquet")
    p.add_argument("--one", nargs=3, metavar=("HOME", "FORMAT", "OUT"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        print(json.dumps(run_one(Path(args.one[0]), args.one[1], Path(args.one[2]))))
        return
    with tempfile.TemporaryDirectory(prefix="vazeh-bench-export-") as tmp:
        home = args.home or Path(tmp) / "home"
        t0 = time.perf_counter()
        build(home, args.articles)
        print(f"catalog of {args.articles:,} articles ready in {time.perf_counter() - t0:.1f} s", flush=True)
        for fmt in args.formats.split(","):
            out = Path(tmp) / f"articles.{fmt}"
            res = subprocess.run(
                [sys.executable, __file__, "--one", str(home), fmt, str(out)], capture_output=True, text=True, check=True
            )
            r = json.loads(res.stdout)
            print(f"{fmt:8} {r['rows']:>9,} articles  {r['articles_per_s']:>7,} articles/s  "
                  f"peak RSS {r['peak_rss_mib']:>6} MiB  {r['bytes'] / 2**20:.1f} MiB written  ({r['batches']} batches)")  # fmt: skip


if __name__ == "__main__":
    main()
