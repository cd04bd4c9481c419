"""Replay: archived responses served as captured, and Memento (RFC 7089).

- `/web/<timestamp>[mod]/<url>`: the memento nearest to the timestamp. When the
  nearest capture has another timestamp the reader is redirected to it, so
  every replayed page has one canonical address.
- `/web/<url>`: the TimeGate; picks by `Accept-Datetime` (the newest without one).
- `/timemap/link/<url>`: the TimeMap in application/link-format.

Archived pages are hostile content. Every replayed response carries
`Content-Security-Policy: sandbox` without `allow-scripts` or
`allow-same-origin`: the page gets an opaque origin, its scripts never run and
it can neither read the reading room's cookies nor call its API with them. The
same policy limits every fetch to this server (`default-src`), so nothing in a
replayed page reaches the live web even if the rewriter missed a URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from vazeh.archive import ArchivedResponse, ArchiveError, Capture, decode_html
from vazeh.web.fmt import jalali
from vazeh.web.rewrite import UrlRewriter, banner_html, document_base, insert_banner, rewrite_html

router = APIRouter()

_TS = re.compile(r"^(?P<ts>\d{1,14})(?P<mod>[a-z]{2}_)?$")
_MODS = {"", "id_", "im_", "cs_", "js_", "if_", "oe_", "fr_", "mp_"}
# Headers of the archived response a browser may act on as if they were ours; all
# others are passed on renamed to X-Archive-Orig-*, as other archives do.
_KEEP = {"content-type", "content-language"}
_DROP = {"content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive"}
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def archive_csp(origin: str) -> str:
    """The replay's policy: sandboxed (opaque origin, no scripts) and fetching only
    from the archive's own replay path, never the live web or the reading room's API."""
    archive_only = f"{origin}/web/"
    return (
        "sandbox allow-popups allow-popups-to-escape-sandbox; "
        f"default-src {archive_only} data: blob: 'unsafe-inline'; "
        "script-src 'none'; object-src 'none'; connect-src 'none'; worker-src 'none'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    )


def hostile_headers(request: Request) -> dict[str, str]:
    origin = f"{request.url.scheme}://{request.url.netloc}"
    return {
        "Content-Security-Policy": archive_csp(origin),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        # No Cross-Origin-Resource-Policy: a sandboxed page has an opaque origin, so its
        # own images and stylesheets are cross-origin requests and CORP would block them.
    }


def header_url(url: str) -> str:
    """A URL that may hold Persian letters, made safe for an HTTP header."""
    return quote(url, safe=_URL_SAFE)


def http_date(dt: datetime) -> str:
    return format_datetime(dt.astimezone(UTC), usegmt=True)


def pad_timestamp(ts: str, *, upper: bool = False) -> str:
    """A 1-14 digit timestamp padded to 14 digits: the earliest (or latest) time it names."""
    if upper:
        # Compared as text against 14-digit timestamps, so 9s are as good as a real last second.
        return (ts + "9" * 14)[:14]
    return (ts + "00000101000000"[len(ts):])[:14] if len(ts) < 14 else ts


def parse_timestamp(ts: str) -> datetime:
    full = pad_timestamp(ts)
    try:
        return datetime.strptime(full, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        # A padded day like the 31st of a short month: fall back to the month's start.
        return datetime.strptime(full[:6] + "01000000", "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def clean_url(raw: str, query: str) -> str:
    """The archived URL from the rest of the path (proxies and browsers collapse `//`)."""
    url = raw.strip()
    m = re.match(r"^(https?):/+", url, re.I)
    if m:
        url = f"{m.group(1).lower()}://" + url[m.end():]
    elif not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.I):
        url = "http://" + url.lstrip("/")
    if query:
        url += "?" + query
    return url


@dataclass
class MementoLinks:
    original: str
    timegate: str
    timemap: str

    def header(self, extra: list[str] | None = None) -> str:
        parts = [
            f'<{header_url(self.original)}>; rel="original"',
            f'<{header_url(self.timegate)}>; rel="timegate"',
            f'<{header_url(self.timemap)}>; rel="timemap"; type="application/link-format"',
        ]
        return ", ".join(parts + (extra or []))


def memento_links(request: Request, url: str) -> MementoLinks:
    base = str(request.base_url).rstrip("/")
    return MementoLinks(url, f"{base}/web/{url}", f"{base}/timemap/link/{url}")


def _room(request: Request):  # -> ReadingRoom
    return request.app.state.room


def _split(rest: str) -> tuple[str | None, str, str]:
    """`20240101000000id_/https://x/y` -> ("20240101000000", "id_", "https://x/y")."""
    first, _, remainder = rest.partition("/")
    m = _TS.match(first)
    if m and remainder:
        return m["ts"], m["mod"] or "", remainder
    return None, "", rest


def not_archived(request: Request, url: str) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "not_archived.html", {"url": url}, status_code=404, headers={"Vary": "accept-datetime"}
    )


@router.api_route("/web/{rest:path}", methods=["GET", "HEAD"], include_in_schema=False)
def replay(request: Request, rest: str) -> Response:
    first, _, remainder = rest.partition("/")
    if re.fullmatch(r"\d{0,14}\*", first) and remainder:
        # pywb's `/web/2024*/url` asks for the list of captures.
        url = clean_url(remainder, request.url.query)
        return RedirectResponse(f"/captures?url={quote(url, safe='')}", status_code=302)
    ts, mod, raw_url = _split(rest)
    if mod not in _MODS:
        return PlainTextResponse(f"unknown replay modifier {mod!r}", status_code=400)
    url = clean_url(raw_url, request.url.query)
    archive = _room(request).shelf().archive
    links = memento_links(request, url)
    if ts is None:
        return timegate(request, url, links)
    at = parse_timestamp(ts)
    capture = archive.nearest(url, at)
    if capture is None:
        return not_archived(request, url)
    # Pages and raw responses get one canonical address; a page's images and styles are
    # served at once from the nearest capture, saving a redirect for each.
    if capture.timestamp14 != pad_timestamp(ts) and mod in ("", "id_"):
        return RedirectResponse(
            f"/web/{capture.timestamp14}{mod}/{header_url(url)}",
            status_code=302,
            headers={"Link": links.header()},
        )
    return serve_memento(request, capture, mod, links)


def timegate(request: Request, url: str, links: MementoLinks) -> Response:
    archive = _room(request).shelf().archive
    wanted = request.headers.get("accept-datetime")
    at = None
    if wanted:
        try:
            at = parsedate_to_datetime(wanted)
        except (TypeError, ValueError):
            return PlainTextResponse(
                f"Accept-Datetime {wanted!r} is not an HTTP date (e.g. Tue, 14 Mar 2023 10:00:00 GMT)",
                status_code=400,
                headers={"Vary": "accept-datetime"},
            )
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
    capture = archive.nearest(url, at)
    if capture is None:
        return not_archived(request, url)
    return RedirectResponse(
        f"/web/{capture.timestamp14}/{header_url(url)}",
        status_code=302,
        headers={"Vary": "accept-datetime", "Link": links.header()},
    )


def serve_memento(request: Request, capture: Capture, mod: str, links: MementoLinks) -> Response:
    archive = _room(request).shelf().archive
    try:
        archived = archive.read_response(capture)
    except (ArchiveError, OSError) as e:
        return PlainTextResponse(f"capture {capture.id} of {capture.url} cannot be read: {e}", status_code=502)
    headers = hostile_headers(request)
    # A memento at its canonical timestamp never changes.
    headers["Cache-Control"] = "public, max-age=86400"
    headers["Memento-Datetime"] = http_date(capture.captured_at)
    base = str(request.base_url).rstrip("/")
    headers["Link"] = links.header(
        [f'<{base}/web/{capture.timestamp14}/{header_url(capture.url)}>; rel="memento"; '
         f'datetime="{http_date(capture.captured_at)}"']
    )
    if mod == "id_":
        return raw_response(archived, headers)
    return rewritten_response(request, archived, mod, headers)


def _status(archived: ArchivedResponse) -> int:
    return archived.status if 200 <= archived.status <= 599 else 200


def _orig_headers(archived: ArchivedResponse, headers: dict[str, str], *, keep_type: bool) -> None:
    for k, v in archived.headers:
        lk = k.lower()
        if lk in _DROP:
            continue
        try:
            v.encode("latin-1")
        except UnicodeEncodeError:
            v = v.encode("utf-8", "replace").decode("latin-1")
        if lk in _KEEP and keep_type:
            headers[k] = v
        elif lk not in _KEEP:
            headers[f"X-Archive-Orig-{k}"] = v


def raw_response(archived: ArchivedResponse, headers: dict[str, str]) -> Response:
    """The archived payload byte for byte (content-decoded), headers renamed, no banner."""
    _orig_headers(archived, headers, keep_type=True)
    status = _status(archived)
    location = archived.header("location")
    if location and 300 <= status < 400:
        # A raw redirect still must not send the reader to the live web.
        from urllib.parse import urljoin

        headers["Location"] = f"/web/{archived.capture.timestamp14}id_/{header_url(urljoin(archived.capture.url, location))}"
    body = b"" if status in (204, 304) else archived.body
    return Response(body, status_code=status, headers=headers, media_type=None)


def _kind(archived: ArchivedResponse) -> str:
    ctype = (archived.header("content-type") or archived.capture.mime or "").lower()
    if "html" in ctype:
        return "html"
    if "css" in ctype:
        return "css"
    return "other"


def rewritten_response(request: Request, archived: ArchivedResponse, mod: str, headers: dict[str, str]) -> Response:
    capture = archived.capture
    status = _status(archived)
    location = archived.header("location")
    _orig_headers(archived, headers, keep_type=False)
    rw = UrlRewriter(capture.timestamp14, capture.url)
    if location and 300 <= status < 400:
        headers["Location"] = header_url(rw(location, mod))
        return Response(b"", status_code=status, headers=headers)
    kind = _kind(archived)
    ctype = archived.header("content-type") or capture.mime or "application/octet-stream"
    if kind == "html":
        text, _charset = decode_html(archived.body, archived.header("content-type"))
        rw.base = document_base(text, capture.url)
        text = rewrite_html(text, rw)
        if mod in ("", "mp_"):
            banner = banner_html(
                url=capture.url,
                captured_jalali=jalali(capture.captured_at),
                captures_href=f"/captures?url={quote(capture.url, safe='')}",
                raw_href=f"/web/{capture.timestamp14}id_/{header_url(capture.url)}",
            )
            text = insert_banner(text, banner)
        return Response(text.encode("utf-8"), status_code=status, headers=headers,
                        media_type="text/html; charset=utf-8")
    if kind == "css":
        text, _charset = decode_html(archived.body, archived.header("content-type"))
        return Response(rw.css(text).encode("utf-8"), status_code=status, headers=headers,
                        media_type="text/css; charset=utf-8")
    return Response(archived.body, status_code=status, headers=headers, media_type=ctype)


@router.api_route("/timemap/link/{rest:path}", methods=["GET", "HEAD"], include_in_schema=False)
def timemap(request: Request, rest: str) -> Response:
    url = clean_url(rest, request.url.query)
    archive = _room(request).shelf().archive
    captures = archive.captures(url)
    if not captures:
        return not_archived(request, url)
    links = memento_links(request, url)
    base = str(request.base_url).rstrip("/")
    lines = [
        f'<{header_url(url)}>; rel="original"',
        f'<{header_url(links.timegate)}>; rel="timegate"',
        f'<{header_url(links.timemap)}>; rel="self"; type="application/link-format"; '
        f'from="{http_date(captures[0].captured_at)}"; until="{http_date(captures[-1].captured_at)}"',
    ]
    for i, c in enumerate(captures):
        rel = "memento"
        if i == 0:
            rel = "first memento"
        if i == len(captures) - 1:
            rel = "last memento" if i else "first last memento"
        lines.append(
            f'<{base}/web/{c.timestamp14}/{header_url(c.url)}>; rel="{rel}"; datetime="{http_date(c.captured_at)}"'
        )
    return Response(",\n".join(lines) + "\n", media_type="application/link-format")

