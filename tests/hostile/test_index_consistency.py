"""The index under a concurrent writer: article numbers that never collide or
arrive out of order, and one searcher for the whole of one search."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from vazeh.archive import open_archive
from vazeh.extract.model import Article, ArticleStore
from vazeh.index import SearchIndex, Story


def article(text: str, url: str) -> Article:
    return Article(url=url, title=f"خبر {text}", body=[f"متن خبر دربارهٔ {text} و باران"], source="نمونه",
                   published="2026-11-01T10:00:00+03:30")


def put(store: ArticleStore, capture_id: int, text: str) -> int:
    url = f"https://a.example.ir/{capture_id}"
    return store.put(capture_id, article(text, url), extractor_version="t", surt=f"ir,example,a)/{capture_id}",
                     captured_at="2026-11-01T08:00:00+00:00")


class Interleaved:
    """A catalog connection that lets another writer act before each of its next
    statements: the worst interleaving two processes can have."""

    def __init__(self, db: sqlite3.Connection, before_each, times: int):
        self._db, self._before, self._left = db, before_each, times

    def execute(self, *args):
        if self._left > 0:
            self._left -= 1
            self._before()
        return self._db.execute(*args)

    def __getattr__(self, name):
        return getattr(self._db, name)


def test_an_article_stored_while_another_process_stores_and_indexes_is_indexed(home: Path):
    archive = open_archive(home)
    other_db = sqlite3.connect(home / "catalog.sqlite", isolation_level=None, timeout=30)
    other = ArticleStore(other_db)
    index = SearchIndex.open(home)
    n = iter(range(100, 200))

    def other_process_writes_and_indexes() -> None:
        put(other, next(n), "دیگری")
        index.sync(other)

    try:
        mine = ArticleStore(Interleaved(archive.db, other_process_writes_and_indexes, times=2))
        put(mine, 1, "گنجشک")
        index.sync(ArticleStore(archive.db))
        seqs = [r[0] for r in archive.db.execute("SELECT seq FROM articles ORDER BY seq")]
        assert len(seqs) == len(set(seqs)), f"seq numbers collided: {seqs}"
        assert index.search("گنجشک").total == 1
        assert index.search("دیگری").total == len(seqs) - 1
    finally:
        index.close()
        other_db.close()
        archive.close()


def test_an_old_catalog_with_shared_seq_numbers_is_healed(home: Path):
    """Catalogs written before the fix may hold articles that share a seq; the index
    skipped one of each pair. Opening the store renumbers them above the watermark."""
    archive = open_archive(home)
    store = ArticleStore(archive.db)
    for i in (1, 2, 3):
        put(store, i, f"خبر{i}")
    index = SearchIndex.open(home)
    try:
        index.sync(store)
        # what the old race left behind: a fourth article numbered like the third
        archive.db.execute("DROP INDEX articles_seq_unique")
        archive.db.execute("CREATE INDEX articles_by_seq ON articles(seq)")
        put(store, 4, "گمشده")
        archive.db.execute("UPDATE articles SET seq = 3 WHERE capture_id = 4")
        index.sync(store)
        assert index.search("گمشده").total == 0  # the old loss, reproduced
        healed = ArticleStore(archive.db)
        seqs = [r[0] for r in archive.db.execute("SELECT seq FROM articles")]
        assert len(seqs) == len(set(seqs))
        index.sync(healed)
        assert index.search("گمشده").total == 1
    finally:
        index.close()
        archive.close()


def stories(word: str, start: int, count: int) -> list[Story]:
    return [
        Story(key=f"k{i}", article_id=i, capture_id=i, article=article(f"{word} {i}", f"https://a.example.ir/{i}"))
        for i in range(start, start + count)
    ]


def test_one_search_reads_from_one_searcher_while_another_process_commits(tmp_path: Path):
    path = tmp_path / "index"
    with SearchIndex(path) as first:
        first.add_stories(stories("گنجشک", 0, 30), replace=False)
        first.commit()
    reader = SearchIndex(path, result_cache=0)
    writer = SearchIndex(path)
    engine = reader.engine
    ranked = engine.search

    def search_then_another_commit(*args, **kw):
        result = ranked(*args, **kw)
        if not getattr(engine, "_committed_meanwhile", False):
            engine._committed_meanwhile = True
            # Another process replaces every story and merges: doc addresses now
            # point at other stories, or past the end of the new segment.
            writer.engine.delete_all()
            writer.add_stories(stories("کبوتر", 100, 5), replace=False)
            writer.commit()
            writer.engine.wait_merges()
            engine._loaded_at = float("-inf")  # the reader's second has passed
        return result

    engine.search = search_then_another_commit
    try:
        results = reader.search("گنجشک", per_page=20)
        assert len(results.hits) == 20
        assert all("گنجشک" in hit.title for hit in results.hits), [hit.title for hit in results.hits]
        assert reader.search("کبوتر").total == 5  # the next search sees the commit
    finally:
        engine.search = ranked
        reader.close()
        writer.close()
