"""Capture tests run against a small site of their own (tests/capture/site) so
they can assert exact counts; the bundled sample site is exercised by the demo test."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from vazeh.capture import FetchConfig
from vazeh.sample.server import SampleServer, serve_sample

SITE = Path(__file__).parent / "site"


@pytest.fixture(scope="module")
def site() -> Iterator[SampleServer]:
    server, _ = serve_sample("127.0.0.1", 0, site_dir=SITE)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def config() -> FetchConfig:
    """Fast and local: the test site is ours, so pacing and backoff are short."""
    return FetchConfig(allow_private=True, rate=100.0, backoff=0.01, timeout=5.0, max_bytes=1 << 20)

ARTICLE = "<html><head><meta charset='utf-8'><title>خبر {n}</title></head><body><p>متن خبر شمارهٔ {n} دربارهٔ باران.</p></body></html>"


def write_warc(path: Path, n: int, *, gzip: bool = True, start: int = 0) -> Path:
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=gzip)
        for i in range(start, start + n):
            body = ARTICLE.format(n=i).encode()
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            rec = writer.create_warc_record(
                f"https://news.example.ir/a/{i}", "response", payload=io.BytesIO(body), length=len(body), http_headers=http
            )
            writer.write_record(rec)
    return path


def write_arc(path: Path, n: int) -> Path:
    parts = [b""]
    head = b"1 0 vazeh-test\nURL IP-address Archive-date Content-type Archive-length\n"
    parts[0] = f"filedesc://{path.name} 0.0.0.0 20200101000000 text/plain {len(head)}\n".encode() + head + b"\n"
    for i in range(n):
        body = ARTICLE.format(n=i).encode()
        block = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + body
        parts.append(f"http://old.example.ir/{i}.html 192.0.2.1 2005010112000{i} text/html {len(block)}\n".encode() + block + b"\n")
    path.write_bytes(b"".join(parts))
    return path


@pytest.fixture
def make_warc():
    """`make_warc(path, n, gzip=True, start=0)`: a WARC of n small Persian article responses."""
    return write_warc


@pytest.fixture
def make_arc():
    """`make_arc(path, n)`: an ARC file of n small responses."""
    return write_arc
