"""pywb as the test peer (issue #13 item 6).

pywb lives in .venv-pywb, a venv of its own that `scripts/dev.py setup` makes: its
brotlipy would take the place of Google's brotli in .venv. Without it the peer
tests skip and say so.

The comparisons' tallies are printed at the end of the run (`pytest -q tests/peers`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
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
KINDS = ("equal", "differ", "pywb bug", "accepted")


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


PYWB_CONFIG = """\
# Written by tests/peers: replay of the local collection only. No `live`
# collection, no recording, no proxy mode, so nothing is fetched from the web.
collections_root: collections
enable_memento: true
framed_replay: false
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def offline_env(root: Path) -> dict[str, str]:
    """pywb's environment: every request it makes goes through a proxy on the discard
    port, where nothing listens, so a fetch from the web fails at once; only its own
    warcserver, which wayback asks over HTTP on localhost, is reached directly."""
    closed, local = "http://127.0.0.1:9", "localhost,127.0.0.1"
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(root), "TMPDIR": str(root),
        "HTTP_PROXY": closed, "HTTPS_PROXY": closed, "http_proxy": closed, "https_proxy": closed,
        "NO_PROXY": local, "no_proxy": local, "TLDEXTRACT_CACHE": str(root / "tldextract"), "LC_ALL": "C.UTF-8",
    }  # fmt: skip


@contextmanager
def wayback(pywb_bin: Path, root: Path, coll: str, files: Sequence[Path | str], *, unpack_wacz: bool = False,
            probe: str = "/cdx?url=*") -> Iterator[str]:
    """pywb's `wayback` on 127.0.0.1 over a collection of `files` made with `wb-manager`
    in `root`; yields its base URL, stops it after."""
    (root / "config.yaml").write_text(PYWB_CONFIG)
    env = offline_env(root)
    add = ["wb-manager", "add", *(["--unpack-wacz"] if unpack_wacz else []), coll, *map(str, files)]
    for cmd in (["wb-manager", "init", coll], add):
        done = subprocess.run([str(pywb_bin / cmd[0]), *cmd[1:]], cwd=root, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, f"{cmd}: {done.stdout}{done.stderr}"
    port = free_port()
    log_path = root / "wayback.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(pywb_bin / "wayback"), "-b", "127.0.0.1", "-p", str(port), "-d", str(root)],
                                cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"pywb's wayback exited with {proc.returncode}:\n{log_path.read_text()}")
                try:
                    if httpx.get(f"{base}/{coll}{probe}", timeout=2, trust_env=False).status_code < 500:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"pywb's wayback did not answer within 60 s:\n{log_path.read_text()}")
                time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
