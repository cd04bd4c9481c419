"""The index keeps step with the article catalog, also across crashes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.index.conftest import article, urls

from vazeh.extract.model import ArticleStore
from vazeh.index import SearchIndex


@pytest.fixture
def store(archive):
    return ArticleStore(archive.db)


def put(store, capture_id, art, *, surt, captured_at="2017-01-10T08:00:00+00:00"):
    return store.put(capture_id, art, extractor_version="t", surt=surt, captured_at=captured_at)


def open_index(home):
    return SearchIndex.open(home)


def edit_state(home, change: Callable[[dict], None]) -> dict:
    """Change the index's row in the catalog as a process killed at some point left it."""
    from vazeh.archive.catalog import connect_home
    from vazeh.index.state import IndexState, index_name

    with connect_home(home) as db:
        states, name = IndexState(db), index_name(home / "index")
        state = states.read(name)
        change(state)
        states.write(name, state)
        return states.read(name)


def test_sync_indexes_new_articles_once(home, store):
    put(store, 1, article("خبر نخست درباره سد کرج", url="https://a.ir/1"), surt="ir,a)/1")
    put(store, 2, article("خبر دوم درباره سد لار", url="https://a.ir/2"), surt="ir,a)/2")
    with open_index(home) as ix:
        assert ix.sync(store) == 2
        assert ix.sync(store) == 0  # nothing new
        assert sorted(urls(ix.search("سد"))) == ["https://a.ir/1", "https://a.ir/2"]
        put(store, 3, article("خبر سوم درباره سد", url="https://a.ir/3"), surt="ir,a)/3")
        assert ix.sync(store) == 1
        assert ix.search("سد").total == 3


def test_one_document_per_story_url_showing_the_newest_capture(home, store):
    put(store, 1, article("متن اول گزارش زلزله", title="نسخه اول", url="https://a.ir/q"), surt="ir,a)/q",
        captured_at="2017-01-10T08:00:00+00:00")
    put(store, 2, article("متن اصلاح شده گزارش زلزله", title="نسخه دوم", url="https://a.ir/q"), surt="ir,a)/q",
        captured_at="2017-01-11T08:00:00+00:00")
    with open_index(home) as ix:
        ix.sync(store)
        r = ix.search("زلزله")
        assert r.total == 1
        assert r.hits[0].title == "نسخه دوم"
        assert r.hits[0].capture_id == 2
        assert ix.search("اول").total == 0


def test_a_story_that_is_no_longer_an_article_leaves_the_index(home, store):
    put(store, 1, article("گزارش سیل", url="https://a.ir/s"), surt="ir,a)/s")
    with open_index(home) as ix:
        ix.sync(store)
        assert ix.search("سیل").total == 1
        gone = article("گزارش سیل", url="https://a.ir/s")
        gone.is_article = False
        put(store, 1, gone, surt="ir,a)/s")  # re-extraction says: not a story
        ix.sync(store)
        assert ix.search("سیل").total == 0


def test_crash_after_engine_commit_before_state_write_replays_without_duplicates(home, store):
    for i in range(5):
        put(store, i, article(f"گزارش شماره {i} از بندر", url=f"https://a.ir/{i}"), surt=f"ir,a)/{i}")
    with open_index(home) as ix:
        ix.sync(store)
    edit_state(home, lambda s: s.update(seq=0))  # the engine committed, the process died before recording it
    with open_index(home) as ix:
        assert ix.last_seq == 0
        ix.sync(store)
        assert ix.search("بندر").total == 5
        assert ix.count() == 5
        assert ix.last_seq == store.max_seq()


def test_crash_before_engine_commit_loses_nothing(home, store):
    put(store, 1, article("گزارش بارش برف", url="https://a.ir/1"), surt="ir,a)/1")
    ix = open_index(home)
    ix.sync(store)
    put(store, 2, article("گزارش دیگر برف", url="https://a.ir/2"), surt="ir,a)/2")
    from vazeh.index.search import _story_for

    ix.add_stories([_story_for(store, store.get(2))])
    ix.close()  # killed before commit: the engine rolls back
    with open_index(home) as ix:
        assert ix.search("برف").total == 1
        ix.sync(store)
        assert ix.search("برف").total == 2


def test_rebuild_starts_over_and_an_interrupted_rebuild_finishes_at_next_sync(home, store):
    put(store, 1, article("گزارش کنسرت", url="https://a.ir/1"), surt="ir,a)/1")
    with open_index(home) as ix:
        ix.sync(store)
        from tests.index.conftest import add

        add(ix, article("سندی که در فهرست نیست کنسرت", url="https://stale.ir/x"))
        assert ix.search("کنسرت").total == 2
        assert ix.rebuild(store) == 1
        assert urls(ix.search("کنسرت")) == ["https://a.ir/1"]
    edit_state(home, lambda s: s.update(seq=0, pending_rebuild=True))  # died right after deciding to rebuild
    with open_index(home) as ix:
        ix.sync(store)
        assert urls(ix.search("کنسرت")) == ["https://a.ir/1"]
        assert ix.count() == 1


def test_an_unreadable_state_of_an_older_vazeh_rebuilds(home, store):
    put(store, 1, article("گزارش نمایشگاه", url="https://a.ir/1"), surt="ir,a)/1")
    with open_index(home) as ix:
        ix.sync(store)
    (home / "index" / "name").unlink()  # a folder from before the catalog kept the state
    (home / "index" / "state.json").write_text("{not json")
    with open_index(home) as ix:
        assert ix.last_seq == 0
        ix.sync(store)
        assert ix.search("نمایشگاه").total == 1


def test_a_change_in_persian_analysis_rebuilds_the_index(home, store):
    put(store, 1, article("گزارش جشنواره", url="https://a.ir/1"), surt="ir,a)/1")
    with open_index(home) as ix:
        ix.sync(store)
    edit_state(home, lambda s: s.update(analysis="older-rules"))
    with open_index(home) as ix:
        assert ix.sync(store) == 1  # everything read again
        assert ix.search("جشنواره").total == 1
    assert edit_state(home, lambda s: None)["analysis"] != "older-rules"


def test_a_change_of_the_catalogs_key_format_rebuilds_the_index(home, store):
    """Story keys are the catalog's SURT keys: when vazeh.archive.migrate rekeys the
    catalog, documents under the old keys must not stay beside the new ones."""
    put(store, 1, article("گزارش نمایشگاه", url="https://a.ir/1/"), surt="ir,a)/1/")  # an old-format key
    with open_index(home) as ix:
        ix.sync(store)
    edit_state(home, lambda s: s.pop("keys"))  # written by a vazeh from before the key format
    store.db.execute("UPDATE articles SET surt='ir,a)/1'")  # what the rekeying does
    with open_index(home) as ix:
        assert ix.sync(store) == 1
        assert ix.search("نمایشگاه").total == 1  # once, under the new key only
        assert ix.count() == 1


def test_an_index_of_an_older_format_is_rebuilt_even_if_a_reader_opens_it_first(home, store):
    put(store, 1, article("گزارش کتابخوانی", url="https://a.ir/1"), surt="ir,a)/1")
    with open_index(home) as ix:
        ix.sync(store)
    edit_state(home, lambda s: s.update(schema=0))
    with open_index(home) as reader:  # e.g. the web app, which never syncs
        assert reader.search("کتابخوانی").total == 0
    with open_index(home) as ix:
        assert ix.last_seq == 0
        ix.sync(store)
        assert ix.search("کتابخوانی").total == 1


def test_a_long_sync_commits_every_so_often_and_a_crash_between_commits_replays(home, store, monkeypatch):
    import vazeh.index.search as search_mod

    monkeypatch.setattr(search_mod, "BATCH", 2)
    monkeypatch.setattr(search_mod, "COMMIT_EVERY", 4)
    for i in range(1, 11):
        put(store, i, article(f"گزارش شماره {i} از بازار", url=f"https://a.ir/{i}"), surt=f"ir,a)/{i}")
    seqs = [sa.seq for sa in store.changed_since(0)]
    ix = open_index(home)
    committed: list[int] = []
    real_commit = ix.commit
    monkeypatch.setattr(ix, "commit", lambda seq=None: (committed.append(seq), real_commit(seq)))
    fed = 0
    real_add = ix.add_stories

    def add_then_die(stories, **kw):
        nonlocal fed
        fed += 1
        if fed == 4:  # the process dies feeding articles 7-8, after the commit at 4
            raise KeyboardInterrupt
        return real_add(stories, **kw)

    monkeypatch.setattr(ix, "add_stories", add_then_die)
    with pytest.raises(KeyboardInterrupt):
        ix.sync(store)
    ix.close()  # uncommitted documents (5-6) are rolled back
    assert committed == [seqs[3]]
    with open_index(home) as ix:
        assert ix.last_seq == seqs[3]
        assert ix.search("بازار").total == 4
        ix.sync(store)
        assert ix.search("بازار").total == 10
        assert ix.count() == 10
        assert ix.last_seq == seqs[-1]


def test_a_sync_commits_once_at_its_end_when_short(home, store, monkeypatch):
    for i in range(1, 4):
        put(store, i, article(f"گزارش {i} از باران", url=f"https://a.ir/{i}"), surt=f"ir,a)/{i}")
    with open_index(home) as ix:
        committed: list[int | None] = []
        real_commit = ix.commit
        monkeypatch.setattr(ix, "commit", lambda seq=None: (committed.append(seq), real_commit(seq)))
        ix.sync(store)
        assert committed == [store.max_seq()]
        ix.sync(store)  # nothing new: nothing to commit
        assert committed == [store.max_seq()]
