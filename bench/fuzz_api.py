"""Fuzz the reading room's API from its own OpenAPI schema with schemathesis (issue #12).

    .venv/bin/python bench/fuzz_api.py                       # 200 examples per operation
    .venv/bin/python bench/fuzz_api.py --max-examples 1000 --checks all
    .venv/bin/python bench/fuzz_api.py --home ~/persian-news  # an archive of your own (read-only use)

Builds the reading room's small test archive (tests/web/conftest.py's
build_sample, through the real library) in a temporary home unless --home is
given, starts `uvicorn` on 127.0.0.1 (an ephemeral port) in a separate process,
and runs `schemathesis run` against http://127.0.0.1:<port>/openapi.json. The
default check is `not_a_server_error` (no 5xx, no dropped connection); `--checks
all` adds schema and status-code conformance. Prints how many requests were
sent and how many failed, by check and operation; exits 1 if any did.

Needs the bench extra (`pip install -e '.[bench]'`, which brings schemathesis).
Not run in CI: it takes minutes and its inputs are random.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def build_home(parent: Path) -> Path:
    from vazeh.archive import open_archive

    name = "vazeh_tests_web_sample_for_fuzz"
    spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "web" / "conftest.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    home = parent / "vazeh-data"
    open_archive(home).close()
    module.build_sample(home)
    return home


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "VAZEH_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "vazeh.web.app:app_from_env", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        env=env,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"uvicorn exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise SystemExit("uvicorn did not answer within 120 s")


def summarize(ndjson: Path) -> tuple[int, Counter, list[str]]:
    """Requests sent, failures by (check, operation), and a few failing examples."""
    requests = 0
    failures: Counter = Counter()
    examples: list[str] = []
    for line in ndjson.read_text(encoding="utf-8").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        for kind, body in event.items():
            if kind != "ScenarioFinished" or not isinstance(body, dict):
                continue
            recorder = body.get("recorder") or {}
            interactions = recorder.get("interactions") or {}
            requests += len(interactions)
            label = recorder.get("label", "?")
            cases = recorder.get("cases") or {}
            for case_id, checks in (recorder.get("checks") or {}).items():
                for check in checks:
                    if str(check.get("status", "")).lower() != "failure":
                        continue
                    failure = ((check.get("failure_info") or {}).get("failure") or {})
                    key = (f"{failure.get('code', '')} {check.get('name', '?')}".strip(), label)
                    failures[key] += 1
                    if len(examples) < 12:
                        case = (cases.get(case_id) or {}).get("value") or {}
                        what = {k: case.get(k) for k in ("method", "path_parameters", "query", "headers") if case.get(k)}
                        message = str(failure.get("message", "")).splitlines()[0:1]
                        examples.append(f"{key[0]} {label}: {message[0] if message else ''} "
                                        f"{json.dumps(what, ensure_ascii=False)[:300]}")
    return requests, failures, examples


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", type=Path, help="an archive home to serve (default: a fresh sample archive)")
    ap.add_argument("--max-examples", type=int, default=200, help="examples per operation and phase")
    ap.add_argument("--checks", default="not_a_server_error", help="schemathesis checks (comma-separated, or all)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--workers", default="1", help="schemathesis workers (the server has two cores to share)")
    ap.add_argument("--report", type=Path, default=ROOT / "bench" / "out" / "fuzz-api.ndjson",
                    help="where schemathesis's NDJSON events go")
    args = ap.parse_args()
    if shutil.which("schemathesis", path=str(Path(sys.executable).parent)) is None and shutil.which("schemathesis") is None:
        print("schemathesis is not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    exe = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
    with tempfile.TemporaryDirectory(prefix="vazeh-fuzz-") as tmp:
        home = args.home or build_home(Path(tmp))
        port = free_port()
        proc = start_server(home, port)
        report = args.report
        report.parent.mkdir(parents=True, exist_ok=True)
        report.unlink(missing_ok=True)
        cmd = [exe, "run", f"http://127.0.0.1:{port}/openapi.json", "--checks", args.checks,
               "--max-examples", str(args.max_examples), "--workers", args.workers, "--report", "ndjson",
               "--report-ndjson-path", str(report), "--no-color", "--request-timeout", "60",
               "--exclude-path", "/api/save"]  # save page now would fetch from the live web
        if args.seed is not None:
            cmd += ["--seed", str(args.seed)]
        started = time.monotonic()
        try:
            run = subprocess.run(cmd, capture_output=True, text=True)
        finally:
            proc.terminate()
            proc.wait(30)
        elapsed = time.monotonic() - started
        tail = run.stdout.strip().splitlines()[-25:]
        print("\n".join(tail))
        if not report.exists():
            print(run.stderr[-2000:], file=sys.stderr)
            return 2
        requests, failures, examples = summarize(report)
    print(f"\nrequests: {requests}  failures: {sum(failures.values())}  ({elapsed:.0f} s)")
    for (check, label), n in failures.most_common():
        print(f"  {n:5d}  {check:30s} {label}")
    for e in examples:
        print("  e.g.", e)
    return 1 if failures or run.returncode not in (0,) else 0


if __name__ == "__main__":
    raise SystemExit(main())
