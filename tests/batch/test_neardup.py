"""A batch job's groups are the index's: the band rule (run here without Spark) against NearDupIndex."""

from __future__ import annotations

from itertools import groupby

from batch_helpers import hard_stories

from vazeh.batch.neardup import (
    _bucket_entries,
    _bucket_pairs,
    groups_from_parents,
    groups_local,
    stories_in_order,
)


def parents_in_python(stories):  # noqa: ANN001, ANN201 - the Spark job's steps as plain Python
    entries = sorted((e for item in enumerate(fp for _, fp in stories) for e in _bucket_entries(item)),
                     key=lambda e: e[0])  # fmt: skip
    best: dict[int, tuple] = {}
    for bucket, members in groupby(entries, key=lambda e: e[0]):
        for later, choice in _bucket_pairs((bucket, [m for _, m in members])):
            best[later] = min(best.get(later, choice), choice)
    return {later: choice[2] for later, choice in best.items()}


def test_the_band_rule_gives_the_index_groups():
    stories = hard_stories()
    local = groups_local(stories)
    assert local["b"] == local["c"] == local["a-again"] == "a"
    assert local["x"] == "x" and local["y"] == "y" and local["z"] == "y"  # the tie goes to the band met first
    assert "empty" not in local and local["lone"] == "lone"
    assert groups_from_parents(stories, parents_in_python(stories)) == local


def test_a_wrong_tie_break_would_be_seen():
    # Preferring the earlier story on a tie (instead of the band met first) puts z with x.
    stories = hard_stories()
    parents = parents_in_python(stories)
    place = {k: i for i, (k, _) in enumerate(stories)}
    parents[place["z"]] = place["x"]
    assert groups_from_parents(stories, parents) != groups_local(stories)


def test_story_order_is_first_appearance_and_the_newest_version_counts():
    prints = [
        (1, 0, "k2", "2024-03-01T00:00:05", b"fp-k2"),
        (0, 3, "k1", "2024-03-01T00:00:09", b"new"),
        (0, 1, "k1", "2024-03-01T00:00:01", b"old"),
        (0, 2, "k3", "2024-03-01T00:00:02", b"fp-k3"),
    ]
    assert stories_in_order(prints) == [("k1", b"new"), ("k3", b"fp-k3"), ("k2", b"fp-k2")]
