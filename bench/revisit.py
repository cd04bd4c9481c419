"""Revisit benchmark: how many scheduled revisits per hour one core sustains.

    .venv/bin/python bench/revisit.py [--stories 2000] [--edited 0.1] [--deleted 0.05]

Builds a local site of N distinct stories (the sample site's article pages, each
title and first paragraph numbered), captures them all once through the pipeline
(not timed), then serves round 2 (a share edited, a share deleted, the rest the
same bytes) and times one `revisit_due` pass with every story due: fetch through
the Fetcher (pacing, guard, robots.txt), archive (a revisit record or a response),
extraction by the pipeline, comparison, verdict. The revisiting process is pinned
to one core; the site runs in a process of its own so its work is not counted.
Page resources are off (a revisit of an unchanged page would only link them).
Target: 10,000 revisits/hour.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vazeh.archive import open_archive
from vazeh.capture import FetchConfig, capture_urls
from vazeh.capture.revisit import Revisitor, revisit_due
from vazeh.pipeline import Pipeline
from vazeh.sample.build_site import EXPECTED, SITE_DIR


def build_site(root: Path, n: int, edited: float, deleted: float) -> list[str]:
    entries = [e for e in json.loads(EXPECTED.read_text(encoding="utf-8"))["pages"]
               if e.get("key") and e.get("is_article") and e.get("encoding") == "utf-8" and e.get("lead")]
    (root / "s").mkdir(parents=True)
    (root / "_round2" / "s").mkdir(parents=True)
    shutil.copy(SITE_DIR / "robots.txt", root / "robots.txt")
    (root / "index.html").write_text("<html><body>خانه</body></html>", encoding="utf-8")
    paths, rules = [], {}
    n_edit, n_del = int(n * edited), int(n * deleted)
    for i in range(n):
        e = entries[i % len(entries)]
        page = (SITE_DIR / e["file"]).read_bytes()
        tag = f" (شماره {i})"
        page = page.replace(e["title"].encode(), (e["title"] + tag).encode())
        page = page.replace(e["lead"].encode(), (e["lead"] + tag).encode())
        (root / "s" / f"{i}.html").write_bytes(page)
        paths.append(f"/s/{i}")
        if i < n_edit:
            (root / "_round2" / "s" / f"{i}.html").write_bytes(page.replace(tag.encode(), f" (شماره {i}، اصلاح‌شده)".encode()))
        elif i < n_edit + n_del:
            rules[f"/s/{i}"] = 404
    (root / "_rounds.json").write_text(json.dumps({"2": rules}), encoding="utf-8")
    return paths


def _serve(root: str, port_box, round_box) -> None:  # noqa: ANN001 - multiprocessing values
    from vazeh.sample.server import serve_sample

    server, _ = serve_sample("127.0.0.1", 0, site_dir=Path(root))
    port_box.value = server.server_address[1]
    while True:
        server.round = round_box.value
        time.sleep(0.05)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stories", type=int, default=2000)
    ap.add_argument("--edited", type=float, default=0.1)
    ap.add_argument("--deleted", type=float, default=0.05)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    tmp = Path(tempfile.mkdtemp(prefix="vazeh-bench-revisit-"))
    try:
        paths = build_site(tmp / "site", args.stories, args.edited, args.deleted)
        port, rnd = multiprocessing.Value("i", 0), multiprocessing.Value("i", 1)
        proc = multiprocessing.Process(target=_serve, args=(str(tmp / "site"), port, rnd), daemon=True)
        proc.start()
        while not port.value:
            time.sleep(0.05)
        if hasattr(os, "sched_setaffinity"):  # the site on the other cores, not ours
            others = set(range(os.cpu_count() or 1)) - os.sched_getaffinity(0)
            if others:
                os.sched_setaffinity(proc.pid, others)
        base = f"http://127.0.0.1:{port.value}"
        config = FetchConfig(allow_private=True, rate=100000.0, concurrency=64, retries=0, resources=False)
        archive = open_archive(tmp / "home")
        pipeline = Pipeline(archive=archive, index=False)
        t = time.perf_counter()
        capture_urls(archive, [base + p for p in paths], config, pipeline.on_capture)
        print(f"first capture of {len(paths)} stories: {time.perf_counter() - t:.1f} s (not counted)")
        rnd.value = 2
        time.sleep(0.2)

        stage = {"extract": 0.0, "judge": 0.0}
        on_capture = pipeline.on_capture

        def timed_capture(capture) -> None:  # noqa: ANN001
            t0 = time.perf_counter()
            on_capture(capture)
            stage["extract"] += time.perf_counter() - t0

        judge = Revisitor.judge

        def timed_judge(self, *a, **kw):  # noqa: ANN001, ANN002, ANN003
            t0 = time.perf_counter()
            try:
                return judge(self, *a, **kw)
            finally:
                stage["judge"] += time.perf_counter() - t0

        Revisitor.judge = timed_judge  # type: ignore[method-assign]
        cpu0, t0 = time.process_time(), time.perf_counter()
        report = revisit_due(archive, None, config, timed_capture, now=datetime.now(UTC) + timedelta(hours=1, minutes=1))
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        n = report.unchanged + report.edited + report.deleted + report.restored
        print(f"revisits: {n} ({report.unchanged} unchanged, {report.edited} edited, {report.deleted} deleted, "
              f"{report.failed} failed)")
        print(f"wall {wall:.1f} s, CPU {cpu:.1f} s on one core")
        print(f"  extraction (pipeline on_capture, incl. archive reads): {stage['extract']:.1f} s")
        print(f"  comparison + verdict (judge): {stage['judge']:.1f} s")
        print(f"  fetch + archive write + event loop: {max(0.0, wall - stage['extract'] - stage['judge']):.1f} s")
        print(f"REVISITS PER HOUR (one core): {n / wall * 3600:,.0f}  (target 10,000)")
        archive.close()
        proc.terminate()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
