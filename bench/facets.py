"""What outlets, agencies, merged facets and suggestions cost (issue 16, facets and names).

Builds bench/search.py's synthetic corpus (its sources spread over real outlets'
domains, so names resolve), indexes it through `SearchIndex.add_stories`, then
prints, in one run, each figure beside the one it adds to:

* indexing: `_outlet_and_agency` per article (names resolved) against the whole of
  `document_for` per article;
* facets: one tantivy aggregation pass with the outlet facet and without it (the
  index format before it), for frequent words; `merged_facets` per query;
* a search with no hits: `SearchIndex.search` with the suggestion and with it off.

CPU time of this thread (time.thread_time), p50 / p99, after a warm-up.

    .venv/bin/python bench/facets.py --n 50000
    flock /tmp/vazeh-bench.lock .venv/bin/python bench/facets.py --n 200000
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import search as corpus_bench  # noqa: E402 - bench/search.py, for its corpus
import vazeh.index.search as search_mod  # noqa: E402
from vazeh.index import SearchIndex  # noqa: E402
from vazeh.index.search import _outlet_and_agency, document_for, merged_facets  # noqa: E402

DOMAINS = ["mehrnews.com", "khabaronline.ir", "isna.ir", "irna.ir", "tasnimnews.com", "farsnews.ir", "yjc.ir",
           "hamshahrionline.ir", "www.bbc.com/persian", "darivoa.com", "news.example.ir"]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def timed(fn, reps: list) -> list[float]:
    out = []
    for args in reps:
        t = time.thread_time()
        fn(*args)
        out.append((time.thread_time() - t) * 1000)
    return out


def line(name: str, ms: list[float], base: list[float] | None = None) -> str:
    s = f"{name:<44} p50 {pct(ms, 50):7.3f} ms  p99 {pct(ms, 99):7.3f} ms"
    if base:
        s += f"   x{statistics.median(ms) / max(statistics.median(base), 1e-9):.2f} of the line above (p50)"
    return s


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50_000)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    corpus = corpus_bench.Corpus()
    rng = random.Random(3)
    tmp = Path(tempfile.mkdtemp(prefix="vazeh-bench-facets-"))
    try:
        index = SearchIndex(tmp / "index")
        stories = []
        for story, _words in corpus.articles(args.n):
            story.article.site = DOMAINS[story.article_id % len(DOMAINS)]
            stories.append(story)
        sample = stories[:2000]
        names_ms = timed(_outlet_and_agency, [(s.article,) for s in sample])
        doc_ms = timed(lambda s: document_for(s, s.key), [(s,) for s in sample])
        t = time.perf_counter()
        for i in range(0, len(stories), 20_000):
            index.add_stories(stories[i : i + 20_000], replace=False)
        index.commit(seq=len(stories))
        index.engine.wait_merges()
        print(f"{args.n:,} articles indexed in {time.perf_counter() - t:.1f} s")
        print("indexing, per article:")
        print(line("  document_for (all of it)", doc_ms))
        print(line("  _outlet_and_agency (names resolved)", names_ms, doc_ms))

        words = [w for w in corpus.vocab[30:400].tolist() if len(w) > 2]
        queries = rng.sample(words, min(args.queries, len(words)))
        engine = index.engine
        from vazeh.index.plan import Planner, without_ranking_hints
        from vazeh.index.query import parse

        compiled = [engine.compile(without_ranking_hints(Planner(engine.doc_freq).plan(parse(q)))) for q in queries]
        with_outlet = {
            "source": {"terms": {"field": "source", "size": 50, "missing": ""}},
            "outlet": {"terms": {"field": "outlet", "size": 50}},
            "category": {"terms": {"field": "category", "size": 50}},
            "month": {"terms": {"field": "month", "size": 240, "order": {"_key": "desc"}}},
        }
        before = {k: v for k, v in with_outlet.items() if k != "outlet"}
        s = engine.searcher
        for q in compiled[:20]:  # warm-up
            s.aggregate(q, with_outlet)
        agg_before = timed(lambda q: s.aggregate(q, before), [(q,) for q in compiled])
        agg_with = timed(lambda q: s.aggregate(q, with_outlet), [(q,) for q in compiled])
        facets = [index.search(q, per_page=20).facets for q in queries[:50]]
        raw = [{k: v for k, v in f.items() if k != "agency"} for f in facets]
        merge_ms = timed(merged_facets, [(f,) for f in raw])
        print(f"facets, {len(queries)} frequent words (an aggregation pass over every match):")
        print(line("  source, category, month (format 8)", agg_before))
        print(line("  + outlet", agg_with, agg_before))
        print(line("  merged_facets per query", merge_ms))

        misses = [f"{a} {b} زیردریاییناموجود" for a, b in zip(queries[::2], queries[1::2], strict=False)][:100]
        dated = [f"{a} date:1390/01/01..1390/01/02" for a in queries[:100]]
        index._result_cache = 0
        for q in misses[:10]:
            index.search(q)
        with_s = timed(lambda q: index.search(q), [(q,) for q in misses + dated])
        found = sum(1 for q in misses + dated if index.search(q).suggestion)
        real = search_mod.suggest
        search_mod.suggest = lambda query, count: None
        try:
            without_s = timed(lambda q: index.search(q), [(q,) for q in misses + dated])
        finally:
            search_mod.suggest = real
        print(f"searches with no hits ({len(misses)} with a word no story has, {len(dated)} on a day without "
              f"stories; {found} got a suggestion):")
        print(line("  SearchIndex.search, suggestion off", without_s))
        print(line("  SearchIndex.search, with the suggestion", with_s, without_s))
        index.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
