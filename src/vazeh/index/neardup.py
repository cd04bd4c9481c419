"""The same story, many outlets: near-duplicate grouping with MinHash.

`fingerprint(article)` is computed when an article is stored (the pipeline calls
it right after extraction): a MinHash (datasketch) over word 3-shingles of the
analyzed title, lead and body, so spelling variants (ZWNJ, Arabic letters,
digits) do not hide a republished story.

`NearDupIndex` keeps the fingerprints of grouped stories in the catalog
(`neardup_stories`, and `neardup_bands`: LSH bands, 16 of 8 rows, so finding the
candidates for a new story is a few indexed lookups, not a scan), through the
catalog connection (SQLite or PostgreSQL). A new story joins the group of its
most similar earlier story when their estimated Jaccard similarity is at least
THRESHOLD; otherwise it founds a group of its own. A story's group is fixed the
first time any index groups it, so every index on the catalog, on any machine,
gives a story the same group; stories are grouped in turns (a transaction holding
`GROUP_TURN`), so two machines grouping the same new story at once agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from datasketch import MinHash

from vazeh.archive.catalog import CatalogConnection, SQLiteCatalog
from vazeh.extract.model import Article
from vazeh.persian import tokenize

NUM_PERM = 128
BANDS = 16
ROWS = NUM_PERM // BANDS
THRESHOLD = 0.7
SHINGLE = 3
_MAGIC = b"MH1"


def _shingles(tokens: list[str]) -> list[bytes]:
    if len(tokens) < SHINGLE:
        return [" ".join(tokens).encode()] if tokens else []
    return [" ".join(tokens[i : i + SHINGLE]).encode() for i in range(len(tokens) - SHINGLE + 1)]


def fingerprint(article: Article) -> bytes:
    """MinHash of the story's words; b"" when the article has no text to compare."""
    text = "\n".join(p for p in (article.title, article.lead, article.text) if p)
    shingles = _shingles(tokenize(text))
    if not shingles:
        return b""
    mh = MinHash(num_perm=NUM_PERM, seed=1)
    mh.update_batch(shingles)
    return _MAGIC + mh.hashvalues.astype("<u4").tobytes()


def signature(fp: bytes | None) -> np.ndarray | None:
    if not fp or not fp.startswith(_MAGIC) or len(fp) != len(_MAGIC) + 4 * NUM_PERM:
        return None
    return np.frombuffer(fp, dtype="<u4", offset=len(_MAGIC))


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two fingerprints (0 when either is missing)."""
    sa, sb = signature(a), signature(b)
    if sa is None or sb is None:
        return 0.0
    return float(np.count_nonzero(sa == sb)) / NUM_PERM


# Odd 64-bit multipliers, one per row of a band: a band's key is the dot product of
# its rows with them modulo 2**64 (numpy wraps), a universal hash computed for all
# sixteen bands at once; blake2b per band cost more than the SQLite lookups.
_ROW_MULTIPLIERS = np.array(
    [int.from_bytes(hashlib.blake2b(bytes([i]), digest_size=8).digest(), "little") | 1 for i in range(ROWS)],
    dtype=np.uint64,
)


def _band_keys(sig: np.ndarray) -> list[tuple[int, int]]:
    rows = sig.astype(np.uint64).reshape(BANDS, ROWS)
    keys = (rows * _ROW_MULTIPLIERS).sum(axis=1, dtype=np.uint64).view(np.int64)  # SQLite integers are signed
    return list(enumerate(keys.tolist()))


# The candidates of many stories in one statement: q holds (story, band, key of the
# band) for each. CROSS JOIN keeps SQLite from scanning `neardup_bands`: the constant
# rows drive index lookups (PostgreSQL needs no hint, and its CROSS JOIN takes no ON).
# Candidates come band by band, and within a band in the order they were grouped
# (rowid, ctid: the tables are only appended to), the order ties are broken in.
_LOOKUP_STORIES = 100  # stories per statement: 1,600 rows of q, 4,800 parameters
_JOIN = {"sqlite": ("CROSS JOIN", "b.rowid"), "postgresql": ("JOIN", "b.ctid")}


def _candidates_sql(dialect: str, stories: int) -> str:
    join, order = _JOIN[dialect]
    return (
        f"WITH q(i, band, hash) AS (VALUES {', '.join(['(?,?,?)'] * (BANDS * stories))}) "
        f"SELECT q.i, q.band, b.key, s.grp, s.fp FROM q {join} neardup_bands b ON b.band=q.band AND b.hash=q.hash "
        f"JOIN neardup_stories s ON s.key=b.key ORDER BY q.i, q.band, {order}"
    )


_INSERT_ROWS = 300  # rows per multi-row INSERT
# One story's candidates, on SQLite; in the order above without saying so (the CROSS
# JOIN walks q's bands in order, the (band, hash) index gives rowid order).
_CANDIDATES = (
    f"WITH q(band, hash) AS (VALUES {', '.join(['(?,?)'] * BANDS)}) "
    "SELECT b.key, s.grp, s.fp FROM q CROSS JOIN neardup_bands b ON b.band=q.band AND b.hash=q.hash "
    "JOIN neardup_stories s ON s.key=b.key"
)


SCHEMA = """
CREATE TABLE IF NOT EXISTS neardup_stories (key TEXT PRIMARY KEY, grp TEXT NOT NULL, fp BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS neardup_bands (band INTEGER NOT NULL, hash INTEGER NOT NULL, key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS neardup_bands_by_hash ON neardup_bands(band, hash);
"""

# The advisory lock key of the grouping turn on PostgreSQL ("vazng" in ASCII): its own
# turn, so grouping on one machine never waits for another's capture transaction.
GROUP_TURN = 0x76617A6E67
# Stories grouped per transaction: the turn is held while they are compared, so a
# capture on SQLite (one write lock per file) waits at most for this many.
CHUNK = 500


class NearDupIndex:
    """Fingerprints and groups of grouped stories, in the catalog's `neardup_*` tables.

    `db` is a catalog connection of the index's own (it opens transactions on it), or a
    path: a SQLite file of its own (the batch job's throwaway grouping)."""

    def __init__(self, db: CatalogConnection | Path):
        self.db = SQLiteCatalog(Path(db)) if isinstance(db, Path) else db
        self.db.executescript(SCHEMA)

    def _turn_begin(self) -> None:
        if self.db.dialect == "postgresql":
            self.db.execute("BEGIN")
            self.db.execute(f"SELECT pg_advisory_xact_lock({GROUP_TURN})")
        else:
            self.db.execute("BEGIN IMMEDIATE")

    def groups_of(self, stories: Iterable[tuple[str, bytes | None]]) -> list[str]:
        """The group of each (key, fingerprint), assigning one to a story seen the first
        time, committed before this returns (groups before the documents that carry
        them). Idempotent: a replay after a crash, or another index, gets the same answer."""
        out: list[str] = []
        chunk: list[tuple[str, bytes | None]] = []
        for story in stories:
            chunk.append(story)
            if len(chunk) >= CHUNK:
                out.extend(self._groups_of(chunk))
                chunk = []
        if chunk:
            out.extend(self._groups_of(chunk))
        return out

    def _groups_of(self, stories: Sequence[tuple[str, bytes | None]]) -> list[str]:
        if all(signature(fp) is None for _key, fp in stories):
            return [key for key, _fp in stories]  # nothing to compare: each its own group
        self._turn_begin()
        try:
            # SQLite answers inside the process: a statement per story costs less than
            # assembling one for the chunk (bench/neardup.py). On PostgreSQL every
            # statement is a round trip, and the chunk's few statements win by far.
            out = self._assign(stories) if self.db.dialect == "postgresql" else [
                self._group_of(key, fp) for key, fp in stories
            ]
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
        return out

    def group_of(self, key: str, fp: bytes | None) -> str:
        """The group `key` belongs to (see `groups_of`), for one story."""
        return self._groups_of([(key, fp)])[0]

    def _group_of(self, key: str, fp: bytes | None) -> str:
        """One story, inside the grouping turn, on SQLite."""
        sig = signature(fp)
        if sig is None:
            return key  # nothing to compare, so it can only be its own group
        known = self.group(key)
        if known is not None:
            return known
        bands = _band_keys(sig)
        best, best_sim = key, 0.0
        seen: set[str] = set()
        # All bands in one statement (sixteen lookups of the (band, hash) index): one
        # execute per story instead of sixteen was a third of `vazeh reindex`'s time.
        rows = self.db.execute(_CANDIDATES, [x for pair in bands for x in pair])
        rows.row_factory = None  # plain tuples (SQLite only: this path is); names are not needed here
        for cand_key, grp, cand_fp in rows:
            if cand_key in seen or cand_key == key:
                continue
            seen.add(cand_key)
            sim = similarity(fp or b"", cand_fp)
            if sim >= THRESHOLD and sim > best_sim:
                best, best_sim = grp, sim
        self.db.execute("INSERT INTO neardup_stories(key, grp, fp) VALUES(?,?,?)", (key, best, fp))
        self.db.executemany("INSERT INTO neardup_bands(band, hash, key) VALUES(?,?,?)", [(b, h, key) for b, h in bands])
        return best

    def _assign(self, stories: Sequence[tuple[str, bytes | None]]) -> list[str]:
        """Groups for a chunk of stories, inside the grouping turn. A handful of
        statements for the whole chunk (on PostgreSQL each is a round trip): the known
        groups, the candidates of every new story, the new rows. A story is compared
        with the catalog's candidates and the chunk's earlier stories, band by band, as
        if each had been grouped alone in order."""
        sigs = [signature(fp) for _key, fp in stories]
        keys = [key for key, _fp in stories]
        known = self._known([k for k, sig in zip(keys, sigs, strict=True) if sig is not None])
        new = [i for i, sig in enumerate(sigs) if sig is not None and keys[i] not in known]
        bands = {i: _band_keys(sigs[i]) for i in new}  # type: ignore[arg-type]
        found: dict[int, list[tuple[int, str, str, bytes]]] = {i: [] for i in new}
        for at in range(0, len(new), _LOOKUP_STORIES):
            part = new[at : at + _LOOKUP_STORIES]
            params = [x for i in part for band, h in bands[i] for x in (i, band, h)]
            for i, band, cand_key, grp, cand_fp in self.db.execute(_candidates_sql(self.db.dialect, len(part)), params):
                found[i].append((band, cand_key, grp, bytes(cand_fp)))
        here: dict[tuple[int, int], list[str]] = {}  # the chunk's new stories by band
        assigned: dict[str, tuple[str, bytes]] = {}
        out: list[str] = []
        for i, (key, fp) in enumerate(stories):
            if sigs[i] is None:
                out.append(key)  # nothing to compare, so it can only be its own group
            elif key in known:
                out.append(known[key])
            elif key in assigned:
                out.append(assigned[key][0])
            else:
                grp = self._best(key, fp or b"", found[i], bands[i], here, assigned)
                assigned[key] = (grp, fp or b"")
                for band_key in bands[i]:
                    here.setdefault(band_key, []).append(key)
                out.append(grp)
        self._insert("neardup_stories(key, grp, fp)", [(k, g, f) for k, (g, f) in assigned.items()])
        first_of = {keys[i]: i for i in reversed(new)}
        self._insert("neardup_bands(band, hash, key)", [(b, h, k) for k in assigned for b, h in bands[first_of[k]]])
        return out

    @staticmethod
    def _best(
        key: str,
        fp: bytes,
        found: list[tuple[int, str, str, bytes]],
        bands: list[tuple[int, int]],
        here: dict[tuple[int, int], list[str]],
        assigned: dict[str, tuple[str, bytes]],
    ) -> str:
        best, best_sim = key, 0.0
        seen: set[str] = set()
        by_band: dict[int, list[tuple[str, str, bytes]]] = {}
        for band, cand_key, grp, cand_fp in found:
            by_band.setdefault(band, []).append((cand_key, grp, cand_fp))
        for band, h in bands:
            candidates = by_band.get(band, [])
            candidates += [(k, *assigned[k]) for k in here.get((band, h), ())]
            for cand_key, grp, cand_fp in candidates:
                if cand_key in seen or cand_key == key:
                    continue
                seen.add(cand_key)
                sim = similarity(fp, cand_fp)
                if sim >= THRESHOLD and sim > best_sim:
                    best, best_sim = grp, sim
        return best

    def _known(self, keys: list[str]) -> dict[str, str]:
        known: dict[str, str] = {}
        for at in range(0, len(keys), 500):
            part = keys[at : at + 500]
            marks = ",".join("?" * len(part))
            known.update(self.db.execute(f"SELECT key, grp FROM neardup_stories WHERE key IN ({marks})", part).fetchall())
        return known

    def _insert(self, into: str, rows: list[tuple]) -> None:
        if not rows:
            return
        width = len(rows[0])
        one = "(" + ",".join("?" * width) + ")"
        for at in range(0, len(rows), _INSERT_ROWS):
            part = rows[at : at + _INSERT_ROWS]
            self.db.execute(f"INSERT INTO {into} VALUES {','.join([one] * len(part))}", [x for r in part for x in r])

    def group(self, key: str) -> str | None:
        """The group `key` was put in, or None if it was never grouped (no fingerprint)."""
        row = self.db.execute("SELECT grp FROM neardup_stories WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def import_file(self, path: Path) -> tuple[int, int]:
        """Bring the groups of an index folder's old `neardup.sqlite` (tables `stories`
        and `bands`) into the catalog, in one transaction: (stories added, stories whose
        key the catalog had already grouped otherwise). A story already in the catalog
        keeps the catalog's group, so an import replayed after a crash adds nothing."""
        import sqlite3

        old = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        added = differ = 0
        try:
            if not old.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='stories'").fetchone():
                return 0, 0
            rows = old.execute("SELECT key, grp, fp FROM stories ORDER BY rowid")
            self._turn_begin()
            try:
                while batch := rows.fetchmany(CHUNK):
                    marks = ",".join("?" * len(batch))
                    have = dict(self.db.execute(
                        f"SELECT key, grp FROM neardup_stories WHERE key IN ({marks})", [r[0] for r in batch]
                    ).fetchall())
                    new = [r for r in batch if r[0] not in have]
                    differ += sum(1 for r in batch if r[0] in have and have[r[0]] != r[1])
                    self.db.executemany("INSERT INTO neardup_stories(key, grp, fp) VALUES(?,?,?)", new)
                    bands = [
                        (b, h, key) for key, _grp, fp in new if (sig := signature(fp)) is not None
                        for b, h in _band_keys(sig)
                    ]
                    self.db.executemany("INSERT INTO neardup_bands(band, hash, key) VALUES(?,?,?)", bands)
                    added += len(new)
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        finally:
            old.close()
        return added, differ

    def commit(self) -> None:
        """Nothing to do: groups are committed as they are assigned (kept for callers)."""

    def close(self) -> None:
        self.db.close()
