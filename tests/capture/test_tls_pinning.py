"""Connecting to the checked address keeps TLS honest: SNI and certificate checks use the host name."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from vazeh.capture import FetchConfig, capture_urls, fetcher, guard

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a test certificate")


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = b"<html><body>tls ok</body></html>"
        self.send_response(404 if self.path == "/robots.txt" else 200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def tls_site(tmp_path_factory) -> Iterator[tuple[int, Path, list[str]]]:
    """An HTTPS server on 127.0.0.1 whose self-signed certificate names only `localhost`."""
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost"],
        check=True, capture_output=True,
    )
    names: list[str] = []  # the SNI each handshake sent
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.sni_callback = lambda sock, name, c: names.append(name or "")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], cert, names
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def trust_test_cert(tls_site, monkeypatch):
    _, cert, _ = tls_site
    monkeypatch.setattr(fetcher, "_ssl_context", lambda: ssl.create_default_context(cafile=str(cert)))


def _resolve_to_loopback(monkeypatch):
    async def loopback(host, port):
        return ["127.0.0.1"]

    monkeypatch.setattr(guard, "resolve", loopback)


def test_tls_to_the_pinned_address_sends_and_verifies_the_host_name(archive, tls_site, trust_test_cert, monkeypatch):
    port, _, names = tls_site
    _resolve_to_loopback(monkeypatch)
    names.clear()
    url = f"https://localhost:{port}/news"
    report = capture_urls(archive, [url], FetchConfig(allow_private=True, rate=100, retries=0))
    assert report.captured == 1, report.errors
    assert names and set(names) == {"localhost"}
    [cap] = archive.captures(url)
    assert archive.read_record(cap).rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"


def test_a_certificate_for_another_name_is_refused_at_the_pinned_address(archive, tls_site, trust_test_cert, monkeypatch):
    # The socket reaches the same server, but the name asked for is not on its certificate.
    port, _, _ = tls_site
    _resolve_to_loopback(monkeypatch)
    url = f"https://rebind.invalid:{port}/news"
    report = capture_urls(archive, [url], FetchConfig(allow_private=True, rate=100, retries=0, obey_robots=False))
    assert report.failed == 1 and report.captured == 0
    assert "CERTIFICATE_VERIFY_FAILED" in report.errors[0] or "hostname" in report.errors[0].lower()
