"""Reading-room benchmark: requests/s and p50/p99 latency at 32 concurrent clients.

    .venv/bin/python bench/serve.py                 # a small archive (200 articles)
    .venv/bin/python bench/serve.py --n 100000      # a 100,000-article synthetic archive
    .venv/bin/python bench/serve.py --requests 1000 --concurrency 32 --workers 1

Builds a synthetic archive through the real library (WARC exchanges, stored
articles, the search index) under bench/out/serve-<n>/ and reuses it on later
runs; the text is original Persian generated from a small vocabulary. The app
runs under uvicorn in a separate process on 127.0.0.1 (an ephemeral port); the
load comes from a minimal keep-alive asyncio client (httpx cost about 1 ms of CPU
per request, on the same two cores as the server) with a bounded number of
requests per scenario: the article page (view counting included), a search page
for popular queries (each asked once before, as a long-running room has seen
them) and for queries never asked before, and a replay of an archived page.
Target: p99 <= 100 ms for all three. A static file served by the same stack is
measured too, as the floor on this machine.

"CPU ms/req" is the CPU time (user + system) of the server's whole process tree
(uvicorn and its workers, read from /proc) over a scenario's concurrent run, divided
by its requests: what one page costs the server, queueing and the load generator
left out. The never-asked search page ("search-new") is the one the issue budgets:
under 4 ms at 100,000 articles, so that 32 clients on two cores keep p99 <= 100 ms; the
run ends with its CPU per request and p99 against those two figures.

    .venv/bin/python bench/serve.py --n 100000 --pages search-new   # that page alone
    .venv/bin/python bench/serve.py --n 100000 --breakdown          # where its CPU goes

`--breakdown` serves the never-asked search page in this process instead (the ASGI app
called directly, one request at a time, no HTTP) and splits each request's CPU (all
threads) into the index's search, the chart's counts (both on the index thread), the
chart's SVG, the facets and chips, the template, the shared page cache's write and the
rest (FastAPI, middleware, hand-overs between threads).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
REQUESTS_PER_CONNECTION = 10
URL_SAFE = "/?&=:%+*;,@!$'()~#"  # what a browser leaves as is in a request line
UA = "Mozilla/5.0 (X11; Linux x86_64) vazeh-bench-reader"

WORDS = (
    "شورای شهر طرح تازه حمل‌ونقل عمومی نرخ بلیت مترو باران سیلاب روستا فرماندار استان بودجه مجلس "
    "دانشگاه دانشجو کتابخانه بیمارستان پزشک واکسن قیمت بازار ارز طلا خودرو کارخانه صادرات واردات "
    "کشاورزی گندم آب سد برق گاز نفت پالایشگاه تیم فوتبال ورزشگاه مربی بازیکن جام لیگ فیلم جشنواره "
    "کتاب نمایشگاه هنرمند موزه میراث فرهنگی گردشگری هواپیما فرودگاه قطار جاده پل ساختمان مسکن اجاره "
    "مدرسه معلم آموزش امتحان کنکور هوا آلودگی زلزله امداد هلال‌احمر آتش‌نشانی پلیس دادگاه قانون وزیر "
    "دولت رئیس نماینده انتخابات شهردار محله پارک درخت جنگل محیط‌زیست"
).split()
SOURCES = ["خبرگزاری آوا", "روزنامهٔ پیک", "خبرگزاری نسیم", "پایگاه خبری کرانه", "روزنامهٔ سپیده",
           "خبرگزاری ستاره", "هفته‌نامهٔ بامداد", "پایگاه خبری روشن", "خبرگزاری آفتاب", "روزنامهٔ فردا"]
CATEGORIES = [["استان‌ها", "سمنان"], ["استان‌ها", "گیلان"], ["استان‌ها", "فارس"], ["ورزشی", "فوتبال"],
              ["ورزشی", "کشتی"], ["اقتصادی", "بازار"], ["اقتصادی", "انرژی"], ["فرهنگی", "کتاب"],
              ["فرهنگی", "سینما"], ["اجتماعی"], ["سیاسی", "مجلس"], ["علمی", "دانشگاه"]]


# Issue 16's figures for the never-asked search page.
SEARCH_NEW_CPU_MS = 4.0
P99_TARGET_MS = 100.0

CORPUS_VERSION = 2  # bump when the synthetic text changes, so old archives are rebuilt
SYLLABLES = [c + v for c in "بپتجچخدرزسشغفکگلمنوهی" for v in ("ا", "و", "ی", "")]


def vocabulary(rng: random.Random, size: int = 20000) -> tuple[list[str], list[float]]:
    """WORDS first, then made-up words, drawn with Zipf-like weights as real text is:
    a few words everywhere, most words rare, so searches select like real ones."""
    words = list(WORDS)
    seen = set(words)
    while len(words) < size:
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    cumulative, total = [], 0.0
    for rank in range(len(words)):
        total += 1.0 / (rank + 1) ** 1.05
        cumulative.append(total)
    return words, cumulative


_VOCAB: tuple[list[str], list[float]] | None = None


def sentence(rng: random.Random, n: int) -> str:
    global _VOCAB
    if _VOCAB is None:
        _VOCAB = vocabulary(random.Random(99))
    return " ".join(rng.choices(_VOCAB[0], cum_weights=_VOCAB[1], k=n)) + "."


def build_archive(home: Path, n: int, seed: int = 7) -> None:
    from vazeh.archive import open_archive
    from vazeh.extract.model import Article, ArticleStore
    from vazeh.index import SearchIndex
    from vazeh.index.neardup import fingerprint

    rng = random.Random(seed)
    archive = open_archive(home)
    store = ArticleStore(archive.db)
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    batch = 2000
    for start in range(0, n, batch):
        with archive.transaction():
            for i in range(start, min(n, start + batch)):
                source = SOURCES[i % len(SOURCES)]
                host = f"news{i % len(SOURCES)}.example"
                published = now - timedelta(minutes=rng.randrange(0, 120 * 24 * 60))
                body = [sentence(rng, rng.randrange(18, 40)) for _ in range(rng.randrange(4, 10))]
                article = Article(
                    url=f"http://{host}/news/{100000 + i}/story", source=source, site=host, news_id=str(100000 + i),
                    title=sentence(rng, 7)[:-1], kicker=sentence(rng, 3)[:-1], lead=sentence(rng, 20), body=body,
                    published=published.isoformat(timespec="seconds"), category=CATEGORIES[i % len(CATEGORIES)],
                )
                html = (
                    '<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8">'
                    f'<title>{article.title}</title><link rel="stylesheet" href="/css/site.css"></head><body>'
                    + "".join(f'<a href="/news/{100000 + j}/story">{sentence(rng, 4)}</a> ' for j in range(i, i + 30))
                    + f"<h1>{article.title}</h1><p>{article.lead}</p><img src=\"/img/{i}.jpg\">"
                    + "".join(f"<p>{p}</p>" for p in body)
                    + "</body></html>"
                ).encode()
                capture = archive.write_exchange(
                    url=article.url, status=200, reason="OK", body=html,
                    response_headers=[("Content-Type", "text/html; charset=utf-8")],
                    captured_at=published + timedelta(minutes=5),
                )
                store.put(capture.id, article, extractor_version="bench", surt=capture.surt,
                          captured_at=capture.captured_at.isoformat(), fingerprint=fingerprint(article))
        print(f"  built {min(n, start + batch)}/{n} articles ({time.perf_counter() - t0:.0f} s)", flush=True)
    with SearchIndex.open(home) as index:
        index.sync(store)
    # The reading room's own lists, so the server starts without catching up.
    from vazeh.web.listing import Listing

    Listing(archive.db, store).sync()
    archive.close()
    (home / "bench-ready").write_text(str(n))
    print(f"  archive ready in {time.perf_counter() - t0:.0f} s", flush=True)


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid` and every live descendant."""
    tick = os.sysconf("SC_CLK_TCK")
    parent: dict[int, int] = {}
    used: dict[int, float] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        # The name (field 2) may hold spaces and parentheses: split after its last ")".
        fields = stat[stat.rindex(")") + 2 :].split()
        parent[int(d.name)] = int(fields[1])
        used[int(d.name)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += used.get(p, 0.0)
        todo.extend(c for c, pp in parent.items() if pp == p)
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, port: int, workers: int) -> subprocess.Popen:
    code = (
        "import uvicorn\n"
        f"uvicorn.run('vazeh.web.app:app_from_env', factory=True, host='127.0.0.1', port={port}, "
        f"workers={workers}, log_level='warning', access_log=False)\n"
    )
    env = dict(os.environ, VAZEH_HOME=str(home))
    return subprocess.Popen([sys.executable, "-c", code], env=env)


async def wait_up(base: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as c:
        while time.monotonic() < deadline:
            try:
                if (await c.get(base + "/sources")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("the reading room did not start")


FAILURES: dict[str, int] = {}  # what went wrong, for the report: status codes or exception names


class Connection:
    """One keep-alive HTTP/1.1 connection, the load generator's client: a few
    microseconds of Python per request, so the generator (which shares the machine's
    cores with the server) does not eat the budget it measures. httpx costs ~1 ms of
    CPU per request, as much as a page."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = 0

    async def get(self, path: str) -> int:
        if self.used >= REQUESTS_PER_CONNECTION:
            # As browsers do, connections do not live forever. It also matters for the
            # measurement: uvicorn's worker processes share one listening socket, and
            # whichever wakes first accepts a burst of new connections, so 32 eternal
            # connections could all land on one worker and leave the other core idle.
            await self.close()
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.used = 0
        self.used += 1
        assert self.reader is not None
        self.writer.write(
            # A different reader each time (the view counter tells readers apart by
            # address and User-Agent), so nearly every article view is a counted write.
            f"GET {quote(path, safe=URL_SAFE)} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"User-Agent: {UA} reader/{random.randrange(10**9)}\r\n\r\n".encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def run_scenario(base: str, paths: list[str], concurrency: int) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[str] = asyncio.Queue()
    for p in paths:
        queue.put_nowait(p)
    host, port = base.removeprefix("http://").split(":")

    async def worker() -> None:
        nonlocal errors
        conn = Connection(host, int(port))
        try:
            while True:
                try:
                    path = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t = time.perf_counter()
                try:
                    status = await conn.get(path)
                    ok, why = status == 200, str(status)
                except (OSError, asyncio.IncompleteReadError, ValueError) as e:
                    ok, why = False, type(e).__name__
                    await conn.close()
                if not ok:
                    FAILURES[why] = FAILURES.get(why, 0) + 1
                latencies.append(time.perf_counter() - t)
                errors += not ok
        finally:
            await conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - t0, latencies, errors


def arun(coro):
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def distinct_queries(rng: random.Random, count: int) -> list[str]:
    pairs = list(dict.fromkeys(f"{a} {b}" for a in WORDS for b in WORDS if a != b))
    rng.shuffle(pairs)
    return pairs[:count]


def targets(home: Path, rng: random.Random, count: int) -> dict[str, list[str]]:
    import sqlite3

    db = sqlite3.connect(home / "catalog.sqlite")
    ids = [r[0] for r in db.execute("SELECT id FROM articles WHERE is_article=1")]
    caps = [(r[0], r[1]) for r in db.execute("SELECT captured_at, url FROM captures")]
    db.close()
    queries = [rng.choice(WORDS) for _ in range(200)] + [f"{rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(100)]
    return {
        # The same stack serving a small static file: the floor the pages are measured against.
        "static": ["/static/favicon.svg"] * count,
        "article": [f"/article/{rng.choice(ids)}" for _ in range(count)],
        # Readers' queries repeat (300 distinct ones here): popular queries, answered from
        # the page cache the workers share...
        "search": [f"/search?q={rng.choice(queries)}" for _ in range(count)],
        # ...and here no query repeats: every search is computed.
        "search-new": [f"/search?q={q}" for q in distinct_queries(rng, count)],
        "replay": [
            "/web/{}/{}".format(c[0][:19].replace("-", "").replace(":", "").replace("T", ""), c[1])
            for c in (rng.choice(caps) for _ in range(count))
        ],
    }


SEARCH_PARTS = (
    # (label, module, attribute): each call's CPU is charged to its part (thread CPU of
    # the thread that runs it: the index thread for the first two).
    ("index: search", "vazeh.index.search", "SearchIndex.search"),
    ("index: chart counts", "vazeh.index.attention", "query_chart"),
    ("web: chart SVG", "vazeh.web.attention", "search_chart_of"),
    ("web: chart SVG", "vazeh.web.attention", "search_chart"),  # the room before search_then
    ("web: facets, chips", "vazeh.web.facets", "facet_entries"),
    ("web: facets, chips", "vazeh.web.facets", "active_filters"),
    ("web: template", "starlette.templating", "Jinja2Templates.TemplateResponse"),
    ("web: page cache write", "vazeh.web.pagecache", "SharedPageCache.put"),
)


def breakdown(home: Path, count: int, seed: int = 3) -> None:
    """The never-asked search page's CPU per request, split by part (see the module doc)."""
    import importlib
    import threading

    from vazeh.web.app import create_app

    spent: dict[str, float] = {}
    # A part called inside another (on the same thread) is charged to the outer one only.
    inside = threading.local()

    def timed(label: str, fn):
        def wrapper(*a, **kw):
            if getattr(inside, "part", False):
                return fn(*a, **kw)
            inside.part = True
            t = time.thread_time()
            try:
                return fn(*a, **kw)
            finally:
                spent[label] = spent.get(label, 0.0) + time.thread_time() - t
                inside.part = False
        return wrapper

    # Patched where the callers look them up: modules that import a name directly get it too.
    patched = []
    for label, module, attr in SEARCH_PARTS:
        mod = importlib.import_module(module)
        owner_name, _, name = attr.rpartition(".")
        owner = getattr(mod, owner_name) if owner_name else mod
        fn = getattr(owner, name, None)
        if fn is None:
            continue  # another version of the room: not a part of its page
        wrapped = timed(label, fn)
        setattr(owner, name, wrapped)
        patched.append((owner, name, fn))
        if not owner_name:
            for other in ("vazeh.web.attention", "vazeh.web.pages"):
                m = importlib.import_module(other)
                if getattr(m, name, None) is fn:
                    setattr(m, name, wrapped)
                    patched.append((m, name, fn))

    import gc

    collected = {"s": 0.0, "n": 0}
    gc_start = threading.local()

    def on_gc(phase: str, info: dict) -> None:
        # The collector runs inside whichever part allocated last: shown apart, counted in them.
        if phase == "start":
            gc_start.t = time.thread_time()
        else:
            collected["s"] += time.thread_time() - getattr(gc_start, "t", time.thread_time())
            collected["n"] += 1

    async def request(app, path: str) -> int:
        p, _, query = path.partition("?")
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": p, "raw_path": p.encode(), "query_string": query.encode(),
                 "root_path": "", "headers": [(b"host", b"127.0.0.1"), (b"user-agent", UA.encode())],
                 "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {}}
        status = 0
        asked = False

        async def receive():
            nonlocal asked
            if asked:
                await asyncio.Event().wait()  # the client stays connected
            asked = True
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)
        return status

    async def run() -> None:
        app = create_app(home)
        events: asyncio.Queue = asyncio.Queue()
        started = asyncio.Event()
        events.put_nowait({"type": "lifespan.startup"})

        async def lsend(message):
            started.set()

        life = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                                       events.get, lsend))
        await started.wait()
        queries = [f"/search?q={quote(q)}" for q in distinct_queries(random.Random(seed), count + 30)]
        for path in queries[count:]:
            await request(app, path)  # warm: the index's files and the per-generation counts
        spent.clear()
        failed = 0
        gc.callbacks.append(on_gc)
        t0 = time.process_time()
        for path in queries[:count]:
            failed += await request(app, path) != 200
        total = (time.process_time() - t0) / count * 1000
        gc.callbacks.remove(on_gc)
        events.put_nowait({"type": "lifespan.shutdown"})
        await life
        print(f"never-asked search page, in this process, {count} requests one at a time ({failed} failed)")
        print(f"{'part':24} {'CPU ms/req':>10} {'share':>6}")
        parts = sum(spent.values()) / count * 1000
        for label, v in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"{label:24} {v / count * 1000:10.2f} {v / count * 1000 / total:6.0%}")
        print(f"{'rest (FastAPI, hand-overs)':24} {total - parts:10.2f} {(total - parts) / total:6.0%}")
        print(f"{'total':24} {total:10.2f}")
        print(f"(of which the garbage collector, inside the parts: {collected['s'] / count * 1000:.2f} ms/req, "
              f"{collected['n']} collections)")

    try:
        asyncio.run(run())
    finally:
        for owner, name, fn in patched:
            setattr(owner, name, fn)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200, help="articles in the synthetic archive")
    ap.add_argument("--requests", type=int, default=1000, help="requests per scenario")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (default: one per core)")
    ap.add_argument("--home", type=Path, default=None,
                    help="a bench-ready archive elsewhere (e.g. a copy), instead of bench/out/serve-N-vV")
    ap.add_argument("--pages", default="", help="only these pages, comma-separated (e.g. search-new)")
    ap.add_argument("--breakdown", action="store_true",
                    help="instead: the never-asked search page's CPU split by part, in this process")
    args = ap.parse_args()

    home = args.home or OUT / f"serve-{args.n}-v{CORPUS_VERSION}"
    if args.home and not (home / "bench-ready").exists():
        raise SystemExit(f"{home} is no archive this benchmark built (no bench-ready marker)")
    if not (home / "bench-ready").exists():
        print(f"building a {args.n}-article archive in {home}", flush=True)
        if home.exists():
            shutil.rmtree(home)
        build_archive(home, args.n)
    # The shared page cache outlives the server: start cold, or the "new" queries of
    # an earlier run (same seed) would be answered from it.
    shutil.rmtree(home / "cache", ignore_errors=True)
    if args.breakdown:
        breakdown(home, args.requests)
        return
    rng = random.Random(1)
    # Each list: the measured requests, then 100 for the one-client run, then 64 to warm
    # up, so no measured "search-new" query was asked before.
    paths = targets(home, rng, args.requests + 164)
    if args.pages:
        wanted = [p.strip() for p in args.pages.split(",") if p.strip()]
        unknown = [p for p in wanted if p not in paths]
        if unknown:
            raise SystemExit(f"no such page: {', '.join(unknown)} (pages: {', '.join(paths)})")
        paths = {k: v for k, v in paths.items() if k in wanted}
    port = free_port()
    server = start_server(home, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        arun(wait_up(base))
        # Warm up: open connections, load the search index, fill the page cache. The
        # "search" scenario measures popular queries, served as a long-running room
        # serves them: each was asked once before (by a reader of any worker).
        for kind, ps in paths.items():
            warm = list(dict.fromkeys(ps[: args.requests])) if kind == "search" else ps[-64:]
            arun(run_scenario(base, warm, args.concurrency))
        print(f"archive: {args.n} articles; {args.requests} requests per page at {args.concurrency} clients, "
              f"{args.workers} worker(s), {os.cpu_count()} cores")
        print("(alone: one client at a time, so no queueing: the cost of one request)")
        print("(CPU ms/req: the server's processes, user + system, over the concurrent run / its requests)")
        print(f"{'page':10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'alone p50':>10} {'CPU ms/req':>11}")
        measured: dict[str, tuple[float, float, float]] = {}
        for kind, ps in paths.items():
            _, alone, _ = arun(run_scenario(base, ps[-164:-64], 1))
            cpu0 = tree_cpu(server.pid)
            elapsed, lat, errors = arun(run_scenario(base, ps[: args.requests], args.concurrency))
            cpu = (tree_cpu(server.pid) - cpu0) / max(1, len(lat)) * 1000
            measured[kind] = (cpu, statistics.median(lat) * 1000, pct(lat, 0.99))
            print(f"{kind:10} {len(lat) / elapsed:8.0f} {statistics.median(lat) * 1000:8.1f} {pct(lat, 0.99):8.1f} "
                  f"{errors:7d} {statistics.median(alone) * 1000:10.1f} {cpu:11.2f}", flush=True)
        if FAILURES:
            print(f"failed requests by cause: {FAILURES}")
        if "search-new" in measured:
            cpu, p50, p99 = measured["search-new"]
            print(f"never-asked search page (search-new): {cpu:.2f} ms CPU/request (budget {SEARCH_NEW_CPU_MS:g}), "
                  f"p50 {p50:.1f} ms, p99 {p99:.1f} ms (target {P99_TARGET_MS:g}) at {args.concurrency} clients, "
                  f"{args.n} articles")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
