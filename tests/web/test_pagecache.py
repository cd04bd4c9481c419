"""The search-page cache that the reading room's worker processes share."""

from __future__ import annotations

import sqlite3

from fastapi.testclient import TestClient

from vazeh.web import create_app
from vazeh.web.pagecache import SharedPageCache


def test_a_page_put_by_one_worker_is_read_by_another(tmp_path):
    path = tmp_path / "cache" / "pages.sqlite"
    a, b = SharedPageCache(path), SharedPageCache(path)  # two processes' handles on one file
    a.put("باران\x1frelevance\x1f1\x1f20", "g1", "<p>نتیجه</p>".encode())
    assert b.get("باران\x1frelevance\x1f1\x1f20", "g1") == "<p>نتیجه</p>".encode()
    # Another index generation (a commit happened) never sees the old page.
    assert b.get("باران\x1frelevance\x1f1\x1f20", "g2") is None
    b.put("باران\x1frelevance\x1f1\x1f20", "g2", b"new")
    assert a.get("باران\x1frelevance\x1f1\x1f20", "g2") == b"new"
    assert a.get("باران\x1frelevance\x1f1\x1f20", "g1") is None
    a.close()
    b.close()


def test_the_cache_keeps_only_the_newest_pages(tmp_path):
    cache = SharedPageCache(tmp_path / "pages.sqlite", max_pages=50)
    for i in range(300):
        cache.put(f"q{i}", "g", b"x")
    db = sqlite3.connect(tmp_path / "pages.sqlite")
    (count,) = db.execute("SELECT count(*) FROM pages").fetchone()
    db.close()
    assert count <= 150  # trimmed every 100 writes down to max_pages
    assert cache.get("q299", "g") == b"x"
    assert cache.get("q0", "g") is None
    cache.close()


def test_a_corrupt_cache_file_is_replaced_not_fatal(tmp_path, caplog):
    path = tmp_path / "pages.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    cache = SharedPageCache(path)
    assert cache.get("q", "g") is None
    cache.put("q", "g", b"page")
    assert cache.get("q", "g") == b"page"
    assert "page cache" in caplog.text
    cache.close()


def test_an_unusable_cache_place_only_means_misses(tmp_path, caplog):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    cache = SharedPageCache(blocker / "pages.sqlite")
    cache.put("q", "g", b"page")  # no exception
    assert cache.get("q", "g") is None
    assert "page cache" in caplog.text


def test_a_search_page_computed_by_one_worker_is_served_by_another(sample, config, monkeypatch):
    with TestClient(create_app(sample.home, config=config)) as first:
        page = first.get("/search", params={"q": "سمنان"})
        assert page.status_code == 200
    # A second worker process (another app on the same home) must not search again.
    second_app = create_app(sample.home, config=config)
    with TestClient(second_app) as second:
        room = second_app.state.room

        def no_search(*a, **kw):
            raise AssertionError("the shared page should have been used")

        monkeypatch.setattr(room, "search", no_search)
        again = second.get("/search", params={"q": "سمنان"})
        assert again.status_code == 200 and again.text == page.text
        assert room.shared_pages.hits == 1
