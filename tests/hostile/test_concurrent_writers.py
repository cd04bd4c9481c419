"""Several writer processes on one home: every story ends up searchable exactly once.

Each process stores and indexes its own captures through the pipeline, as
`vazeh capture`, `vazeh import` and the reading room's save page now do. Before
the fix two processes could take the same article `seq` (or commit 11 before 10),
the index's watermark skipped one for good, and the second process never got the
engine's writer lock.
"""

from __future__ import annotations

import io
import multiprocessing
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter
from writer_stories import page, url, word

from vazeh.archive import open_archive
from vazeh.extract.model import ArticleStore
from vazeh.index import SearchIndex


def write_through_pipeline(home: str, writer: int, count: int) -> None:
    """One writer process: archive a capture, extract and index it, one after another."""
    from vazeh.pipeline import Pipeline

    start = datetime(2026, 11, 1, tzinfo=UTC)
    with Pipeline(home) as pipeline:
        for n in range(count):
            with pipeline.archive.transaction():
                capture = pipeline.archive.write_exchange(
                    url=url(writer, n),
                    status=200,
                    reason="OK",
                    response_headers=[("Content-Type", "text/html; charset=utf-8")],
                    body=page(writer, n),
                    captured_at=start + timedelta(seconds=n),
                )
            pipeline.on_capture(capture)


def write_warc(path: Path, writer: int, count: int) -> Path:
    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=True)
        for n in range(count):
            body = page(writer, n)
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            rec = w.create_warc_record(
                url(writer, n), "response", payload=io.BytesIO(body), length=len(body), http_headers=http
            )
            w.write_record(rec)
    return path


def searchable_once(home: Path, writers: dict[int, int]) -> tuple[int, list[str]]:
    """How many documents the index holds (without syncing it), and every story
    that is not found exactly once."""
    wrong = []
    with SearchIndex.open(home) as index:
        total = index.count()
        for writer, count in writers.items():
            for n in range(count):
                hits = index.search(word(writer, n), facets=False).total
                if hits != 1:
                    wrong.append(f"{url(writer, n)}: {hits} hits")
    return total, wrong


@pytest.mark.timeout(240)
def test_writer_processes_on_one_home_lose_no_story(home: Path):
    open_archive(home).close()
    writers = {1: 40, 2: 40, 3: 40}
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=write_through_pipeline, args=(str(home), w, n)) for w, n in writers.items()]
    for p in procs:
        p.start()
    for p in procs:
        p.join(200)
        assert p.exitcode == 0, f"writer {p.pid} exited with {p.exitcode}"

    archive = open_archive(home)
    try:
        store = ArticleStore(archive.db)
        assert store.count() == sum(writers.values())
        seqs = [r[0] for r in archive.db.execute("SELECT seq FROM articles")]
        assert len(set(seqs)) == len(seqs), "two articles share a seq"
    finally:
        archive.close()
    total, wrong = searchable_once(home, writers)
    assert wrong == []
    assert total == sum(writers.values())


@pytest.mark.timeout(240)
def test_imports_and_a_pipeline_writer_at_once(home: Path, tmp_path: Path):
    """Two `vazeh import` processes and a third writer at once, through the CLI."""
    open_archive(home).close()
    writers = {4: 60, 5: 60, 6: 30}
    warcs = [write_warc(tmp_path / f"w{w}.warc.gz", w, writers[w]) for w in (4, 5)]
    vazeh = str(Path(sys.executable).with_name("vazeh"))
    imports = [
        subprocess.Popen([vazeh, "import", str(p), "--home", str(home)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for p in warcs
    ]
    ctx = multiprocessing.get_context("spawn")
    third = ctx.Process(target=write_through_pipeline, args=(str(home), 6, writers[6]))
    third.start()
    for p in imports:
        out, _ = p.communicate(timeout=200)
        assert p.returncode == 0, out.decode(errors="replace")
    third.join(200)
    assert third.exitcode == 0
    total, wrong = searchable_once(home, writers)
    assert wrong == []
    assert total == sum(writers.values())
