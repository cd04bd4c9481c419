"""Search benchmark: vazeh's index (tantivy) against a plain SQLite FTS5 baseline.

Builds a synthetic Persian corpus (Zipfian vocabulary, realistic lengths, 30
sources, 10 years of dates), indexes it with vazeh's real indexing path
(`SearchIndex.add_stories`: analysis, near-duplicate lookup, engine), then
times each query class end to end through `SearchIndex.search` (parse, plan,
engine, facet counts, snippets of the original text). The same corpus goes
into an FTS5 table holding the same analyzed text; its queries also count hits,
count the three facets and make snippets.

    .venv/bin/python bench/search.py --n 50000
    .venv/bin/python bench/search.py --n 1000000 --out bench/out/search-1m.txt
    flock /tmp/vazeh-bench.lock taskset -c 0 .venv/bin/python bench/search.py --n 200000 --no-fts --lucene

With --lucene, Lucene 9.9 (PersianAnalyzer without stop words, like vazeh, which drops
no word) runs beside vazeh in the same run, through the peer harness in
../shared/peers/lucene (its README says what each side does per query): the harness's
`setup`, its corpus dump (the same articles as this bench builds), its Lucene index
and search steps; vazeh is timed here on the same queries, warm-up and shuffled order.
The table gives the CPU time of the querying thread, p50 / p99, per class, for both,
with the ratio. Without Java or the harness, vazeh alone is timed and the reason said.

Targets: p99 <= 50 ms for every class at 1M articles on one core; indexing
>= 5,000 articles/s; the baseline beaten on every class.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from vazeh.extract.model import Article  # noqa: E402
from vazeh.index import SearchIndex, Story  # noqa: E402
from vazeh.index.query import TEHRAN  # noqa: E402
from vazeh.index.search import COMMIT_EVERY, jalali_month  # noqa: E402
from vazeh.persian import format_jalali, tokenize  # noqa: E402

# --- the synthetic corpus -------------------------------------------------------
# The most frequent words of Persian news, written out by hand; the rest of the
# vocabulary is made of syllables so it has Persian letters and word lengths.
COMMON = (
    "و در به از که این را با است می برای آن یک خود تا کرد بر هم نیز شد گفت وی شده "
    "اما ما دارد باید او کشور ایران سال شود دولت مردم کند بود هر پس چه اگر همه "
    "تهران رئیس جمهوری مجلس اسلامی امروز روز گزارش خبرگزاری بین المللی اقتصادی "
    "وزیر مدیر کل طرح قانون نظام سیاسی اجتماعی فرهنگی ورزشی تیم بازی جام مسابقه "
    "نفت گاز بازار قیمت دلار ارز بانک مرکزی تورم رشد هزار میلیون میلیارد تومان "
    "استان شهر شهرداری آب برق مدرسه دانشگاه دانشجویان بیمارستان سلامت کرونا واکسن"
).split()
ZWNJ_WORDS = ("می‌شود", "می‌کند", "راه‌اندازی", "کتاب‌ها", "گفت‌وگو", "به‌عنوان", "نمی‌شود", "سازمان‌ها")
ONSETS = "ب پ ت ج چ خ د ر ز س ش ف ق ک گ ل م ن و ه ی".split()
VOWELS = ["ا", "و", "ی", "", "", ""]
CODAS = ["", "ن", "ر", "د", "ت", "م", "ش", "ز", "ست", "ند"]
SOURCES = [f"خبرگزاری {n}" for n in (
    "مهر", "ایسنا", "ایرنا", "تسنیم", "فارس", "ایلنا", "برنا", "پانا", "صدا و سیما", "میزان",
)] + [f"روزنامه {n}" for n in (
    "همشهری", "اطلاعات", "کیهان", "شرق", "اعتماد", "جام جم", "ایران", "دنیای اقتصاد", "آرمان", "جوان",
)] + [f"پایگاه {n}" for n in (
    "خبرآنلاین", "عصر ایران", "تابناک", "فرارو", "انتخاب", "الف", "جماران", "نامه نیوز", "اقتصادنیوز", "رویداد",
)]  # fmt: skip
CATEGORIES = ["سیاسی", "اقتصادی", "اجتماعی", "فرهنگی", "ورزشی", "بین‌الملل", "علمی", "استان‌ها", "حوادث", "سلامت"]
START = datetime(2013, 3, 21, tzinfo=TEHRAN)
SPAN_S = int((datetime(2023, 3, 21, tzinfo=TEHRAN) - START).total_seconds())


def make_vocab(size: int, rng: random.Random) -> list[str]:
    words = list(dict.fromkeys(COMMON + list(ZWNJ_WORDS)))
    seen = set(words)
    while len(words) < size:
        n = rng.choice((1, 2, 2, 2, 3, 3, 4))
        w = "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(n)) + rng.choice(CODAS)
        if len(w) >= 2 and w not in seen:
            seen.add(w)
            words.append(w)
    return words


class Corpus:
    def __init__(self, vocab_size: int = 120_000, seed: int = 5):
        rng = random.Random(seed)
        self.vocab = np.array(make_vocab(vocab_size, rng), dtype=object)
        ranks = np.arange(1, vocab_size + 1, dtype=np.float64)
        p = 1.0 / ranks**1.05
        self.cdf = np.cumsum(p / p.sum())
        self.tags = np.array(make_vocab(2000, random.Random(seed + 1))[200:], dtype=object)
        self.seed = seed

    def words(self, rng: np.random.Generator, n: int) -> list[str]:
        idx = np.minimum(np.searchsorted(self.cdf, rng.random(n)), len(self.vocab) - 1)
        return self.vocab[idx].tolist()

    def articles(self, n: int, start: int = 0) -> Iterator[tuple[Story, int]]:
        """(story, word count) for articles start..start+n, the same every run."""
        rng = np.random.default_rng(self.seed * 1_000_003 + start)
        # News stories: median about 250 words of body, a long tail of features.
        body_lens = np.clip(rng.lognormal(np.log(250), 0.6, n), 40, 3000).astype(int)
        title_lens = rng.integers(5, 14, n)
        lead_lens = rng.integers(15, 45, n)
        total = int(body_lens.sum() + title_lens.sum() + lead_lens.sum())
        pool = self.words(rng, total)
        pos = 0
        sources = rng.integers(0, len(SOURCES), n)
        cats = rng.integers(0, len(CATEGORIES), n)
        times = rng.integers(0, SPAN_S, n)
        for i in range(n):
            tl, ll, bl = int(title_lens[i]), int(lead_lens[i]), int(body_lens[i])
            title = " ".join(pool[pos : pos + tl])
            pos += tl
            lead = " ".join(pool[pos : pos + ll]) + "."
            pos += ll
            body_words = pool[pos : pos + bl]
            pos += bl
            paras = [" ".join(body_words[j : j + 60]) + "." for j in range(0, bl, 60)]
            when = START + timedelta(seconds=int(times[i]))
            k = start + i
            src = SOURCES[int(sources[i])]
            art = Article(
                url=f"https://example.{int(sources[i])}.ir/news/{k}",
                source=src,
                title=title,
                lead=lead,
                body=paras,
                published=when.isoformat(),
                # Extraction writes the Jalali date beside the ISO one; indexing only copies it.
                published_jalali=format_jalali(when),
                category=[CATEGORIES[int(cats[i])]],
                tags=self.tags[rng.integers(0, len(self.tags), 2)].tolist(),
            )
            yield Story(key=f"ir,example{int(sources[i])})/news/{k}", article_id=k, capture_id=k, article=art), tl + ll + bl


# --- timing helpers -------------------------------------------------------------------
def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def one_core() -> str:
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
        return "pinned to one core"
    except (AttributeError, OSError):
        return "not pinned"


# --- vazeh's index ---------------------------------------------------------------------
def build_vazeh(corpus: Corpus, n: int, path: Path, out, workers: int, threads: int) -> tuple[float, float, float]:
    """Index the corpus; returns (seconds spent indexing, CPU seconds of this process
    in them, seconds of merging after the last commit). Generating the corpus is not
    counted: it stands in for reading articles from the catalog. Commits come as
    often as in `vazeh reindex` (every COMMIT_EVERY articles, and at the end)."""
    shutil.rmtree(path, ignore_errors=True)
    index = SearchIndex(path, threads=threads)
    chunk = 20_000
    spent = cpu = 0.0
    for start in range(0, n, chunk):
        stories = [s for s, _ in corpus.articles(min(chunk, n - start), start)]
        t1, c1 = time.perf_counter(), time.process_time()
        index.add_stories(stories, replace=False, workers=workers)
        end = start + len(stories)
        if end // COMMIT_EVERY > start // COMMIT_EVERY or end == n:
            index.commit(seq=end)
        spent += time.perf_counter() - t1
        cpu += time.process_time() - c1
        if (start // chunk) % 10 == 0:
            print(f"  vazeh: {start + len(stories):,} indexed, {(start + len(stories)) / spent:,.0f}/s", file=out, flush=True)
    t1 = time.perf_counter()
    index.engine.wait_merges()
    merge = time.perf_counter() - t1
    index.close()
    return spent, cpu, merge


# --- the FTS5 baseline -------------------------------------------------------------------
def build_fts(corpus: Corpus, n: int, path: Path, out) -> float:
    path.unlink(missing_ok=True)
    db = sqlite3.connect(str(path))
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='unicode61 remove_diacritics 0')")
    db.execute("CREATE TABLE meta(id INTEGER PRIMARY KEY, source TEXT, category TEXT, month TEXT, published INTEGER, orig TEXT)")
    db.execute("CREATE INDEX meta_src ON meta(source, published)")
    spent = 0.0
    chunk = 20_000
    for start in range(0, n, chunk):
        stories = [s for s, _ in corpus.articles(min(chunk, n - start), start)]
        t0 = time.perf_counter()
        rows, meta = [], []
        for s in stories:
            a = s.article
            # The same analysis as vazeh, so FTS5 answers the same questions.
            rows.append((s.article_id, " ".join(tokenize(a.title or "")), " ".join(tokenize("\n".join([a.lead or "", *a.body])))))
            dt = datetime.fromisoformat(a.published)
            meta.append((s.article_id, a.source, a.category[0], jalali_month(dt), int(dt.timestamp()), "\n".join([a.lead or "", *a.body])))
        db.executemany("INSERT INTO fts(rowid, title, body) VALUES(?,?,?)", rows)
        db.executemany("INSERT INTO meta VALUES(?,?,?,?,?,?)", meta)
        db.commit()
        spent += time.perf_counter() - t0
        if (start // chunk) % 10 == 0:
            print(f"  fts5: {start + len(stories):,} indexed, {(start + len(stories)) / spent:,.0f}/s", file=out, flush=True)
    db.close()
    return spent


def fts_query(db: sqlite3.Connection, match: str, where: str = "", args: tuple = ()) -> int:
    """Hits, three facet counts and 20 snippets: the same work a vazeh search does."""
    base = f"FROM fts JOIN meta ON meta.id = fts.rowid WHERE fts MATCH ? {where}"
    a = (match, *args)
    total = db.execute(f"SELECT count(*) {base}", a).fetchone()[0]
    for col in ("source", "category", "month"):
        db.execute(f"SELECT {col}, count(*) {base} GROUP BY {col}", a).fetchall()
    db.execute(f"SELECT meta.id, snippet(fts, 1, '<mark>', '</mark>', '…', 30) {base} ORDER BY rank LIMIT 20", a).fetchall()
    return total


def _current_index(path: Path) -> bool:
    """Whether `path` holds a vazeh index of this version: opening one of another
    format starts it over empty, which --reuse must not time."""
    import json

    from vazeh.archive.catalog import SQLiteCatalog
    from vazeh.index.search import ANALYSIS
    from vazeh.index.state import IndexState
    from vazeh.index.tantivy_engine import SCHEMA_VERSION

    if (path / "name").exists() and (path / "state.sqlite").exists():
        with SQLiteCatalog(path / "state.sqlite") as db:
            state = IndexState(db).read((path / "name").read_text().strip())
    else:
        # A folder of a vazeh from before the state was in a catalog: opening it imports it.
        try:
            state = json.loads((path / "state.json").read_text())
        except (OSError, ValueError):
            return False
    return state.get("schema") == SCHEMA_VERSION and state.get("analysis") == ANALYSIS and state.get("seq", 0) > 0


# Each index is built in a child process and queried from this one, as vazeh reindex
# and the reading room are separate processes: timed in the process that had just
# indexed a million articles, the same queries took up to 1.7 times as long as from
# a fresh process.
def in_child(fn, *args):
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def _build_vazeh_fresh(n: int, path: Path, workers: int, threads: int) -> tuple[float, float, float]:
    return build_vazeh(Corpus(), n, path, sys.stdout, workers, threads)


def _build_fts_fresh(n: int, path: Path) -> float:
    return build_fts(Corpus(), n, path, sys.stdout)


# --- queries -------------------------------------------------------------------------------
def make_queries(corpus: Corpus, n: int, per_class: int, seed: int = 11) -> dict[str, list[tuple[str, str, str, tuple]]]:
    """Per class: (vazeh query, fts MATCH, fts extra WHERE, args)."""
    rng = random.Random(seed)
    v = corpus.vocab
    simple = [i for i in range(len(v)) if " " not in v[i] and "\u200c" not in v[i]]

    def pick(lo: int, hi: int) -> str:
        while True:
            i = rng.randrange(lo, hi)
            if i in simple_set:
                return v[i]

    simple_set = set(simple)
    q: dict[str, list] = {"rare term": [], "frequent term": [], "two-term AND": [], "phrase": [], "filter + date": []}
    for _ in range(per_class):
        w = pick(20_000, 60_000)
        q["rare term"].append((w, f'"{w}"', "", ()))
        w = pick(5, 60)
        q["frequent term"].append((w, f'"{w}"', "", ()))
        a, b = pick(20, 300), pick(300, 5000)
        q["two-term AND"].append((f"{a} {b}", f'"{a}" AND "{b}"', "", ()))
        story, _ = next(corpus.articles(1, rng.randrange(0, n)))
        toks = tokenize(story.article.lead or "")
        j = rng.randrange(0, max(1, len(toks) - 2))
        ph = " ".join(toks[j : j + 2])
        q["phrase"].append((f'"{ph}"', f'"{ph}"', "", ()))
        w = pick(100, 3000)
        src = rng.randrange(len(SOURCES))
        y = rng.randrange(1392, 1401)
        lo = datetime(2013 + (y - 1392), 3, 21, tzinfo=TEHRAN)
        hi = datetime(2014 + (y - 1392), 3, 21, tzinfo=TEHRAN)
        q["filter + date"].append(
            (
                f'{w} source:"{SOURCES[src]}" date:{y}/01/01..{y}/12/29',
                f'"{w}"',
                "AND meta.source = ? AND meta.published >= ? AND meta.published < ?",
                (SOURCES[src], int(lo.timestamp()), int(hi.timestamp())),
            )
        )
    return q


# --- Lucene beside vazeh ------------------------------------------------------------------
PEERS = Path(__file__).resolve().parents[2] / "shared" / "peers" / "lucene"


def lucene_harness(path: Path):
    """The peer harness's compare module (it drives LuceneBench), or the reason it cannot run."""
    if shutil.which("java") is None:
        return None, "no java on PATH"
    if not (path / "compare.py").exists():
        return None, f"no Lucene harness at {path}"
    # The harness loads this file as a module from the checkout it is told about.
    os.environ.setdefault("VAZEH_CHECKOUT", str(Path(__file__).resolve().parents[1]))
    sys.path.insert(0, str(path))
    import compare  # noqa: PLC0415 - only with --lucene, from the peer's folder

    return compare, ""


def _time_vazeh_mixed(path: str, mixed_tsv: str, warmup_tsv: str, k: int, warm_first: int) -> dict:
    """vazeh's side of the Lucene comparison, in a fresh process: the same warm-up (the
    seed-12 queries, shuffled; then each class's first queries) and the same shuffled
    order of timed queries as the Lucene side gets; CPU time of this thread per query."""
    one_core()
    rows_of = _read_tsv
    index = SearchIndex(Path(path), result_cache=0)
    warm = rows_of(Path(warmup_tsv))
    random.Random(12).shuffle(warm)
    for _cls, vq, _i in warm:
        index.search(vq, per_page=k)
    timed = rows_of(Path(mixed_tsv))
    first: dict[str, list[str]] = {}
    for cls, vq, i in sorted(timed, key=lambda r: r[2]):
        if i < warm_first:
            first.setdefault(cls, []).append(vq)
    for qs in first.values():
        for vq in qs:
            index.search(vq, per_page=k)
    rows = []
    for cls, vq, i in timed:
        c0, t0 = time.thread_time(), time.perf_counter()
        r = index.search(vq, per_page=k)
        t1, c1 = time.perf_counter(), time.thread_time()
        rows.append({"cls": cls, "i": i, "q": vq, "wall": (t1 - t0) * 1000, "cpu": (c1 - c0) * 1000,
                     "total": r.total, "facets": {f: dict(v) for f, v in r.facets.items()}})
    from vazeh.index.plan import Planner  # noqa: PLC0415
    from vazeh.index.query import parse  # noqa: PLC0415

    engine = index.engine
    for row in rows:  # after timing: each plan, to tell why a total differs from Lucene's
        row["plan"] = repr(Planner(engine.doc_freq, engine.doc_freqs).plan(parse(row["q"])))
    index.close()
    return {"rows": rows}


def _read_tsv(path: Path) -> list[tuple[str, str, int]]:
    """(class, vazeh query, number within the class) of the harness's query files."""
    out = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line and not line.startswith("#"):
            cls, _lq, _flt, vq, i = line.split("\t")
            out.append((cls, vq, int(i)))
    return out


def run_lucene(args: argparse.Namespace, vz_path: Path, say) -> None:
    """Lucene (no stop words) and vazeh on the same queries, side by side."""
    harness, why = lucene_harness(Path(args.lucene_dir))
    if harness is None:
        say(f"Lucene: not run ({why}); vazeh alone above")
        return
    import dump_corpus  # noqa: PLC0415 - the harness's, on sys.path now

    n, work = args.n, Path(args.workdir)
    cp = harness.classpath()
    corpus = work / f"corpus-{n}.jsonl"
    if not (args.reuse and corpus.exists()):
        say(f"Lucene: corpus written in {dump_corpus.write_corpus(n, corpus):.0f} s ({corpus})")
    queries, warmup, mixed = work / f"queries-{n}.tsv", work / f"warmup-{n}.tsv", work / f"queries-{n}-mixed.tsv"
    dump_corpus.write_queries(n, args.queries, queries)
    dump_corpus.write_queries(n, args.lucene_warmup, warmup, seed=12)
    dump_corpus.write_mixed(queries, mixed)
    lu_path = work / f"lucene-fa-nostop-{n}"
    if not (args.reuse and (lu_path / "vazeh-peer.properties").exists()):
        d = harness.lucene_index(cp, corpus, lu_path, "none", args.heap, sys.stdout)
        say(f"lucene-fa-nostop index: {d['seconds']} s in the JVM, {d['cpu_s']} s CPU "
            f"(of which reading JSON {d['parse_s']} s)")
    vz = in_child(_time_vazeh_mixed, str(vz_path), str(mixed), str(warmup), args.k, 3)
    lu = harness.lucene_search(cp, lu_path, mixed, warmup, args.k, 1, args.heap)
    for h in lu["header"]:
        if h.startswith(("# lucene", "# warm-up", "# breakdown")):
            say("lucene: " + h[2:])
    order = ["rare term", "frequent term", "two-term AND", "phrase", "filter + date"]  # make_queries' classes
    classes = sorted({r["cls"] for r in vz["rows"]}, key=lambda c: order.index(c) if c in order else len(order))
    by = {e: {c: [r for r in rows if r["cls"] == c] for c in classes} for e, rows in
          (("vazeh", vz["rows"]), ("lucene", lu["rows"]))}
    say("")
    say(f"same queries, same warm-up, one shuffled order; {args.k} hits, the total, 3 facets and {args.k} snippets each;")
    say("CPU time of the querying thread, ms (vazeh / Lucene: under 1 means vazeh used less)")
    say(f"{'class':<15} {'vazeh p50':>10} {'vazeh p99':>10} {'Lucene p50':>11} {'Lucene p99':>11} "
        f"{'p50 ratio':>10} {'p99 ratio':>10} {'same total':>11}")
    agree = 0
    for c in classes:
        v, lrows = by["vazeh"][c], by["lucene"][c]
        vp50, vp99 = percentile([r["cpu"] for r in v], 50), percentile([r["cpu"] for r in v], 99)
        lp50, lp99 = percentile([r["cpu"] for r in lrows], 50), percentile([r["cpu"] for r in lrows], 99)
        lt = {r["i"]: r["total"] for r in lrows}
        same = sum(1 for r in v if lt.get(r["i"]) == r["total"])
        agree += same
        say(f"{c:<15} {vp50:10.2f} {vp99:10.2f} {lp50:11.2f} {lp99:11.2f} {vp50 / lp50:10.2f} {vp99 / lp99:10.2f} "
            f"{same:>6}/{len(v)}")
    say(f"hit totals equal on {agree} of {len(vz['rows'])} queries")
    rows_path = work / f"rows-{n}-bench-lucene.tsv"
    lu_by = {(r["cls"], r["i"]): r for r in lu["rows"]}
    with open(rows_path, "w", encoding="utf-8") as f:
        f.write("class\ti\tquery\tvazeh total\tLucene total\tvazeh cpu ms\tLucene cpu ms\tvazeh plan\tLucene query\n")
        for r in sorted(vz["rows"], key=lambda r: (r["cls"], r["i"])):
            o = lu_by.get((r["cls"], r["i"]), {})
            f.write(f"{r['cls']}\t{r['i']}\t{r['q']}\t{r['total']}\t{o.get('total', '')}\t{r['cpu']:.3f}\t"
                    f"{o.get('cpu', 0):.3f}\t{r['plan']}\t{o.get('plan', '')}\n")
    say(f"per query (totals, CPU, vazeh's plan, Lucene's parsed query): {rows_path}")
    say("wall clock, ms (the JVM's compiler threads share the core; CPU above is the figure to compare)")
    for c in classes:
        w = [[r["wall"] for r in by[e][c]] for e in ("vazeh", "lucene")]
        say(f"{c:<15} {percentile(w[0], 50):10.2f} {percentile(w[0], 99):10.2f} "
            f"{percentile(w[1], 50):11.2f} {percentile(w[1], 99):11.2f}")
    say("(same total: queries whose hit count Lucene's equals; vazeh finds more where it also matches a word\n"
        " split in two or a phrase written as one word, see ../shared/peers/lucene/README.md)")


def run(args: argparse.Namespace) -> None:
    outdir = Path(args.workdir)
    outdir.mkdir(parents=True, exist_ok=True)
    report = open(args.out, "w") if args.out else None

    def say(msg: str = "") -> None:
        print(msg, flush=True)
        if report:
            print(msg, file=report, flush=True)

    n = args.n
    corpus = Corpus()
    say(f"# vazeh search bench: {n:,} synthetic articles ({datetime.now().isoformat(timespec='seconds')})")
    sample = list(corpus.articles(2000, 0))
    words = [w for _, w in sample]
    chars = [len(s.article.title or "") + len(s.article.lead or "") + len(s.article.text) for s, _ in sample]
    say(f"corpus: {len(corpus.vocab):,}-word Zipfian vocabulary (s=1.05), {len(SOURCES)} sources, "
        f"{len(CATEGORIES)} categories, 2013-2023; words/article median {int(statistics.median(words))}, "
        f"mean {int(statistics.mean(words))}; chars/article mean {int(statistics.mean(chars))}")

    vz_path = outdir / f"vazeh-{n}"
    fts_path = outdir / f"fts5-{n}.sqlite"
    if not args.reuse or not _current_index(vz_path):
        spent, cpu, merge = in_child(_build_vazeh_fresh, n, vz_path, args.workers, args.threads)
        say(
            f"vazeh index ({args.workers} analysis workers, {args.threads} tantivy threads, a commit every "
            f"{COMMIT_EVERY:,} articles): {n / spent:,.0f} articles/s "
            f"({spent:.1f} s, {cpu / spent:.2f} cores busy in this process; then {merge:.1f} s of merging)"
        )
    say(f"vazeh disk: {du(vz_path) / 1e6:,.0f} MB")
    if not args.no_fts and (not args.reuse or not fts_path.exists()):
        spent = in_child(_build_fts_fresh, n, fts_path)
        say(f"fts5 index: {n / spent:,.0f} articles/s ({spent:.1f} s)")
    if not args.no_fts:
        say(f"fts5 disk: {fts_path.stat().st_size / 1e6:,.0f} MB")

    say(one_core())
    queries = make_queries(corpus, n, args.queries)
    # No result cache: every timed query is computed (the classes repeat some words).
    index = SearchIndex(vz_path, result_cache=0)
    db = sqlite3.connect(str(fts_path)) if not args.no_fts else None
    say("")
    say(f"{'class':<15} {'vazeh p50':>10} {'vazeh p99':>10} {'fts5 p50':>10} {'fts5 p99':>10} {'hits (median)':>14}")
    for cls, qs in queries.items():
        for vq, *_ in qs[:3]:  # warm the page cache the way a running server would be
            index.search(vq)
        vt, hits = [], []
        for vq, *_ in qs:
            t0 = time.perf_counter()
            r = index.search(vq, per_page=20)
            vt.append((time.perf_counter() - t0) * 1000)
            hits.append(r.total)
        ft: list[float] = []
        if db is not None:
            for _vq, match, where, a in qs[: args.fts_queries]:
                t0 = time.perf_counter()
                fts_query(db, match, where, a)
                ft.append((time.perf_counter() - t0) * 1000)
        fp50 = f"{percentile(ft, 50):10.1f}" if ft else f"{'-':>10}"
        fp99 = f"{percentile(ft, 99):10.1f}" if ft else f"{'-':>10}"
        say(f"{cls:<15} {percentile(vt, 50):10.2f} {percentile(vt, 99):10.2f} {fp50} {fp99} {int(statistics.median(hits)):>14,}")
    say("")
    say("latencies in ms, end to end: parse, plan, search, total count, facets (source, category, month), 20 snippets")
    index.close()
    if args.lucene:
        say("")
        run_lucene(args, vz_path, say)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=50_000, help="articles in the corpus (default 50,000; the target is 1,000,000)")
    ap.add_argument("--queries", type=int, default=200, help="queries per class for vazeh")
    ap.add_argument("--fts-queries", type=int, default=30, help="queries per class for the FTS5 baseline")
    ap.add_argument("--workdir", default="bench/out/search", help="where the indexes are built")
    ap.add_argument("--out", default=None, help="also write the report to this file")
    ap.add_argument("--workers", type=int, default=0, help="processes for Persian analysis while indexing (0: this one, fastest on 2 cores)")
    ap.add_argument("--threads", type=int, default=2, help="tantivy indexing threads")
    ap.add_argument("--reuse", action="store_true", help="reuse indexes built by an earlier run")
    ap.add_argument("--no-fts", action="store_true", help="skip the FTS5 baseline")
    ap.add_argument("--lucene", action="store_true", help="also time Lucene 9.9 (no stop words) on the same queries")
    ap.add_argument("--lucene-dir", default=str(PEERS), help="the Lucene peer harness (default: ../shared/peers/lucene)")
    ap.add_argument("--lucene-warmup", type=int, default=100, help="warm-up queries per class for both (seed 12)")
    ap.add_argument("--k", type=int, default=10, help="hits and snippets per query in the Lucene comparison")
    ap.add_argument("--heap", default="2g", help="JVM heap for Lucene")
    run(ap.parse_args())


if __name__ == "__main__":
    main()
