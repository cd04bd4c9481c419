"""A WACZ written by `vazeh export wacz` opens in pywb: every exported page replays
there (`id_`) with the bytes vazeh serves for it. (pywb 2.10's `wb-manager add` takes a
WACZ only with `--unpack-wacz`: it reads the WACZ's WARC and pages from the package.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.peers.test_pywb import PYWB_CONFIG, _free_port

from vazeh.web import WebConfig, create_app

COLL = "fromwacz"


def page(n: int) -> bytes:
    return (
        f"<html><head><meta charset='utf-8'><title>گزارش شمارهٔ {n} از بارش باران</title></head><body><article>"
        f"<h1>گزارش شمارهٔ {n} از بارش باران</h1><p>متن خبر شمارهٔ {n} دربارهٔ باران و برف در شهرهای کشور است "
        "و چند جملهٔ دیگر دارد تا صفحه یک خبر کامل باشد.</p></article></body></html>"
    ).encode()


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, pywb_bin: Path) -> tuple[Path, Path, list[str]]:
    from vazeh.pipeline import Pipeline

    root = tmp_path_factory.mktemp("wacz")
    home, urls = root / "home", [f"https://news.example.ir/news/{n}" for n in range(6)]
    start = datetime(2026, 11, 1, 8, tzinfo=UTC)
    with Pipeline(home) as pipeline:
        for n, url in enumerate(urls):
            with pipeline.archive.transaction():
                capture = pipeline.archive.write_exchange(
                    url=url, status=200, reason="OK", body=page(n), captured_at=start + timedelta(minutes=n),
                    response_headers=[("Content-Type", "text/html; charset=utf-8")],
                )
            pipeline.on_capture(capture)
    out = root / "news.wacz"
    vazeh = str(Path(sys.executable).with_name("vazeh"))
    done = subprocess.run([vazeh, "export", "wacz", str(out), "--home", str(home)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return home, out, urls


@pytest.fixture(scope="module")
def pywb(exported: tuple[Path, Path, list[str]], pywb_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _home, wacz, urls = exported
    root = tmp_path_factory.mktemp("pywb-wacz")
    (root / "config.yaml").write_text(PYWB_CONFIG)
    closed, local = "http://127.0.0.1:9", "localhost,127.0.0.1"  # nothing from the web: see test_pywb
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(root), "TMPDIR": str(root),
           "HTTP_PROXY": closed, "HTTPS_PROXY": closed, "http_proxy": closed, "https_proxy": closed,
           "NO_PROXY": local, "no_proxy": local, "LC_ALL": "C.UTF-8"}  # fmt: skip
    for cmd in (["wb-manager", "init", COLL], ["wb-manager", "add", "--unpack-wacz", COLL, str(wacz)]):
        done = subprocess.run([str(pywb_bin / cmd[0]), *cmd[1:]], cwd=root, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, f"{cmd}: {done.stdout}{done.stderr}"
    port = _free_port()
    log = open(root / "wayback.log", "wb")  # noqa: SIM115 - closed after the server stops
    proc = subprocess.Popen([str(pywb_bin / "wayback"), "-b", "127.0.0.1", "-p", str(port), "-d", str(root)],
                            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"pywb's wayback exited with {proc.returncode}:\n{(root / 'wayback.log').read_text()}")
            try:
                if httpx.get(f"{base}/{COLL}/cdx?url={urls[0]}", timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (root / "wayback.log").read_text()
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_every_page_of_the_wacz_replays_in_pywb_as_in_vazeh(exported, pywb):
    home, wacz, urls = exported
    with zipfile.ZipFile(wacz) as z:
        pages = [json.loads(line) for line in z.read("pages/pages.jsonl").decode().splitlines()[1:] if line]
    assert sorted(p["url"] for p in pages) == sorted(urls)
    with TestClient(create_app(home, config=WebConfig())) as room, httpx.Client(base_url=pywb, trust_env=False,
                                                                                   timeout=30) as peer:
        for p in pages:
            ts = "".join(ch for ch in p["ts"] if ch.isdigit())[:14]
            theirs = peer.get(f"/{COLL}/{ts}id_/{p['url']}")
            ours = room.get(f"/web/{ts}id_/{p['url']}")
            assert theirs.status_code == ours.status_code == 200, (p, theirs.status_code, ours.status_code)
            assert theirs.content == ours.content
