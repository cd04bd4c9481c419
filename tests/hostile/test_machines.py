"""Several "machines" write one PostgreSQL catalog: every story is searchable exactly once.

A machine here is a process with a home of its own (its own WARC folder, its own
search index) whose `vazeh.toml` names the one shared catalog. Two import with
`vazeh import` (their files overlap: the same stories captured twice) while a third
captures through the pipeline and a fourth runs `vazeh watch` on the feed of a
news site the test serves on 127.0.0.1. The search index is per machine and follows the
shared catalog's article feed (`SearchIndex.sync` by `seq`), so any machine, or a
search host that writes nothing, ends with every story once.
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
from vazeh.sample.server import serve_sample


def machine(root: Path, name: str, catalog: str) -> Path:
    home = root / name
    home.mkdir()
    (home / "vazeh.toml").write_text(f'[backends]\ncatalog = "{catalog}"\n', encoding="utf-8")
    return home


def write_through_pipeline(home: str, writer: int, count: int) -> None:
    from vazeh.pipeline import Pipeline

    start = datetime(2026, 11, 1, tzinfo=UTC)
    with Pipeline(home) as pipeline:
        for n in range(count):
            with pipeline.archive.transaction():
                capture = pipeline.archive.write_exchange(
                    url=url(writer, n), status=200, reason="OK",
                    response_headers=[("Content-Type", "text/html; charset=utf-8")],
                    body=page(writer, n), captured_at=start + timedelta(seconds=n),
                )
            pipeline.on_capture(capture)


def news_site(root: Path, writer: int, count: int) -> Path:
    """A news site's files: its stories and an RSS feed that announces them."""
    site = root / "site"
    (site / "news").mkdir(parents=True)
    items = []
    for n in range(count):
        (site / "news" / f"{n}.html").write_bytes(page(writer, n))
        items.append(f"<item><title>{word(writer, n)}</title><link>/news/{n}.html</link></item>")
    (site / "rss.xml").write_text(f"<rss version='2.0'><channel><title>خبرها</title>{''.join(items)}</channel></rss>",
                                  encoding="utf-8")
    (site / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    return site


def write_warc(path: Path, stories: list[tuple[int, int]]) -> Path:
    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=True)
        for writer, n in stories:
            body = page(writer, n)
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url(writer, n), "response", payload=io.BytesIO(body),
                                                length=len(body), http_headers=http))
    return path


def wrong_counts(home: Path, stories: list[tuple[int, int]]) -> tuple[int, list[str]]:
    with SearchIndex.open(home) as index:
        total = index.count()
        wrong = [f"{url(w, n)}: {hits} hits" for w, n in stories
                 if (hits := index.search(word(w, n), facets=False).total) != 1]
    return total, wrong


@pytest.mark.timeout(300)
def test_machines_with_their_own_warcs_share_one_postgresql_catalog(pg_catalog: str, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VAZEH_CATALOG", raising=False)  # each machine's vazeh.toml names the catalog
    monkeypatch.delenv("VAZEH_HOME", raising=False)
    a, b, c, d, host = (machine(tmp_path, n, pg_catalog) for n in ("a", "b", "c", "d", "search-host"))
    imported_b = [(7, n) for n in range(40)]
    imported_c = [(7, n) for n in range(20, 40)] + [(8, n) for n in range(30)]  # 20 stories both import
    piped = [(9, n) for n in range(30)]
    watched = [(6, n) for n in range(25)]
    stories = sorted(set(imported_b + imported_c + piped + watched))
    server, base = serve_sample("127.0.0.1", 0, site_dir=news_site(tmp_path, 6, len(watched)))
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nid = "t"\nname_fa = "آزمایشی"\nfeeds = ["/rss.xml"]\n', encoding="utf-8")
    vazeh = str(Path(sys.executable).with_name("vazeh"))
    imports = [
        subprocess.Popen([vazeh, "import", str(write_warc(tmp_path / f"{h.name}.warc.gz", s)), "--home", str(h)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for h, s in ((b, imported_b), (c, imported_c))
    ]
    imports.append(subprocess.Popen(
        [vazeh, "watch", "--once", "--sources", str(sources), "--base-url", base, "--allow-private", "--rate", "100",
         "--no-resources", "--json", "--home", str(d)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    writer = multiprocessing.get_context("spawn").Process(target=write_through_pipeline, args=(str(a), 9, len(piped)))
    writer.start()
    try:
        for p in imports:
            out, _ = p.communicate(timeout=240)
            assert p.returncode == 0, out.decode(errors="replace")
        writer.join(240)
        assert writer.exitcode == 0
    finally:
        server.stop()

    with open_archive(host) as archive:
        assert archive.db.dialect == "postgresql"
        store = ArticleStore(archive.db)
        # One article per capture (the watch's feed is archived too, as a page that is no story).
        assert store.count() == len(imported_b) + len(imported_c) + len(piped) + len(watched)
        seqs = [r[0] for r in archive.db.execute("SELECT seq FROM articles")]
        assert len(set(seqs)) == len(seqs), "two articles share a seq"
        # Each machine's records are in its own WARC folder, and nowhere else.
        for (name,) in archive.db.execute("SELECT DISTINCT warc_file FROM records").fetchall():
            holders = [h.name for h in (a, b, c, d, host) if (h / "warcs" / name).exists()]
            assert len(holders) == 1, f"{name} is in {holders}"
        with SearchIndex.open(host) as index:
            index.sync(store)
    assert not (host / "catalog.sqlite").exists()
    total, wrong = wrong_counts(host, stories)
    assert wrong == []
    assert total == len(stories)

    # A writing machine's own index catches up with the others' stories the same way.
    for own in (a, d):
        with open_archive(own) as archive, SearchIndex.open(own) as index:
            index.sync(ArticleStore(archive.db))
        total, wrong = wrong_counts(own, stories)
        assert wrong == [] and total == len(stories), own.name
