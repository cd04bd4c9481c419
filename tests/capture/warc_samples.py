"""Small WARC and ARC files written for the tests (original text)."""

from __future__ import annotations

import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

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
