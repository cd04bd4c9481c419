"""A catalog keyed by vazeh's first key format is rekeyed to surt's on open, once, resumably."""

from __future__ import annotations

import os
import sqlite3

import pytest

from vazeh.archive import migrate, open_archive
from vazeh.archive.surt import KEY_FORMAT, surt
from vazeh.extract.model import Article, ArticleStore
from vazeh.web.listing import Listing

# These tests write catalogs in an older SQLite layout by hand: rekeying is for SQLite
# catalogs made by earlier vazeh; a PostgreSQL catalog starts in the current key format.
pytestmark = pytest.mark.skipif(
    os.environ.get("VAZEH_TEST_CATALOG") == "postgresql", reason="rekeys SQLite catalogs of earlier vazeh only"
)

# URL -> the key vazeh's first format gave it (written as literals: that code is gone).
OLD_KEYS = {
    "https://www.isna.ir/news/1403010100001/": "ir,isna)/news/1403010100001/",
    "http://www2.example.ir/a/../b": "ir,example,www2)/a/../b",
    "https://example.ir//x": "ir,example)//x",
    "http://خبر.ایران/": "ایران,خبر)/",
    "https://www.example.ir/news/1?b=2&a=1": "ir,example)/news/1?a=1&b=2",  # the same in both formats
}
PAGE = b"<html><body><p>\xd9\x85\xd8\xaa\xd9\x86</p></body></html>"


def old_catalog(home) -> None:
    """An archive home as vazeh's first key format left it: captures, articles, no record of the format."""
    with open_archive(home) as archive:
        store = ArticleStore(archive.db)
        for n, url in enumerate(OLD_KEYS):
            cap = archive.write_exchange(url=url, status=200, reason="OK", body=PAGE + str(n).encode(),
                                         response_headers=[("Content-Type", "text/html; charset=utf-8")])
            store.put(cap.id, Article(url=url, title=f"خبر {n}", body=["متن"]), extractor_version="t",
                      surt=cap.surt, captured_at=cap.captured_at.isoformat())
    db = sqlite3.connect(home / "catalog.sqlite")
    with db:
        for url, old in OLD_KEYS.items():
            db.execute("UPDATE captures SET surt=? WHERE url=?", (old, url))
            db.execute("UPDATE articles SET surt=? WHERE url=?", (old, url))
        db.execute("DROP TABLE archive_meta")
        db.execute("DROP TABLE surt_moves")
    db.close()


def keys(home, table: str) -> dict[str, str]:
    db = sqlite3.connect(home / "catalog.sqlite")
    try:
        return dict(db.execute(f"SELECT url, surt FROM {table}").fetchall())
    finally:
        db.close()


def test_a_new_catalog_starts_in_the_current_format(tmp_path):
    with open_archive(tmp_path / "h") as archive:
        assert migrate.key_format(archive.db) == KEY_FORMAT
        # No rekeying cursor left behind: only the formats the catalog is in.
        keys = {r[0] for r in archive.db.execute("SELECT key FROM archive_meta")}
        assert keys == {"key_format", "originals_key_format"}


def test_an_old_catalog_is_rekeyed_on_open_and_found_by_either_spelling(tmp_path):
    home = tmp_path / "h"
    old_catalog(home)
    assert keys(home, "captures") == OLD_KEYS
    with open_archive(home) as archive:
        assert migrate.key_format(archive.db) == KEY_FORMAT
        assert keys(home, "captures") == {url: surt(url) for url in OLD_KEYS}
        assert keys(home, "articles") == {url: surt(url) for url in OLD_KEYS}
        for url in ("https://www.isna.ir/news/1403010100001/", "https://isna.ir/news/1403010100001",
                    "http://www.isna.ir/news/1403010100001//"):
            [cap] = archive.captures(url)
            assert cap.url == "https://www.isna.ir/news/1403010100001/"
        assert [c.url for c in archive.captures("http://example.ir/b")] == ["http://www2.example.ir/a/../b"]
        assert [c.url for c in archive.captures("http://xn--ngblk.xn--mgba3a4f16a")] == ["http://خبر.ایران/"]
        moves = {tuple(r) for r in archive.db.execute("SELECT old, new FROM surt_moves")}
        assert moves == {(old, surt(url)) for url, old in OLD_KEYS.items() if old != surt(url)}
        assert migrate.key_moves(archive.db) == dict(moves)
        assert not archive.db.execute("SELECT 1 FROM archive_meta WHERE key LIKE 'rekey_%'").fetchone()


def test_articles_whose_key_changed_get_a_new_seq_so_the_lists_follow(tmp_path):
    home = tmp_path / "h"
    old_catalog(home)
    db = sqlite3.connect(home / "catalog.sqlite", isolation_level=None)
    store = ArticleStore(db)
    Listing(db, store).sync()
    assert "ir,isna)/news/1403010100001/" in {r[0] for r in db.execute("SELECT surt FROM web_articles")}
    before = dict(db.execute("SELECT url, seq FROM articles").fetchall())
    open_archive(home).close()
    after = dict(db.execute("SELECT url, seq FROM articles").fetchall())
    for url, old in OLD_KEYS.items():
        assert (after[url] > max(before.values())) == (old != surt(url))
    Listing(db, store).sync()
    listed = {r[0] for r in db.execute("SELECT surt FROM web_articles WHERE current=1")}
    assert listed == {surt(url) for url in OLD_KEYS}
    db.close()


def test_an_article_whose_capture_is_gone_is_keyed_by_its_own_url_and_a_null_key_stays_null(tmp_path):
    home = tmp_path / "h"
    old_catalog(home)
    db = sqlite3.connect(home / "catalog.sqlite")
    with db:
        db.execute("DELETE FROM captures WHERE url='https://example.ir//x'")
        db.execute("UPDATE articles SET surt=NULL WHERE url='http://خبر.ایران/'")
    db.close()
    open_archive(home).close()
    got = keys(home, "articles")
    assert got["https://example.ir//x"] == "ir,example)/x"
    assert got["http://خبر.ایران/"] is None


def test_a_second_open_does_not_rekey_again(tmp_path, monkeypatch):
    home = tmp_path / "h"
    old_catalog(home)
    open_archive(home).close()

    def must_not_run(*a, **kw):
        raise AssertionError("rekeyed twice")

    monkeypatch.setattr(migrate, "_captures_batch", must_not_run)
    monkeypatch.setattr(migrate, "_articles_batch", must_not_run)
    open_archive(home).close()


# Five captures and five articles in batches of two: the captures' first and second batch, the articles'.
@pytest.mark.parametrize("fail_at", [2, 4, 7, 9])
def test_a_rekeying_stopped_midway_leaves_each_row_whole_and_is_finished_by_the_next_open(tmp_path, monkeypatch, fail_at):
    home = tmp_path / "h"
    old_catalog(home)
    monkeypatch.setattr(migrate, "BATCH", 2)
    calls = 0

    def dies(url: str) -> str:
        nonlocal calls
        calls += 1
        if calls == fail_at:
            raise KeyboardInterrupt("killed")
        return surt(url)

    monkeypatch.setattr(migrate, "surt", dies)
    with pytest.raises(KeyboardInterrupt):
        open_archive(home)
    db = sqlite3.connect(home / "catalog.sqlite")
    meta = dict(db.execute("SELECT key, value FROM archive_meta").fetchall())
    assert "key_format" not in meta
    done = int(meta.get("rekey_captures_at", 0))
    for id_, url, key in db.execute("SELECT id, url, surt FROM captures"):
        # Rows up to the cursor are rekeyed, the rest untouched: no batch is half done.
        assert key == (surt(url) if id_ <= done else OLD_KEYS[url])
    done = int(meta.get("rekey_articles_at", 0))
    for id_, url, key in db.execute("SELECT id, url, surt FROM articles"):
        assert key == (surt(url) if id_ <= done else OLD_KEYS[url])
    db.close()

    monkeypatch.setattr(migrate, "surt", surt)
    with open_archive(home) as archive:
        assert migrate.key_format(archive.db) == KEY_FORMAT
    assert keys(home, "captures") == keys(home, "articles") == {url: surt(url) for url in OLD_KEYS}
