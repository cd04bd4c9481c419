"""Save page now while another process is writing the search index (as `vazeh watch`
does): the page is saved, reported as saved, and becomes searchable once the other
process's turn ends. Before, the room answered 400 "Failed to acquire Lockfile:
LockBusy" although the page was captured."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vazeh.web import WebConfig, create_app

ADMIN = "hostile-admin-token-51c2"
PAGE = (
    '<!doctype html><html lang="fa"><head><meta charset="utf-8"><title>بازگشایی پل تاریخی شهر</title></head>'
    "<body><article><h1>بازگشایی پل تاریخی شهر</h1>"
    "<p>پل تاریخی شهر پس از دو سال مرمت امروز به روی رهگذران باز شد و اهالی از آن دیدن کردند.</p>"
    "<p>مسئولان گفتند نورپردازی تازهٔ پل شب‌ها روشن می‌ماند و گذر خودرو از آن ممنوع است.</p>"
    "</article></body></html>"
).encode()


OTHER_PAGE = (
    '<!doctype html><html lang="fa"><head><meta charset="utf-8"><title>برف راه‌های شمال را بست</title></head>'
    "<body><article><h1>برف راه‌های شمال را بست</h1>"
    "<p>بارش سنگین برف از دیشب چند جادهٔ شمالی کشور را بست و راهداران برای بازکردن آن‌ها کار می‌کنند.</p>"
    "<p>پلیس راه از رانندگان خواست تا بهتر شدن هوا از سفر به این مسیرها پرهیز کنند.</p>"
    "</article></body></html>"
).encode()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        status, body = (404, b"") if self.path == "/robots.txt" else (200, PAGE)
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def news_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def hold_the_index(home: str, holding: str, release: str) -> None:
    """Another writer: in the middle of its sync (turn and tantivy writer taken) it
    waits until told to go on, then ends its turn as any writer does."""
    from vazeh.archive import open_archive
    from vazeh.extract.model import ArticleStore
    from vazeh.index import SearchIndex

    def progress(_n: int) -> None:
        Path(holding).touch()
        while not Path(release).exists():
            time.sleep(0.02)

    archive = open_archive(home)
    try:
        with SearchIndex.open(home) as index:
            index.engine.writer  # noqa: B018 - take tantivy's writer lock as a sync does
            index.sync(ArticleStore(archive.db), progress=progress)
    finally:
        archive.close()


def wait_for(path: Path, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


@pytest.mark.timeout(120)
def test_save_page_now_while_another_process_writes_the_index(tmp_path: Path, news_server: str):
    from vazeh.pipeline import Pipeline

    home = tmp_path / "home"
    # One article stored but not yet indexed, so the other writer has work in its turn.
    with Pipeline(home, index=False) as pipeline:
        with pipeline.archive.transaction():
            capture = pipeline.archive.write_exchange(
                url="https://news.example.ir/news/1", status=200,
                response_headers=[("Content-Type", "text/html; charset=utf-8")], body=OTHER_PAGE,
            )
        pipeline.on_capture(capture)
    holding, release = tmp_path / "holding", tmp_path / "release"
    other = multiprocessing.get_context("spawn").Process(
        target=hold_the_index, args=(str(home), str(holding), str(release))
    )
    other.start()
    try:
        wait_for(holding)
        config = WebConfig(admin_token=ADMIN, allow_private=True)
        with TestClient(create_app(home, config=config)) as client:
            r = client.post("/api/save", json={"url": news_server + "/news/bridge"},
                            headers={"Authorization": f"Bearer {ADMIN}"})
            assert r.status_code == 200, r.text
            out = r.json()
            assert out["ok"] and out["status"] == 200, out
            release.touch()
            other.join(60)
            assert other.exitcode == 0
            # The other writer took another turn for the saved page before it ended.
            hits = client.get("/api/search", params={"q": "نورپردازی"}).json()
            assert [h["article_id"] for h in hits["hits"]] == [out["article_id"]]
    finally:
        release.touch()
        other.join(10)
        if other.is_alive():
            other.kill()
