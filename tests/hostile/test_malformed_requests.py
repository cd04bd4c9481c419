"""Malformed requests against the reading room, over a real connection (issue #12).

A few hundred requests a hostile or careless client sends: URLs that are no web
address, impossible timestamps, ids past SQLite's integers, bad query parameters,
CDX parameters, feeds, headers and methods. Each is sent as raw bytes to uvicorn
on 127.0.0.1 (httptools, as `vazeh serve` runs), so a dropped connection shows as
one; every answer must be a well-formed HTTP response with a status below 500.

The archive is the reading room's test sample (tests/web/conftest.py), loaded
with importlib because this suite runs with --import-mode=importlib.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from vazeh.archive import open_archive
from vazeh.web import WebConfig, create_app

ADMIN_TOKEN = "hostile-admin-token-51c2"


def _web_sample_module():
    name = "vazeh_tests_web_sample_for_hostile"
    if name in sys.modules:
        return sys.modules[name]
    path = Path(__file__).resolve().parents[1] / "web" / "conftest.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@dataclass
class Live:
    port: int
    sample: object  # tests/web/conftest.py's SampleArchive


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    import uvicorn

    home = tmp_path_factory.mktemp("malformed") / "vazeh-data"
    open_archive(home).close()
    sample = _web_sample_module().build_sample(home)
    app = create_app(home, config=WebConfig(admin_token=ADMIN_TOKEN))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, http="httptools", log_level="critical", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield Live(sock.getsockname()[1], sample)
    finally:
        server.should_exit = True
        thread.join(30)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def send(port: int, raw: bytes) -> Answer:
    """One request as raw bytes; the whole answer read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        s.sendall(raw)
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    data = b"".join(chunks)
    assert data, "the server closed the connection without an answer"
    head, sep, body = data.partition(b"\r\n\r\n")
    assert sep, f"no end of head in {data[:200]!r}"
    lines = head.split(b"\r\n")
    version, status, *_ = lines[0].split(b" ", 2)
    assert version.startswith(b"HTTP/1."), lines[0]
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        assert colon and name and name.strip() == name, f"malformed header line {line!r}"
        # Every byte the room sends in a head is visible ASCII (or a tab).
        assert all(b == 9 or 32 <= b < 127 for b in value), f"unsendable byte in {line!r}"
        headers[name.decode("ascii").lower()] = value.decode("ascii").strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)
    return Answer(int(status), headers, body)


def _dechunk(body: bytes) -> bytes:
    out = bytearray()
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2:]
    return bytes(out)


def request(method: str, target: str, headers: list[tuple[str, str]] | None = None, body: bytes = b"") -> bytes:
    """A request whose target goes out exactly as written (the list decides what is encoded)."""
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
    names = {k.lower() for k, _ in headers or []}
    if "host" in names:
        lines = lines[:1]
    lines += [f"{k}: {v}" for k, v in headers or []]
    if body or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + body


# ---------------------------------------------------------------------- the list
STORY = "http://ava.example/news/2002/second"

BAD_URLS = [
    "javascript:alert(1)", "JavaScript:alert(document.cookie)", "vbscript:msgbox", "data:text/html,<script>alert(1)</script>",
    "data:,", "mailto:someone@example.com", "tel:+98211234", "about:blank", "file:///etc/passwd", "ftp://files.example/",
    "blob:http://x/1", "http://[::1", "http://[::1]:99999/", "http://[not-ipv6]/", "http://[v1.x]/",
    "http://example.com:99999/", "http://example.com:-1/", "http://example.com:abc/", "http://example.com:/",
    "http://", "https://", "//", "///", "http:///path", "http://user:pass@/", "http://@/", "http://:80/",
    "http://a..b/", "http://.example/", "http://xn--/", "http://" + "a" * 300 + ".example/",
    "http://example.com/" + "x" * 9000, "http://256.256.256.256/", "http://0x7f.1/", "http://example.com/%00",
    "http://example.com/%0d%0aSet-Cookie:%20x=1", "http://example.com/%0aX", "http://example.com/%ff%fe",
    "http://example.com/%zz", "http://example.com/%", "http://example.com/\u202egnp.exe",
    "http://ava.example/news/%D8%B3%DB%8C%D9%84", "http://example.com/?" + "&" * 3000, "http://example.com/#frag",
    "*", "*.", "*.com", "**", "*.*", "%", "%%", "%20", "  ", "\u200c", "سلام", "http://سلام.ایران/",
    "http://example.com:8080:8080/", "http://[::1]x/", "http://ex ample.com/", "http:\\\\example.com\\",
    "HTTP://AVA.EXAMPLE/NEWS/2002/SECOND", "ws://example.com/", "chrome://settings", "view-source:http://x/",
]
BAD_TIMESTAMPS = [
    "00000000000000", "0", "00", "0000", "99999999999999", "20261301000000", "20240230", "2024023125",
    "20240101240000", "20240101236000", "20240101235960", "20240100000000", "19991231235959", "1",
    "۲۰۲۴", "٢٠٢٤", "2024xx_", "2024zz_", "2024ID_", "2024id", "20240101000000im", "-1", "2024*", "*",
    "123456789012345", "20240101000000000", "0001", "9999", "10000101000000",
]
BAD_IDS = ["9223372036854775808", "9223372036854775807", "-1", "-9223372036854775809", "1e5", "0x10", "٣",
           "9" * 400, "%00", "1.0", "+1", " 1", "1;DROP TABLE articles", "null", "NaN", "inf"]
BAD_INTS = ["0", "-1", "99999999999999999999", "abc", "1e3", "", "%00", "١", "2147483648", "9" * 300]
BAD_QUERIES = ['"', '"""', "(((", ")))", "OR", "AND", "-", "--", "*", "source:", "category:", "date:",
               "date:9999/99", "date:0/0", "date:1402/13", "date:1402/05/99", "source:\"", "\u0000", "\u200c\u200c",
               "ي ك", "a" * 1000, "a" * 1001, "%00", "\\", "'", "NOT", "-سیل", "\"سیل", "سیل OR", "OR سیل",
               "title:سیل", "source:مهر date:1402/05", "%F0%9F%98%80" * 50]
CDX_PARAMS = [
    "matchType=bogus", "matchType=", "from=abc", "from=00000000000000", "from=99999999999999", "to=abc",
    "to=99999999999999", "to=0", "from=2024-13-01", "limit=abc", "limit=-99999999999999999999",
    "limit=99999999999999999999", "limit=0", "output=xml", "output=", "fl=", "fl=,,,", "fl=urlkey,nope", "fl=%00",
    "sort=closest", "sort=closest&closest=abc", "sort=closest&closest=0", "sort=sideways", "closest=99999999999999",
    "filter=", "filter=!", "filter=~", "filter==", "filter=!~", "filter=~url:(", "filter=~url:[", "filter=:x",
    "filter=url", "filter=nofield:x", "filter=~url:(a)%5C1", "filter=~url:(%3F%3Da)", "filter=~url:a%7B1000%7D%7B1000%7D",
    "filter=~digest:%5E(%5Cw%7C%5Cw%5Cw)*!", "filter=" + "a" * 5000, "&".join(["filter=mime:x"] * 100),
    "filter=%00", "filter=~url:%00", "fl=url&output=json&filter=~url:.*", "showNumPages=true", "page=-1",
]
FEEDS = ["/feeds/newest.xml", "/feeds/newest.", "/feeds/newest", "/feeds/search.rss", "/feeds/search.rss?q=",
         "/feeds/search.rss?q=(((", "/feeds/search.atom?q=" + quote('"'), "/feeds/source/%00.rss",
         "/feeds/source/.rss", "/feeds/category/.rss", "/feeds/category/%2F%2F.atom", "/feeds/source/x.json",
         "/feeds/search.rss?q=" + "a" * 1001, "/feeds/category/" + "a/" * 500 + "b.rss"]
PAGES = ["/", "/source/%00", "/source/" + "ب" * 2000, "/source/%ff", "/category/", "/category/%2F", "/category/%00/x",
         "/categories?page=-1", "/sources?x=%00", "/newest?page=0", "/search?q=%00", "/search?sort=bogus&q=x",
         "/search?page=999999&q=x", "/static/../../etc/passwd", "/static/%2e%2e/%2e%2e/etc/passwd",
         "/static/fonts/../../app.py", "/static/", "/static/%00", "/favicon.ico", "/docs", "/openapi.json",
         "/redoc", "/nope", "/%00", "/%ff%fe", "/" + "x" * 8000, "/..", "/./", "//", "/save?url=javascript:alert(1)",
         "/save?url=%00", "/api/", "/api/articles/", "/api/nope", "/article/", "/article/1/diff/", "/web/", "/web",
         "/web/2024/", "/web/2024id_/", "/timemap/link/", "/timemap/", "/cdx?", "/captures", "/api/captures"]


def malformed_requests() -> list[tuple[str, bytes]]:
    out: list[tuple[str, bytes]] = []

    def get(target: str, headers: list[tuple[str, str]] | None = None, method: str = "GET", body: bytes = b"") -> None:
        out.append((f"{method} {target[:120]} {headers or ''}"[:200], request(method, target, headers, body)))

    for u in BAD_URLS:
        q = quote(u, safe="")
        p = quote(u, safe=":/?&=%#[]@!$'()*+,;~")
        get(f"/captures?url={q}")
        get(f"/api/captures?url={q}")
        get(f"/cdx?url={q}")
        get(f"/timemap/link/{p}")
        get(f"/web/2024/{p}")
        get(f"/web/{p}")
        get(f"/web/2024id_/{p}")
        get(f"/web/2024*/{p}")
    for ts in BAD_TIMESTAMPS:
        p = quote(ts, safe="*")
        get(f"/web/{p}/{STORY}")
        get(f"/web/{p}/")
        get(f"/cdx?url=ava.example/*&from={p}")
        get(f"/cdx?url=ava.example/*&to={p}")
        get(f"/cdx?url=ava.example/*&sort=closest&closest={p}")
    for i in BAD_IDS:
        p = quote(i, safe="%")
        get(f"/article/{p}")
        get(f"/api/articles/{p}")
        get(f"/article/{p}/diff/1")
        get(f"/article/1/diff/{p}")
    for v in BAD_INTS:
        p = quote(v, safe="%")
        for target in (f"/newest?page={p}", f"/api/articles?limit={p}", f"/api/articles?offset={p}",
                       f"/api/search?q=x&page={p}", f"/api/search?q=x&per_page={p}", f"/search?q=x&page={p}",
                       f"/cdx?url=ava.example/*&limit={p}"):
            get(target)
    for text in BAD_QUERIES:
        q = quote(text, safe="%")
        get(f"/search?q={q}")
        get(f"/api/search?q={q}")
        get(f"/api/search?q={q}&sort=newest")
        get(f"/feeds/search.rss?q={q}")
    for params in CDX_PARAMS:
        get(f"/cdx?url=ava.example/*&{params}")
    for target in FEEDS + PAGES:
        get(target)
    story = quote(STORY, safe=":/")
    for value in ("garbage", "Mon, 99 Foo 99999 99:99:99 GMT", "Mon, 01 Jan 0000 00:00:00 GMT",
                  "Fri, 31 Dec 9999 23:59:59 GMT", "Sat, 01 Jan 10000 00:00:00 GMT", "", "0", "-1",
                  "Mon, 01 Jan 2024 00:00:00 +9999", "Mon, 01 Jan 2024 25:61:61 GMT", "\u0000", "٢٠٢٤"):
        get(f"/web/{story}", [("Accept-Datetime", value)])
        get(f"/web/{story}", [("Accept-Datetime", value)], method="HEAD")
    for host in ("evil.example", "", "[::1", "127.0.0.1:99999", "a" * 2000, "evil.example\u00e9", "ex ample"):
        get("/", [("Host", host)])
        get(f"/web/2030/{story}", [("Host", host)])
    for name, value in (("User-Agent", "\u00ff\u00fe"), ("User-Agent", "x" * 8000), ("Cookie", "%%%; ;;="),
                        ("Cookie", "vazeh_admin=forged"), ("Authorization", "Bearer"), ("Authorization", "Basic %%%"),
                        ("X-Vazeh-Token", "\u00e9"), ("Accept", "*/*;q=abc"), ("Accept-Language", "fa;q=x"),
                        ("Range", "bytes=abc"), ("Range", "bytes=99999999-"), ("If-None-Match", '"'),
                        ("If-Modified-Since", "garbage"), ("Accept-Encoding", "br;q=x, gzip;q=-1"),
                        ("X-Forwarded-For", "not-an-ip"), ("X-Forwarded-Host", "evil.example"),
                        ("Content-Type", "application/json; charset=nope")):
        get("/", [(name, value)])
        get("/static/style.css", [(name, value)])
        get(f"/web/2030id_/{story}", [(name, value)])
    for method, target, body, headers in (
        ("POST", "/", b"", []), ("PUT", "/api/articles/1", b"{}", []), ("DELETE", f"/web/2030/{story}", b"", []),
        ("OPTIONS", "/api/search", b"", []), ("PATCH", "/cdx", b"", []), ("HEAD", "/", b"", []),
        ("HEAD", f"/web/2030/{story}", b"", []), ("HEAD", "/cdx?url=%00", b"", []), ("TRACE", "/", b"", []),
        ("POST", "/api/save", b"{", [("Content-Type", "application/json")]),
        ("POST", "/api/save", b'{"url": "javascript:alert(1)"}',
         [("Content-Type", "application/json"), ("Authorization", f"Bearer {ADMIN_TOKEN}")]),
        ("POST", "/api/save", b'{"url": "http://[::1"}',
         [("Content-Type", "application/json"), ("Authorization", f"Bearer {ADMIN_TOKEN}")]),
        ("POST", "/api/save", b'{"url": 5}', [("Content-Type", "application/json")]),
        ("POST", "/save", b"url=%00&token=x", [("Content-Type", "application/x-www-form-urlencoded")]),
        ("POST", "/save", b"\xff\xfe", [("Content-Type", "multipart/form-data; boundary=")]),
    ):
        get(target, headers, method=method, body=body)
    return out


REQUESTS = malformed_requests()


def test_the_list_is_a_few_hundred_requests():
    assert len(REQUESTS) >= 300


def _check(answer: Answer, label: str) -> None:
    assert answer.status < 500, f"{label}: {answer.status} {answer.body[:300]!r}"
    if answer.status in (204, 304) or 300 <= answer.status < 400 or label.startswith("HEAD"):
        return
    ctype = answer.headers.get("content-type", "")
    assert ctype, f"{label}: no Content-Type"
    if "ndjson" in ctype:
        for line in answer.body.decode("utf-8").splitlines():
            json.loads(line)
    elif "json" in ctype:
        json.loads(answer.body)
    elif ctype.startswith("text/"):
        text = answer.body.decode("utf-8")
        if ctype.startswith("text/html") and answer.status >= 400:
            assert 'dir="rtl"' in text, f"{label}: an error page that is not the room's"


def test_no_malformed_request_gets_a_500_or_a_dropped_connection(live: Live):
    failures = []
    for label, raw in REQUESTS:
        try:
            _check(send(live.port, raw), label)
        except (AssertionError, ValueError, OSError) as e:
            failures.append(f"{label}: {type(e).__name__}: {str(e).splitlines()[0][:300] if str(e) else ''}")
    assert not failures, f"{len(failures)} of {len(REQUESTS)} malformed requests failed:\n" + "\n".join(failures[:40])


def test_errors_a_reader_sees_are_in_persian(live: Live):
    for target in ("/web/20261301000000/" + STORY, "/web/2024/javascript:alert(1)", "/article/9223372036854775808",
                   "/captures?url=http%3A%2F%2F%5B%3A%3A1"):
        answer = send(live.port, request("GET", target))
        assert 400 <= answer.status < 500, target
        text = answer.body.decode("utf-8")
        assert 'lang="fa"' in text and any("\u0600" <= ch <= "\u06ff" for ch in text), target
