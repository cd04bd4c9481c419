"""The index's watermark and the near-duplicate groups live in the catalog (SQLite or
PostgreSQL, as VAZEH_TEST_CATALOG says): several indexes on one catalog, on one
machine or several, see the same groups; the watermark moves only after the engine
has committed; an index folder of an older vazeh is imported once."""

from __future__ import annotations

import json
import sqlite3

import pytest
from tests.index.conftest import article
from tests.index.test_neardup import OTHER, STORY

from vazeh.archive.surt import KEY_FORMAT
from vazeh.extract.model import ArticleStore
from vazeh.index import SearchIndex
from vazeh.index.neardup import _band_keys, fingerprint, signature
from vazeh.index.search import ANALYSIS
from vazeh.index.state import IndexState
from vazeh.index.tantivy_engine import SCHEMA_VERSION

TEXTS = {"a": STORY, "b": STORY + " پایان خبر", "c": OTHER}


@pytest.fixture
def store(archive):
    return ArticleStore(archive.db)


def put(store: ArticleStore, name: str, text: str, capture_id: int) -> str:
    a = article(text, url=f"https://{name}.ir/news/1", source=f"خبرگزاری {name}")
    surt = f"ir,{name})/news/1"
    store.put(capture_id, a, extractor_version="t", surt=surt, captured_at="2017-01-10T08:00:00+00:00",
              fingerprint=fingerprint(a))
    return surt


def put_all(store: ArticleStore) -> dict[str, str]:
    return {name: put(store, name, text, i) for i, (name, text) in enumerate(TEXTS.items(), start=1)}


def rows(db, table: str) -> int:
    return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_groups_and_watermarks_are_in_the_catalog_and_a_second_machine_sees_the_same_groups(
    home, tmp_path, archive, store
):
    keys = put_all(store)
    with SearchIndex.open(home) as here:
        assert here.sync(store) == 3
        groups = {name: here.neardup.group(key) for name, key in keys.items()}
        shown_here = [m["key"] for m in here.same_story(keys["a"])]
        here_name = here.name
    assert groups["a"] == groups["b"] == keys["a"] and groups["c"] == keys["c"]
    # What the catalog itself holds, read on the archive's own connection.
    grp = dict(archive.db.execute("SELECT key, grp FROM neardup_stories").fetchall())
    assert grp == {keys[n]: groups[n] for n in "abc"}
    assert rows(archive.db, "neardup_bands") == 3 * 16
    # Another machine: its own index folder, the same catalog.
    with SearchIndex(tmp_path / "machine-b" / "index", catalog=archive.db) as there:
        assert there.name != here_name
        assert there.sync(store) == 3
        assert {name: there.neardup.group(key) for name, key in keys.items()} == groups
        assert [m["key"] for m in there.same_story(keys["a"])] == shown_here == [keys["a"], keys["b"]]
        # A story the second machine groups first is in the first machine's group too.
        keys["d"] = put(store, "d", STORY + " به گزارش خبرنگار ما", 4)
        assert there.sync(store) == 1
        assert there.neardup.group(keys["d"]) == keys["a"]
    assert rows(archive.db, "neardup_stories") == 4  # one grouping, not one per index
    with SearchIndex.open(home) as here:
        assert here.sync(store) == 1
        assert {m["key"] for m in here.same_story(keys["d"])} == {keys["a"], keys["b"], keys["d"]}
    states = IndexState(archive.db).all()
    assert len(states) == 2
    assert [s["seq"] for s in states] == [store.max_seq()] * 2
    assert not (home / "index" / "state.json").exists() and not (home / "index" / "neardup.sqlite").exists()


def test_the_watermark_moves_only_after_the_engine_commits_and_a_kill_in_between_replays_once(
    home, archive, store, monkeypatch
):
    keys = put_all(store)
    seen: dict[str, int] = {}
    real_write = IndexState.write
    ix = SearchIndex.open(home)
    real_commit = ix.engine.commit

    def engine_commit() -> None:
        # The groups are committed before the documents that carry them (another connection sees them).
        seen["groups_before_engine_commit"] = rows(archive.db, "neardup_stories")
        real_commit()

    def killed_before_the_write(self, name, state):
        if state.get("seq"):
            seen["documents_before_watermark"] = ix.count()
            raise KeyboardInterrupt  # killed between the engine's commit and the catalog's write
        real_write(self, name, state)

    monkeypatch.setattr(ix.engine, "commit", engine_commit)
    monkeypatch.setattr(IndexState, "write", killed_before_the_write)
    with pytest.raises(KeyboardInterrupt):
        ix.sync(store)
    ix.close()
    monkeypatch.setattr(IndexState, "write", real_write)
    assert seen == {"groups_before_engine_commit": 3, "documents_before_watermark": 3}
    with SearchIndex.open(home) as ix:
        assert ix.last_seq == 0  # the catalog never heard of the commit
        assert ix.count() == 3  # but the engine had it
        assert ix.sync(store) == 3  # replayed ...
        assert ix.count() == 3  # ... without a duplicate
        hits = ix.search("سامانه").hits
        assert len(hits) == 1 and len(hits[0].also_published_by) == 1  # a and b: one result, one group
        assert ix.neardup.group(keys["b"]) == keys["a"]
        assert ix.last_seq == store.max_seq()
        assert IndexState(archive.db).read(ix.name)["seq"] == store.max_seq()
        assert ix.sync(store) == 0
    assert rows(archive.db, "neardup_stories") == 3


def test_a_rebuild_resets_the_watermark_and_keeps_the_catalogs_groups(home, archive, store):
    keys = put_all(store)
    with SearchIndex.open(home) as ix:
        ix.sync(store)
        before = dict(archive.db.execute("SELECT key, grp FROM neardup_stories").fetchall())
        states: list[dict] = []
        real = ix._states.write
        ix._states.write = lambda name, state: (states.append(dict(state)), real(name, state))  # type: ignore[method-assign]
        assert ix.rebuild(store) == 3
        assert (states[0]["seq"], states[0]["pending_rebuild"]) == (0, True)  # recorded before anything is read
        assert ix.last_seq == store.max_seq() and ix.count() == 3
        assert dict(archive.db.execute("SELECT key, grp FROM neardup_stories").fetchall()) == before
        assert ix.neardup.group(keys["b"]) == keys["a"]


def _make_old_folder(folder, groups: dict[str, tuple[str, bytes]], seq: int) -> None:
    """An index folder as vazeh wrote it before the catalog held its state."""
    (folder / "state.json").write_text(json.dumps(
        {"seq": seq, "schema": SCHEMA_VERSION, "analysis": ANALYSIS, "keys": KEY_FORMAT}
    ))
    db = sqlite3.connect(folder / "neardup.sqlite")
    db.executescript("""
        CREATE TABLE stories (key TEXT PRIMARY KEY, grp TEXT NOT NULL, fp BLOB NOT NULL);
        CREATE TABLE bands (band INTEGER NOT NULL, hash INTEGER NOT NULL, key TEXT NOT NULL);
        CREATE INDEX bands_by_hash ON bands(band, hash);
    """)
    for key, (grp, fp) in groups.items():
        db.execute("INSERT INTO stories VALUES(?,?,?)", (key, grp, fp))
        db.executemany("INSERT INTO bands VALUES(?,?,?)", [(b, h, key) for b, h in _band_keys(signature(fp))])
    db.commit()
    db.close()


def _forget_catalog_state(folder, db) -> None:
    for table in ("neardup_bands", "neardup_stories", "index_state"):
        db.execute(f"DELETE FROM {table}")
    (folder / "name").unlink()


def test_an_index_folder_of_an_older_vazeh_is_imported_once_without_losing_or_doubling_a_story(
    home, archive, store
):
    keys = put_all(store)
    folder = home / "index"
    with SearchIndex.open(home) as ix:
        ix.sync(store)
    old = {k: (g, bytes(fp)) for k, g, fp in archive.db.execute("SELECT key, grp, fp FROM neardup_stories")}
    _forget_catalog_state(folder, archive.db)
    _make_old_folder(folder, old, store.max_seq())
    with SearchIndex.open(home) as ix:
        assert ix.last_seq == store.max_seq()  # the old watermark, carried over
        assert ix.sync(store) == 0  # so nothing is indexed again
        assert {k: ix.neardup.group(k) for k in old} == {k: g for k, (g, _fp) in old.items()}
        keys["d"] = put(store, "d", STORY + " به گزارش خبرنگار ما", 4)
        assert ix.sync(store) == 1
        assert ix.neardup.group(keys["d"]) == keys["a"]  # found through the imported bands
        assert ix.count() == 4
    assert not (folder / "state.json").exists() and (folder / "state.json.imported").exists()
    assert not (folder / "neardup.sqlite").exists() and (folder / "neardup.sqlite.imported").exists()
    assert rows(archive.db, "neardup_stories") == 4
    assert rows(archive.db, "neardup_bands") == 4 * 16
    assert len(IndexState(archive.db).all()) == 1
    with SearchIndex.open(home) as ix:  # opened again: nothing imported twice
        assert ix.sync(store) == 0
    assert rows(archive.db, "neardup_stories") == 4 and rows(archive.db, "neardup_bands") == 4 * 16


def test_an_old_folder_whose_stories_the_catalog_grouped_otherwise_keeps_the_catalogs_groups_and_rebuilds(
    home, tmp_path, archive, store
):
    keys = put_all(store)
    with SearchIndex.open(home) as ix:
        ix.sync(store)
    fp_b = bytes(archive.db.execute("SELECT fp FROM neardup_stories WHERE key=?", (keys["b"],)).fetchone()[0])
    # Another machine's folder from before: it had put b in a group of its own.
    other = tmp_path / "machine-b" / "index"
    other.mkdir(parents=True)
    _make_old_folder(other, {keys["b"]: (keys["b"], fp_b)}, store.max_seq())
    with SearchIndex(other, catalog=archive.db) as there:
        assert there.neardup.group(keys["b"]) == keys["a"]  # the catalog's group wins
        assert there.sync(store) == 3  # and the folder is rebuilt so its documents carry it
        assert {m["key"] for m in there.same_story(keys["b"])} == {keys["a"], keys["b"]}
    assert rows(archive.db, "neardup_stories") == 3


def test_vazeh_migrate_carries_the_index_state_to_the_other_backend(home, tmp_path, archive, store):
    """The index's tables are a store's like any other: `vazeh migrate` copies them, and
    the index, pointed at the copy, knows how far it is and which group each story is in."""
    from vazeh.archive.catalog import connect
    from vazeh.archive.migrate import copy_catalog
    from vazeh.cli.catalog import _seal_columns, store_schemas

    keys = put_all(store)
    with SearchIndex.open(home) as ix:
        ix.sync(store)
    copy = f"sqlite:///{tmp_path / 'copy.sqlite'}"
    with connect(copy) as target:
        _seal_columns(target)  # as `vazeh migrate` does
        results = copy_catalog(archive.db, target, store_schemas())
    assert {r.table for r in results} >= {"index_state", "neardup_stories", "neardup_bands"}
    assert all(r.same for r in results)
    with connect(copy) as target, SearchIndex(home / "index", catalog=target) as ix:
        assert ix.last_seq == store.max_seq()
        assert ix.neardup.group(keys["b"]) == keys["a"]
