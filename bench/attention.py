"""Attention bench: a year by day for one query, at a million articles.

Builds (or reuses) bench/search.py's synthetic corpus and index, then times
`attention(index, [q], by="day", start, end)` over one Jalali year for terms of
several frequencies, and the same with five queries compared and per source.
Figures are CPU time of this process (one core), p50 and p99.

    .venv/bin/python bench/attention.py --articles 50000
    .venv/bin/python bench/attention.py --articles 1000000 --reuse

Target: p99 under 100 ms for a year by day at 1,000,000 articles.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from search import Corpus, build_vazeh, one_core, percentile  # noqa: E402
from vazeh.index import SearchIndex  # noqa: E402
from vazeh.index.attention import attention  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=30, help="timed runs per query")
    ap.add_argument("--workdir", default="bench/out/attention")
    ap.add_argument("--reuse", action="store_true", help="reuse the index of an earlier run of this size")
    ap.add_argument("--threads", type=int, default=2, help="tantivy indexing threads")
    args = ap.parse_args()
    n = args.articles
    path = Path(args.workdir) / f"index-{n}"
    corpus = Corpus()
    if not (args.reuse and any((path / f).exists() for f in ("state.sqlite", "state.json"))):
        print(f"building {n:,} articles in {path} ...", flush=True)
        t = time.perf_counter()
        build_vazeh(corpus, n, path, sys.stdout, 0, args.threads)
        print(f"built in {time.perf_counter() - t:,.0f} s", flush=True)
    print(one_core())
    index = SearchIndex(path)
    print(f"{index.count():,} articles in the index")
    rng = random.Random(3)
    v = corpus.vocab
    terms = {
        "frequent": [v[i] for i in rng.sample(range(5, 60), 3)],
        "middle": [v[i] for i in rng.sample(range(300, 3000), 3)],
        "rare": [v[i] for i in rng.sample(range(20_000, 60_000), 3)],
    }
    # The Jalali year 1400, which crosses both summer-time switches of the clock.
    start, end = date(2021, 3, 21), date(2022, 3, 20)
    cases = [(f"{k} term, year by day", [[t] for t in ts], False) for k, ts in terms.items()]
    cases.append(("five queries, year by day", [[t for ts in terms.values() for t in ts][:5]], False))
    cases.append(("frequent term, per source", [[terms["frequent"][0]]], True))
    for label, query_sets, per_source in cases:
        cpu: list[float] = []
        hits = 0
        for qs in query_sets:
            attention(index, qs, by="day", start=start, end=end, per_source=per_source)  # warm the caches
            for _ in range(args.runs):
                c = time.process_time()
                a = attention(index, qs, by="day", start=start, end=end, per_source=per_source)
                cpu.append((time.process_time() - c) * 1000)
            hits = max(hits, a.series[0].total)
        print(
            f"{label:32s} p50 {percentile(cpu, 50):7.1f} ms  p99 {percentile(cpu, 99):7.1f} ms"
            f"  ({len(a.periods)} days, up to {hits:,} matches)",
            flush=True,
        )
    index.close()


if __name__ == "__main__":
    main()
