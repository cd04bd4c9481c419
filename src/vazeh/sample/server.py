"""The bundled sample news site, served over HTTP on 127.0.0.1 for tests and `vazeh demo`.

Static files: `/x/y` is answered from `site/x/y`, `site/x/y.html` or
`site/x/y/index.html` (in that order). Files whose name starts with `_` are
never served. `site/_headers.json` overrides response headers per path, so the
site can misbehave the way real Persian sites do (a wrong charset label, no
label at all):

    {"/isna/news/2.html": {"Content-Type": "text/html; charset=iso-8859-1"},
     "/old/*": {"Content-Type": "text/html"},
     "/x": {"X-Drop-Me": null}}

Keys are URL paths (a leading `/` is optional, `*` globs allowed); a `null`
value removes that header. In text files (.html, .xml, .txt) the placeholder
`{{base_url}}` is replaced by the server's own base URL (e.g.
`http://127.0.0.1:41234`), so feeds and sitemaps can hold absolute links even
though the port is chosen at start; relative links work as well. Every static answer carries an ETag and a
Last-Modified and honours If-None-Match / If-Modified-Since with a 304, which
is what `vazeh watch` relies on for feeds. Text is gzip-compressed when the
client accepts it, so captures keep Content-Encoding as real sites send it.

Special routes that exercise the capture stage's defences:

    /redirect/N[?to=/path]  N hops (301 and 302 alternating), then `to` (default `/`)
    /slow[?s=SECONDS]       answers after a pause (default SLOW_SECONDS)
    /big[?mb=N]             an HTML page of N MiB (default BIG_MIB, above the capture cap)
    /bomb                   a gzip bomb: ~0.25 MiB on the wire, BOMB_MIB MiB inflated
    /flaky[?k=KEY]          503, 503, then 200, then again from the start (per KEY)

Rounds: the site can change between two visits, as news sites do. `server.round`
(or `serve_sample(..., round=2)`) picks the round; in round N a file under
`site/_roundN/` replaces the one at the same place, and `site/_rounds.json` gives
paths another answer:

    {"2": {"/x/news/1/slug": 404, "/x/news/2": 410, "/x/news/3": {"redirect": "/", "status": 301}}}

The bundled site's round 2 edits one story and deletes another (see
stories.toml's [[round2]]); `vazeh demo` revisits the site in round 2.

Pictures: a path listed in `site/_images.json` (path -> [width, height]) with no
file of its own is answered with a PNG drawn for it (`placeholder_png`), so the
pages' photos, logos and ads show without image files in the repository.
"""

from __future__ import annotations

import colorsys
import email.utils
import fnmatch
import gzip
import hashlib
import json
import mimetypes
import struct
import threading
import time
import zlib
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

SITE_DIR = Path(__file__).parent / "site"
SLOW_SECONDS = 3.0
BIG_MIB = 12
BOMB_MIB = 256
_TEMPLATED = {".html", ".htm", ".xml", ".txt"}

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
}


class SampleServer(ThreadingHTTPServer):
    """The sample site's HTTP server; `site_dir` and the flaky counters live here."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], site_dir: Path, round: int = 1):  # noqa: A002 - the site's round
        super().__init__(address, SampleHandler)
        self.site_dir = site_dir.resolve()
        self.round = round
        self.round_rules = _load_round_rules(self.site_dir)
        self.flaky_counts: dict[str, int] = {}
        self.hits: dict[str, int] = {}
        self.counter_lock = threading.Lock()
        self.header_rules = _load_header_rules(self.site_dir)
        self.images = _load_images(self.site_dir)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def serve_sample(
    host: str = "127.0.0.1", port: int = 0, site_dir: Path | None = None, round: int = 1  # noqa: A002
) -> tuple[SampleServer, str]:
    """Start the sample site in a background thread; returns the server and its base URL.

    Stop it with `server.stop()`. Port 0 picks a free port. `round` (also settable
    later as `server.round`) is which state of the site it serves.
    """
    server = SampleServer((host, port), Path(site_dir or SITE_DIR), round)
    thread = threading.Thread(target=server.serve_forever, name="vazeh-sample-site", daemon=True)
    thread.start()
    return server, server.base_url


def _load_header_rules(site_dir: Path) -> list[tuple[str, dict[str, str | None]]]:
    path = site_dir / "_headers.json"
    if not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    rules = []
    for pattern, headers in data.items():
        if isinstance(headers, list):
            headers = dict(headers)
        rules.append(("/" + pattern.lstrip("/"), headers))
    return rules


def _load_round_rules(site_dir: Path) -> dict[int, dict[str, object]]:
    path = site_dir / "_rounds.json"
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {int(n): {"/" + k.lstrip("/"): v for k, v in rules.items()} for n, rules in data.items()}


def _load_images(site_dir: Path) -> dict[str, tuple[int, int]]:
    path = site_dir / "_images.json"
    if not path.is_file():
        return {}
    return {"/" + k.lstrip("/"): (int(v[0]), int(v[1])) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}


MAX_IMAGE_SIDE = 2000


@lru_cache(maxsize=256)
def placeholder_png(path: str, width: int, height: int) -> bytes:
    """A picture for `path`: diagonal bands in two shades of a colour taken from the path.

    Drawn by code so the repository holds no image blobs; the same path always gives
    the same bytes (a second capture of it is a revisit).
    """
    width, height = max(1, min(width, MAX_IMAGE_SIDE)), max(1, min(height, MAX_IMAGE_SIDE))
    seed = hashlib.sha1(path.encode()).digest()
    hue = seed[0] / 255
    light = bytes(round(c * 255) for c in colorsys.hls_to_rgb(hue, 0.78, 0.45))
    dark = bytes(round(c * 255) for c in colorsys.hls_to_rgb(hue, 0.62, 0.45))
    period = 48
    band = (light * (period // 2) + dark * (period // 2)) * ((width + period) // period + 1)
    rows = bytearray()
    for y in range(height):
        shift = (y % period) * 3
        rows += b"\x00" + band[shift : shift + width * 3]
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")


@lru_cache(maxsize=4)
def _bomb(mib: int) -> bytes:
    """Gzip of an HTML page padded with `mib` MiB of spaces, built once."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [comp.compress(b"<!doctype html><html><head><title>bomb</title></head><body>")]
    block = b" " * (1 << 20)
    for _ in range(mib):
        parts.append(comp.compress(block))
    parts.append(comp.compress(b"</body></html>"))
    parts.append(comp.flush())
    return b"".join(parts)


class SampleHandler(BaseHTTPRequestHandler):
    server: SampleServer
    server_version = "vazeh-sample/0.1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass  # the tests read the archive, not the access log

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch(head=True)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch(head=False)

    # ------------------------------------------------------------------ routing
    def _dispatch(self, head: bool) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self.server.counter_lock:
            self.server.hits[path] = self.server.hits.get(path, 0) + 1
        try:
            if path.startswith("/redirect/"):
                return self._redirect(path, query)
            if path == "/slow":
                time.sleep(float(query.get("s", SLOW_SECONDS)))
                return self._send(200, _page("آهسته", "این صفحه با تأخیر پاسخ می‌دهد."), "text/html; charset=utf-8", head=head)
            if path == "/big":
                return self._big(int(query.get("mb", BIG_MIB)), head)
            if path == "/bomb":
                return self._send(200, _bomb(BOMB_MIB), "text/html; charset=utf-8", head=head, extra=[("Content-Encoding", "gzip")])
            if path == "/flaky":
                return self._flaky(query.get("k", ""), head)
            rule = self.server.round_rules.get(self.server.round, {}).get(path)
            if rule is not None:
                return self._round_answer(rule, head)
            return self._static(path, head)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (size cap, timeout): nothing to answer

    def _redirect(self, path: str, query: dict[str, str]) -> None:
        try:
            n = int(path.rsplit("/", 1)[1])
        except ValueError:
            return self._not_found()
        target = query.get("to", "/")
        if n <= 1:
            location = target
        else:
            location = f"/redirect/{n - 1}" + (f"?to={target}" if "to" in query else "")
        status = 301 if n % 2 else 302
        self._send(status, b"", "text/html; charset=utf-8", extra=[("Location", location)])

    def _round_answer(self, rule: object, head: bool) -> None:
        if isinstance(rule, dict) and rule.get("redirect"):
            status = int(rule.get("status", 301))
            return self._send(status, b"", "text/html; charset=utf-8", extra=[("Location", str(rule["redirect"]))])
        status = int(rule) if isinstance(rule, int) else int(rule.get("status", 404))  # type: ignore[union-attr]
        self._send(status, _page("یافت نشد", "این خبر دیگر در دسترس نیست."), "text/html; charset=utf-8", head=head)

    def _big(self, mib: int, head: bool) -> None:
        size = mib << 20
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if head:
            return
        filler = b"<p>" + "متن بسیار بلند ".encode() * 200 + b"</p>\n"
        sent = 0
        while sent < size:
            chunk = filler[: min(len(filler), size - sent)]
            self.wfile.write(chunk)
            sent += len(chunk)

    def _flaky(self, key: str, head: bool) -> None:
        with self.server.counter_lock:
            n = self.server.flaky_counts.get(key, 0) + 1
            self.server.flaky_counts[key] = n % 3
        if n < 3:
            return self._send(503, b"busy", "text/plain; charset=utf-8", head=head, extra=[("Retry-After", "0")])
        self._send(200, _page("سرانجام", "پس از دو بار خطا، این پاسخ رسید."), "text/html; charset=utf-8", head=head)

    def _static(self, path: str, head: bool) -> None:
        file = self._find(path)
        if file is None:
            size = self.server.images.get(path)
            if size is not None:
                return self._image(path, size, head)
            return self._not_found(head)
        body = file.read_bytes()
        if file.suffix.lower() in _TEMPLATED and b"{{base_url}}" in body:
            body = body.replace(b"{{base_url}}", self.server.base_url.encode())
        mtime = int(file.stat().st_mtime)
        ctype = _TYPES.get(file.suffix.lower()) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if file.suffix.lower() == ".gz":  # e.g. sitemap.xml.gz: served as the gzip file it is
            ctype = "application/x-gzip"
        elif file.name in ("rss.xml", "feed.xml") or file.suffix == ".rss":
            ctype = "application/rss+xml; charset=utf-8"
        elif file.name == "atom.xml":
            ctype = "application/atom+xml; charset=utf-8"
        headers: dict[str, str | None] = {
            "Content-Type": ctype,
            "ETag": '"' + hashlib.sha1(body).hexdigest()[:16] + '"',
            "Last-Modified": email.utils.formatdate(mtime, usegmt=True),
        }
        for pattern, override in self.server.header_rules:
            if fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(self._rel(file), pattern):
                headers.update(override)
        if self._not_modified(headers.get("ETag"), mtime):
            return self._send(304, b"", None, extra=_present(headers, only=("ETag", "Last-Modified")))
        ctype_final = headers.pop("Content-Type", None)
        self._send(200, body, ctype_final, head=head, extra=_present(headers), compressible=True)

    def _image(self, path: str, size: tuple[int, int], head: bool) -> None:
        body = placeholder_png(path, *size)
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        mtime = int((self.server.site_dir / "_images.json").stat().st_mtime)
        headers = [("ETag", etag), ("Last-Modified", email.utils.formatdate(mtime, usegmt=True)),
                   ("Cache-Control", "public, max-age=86400")]
        if self._not_modified(etag, mtime):
            return self._send(304, b"", None, extra=headers[:2])
        # A .jpg path answered with a PNG, as image CDNs answer with whatever format they chose.
        self._send(200, body, "image/png", head=head, extra=headers)

    def _rel(self, file: Path) -> str:
        return "/" + file.relative_to(self.server.site_dir).as_posix()

    def _find(self, path: str) -> Path | None:
        root = self.server.site_dir
        rel = path.lstrip("/")
        for candidate in (rel, rel + ".html", rel.rstrip("/") + "/index.html" if rel else "index.html"):
            if not candidate:
                continue
            if self.server.round > 1:
                overlay = (root / f"_round{self.server.round}" / candidate).resolve()
                if overlay.is_relative_to(root / f"_round{self.server.round}") and overlay.is_file():
                    return overlay
            file = (root / candidate).resolve()
            if not file.is_relative_to(root) or not file.is_file():
                continue
            if any(part.startswith("_") for part in file.relative_to(root).parts):
                continue
            return file
        return None

    def _not_modified(self, etag: str | None, mtime: int) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            return etag is not None and etag in [t.strip() for t in inm.split(",")]
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
            return mtime <= since
        return False

    def _not_found(self, head: bool = False) -> None:
        self._send(404, _page("یافت نشد", "صفحه‌ای با این نشانی وجود ندارد."), "text/html; charset=utf-8", head=head)

    def _send(
        self,
        status: int,
        body: bytes,
        ctype: str | None,
        *,
        head: bool = False,
        extra: list[tuple[str, str]] = (),  # type: ignore[assignment]
        compressible: bool = False,
    ) -> None:
        extra = list(extra)
        already_encoded = any(k.lower() == "content-encoding" for k, _ in extra)
        if (
            compressible
            and not already_encoded
            and ctype
            and (ctype.startswith("text/") or ("xml" in ctype and "gzip" not in ctype))
            and "gzip" in (self.headers.get("Accept-Encoding") or "")
        ):
            body = gzip.compress(body, mtime=0)
            extra.append(("Content-Encoding", "gzip"))
            extra.append(("Vary", "Accept-Encoding"))
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and status not in (204, 304):
            self.wfile.write(body)


def _present(headers: dict[str, str | None], only: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers.items() if v is not None and (only is None or k in only)]


def _page(title: str, text: str) -> bytes:
    return (
        '<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><p>{text}</p></body></html>"
    ).encode()


def main() -> None:
    """`python -m vazeh.sample.server [PORT]`: serve the sample site until interrupted."""
    import sys

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    server, base = serve_sample(port=port)
    print(f"sample site at {base}/ (Ctrl+C to stop)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
