"""Bytes as served (issue #13 item 2): the archive keeps the exchange as it crossed the wire.

A raw-socket server on 127.0.0.1 sends exactly chosen bytes; the response record's
HTTP block must be those bytes (status line, header case, order, spacing, obs-text,
duplicates, chunked framing), the request record's block the bytes the server
received, every WARC must pass `warcio check` and `fastwarc check -p`, and replay
(`id_`) must still serve the status and the de-chunked body.
"""

from __future__ import annotations

import gzip
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from warcio.archiveiterator import ArchiveIterator

from vazeh.archive import Archive
from vazeh.archive.warcstore import warc_files
from vazeh.capture import FetchConfig, capture_urls
from vazeh.web import WebConfig, create_app

BIN = Path(sys.executable).parent

HTML = "<!doctype html><html><head><meta charset='utf-8'><title>خبر</title></head><body><p>باران</p></body></html>".encode()


def _plain(status_line: bytes, headers: bytes, body: bytes = HTML) -> bytes:
    return status_line + b"\r\n" + headers + b"Content-Length: %d\r\n\r\n" % len(body) + body


CHUNKED_BODY = b"7;ext=1\r\n<html>x\r\n" + b"%x\r\n" % (len(HTML) - 7) + HTML[7:] + b"\r\n0\r\nX-Trailer: t\r\n\r\n"

# path -> (bytes sent, the part of them the response record's block must be)
CASES: dict[str, tuple[bytes, bytes]] = {}


def _case(name: str, sent: bytes, block: bytes | None = None) -> None:
    CASES[name] = (sent, sent if block is None else block)


_case("http10-404", _plain(b"HTTP/1.0 404 File not found", b"Content-Type: text/html; charset=utf-8\r\n"))
_case("persian-reason", _plain("HTTP/1.1 200 خوب است".encode(), b"Content-Type: text/html; charset=utf-8\r\n"))
_case("empty-reason", _plain(b"HTTP/1.1 200 ", b"Content-Type: text/html; charset=utf-8\r\n"))
_case("no-reason", _plain(b"HTTP/1.1 200", b"Content-Type: text/html; charset=utf-8\r\n"))
_case("spacing", _plain(b"HTTP/1.1 200 OK", b"X-A:b\r\nX-B:   c\r\ncontent-TYPE:text/html; charset=utf-8\r\nx-z: 1 \r\n"))
_case("latin1", _plain(b"HTTP/1.1 200 OK", b"Content-Type: text/html; charset=utf-8\r\nX-Name: caf\xe9\r\n"))
_case("duplicates", _plain(
    b"HTTP/1.1 200 OK",
    b"Set-Cookie: a=1\r\nContent-Type: text/html; charset=utf-8\r\nSet-Cookie: b=2\r\nX-Dup: one\r\nX-Dup: two\r\n",
))
_case("chunked", b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n" + CHUNKED_BODY)
_case("bare-lf", b"HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\nContent-Length: %d\n\n" % len(HTML) + HTML)
_case("folded", _plain(b"HTTP/1.1 200 OK", b"Content-Type: text/html; charset=utf-8\r\nX-Folded: one\r\n  two\r\n"))
# ASCII only, so that store's fastwarc read path takes it (it leaves non-ASCII to warcio).
ASCII_PAGE = b"<html><body><p>rain</p></body></html>"
_case("bare-lf-ascii", b"HTTP/1.1 200 OK\nContent-Type: text/html\nContent-Length: %d\n\n" % len(ASCII_PAGE) + ASCII_PAGE)
_continue = b"HTTP/1.1 100 Continue\r\nX-Early: 1\r\n\r\n"
_final = _plain(b"HTTP/1.1 200 Fine", b"Content-Type: text/html; charset=utf-8\r\n")
_case("continue", _continue + _final, _final)


@dataclass
class RawServer:
    """Answers each request on a connection with the bytes of its path's case, keeping the connection."""

    sock: socket.socket
    received: dict[str, list[bytes]] = field(default_factory=dict)
    connections: int = 0
    # Bytes sent after a chunked response on the same write, which are no part of it.
    junk_after: bytes = b""

    @property
    def base_url(self) -> str:
        host, port = self.sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        buf = b""
        with conn:
            try:
                while True:
                    while b"\r\n\r\n" not in buf:
                        data = conn.recv(65536)
                        if not data:
                            return
                        buf += data
                    end = buf.index(b"\r\n\r\n") + 4
                    head, buf = buf[:end], buf[end:]
                    path = head.split(b" ", 2)[1].decode("latin-1")
                    self.received.setdefault(path, []).append(head)
                    if path == "/robots.txt":
                        conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                        continue
                    sent = CASES[path.strip("/")][0]
                    conn.sendall(sent + (self.junk_after if path == "/chunked" else b""))
                    if sent.startswith(b"HTTP/1.0"):
                        return
            except OSError:
                return


@pytest.fixture
def server() -> Iterator[RawServer]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    srv = RawServer(sock)
    threading.Thread(target=srv.serve, daemon=True).start()
    try:
        yield srv
    finally:
        sock.close()


def _config(**kw) -> FetchConfig:
    return FetchConfig(allow_private=True, rate=100.0, backoff=0.01, timeout=5.0, retries=0, **kw)


def _warc_paths(archive: Archive) -> list[Path]:
    """Every WARC file of the archive as a local file: its own, or for one an s3://
    backend has stored (VAZEH_TEST_WARCS=s3), a copy read back whole from the store."""
    paths = []
    for f in warc_files(archive.db):
        path = archive.warc_dir / f["name"]
        if not path.exists():
            assert (f["location"] or "").startswith("s3://") and f["size"] == f["committed_length"], f
            path = archive.home.parent / "from-store" / f["name"]
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(archive.read_raw(f["name"], 0, f["size"]))
        paths.append(path)
    return paths


def _blocks(archive: Archive) -> list[tuple[str, str, bytes]]:
    """(type, target URI, block bytes) of every record in the archive's WARC files."""
    out = []
    for path in _warc_paths(archive):
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f, no_record_parse=True):
                out.append((rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI"), rec.raw_stream.read()))
    return out


def _checks_pass(archive: Archive, *, payloads: bool = True) -> None:
    files = _warc_paths(archive)
    assert files
    for path in files:
        warcio = subprocess.run([str(BIN / "warcio"), "check", "-v", str(path)], capture_output=True, text=True)
        assert warcio.returncode == 0 and "fail" not in warcio.stdout.lower(), warcio.stdout + warcio.stderr
        if (BIN / "fastwarc").exists():
            fast = subprocess.run([str(BIN / "fastwarc"), "check", "-q", *(["-p"] if payloads else []), str(path)], capture_output=True, text=True)
            assert fast.returncode == 0, fast.stdout + fast.stderr
        else:  # pragma: no cover - fastwarc is a dependency
            from fastwarc.warc import ArchiveIterator as FastIterator

            with open(path, "rb") as f:
                for rec in FastIterator(f, parse_http=False):
                    assert rec.verify_block_digest()


def _replay(home: Path, url: str, ts: str):
    with TestClient(create_app(home, config=WebConfig(allow_private=True))) as client:
        return client.get(f"/web/{ts}id_/{url}")


def _capture(archive: Archive, server: RawServer, case: str, **kw) -> str:
    url = f"{server.base_url}/{case}"
    report = capture_urls(archive, [url], _config(obey_robots=False, **kw))
    assert report.captured == 1, report.errors
    return url


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_exchange_is_archived_as_it_crossed_the_wire(archive, server, case):
    url = _capture(archive, server, case)
    blocks = _blocks(archive)
    [response] = [b for t, u, b in blocks if t == "response" and u == url]
    [request] = [b for t, u, b in blocks if t == "request" and u == url]
    assert response == CASES[case][1]
    assert request == server.received[f"/{case}"][0]
    # fastwarc finds no HTTP head that ends in a bare-LF blank line, so the payload it
    # digests is the whole block; its block digest, and warcio's both digests, hold.
    _checks_pass(archive, payloads=not case.startswith("bare-lf"))
    [cap] = archive.captures(url)
    assert cap.status == int(CASES[case][1].split(b" ", 2)[1][:3]) and cap.mime == "text/html"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", sorted(CASES))
def test_raw_replay_serves_the_status_and_the_payload(home, archive, server, case):
    url = _capture(archive, server, case)
    [cap] = archive.captures(url)
    r = _replay(home, url, cap.timestamp14)
    assert r.status_code == cap.status
    payload = {"bare-lf-ascii": ASCII_PAGE, "chunked": b"<html>x" + HTML[7:]}.get(case, HTML)
    assert r.content == payload  # de-chunked: the framing is the connection's, not the payload


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", sorted(CASES))
def test_replay_of_the_page_still_works(home, archive, server, case):
    url = _capture(archive, server, case)
    [cap] = archive.captures(url)
    with TestClient(create_app(home, config=WebConfig(allow_private=True))) as client:
        r = client.get(f"/web/{cap.timestamp14}/{url}")
    assert r.status_code == cap.status
    assert ("rain" if case == "bare-lf-ascii" else "باران") in r.text


@pytest.mark.timeout(60)
def test_bytes_after_the_last_chunk_are_no_part_of_the_record(home, archive, server):
    server.junk_after = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
    url = f"{server.base_url}/chunked"
    capture_urls(archive, [url], _config(obey_robots=False))
    [response] = [b for t, u, b in _blocks(archive) if t == "response" and u == url]
    assert response == CASES["chunked"][1]
    _checks_pass(archive)


@pytest.mark.timeout(60)
def test_one_client_reuses_its_connection_and_still_records_each_exchange(home, archive, server):
    paths = ["duplicates", "chunked", "empty-reason", "persian-reason"]
    report = capture_urls(archive, [f"{server.base_url}/{p}" for p in paths], _config(concurrency=1))
    assert report.captured == len(paths), report.errors
    assert server.connections == 1  # the point: one connection, several exchanges
    blocks = _blocks(archive)
    for path in paths:
        url = f"{server.base_url}/{path}"
        assert [b for t, u, b in blocks if t == "response" and u == url] == [CASES[path][1]]
        assert [b for t, u, b in blocks if t == "request" and u == url] == server.received[f"/{path}"]
    _checks_pass(archive)


@pytest.mark.timeout(60)
def test_a_chunked_body_over_the_cap_is_cut_on_the_wire_bytes(home, archive, server):
    url = f"{server.base_url}/chunked"
    report = capture_urls(archive, [url], _config(obey_robots=False, max_bytes=40))
    assert report.truncated == 1
    [response] = [b for t, u, b in _blocks(archive) if t == "response" and u == url]
    head, _, body = CASES["chunked"][1].partition(b"\r\n\r\n")
    assert response == head + b"\r\n\r\n" + body[:40]
    _checks_pass(archive)
    assert any(b"WARC-Truncated: length" in gzip.decompress(p.read_bytes()) for p in _warc_paths(archive))
