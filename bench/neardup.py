"""Near-duplicate grouping: stories grouped per second by the index's NearDupIndex.

    .venv/bin/python bench/neardup.py [--stories 20000] [--postgresql]

N synthetic fingerprints (MinHash signatures as `fingerprint` writes them; a third
are edited copies of an earlier story, 10% of their rows changed, so about 0.8
similar and found through the bands), grouped in feed order as `SearchIndex.add_stories`
groups them: batches of 2,000, as `sync` feeds them. Backends: a SQLite file (the
catalog's or the index's own), and with --postgresql a throwaway server of its own
(bench/catalog.py's). Against an older vazeh (PYTHONPATH=<old>/src), whose
NearDupIndex has no `groups_of`, it groups one story at a time and commits per batch,
as that vazeh's sync did: the before figure.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from vazeh.index.neardup import _MAGIC, NUM_PERM, NearDupIndex

BATCH = 2000


def fingerprints(n: int, seed: int = 5) -> list[tuple[str, bytes]]:
    rng = np.random.default_rng(seed)
    sigs: list[np.ndarray] = []
    out = []
    for i in range(n):
        if sigs and rng.random() < 1 / 3:
            sig = sigs[int(rng.integers(len(sigs)))].copy()
            rows = rng.choice(NUM_PERM, NUM_PERM // 10, replace=False)
            sig[rows] = rng.integers(0, 2**32, len(rows), dtype=np.uint64).astype(np.uint32)
        else:
            sig = rng.integers(0, 2**32, NUM_PERM, dtype=np.uint64).astype(np.uint32)
        sigs.append(sig)
        out.append((f"ir,example{i % 97})/news/{i}", _MAGIC + sig.astype("<u4").tobytes()))
    return out


def run(nd: NearDupIndex, stories: list[tuple[str, bytes]]) -> tuple[float, float, int, str]:
    """(seconds, CPU seconds of this process, stories that joined an earlier one's group,
    a digest of every group: equal digests, equal groupings)."""
    t, c = time.perf_counter(), time.process_time()
    groups: list[str] = []
    for start in range(0, len(stories), BATCH):
        batch = stories[start : start + BATCH]
        if hasattr(nd, "groups_of"):
            groups.extend(nd.groups_of(batch))
        else:  # an older vazeh
            groups.extend(nd.group_of(key, fp) for key, fp in batch)
            nd.commit()
    joined = sum(1 for (key, _fp), g in zip(stories, groups, strict=True) if g != key)
    secs, cpu = time.perf_counter() - t, time.process_time() - c
    return secs, cpu, joined, hashlib.sha256("\n".join(groups).encode()).hexdigest()[:12]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stories", type=int, default=20_000)
    ap.add_argument("--postgresql", action="store_true", help="also on a PostgreSQL server of its own")
    args = ap.parse_args()
    stories = fingerprints(args.stories)
    work = Path(tempfile.mkdtemp(prefix="vazeh-bench-neardup-"))
    results = {}
    try:
        nd = NearDupIndex(work / "catalog.sqlite")
        results["sqlite"] = run(nd, stories)
        nd.close()
        if args.postgresql:
            sys.path.insert(0, str(Path(__file__).parent))
            from catalog import start_pg  # bench/catalog.py
            from vazeh.archive.catalog import connect

            url, data, stop = start_pg()
            try:
                nd = NearDupIndex(connect(url))
                results["postgresql"] = run(nd, stories)
                nd.close()
            finally:
                subprocess.run(stop, capture_output=True)
                shutil.rmtree(data, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"near-duplicate grouping of {args.stories:,} stories in batches of {BATCH:,}")
    for name, (secs, cpu, joined, digest) in results.items():
        print(f"  {name:10s} {args.stories / secs:>9,.0f} stories/s ({secs:.1f} s, {cpu:.1f} s CPU here), "
              f"{joined:,} joined an earlier story's group, groups {digest}")
    if "postgresql" in results:
        print(f"  postgresql/sqlite: rate {results['sqlite'][0] / results['postgresql'][0]:.2f}x")


if __name__ == "__main__":
    main()
