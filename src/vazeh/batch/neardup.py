"""Near-duplicate groups of a batch job, the same groups the search index would give.

The index groups stories one at a time (`vazeh.index.neardup.NearDupIndex.group_of`):
a story joins the group of its most similar earlier story among those sharing an
LSH band with it, if their similarity reaches THRESHOLD; on equal similarity the
candidate met first wins (bands in order, then stories in the order they came).
Which candidate a story picks depends only on the stories before it, not on their
groups, so the rule splits in two:

1. the parent of every story: the best earlier candidate over all its bands. This
   is the part that grows with the collection, and it is a Spark job: bucket the
   stories by (band, hash), pair each with the earlier stories of its buckets,
   keep the best pair per story (`best_parents_spark`);
2. the groups: walk the stories in order, each takes its parent's group (a
   dictionary pass on the driver, linear in the stories).

The local engine runs the index's own `NearDupIndex` over the stories in order, so
the test that Spark's groups equal the local ones compares two implementations.
Story order is the order a story key first appears (input files in order, records
in file order), which is the order `vazeh import` catalogs and indexes them; a
story's fingerprint is that of its newest article version, as the index takes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from vazeh.index.neardup import THRESHOLD, NearDupIndex, _band_keys, signature, similarity

Story = tuple[str, bytes]  # (story key, fingerprint), in story order


def stories_in_order(prints: Iterable[tuple[int, int, str, str, bytes]]) -> list[Story]:
    """(file index, position, story key, captured_at, fingerprint) rows -> stories in order."""
    first: dict[str, tuple[int, int]] = {}
    newest: dict[str, tuple[str, int, int, bytes]] = {}
    for index, position, key, captured_at, fp in prints:
        at = (index, position)
        if key not in first or at < first[key]:
            first[key] = at
        cand = (captured_at, index, position, fp)
        if key not in newest or cand[:3] > newest[key][:3]:
            newest[key] = cand
    return [(key, newest[key][3]) for key in sorted(first, key=first.__getitem__)]


def groups_local(stories: list[Story]) -> dict[str, str]:
    """Groups as the index's NearDupIndex assigns them, in a throwaway SQLite file."""
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="vazeh-neardup-") as tmp:
        nd = NearDupIndex(Path(tmp) / "neardup.sqlite")
        try:
            grouped = [(key, fp) for key, fp in stories if signature(fp) is not None]
            out.update(zip([key for key, _fp in grouped], nd.groups_of(grouped), strict=True))
        finally:
            nd.close()
    return out


def groups_from_parents(stories: list[Story], parents: dict[int, int]) -> dict[str, str]:
    """Walk the stories in order; `parents` maps a story's place to its chosen earlier story's."""
    groups: dict[str, str] = {}
    by_place: list[str | None] = [None] * len(stories)
    for place, (key, fp) in enumerate(stories):
        if signature(fp) is None:
            continue  # nothing to compare: the index leaves such a story ungrouped
        parent = parents.get(place)
        grp = by_place[parent] if parent is not None else None
        by_place[place] = grp or key
        groups[key] = by_place[place]  # type: ignore[assignment]
    return groups


def _bucket_entries(item: tuple[int, bytes]) -> list[tuple[tuple[int, int], tuple[int, bytes]]]:
    place, fp = item
    sig = signature(fp)
    if sig is None:
        return []
    return [((band, h), (place, fp)) for band, h in _band_keys(sig)]


def _bucket_pairs(bucket: tuple[tuple[int, int], Iterable[tuple[int, bytes]]]) -> list[tuple[int, tuple[float, int, int]]]:
    (band, _), members = bucket
    ordered = sorted(members, key=lambda m: m[0])
    out = []
    for j in range(1, len(ordered)):
        later, fp_later = ordered[j]
        for earlier, fp_earlier in ordered[:j]:
            sim = similarity(fp_later, fp_earlier)
            if sim >= THRESHOLD:
                # min() of (-sim, band, place) is the index's pick: most similar, then met first.
                out.append((later, (-sim, band, earlier)))
    return out


def best_parents_spark(spark: Any, stories: list[Story], partitions: int = 4) -> dict[int, int]:
    """Each story's best earlier candidate, as a Spark job over MinHash bands."""
    sc = spark.sparkContext
    rdd = sc.parallelize(list(enumerate(fp for _, fp in stories)), max(1, partitions))
    best = (
        rdd.flatMap(_bucket_entries)
        .groupByKey(max(1, partitions))
        .flatMap(_bucket_pairs)
        .reduceByKey(min)
        .collect()
    )
    return {later: choice[2] for later, choice in best}


def groups_spark(spark: Any, stories: list[Story], partitions: int = 4) -> dict[str, str]:
    return groups_from_parents(stories, best_parents_spark(spark, stories, partitions))
