"""Where a search index is: its watermark and format, as a row of the catalog.

A search index keeps step with the catalog's article feed by a watermark: the last
article `seq` whose changes the engine has committed. The row `index_state(name)`
holds it, with the formats the index was built in (engine schema, Persian analysis,
the catalog's story-key format) and whether a rebuild is pending. Keeping it in the
catalog rather than beside the engine's files means any machine on a shared
catalog can see how far every index is (`IndexState.all`), and an engine that is a
server (not a folder) needs no local file beyond its name.

An index's name is `<index folder>/name`, written once when the index is first
opened (host name and a random part: two machines with the same folder layout, or
a copy of a home, never share a row). The engine's files stay where they are; an
index folder that loses them loses its name too, and starts over at seq 0.

Crash safety is the order of `SearchIndex.commit`: groups (committed as they are
assigned), then the engine's commit, then `IndexState.write`. A kill between the
engine's commit and the row's update replays those articles at the next sync, which
is harmless: each story is deleted by key before it is added again.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vazeh.archive.catalog import CatalogConnection

SCHEMA = """
CREATE TABLE IF NOT EXISTS index_state (
    name TEXT PRIMARY KEY,
    seq INTEGER NOT NULL DEFAULT 0,
    schema INTEGER,
    analysis TEXT,
    keys INTEGER,
    pending_rebuild INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);
"""

FIELDS = ("seq", "schema", "analysis", "keys", "pending_rebuild")


class IndexState:
    """The `index_state` rows of a catalog."""

    def __init__(self, db: CatalogConnection):
        self.db = db
        self.db.executescript(SCHEMA)

    def read(self, name: str) -> dict[str, Any]:
        """The index's state as a dict (only the fields that are set); {} for an index
        the catalog has never seen."""
        row = self.db.execute(
            "SELECT seq, schema, analysis, keys, pending_rebuild FROM index_state WHERE name=?", (name,)
        ).fetchone()
        if row is None:
            return {}
        state = {f: row[i] for i, f in enumerate(FIELDS) if row[i] is not None}
        state["pending_rebuild"] = bool(state.get("pending_rebuild"))
        return state

    def write(self, name: str, state: dict[str, Any]) -> None:
        """Record the state in one statement (its own commit unless inside a transaction)."""
        values = (
            int(state.get("seq", 0)),
            state.get("schema"),
            state.get("analysis"),
            state.get("keys"),
            1 if state.get("pending_rebuild") else 0,
            datetime.now(UTC).isoformat(timespec="seconds"),
        )
        self.db.execute(
            "INSERT INTO index_state(name, seq, schema, analysis, keys, pending_rebuild, updated_at) "
            "VALUES(?,?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET seq=excluded.seq, schema=excluded.schema, "
            "analysis=excluded.analysis, keys=excluded.keys, pending_rebuild=excluded.pending_rebuild, "
            "updated_at=excluded.updated_at",
            (name, *values),
        )

    def all(self) -> list[dict[str, Any]]:
        """Every index the catalog knows, with its watermark (for operators)."""
        rows = self.db.execute(
            "SELECT name, seq, schema, analysis, keys, pending_rebuild, updated_at FROM index_state ORDER BY name"
        ).fetchall()
        return [dict(zip(("name", *FIELDS, "updated_at"), tuple(r), strict=True)) for r in rows]


def index_name(folder: Path) -> str:
    """The name of the index in `folder`, given it on first use (atomically: two processes
    opening a new index at once end with one name)."""
    path = folder / "name"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    name = f"{socket.gethostname()}-{uuid.uuid4().hex[:12]}"
    tmp = folder / f"name.{os.getpid()}.{uuid.uuid4().hex[:6]}.tmp"
    with open(tmp, "w") as f:
        f.write(name + "\n")
        f.flush()
        os.fsync(f.fileno())
    try:
        os.link(tmp, path)  # fails if another process named the index first
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return path.read_text().strip()
