#!/usr/bin/env python3
"""Set up the project's virtual environment at .venv and run the archive or the tests.

    python3 scripts/dev.py demo    # set up, then capture and serve the bundled sample
    python3 scripts/dev.py test    # set up, then run ruff and the whole test suite, then the
                                   # catalog tests again on PostgreSQL with the WARCs in S3

Needs only Python 3.11+ and the package registries. Setup is skipped when
pyproject.toml has not changed since the last one.

Setup (and `test`) also makes .venv-pywb, a venv of its own holding pywb, the
peer that tests/peers compares vazeh's replay and CDX answers with. It cannot
share .venv: pywb pulls in brotlipy, whose `brotli` module takes the place of
Google's, which vazeh's bounded decoder needs. A failed pywb install is only a
warning: the peer tests then skip and say why.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".vazeh-setup"
PYWB_VENV = ROOT / ".venv-pywb"
PYWB_BIN = PYWB_VENV / ("Scripts" if os.name == "nt" else "bin")
PYWB_STAMP = PYWB_VENV / ".vazeh-setup"
PYWB_PIN = "pywb==2.10.0"  # the peer's answers are what the tests compare with, so one known version


def run(*cmd: str | Path, **kw) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, **kw)


def setup() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may be run by an older python3
        sys.exit(f"vazeh needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == want and (BIN / "vazeh").exists():
        return
    if not (BIN / "python").exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [BIN / "python", "-m", "pip", "--disable-pip-version-check", "-q"]
    if run(*pip, "install", "-U", "pip") != 0 or run(*pip, "install", "-e", ".[dev,bench]") != 0:
        sys.exit("setup failed: pip could not install the project (see the messages above)")
    font = ROOT / "scripts" / "fetch_font.py"
    if font.exists():
        run(BIN / "python", font)  # optional: the reading room falls back to system fonts
    STAMP.write_text(want)


def setup_pywb() -> None:
    if PYWB_STAMP.exists() and PYWB_STAMP.read_text() == PYWB_PIN and (PYWB_BIN / "wayback").exists():
        return
    try:
        if not (PYWB_BIN / "python").exists():
            print(f"creating {PYWB_VENV} (pywb, the test peer)", flush=True)
            venv.EnvBuilder(with_pip=True).create(PYWB_VENV)
        pip = [PYWB_BIN / "python", "-m", "pip", "--disable-pip-version-check", "-q"]
        ok = run(*pip, "install", PYWB_PIN) == 0 and (PYWB_BIN / "wayback").exists()
    except OSError as e:
        print(f"  ({e})", flush=True)
        ok = False
    if not ok:
        print(f"warning: could not install {PYWB_PIN} into {PYWB_VENV}; the pywb peer tests will skip",
              file=sys.stderr, flush=True)
        return
    PYWB_STAMP.write_text(PYWB_PIN)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "setup"}:
        print(__doc__)
        return 2
    setup()
    what, rest = argv[0], argv[1:]
    if what in {"setup", "test"}:
        setup_pywb()
    if what == "setup":
        return 0
    if what == "demo":
        return run(BIN / "vazeh", "demo", *rest)
    rc = run(BIN / "ruff", "check", "src", "tests", "bench", "scripts")
    rc_tests = run(BIN / "python", "-m", "pytest", *(rest or ["-q"]))
    rc_pg = 0 if rest else run_on_server_backends()
    return rc or rc_tests or rc_pg


# The tests that touch the catalog or the WARC files, run a second time with the other
# backends: the catalog on PostgreSQL and the WARCs in S3 (moto's server), together in one
# pass (each test gets a fresh catalog and a prefix of its own on servers the tests start
# on 127.0.0.1, and WARC files rotate at 4 KiB so they are sealed, uploaded and read back
# by ranged GETs; see tests/conftest.py).
CATALOG_TESTS = [
    "tests/archive", "tests/capture", "tests/export", "tests/web", "tests/test_pipeline.py",
    "tests/extract/test_cli.py", "tests/index/test_cli.py", "tests/index/test_catalog_state.py",
    "tests/index/test_sync.py", "tests/hostile/test_concurrent_writers.py",
]
def run_on_server_backends() -> int:
    env = dict(os.environ, VAZEH_TEST_WARCS="s3")
    if any(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        env["VAZEH_TEST_CATALOG"] = "postgresql"
        print("running the catalog tests again with the catalog on PostgreSQL and the WARCs in S3", flush=True)
    else:
        print("warning: PostgreSQL is not installed (/usr/lib/postgresql/*/bin): the catalog tests run again with "
              "the WARCs in S3 but the catalog on SQLite (apt-get install postgresql)", flush=True)
    return subprocess.call([str(BIN / "python"), "-m", "pytest", "-q", "-m", "not browser", *CATALOG_TESTS],
                           cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
