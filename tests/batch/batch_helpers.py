"""Row comparison for the batch tests: order-independent, field by field."""

from __future__ import annotations

import io
import zlib
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

# Where the record sits: in the source WARC for a batch job, in the archive's own
# copy after `vazeh import`. Compared by reading the record at both places.
PLACE = ("warc_file", "warc_offset", "warc_length")
# Given by the catalog when rows are stored: empty in a batch job's output.
CATALOG_IDS = ("article_id", "capture_id")


def cli(*args: str) -> str:
    """Run a `vazeh` command in this process; its stdout (the command must succeed)."""
    from typer.testing import CliRunner

    from vazeh.cli import app

    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def by_record(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = {r["warc_record_id"]: r for r in rows}
    assert len(out) == len(rows), "two rows for one WARC record"
    return out


def differences(a: list[dict[str, Any]], b: list[dict[str, Any]], skip: tuple[str, ...] = ()) -> list[str]:
    """Every field that differs between the rows of the same record, and records only on one side."""
    ra, rb = by_record(a), by_record(b)
    out = [f"only in the first: {k}" for k in sorted(ra.keys() - rb.keys())]
    out += [f"only in the second: {k}" for k in sorted(rb.keys() - ra.keys())]
    for k in sorted(ra.keys() & rb.keys()):
        for name in ra[k]:
            if name not in skip and ra[k][name] != rb[k][name]:
                out.append(f"{k} {name}: {ra[k][name]!r} != {rb[k][name]!r}")
    return out


def record_at(path: Path, offset: int, length: int) -> tuple[str, bytes]:
    """(WARC-Record-ID, payload) of the one gzip member at offset:length of a WARC file."""
    with open(path, "rb") as f:
        f.seek(offset)
        member = f.read(length)
    assert len(member) == length
    d = zlib.decompressobj(31)
    d.decompress(member)
    assert d.eof and not d.unused_data, "offset:length is not exactly one gzip member"
    rec = next(iter(ArchiveIterator(io.BytesIO(member))))
    return rec.rec_headers.get_header("WARC-Record-ID"), rec.content_stream().read()


def _fp(sig) -> bytes:  # noqa: ANN001 - a numpy uint32 array of NUM_PERM values
    from vazeh.index.neardup import _MAGIC

    return _MAGIC + sig.astype("<u4").tobytes()


def hard_stories() -> list[tuple[str, bytes]]:
    """Stories whose grouping depends on the index's exact rule (in story order)."""
    import numpy as np

    from vazeh.index.neardup import NUM_PERM

    rng = np.random.default_rng(18)

    def base():  # noqa: ANN202
        return rng.integers(0, 2**32, NUM_PERM, dtype=np.uint64).astype(np.uint32)

    def changed(sig, rows):  # noqa: ANN001, ANN202
        out = sig.copy()
        out[list(rows)] = rng.integers(0, 2**32, len(rows), dtype=np.uint64).astype(np.uint32)
        return out

    a = base()
    b = changed(a, range(0, 24))  # like a (0.81)
    c = changed(b, range(40, 64))  # like b, less like a (0.63): joins a's group through b
    z = base()
    x = changed(z, range(0, 25))  # like z in bands 4..15
    y = changed(z, range(100, 125))  # like z in bands 0..11, not like x (0.61)
    stories = [
        ("a", _fp(a)), ("x", _fp(x)), ("b", _fp(b)), ("y", _fp(y)), ("empty", b""),
        ("z", _fp(z)),  # as like x as like y: the index meets y first (band 0), though x came first
        ("c", _fp(c)), ("a-again", _fp(a)), ("lone", _fp(base())),
    ]  # fmt: skip
    stories += [(f"r{i}", _fp(base())) for i in range(30)]
    return stories
