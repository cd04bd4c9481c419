"""A reader keeps its searcher (and the term counts it learnt) while nothing is
committed, and still sees another writer's commit at its next look."""

from __future__ import annotations

from vazeh.index.engine import IndexDoc
from vazeh.index.tantivy_engine import TantivyEngine


def _doc(i: int) -> IndexDoc:
    return IndexDoc(key=f"k{i}", group=f"k{i}", all="باران تهران", pairs="", title="باران", source="مهر",
                    categories=[], month="", published=1_600_000_000 + i, source_keys=[], category_keys=[],
                    tag_keys=[], data={"i": i})


def _look_now(engine: TantivyEngine) -> None:
    engine._loaded_at = float("-inf")  # as if the second between looks had passed


def test_the_searcher_stays_until_a_commit_and_a_commit_is_seen(tmp_path):
    writer = TantivyEngine(tmp_path)
    writer.add(_doc(1))
    writer.commit()
    reader = TantivyEngine(tmp_path)
    first = reader.searcher
    assert reader.doc_freqs("all", ["باران"]) == [1]
    known = reader._df
    for _ in range(3):
        _look_now(reader)
        assert reader.searcher is first  # nothing committed: the same searcher
    assert reader._df is known  # and the counts it learnt
    generation = reader.generation

    writer.add(_doc(2))
    writer.commit()
    _look_now(reader)
    assert reader.searcher is not first
    assert reader.count() == 2 and reader.doc_freqs("all", ["باران"]) == [2]
    assert reader.generation != generation
    for i in range(3, 6):  # commits quicker than the clock's tick are told apart too
        writer.add(_doc(i))
        writer.commit()
        _look_now(reader)
        assert reader.count() == i
