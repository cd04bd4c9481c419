"""pywb as the test peer (issue #13 item 6).

pywb lives in .venv-pywb, a venv of its own that `scripts/dev.py setup` makes: its
brotlipy would take the place of Google's brotli in .venv. Without it the peer
tests skip and say so.

The comparisons' tallies are printed at the end of the run (`pytest -q tests/peers`).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYWB_BIN = ROOT / ".venv-pywb" / ("Scripts" if os.name == "nt" else "bin")


@dataclass
class Tally:
    # (what, one of KINDS) -> count
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    # Lines worth reading whatever the outcome: each difference, each header that differs.
    notes: list[str] = field(default_factory=list)


TALLY_KEY = pytest.StashKey[Tally]()
KINDS = ("equal", "differ", "pywb bug", "vazeh bug (xfail)", "accepted")


@pytest.fixture(scope="session")
def tally(request: pytest.FixtureRequest) -> Tally:
    return request.config.stash.setdefault(TALLY_KEY, Tally())


@pytest.fixture(scope="session")
def pywb_bin() -> Path:
    for tool in ("wayback", "wb-manager"):
        if not (PYWB_BIN / tool).exists():
            pytest.skip(f"pywb is not installed in {PYWB_BIN.parent} (run `python3 scripts/dev.py setup`)")
    return PYWB_BIN


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001 - pytest's signature
    t = config.stash.get(TALLY_KEY, None)
    if t is None or not (t.counts or t.notes):
        return
    tr = terminalreporter
    tr.section("vazeh against pywb")
    for what in sorted({w for w, _ in t.counts}):
        counts = ", ".join(f"{t.counts[(what, k)]} {k}" for k in KINDS if t.counts[(what, k)])
        tr.write_line(f"{what}: {counts}")
    for line in t.notes:
        tr.write_line(f"  {line}")
