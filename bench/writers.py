"""Several writers on one home while the room searches: stories lost, wrong hits.

    .venv/bin/python bench/writers.py [--writers 4] [--stories 300] [--searchers 2]

Starts N writer processes on one fresh archive home; each archives its own stories
and extracts and indexes them one by one through the pipeline (as `vazeh capture`
and save page now do). Meanwhile this process searches without pause for stories
already written, from several threads of one SearchIndex (as the reading room
does), and checks every hit: the hit's title must carry the word searched for,
and nothing may raise. At the end, without any further sync, it looks up every
story in the index. Prints:
  - stories stored, stories not searchable exactly once (lost or doubled),
  - searches run, searches with a wrong hit, searches that raised,
  - the writers' wall time and stories per second.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import shutil
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vazeh.archive import open_archive
from vazeh.extract.model import ArticleStore
from vazeh.index import SearchIndex

LETTERS = "ابپتثجچحخد"


def word(writer: int, n: int) -> str:
    return "واژه" + "".join(LETTERS[int(d)] for d in f"{writer}{n:05d}")


def page(writer: int, n: int) -> bytes:
    w = word(writer, n)
    return (
        f"<html><head><meta charset='utf-8'><title>گزارش {w}</title></head><body><article><h1>گزارش {w}</h1>"
        f"<p>متن این خبر دربارهٔ {w} است و چند جملهٔ دیگر دارد تا صفحه یک خبر کامل باشد.</p>"
        "<p>بند دوم خبر دربارهٔ باران و برف در شهرهای کشور و راه‌های بسته است.</p></article></body></html>"
    ).encode()


def write(home: str, writer: int, count: int) -> None:
    from vazeh.pipeline import Pipeline

    start = datetime(2026, 11, 1, tzinfo=UTC)
    with Pipeline(home) as pipeline:
        for n in range(count):
            with pipeline.archive.transaction():
                capture = pipeline.archive.write_exchange(
                    url=f"https://news{writer}.example.ir/news/{n}",
                    status=200,
                    response_headers=[("Content-Type", "text/html; charset=utf-8")],
                    body=page(writer, n),
                    captured_at=start + timedelta(seconds=n),
                )
            pipeline.on_capture(capture)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--writers", type=int, default=4)
    ap.add_argument("--stories", type=int, default=300, help="stories per writer")
    ap.add_argument("--searchers", type=int, default=2, help="search threads in this process")
    args = ap.parse_args(argv)

    home = Path(tempfile.mkdtemp(prefix="vazeh-writers-"))
    try:
        open_archive(home).close()
        ctx = multiprocessing.get_context("spawn")
        procs = [ctx.Process(target=write, args=(str(home), w, args.stories)) for w in range(1, args.writers + 1)]
        started = time.perf_counter()
        for p in procs:
            p.start()
        index = SearchIndex.open(home, result_cache=0)
        counts = {"searches": 0, "wrong": 0, "raised": 0, "hits": 0}
        lock = threading.Lock()
        done = threading.Event()
        errors: list[str] = []

        def search_loop(seed: int) -> None:
            rng = random.Random(seed)
            while not done.is_set():
                w, n = rng.randint(1, args.writers), rng.randrange(args.stories)
                target = word(w, n)
                # A prefix of a hundred stories' words matches nothing, so search words
                # of the same writer's block: "گزارش" matches every story, many hits.
                query = rng.choice([target, "گزارش", f"گزارش {target}"])
                try:
                    res = index.search(query, per_page=20, facets=rng.random() < 0.5)
                    wrong = [h.title for h in res.hits if (query != "گزارش" and target not in (h.title or ""))]
                    with lock:
                        counts["searches"] += 1
                        counts["hits"] += len(res.hits)
                        counts["wrong"] += bool(wrong)
                except BaseException as e:  # noqa: BLE001 - counting is the point
                    with lock:
                        counts["searches"] += 1
                        counts["raised"] += 1
                        errors.append(f"{type(e).__name__}: {e}")

        threads = [threading.Thread(target=search_loop, args=(i,)) for i in range(args.searchers)]
        for t in threads:
            t.start()
        for p in procs:
            p.join()
        wall = time.perf_counter() - started
        done.set()
        for t in threads:
            t.join()
        index.close()

        failed_writers = [p.exitcode for p in procs if p.exitcode != 0]
        archive = open_archive(home)
        stored = ArticleStore(archive.db).count()
        archive.close()
        not_once = 0
        with SearchIndex.open(home, result_cache=0) as check:  # no sync: what the writers left
            for w in range(1, args.writers + 1):
                for n in range(args.stories):
                    not_once += check.search(word(w, n), facets=False).total != 1
        print(f"writers {args.writers} x {args.stories} stories, {args.searchers} search threads")
        print(f"writer processes failed: {len(failed_writers)}")
        print(f"stories stored {stored}, not searchable exactly once {not_once}")
        print(
            f"searches {counts['searches']} ({counts['hits']} hits checked), with a wrong hit {counts['wrong']}, "
            f"raised {counts['raised']}"
        )
        for line in errors[:5]:
            print("  ", line)
        print(f"writers' wall time {wall:.1f} s, {stored / wall:.0f} stories/s stored and indexed")
        return 0 if not (failed_writers or not_once or counts["wrong"] or counts["raised"]) else 1
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
