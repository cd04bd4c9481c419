"""A WACZ written by `vazeh export wacz` opens in pywb: every exported page replays
there (`id_`) with the bytes vazeh serves for it. (pywb 2.10's `wb-manager add` takes a
WACZ only with `--unpack-wacz`: it reads the WACZ's WARC and pages from the package.)"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.peers.conftest import wayback

from vazeh.web import WebConfig, create_app

COLL = "fromwacz"


STYLE = b"body{background:url(/paper.png)}h1{color:#234}"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082"
)


def page(n: int) -> bytes:
    return (
        f"<html><head><meta charset='utf-8'><title>گزارش شمارهٔ {n} از بارش باران</title>"
        "<link rel='stylesheet' href='/site.css'></head><body><article>"
        f"<h1>گزارش شمارهٔ {n} از بارش باران</h1><img src='/photo.png' alt=''><p>متن خبر شمارهٔ {n} دربارهٔ "
        "باران و برف در شهرهای کشور است و چند جملهٔ دیگر دارد تا صفحه یک خبر کامل باشد.</p></article></body></html>"
    ).encode()


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        files = {"/site.css": ("text/css", STYLE), "/photo.png": ("image/png", PNG), "/paper.png": ("image/png", PNG)}
        if self.path.startswith("/news/"):
            kind, body = "text/html; charset=utf-8", page(int(self.path.rsplit("/", 1)[1]))
        elif self.path in files:
            kind, body = files[self.path]
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, pywb_bin: Path) -> tuple[Path, Path, list[str]]:
    """Pages captured with their stylesheet and pictures, exported as a WACZ."""
    from vazeh.capture import FetchConfig, capture_urls
    from vazeh.pipeline import Pipeline

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    root = tmp_path_factory.mktemp("wacz")
    home, urls = root / "home", [f"{base}/news/{n}" for n in range(4)]
    try:
        with Pipeline(home) as pipeline:
            config = FetchConfig(allow_private=True, rate=100.0, backoff=0.01, timeout=5.0)
            report = capture_urls(pipeline.archive, urls, config, on_capture=pipeline.on_capture)
            assert report.captured >= len(urls), report.errors
    finally:
        server.shutdown()
        server.server_close()
    out = root / "news.wacz"
    vazeh = str(Path(sys.executable).with_name("vazeh"))
    done = subprocess.run([vazeh, "export", "wacz", str(out), "--home", str(home)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["rows"] == len(urls) and summary["resources"] == 3, summary  # the css, its image, the photo
    return home, out, urls


@pytest.fixture(scope="module")
def pywb(exported: tuple[Path, Path, list[str]], pywb_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with wayback(pywb_bin, tmp_path_factory.mktemp("pywb-wacz"), COLL, [exported[1]], unpack_wacz=True) as base:
        yield base


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


def test_the_pages_resources_come_with_them_and_replay_in_pywb(exported, pywb):
    home, wacz, urls = exported
    base = urls[0].rsplit("/news/", 1)[0]
    with httpx.Client(base_url=pywb, trust_env=False, timeout=30) as peer:
        for path, body in (("/site.css", STYLE), ("/paper.png", PNG), ("/photo.png", PNG)):
            r = peer.get(f"/{COLL}/2id_/{base}{path}")
            assert r.status_code == 200 and r.content == body, path
