"""Replay: archived responses served as captured, and Memento (RFC 7089).

- `/web/<timestamp>[mod]/<url>`: the memento nearest to the timestamp. When the
  nearest capture has another timestamp the reader is redirected to it, so
  every replayed page has one canonical address.
- `/web/<url>`: the TimeGate; picks by `Accept-Datetime` (the newest without one).
- `/timemap/link/<url>`: the TimeMap in application/link-format.

Archived pages are hostile content, and they are served one of two ways.

**On the replay origin** (`[web] replay_url`, which `vazeh serve` listens on as a
second port): pages are replayed as captured, scripts included. That origin holds
nothing but the archive (no room pages, no API, no admin form, every cookie
ignored), so a script there reaches nothing of the room's; the policy
(`default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:`) keeps every
request, the scripts' included, inside it. The room's own `/web/...` addresses
redirect there. A small script (`static/replay.js`) points the URLs that page
scripts set at the archive, and a request a script makes for a root-relative path
of the live site is sent back into the archive by its Referer (see `fallback`).

**From the room itself** (no replay origin configured, as in create_app's tests):
every replayed response carries `Content-Security-Policy: sandbox` without
`allow-scripts` or `allow-same-origin`: the page gets an opaque origin, its scripts
never run and it can neither read the room's cookies nor call its API with them.
The same policy limits every fetch to this server (`default-src`).

Replay never names the request's Host: a memento is cached publicly, so a forged
Host would be served to every later reader. Absolute addresses come from the
configured `public_url` and `replay_url`; without them, Link targets are relative.

Rewriting is CPU work under the GIL, so it is bounded: an HTML page or stylesheet
larger than MAX_REWRITE_BYTES is not rewritten (a page gets a notice pointing at
its raw bytes, a stylesheet is served as captured, still under the policy), and
replays run on a few threads of their own so they cannot take every request thread.
"""

from __future__ import annotations

import asyncio
import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, PlainTextResponse, RedirectResponse, Response

from vazeh.archive import ArchivedResponse, ArchiveError, Capture, decode_html, surt
from vazeh.web.errors import BadRequest
from vazeh.web.fmt import display_url, jalali
from vazeh.web.rewrite import (
    FONT_PATH,
    BannerLink,
    UrlRewriter,
    banner_html,
    document_base,
    insert_banner,
    insert_head,
    rewrite_html,
)

router = APIRouter()
# Routes of the replay origin alone: its script, its front door and the fallback.
origin_router = APIRouter()
STATIC_DIR = Path(__file__).resolve().parent / "static"
FONTS_DIR = STATIC_DIR / "fonts"
HOOK_PATH = "/_vazeh/replay.js"

_TS = re.compile(r"^(?P<ts>\d{1,14})(?P<mod>[a-z]{2}_)?$")
_MODS = {"", "id_", "im_", "cs_", "js_", "if_", "oe_", "fr_", "mp_"}
# Headers of the archived response a browser may act on as if they were ours; all
# others are passed on renamed to X-Archive-Orig-*, as other archives do.
_KEEP = {"content-type", "content-language"}
_DROP = {"content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive"}
# Raw mode (`id_`) passes the archived headers on under their own names, except
# these: framing the server redoes, our own cache and security policy, and what
# would let an archived response act on the origin itself (cookies, HSTS, cleared
# site data, a service worker's scope, preloads and refreshes naming the live web).
_RAW_RENAME = {
    "content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "trailer", "te",
    "date", "server", "cache-control", "expires", "pragma", "age", "location", "link", "refresh",
    "set-cookie", "set-cookie2", "strict-transport-security", "public-key-pins", "public-key-pins-report-only",
    "clear-site-data", "alt-svc", "service-worker-allowed", "content-security-policy",
    "content-security-policy-report-only", "x-content-type-options", "referrer-policy", "x-frame-options",
    "cross-origin-opener-policy", "cross-origin-embedder-policy", "cross-origin-resource-policy",
    "origin-agent-cluster", "permissions-policy", "feature-policy", "report-to", "reporting-endpoints", "nel",
    "access-control-allow-origin", "access-control-allow-credentials", "access-control-allow-headers",
    "access-control-allow-methods", "access-control-expose-headers", "access-control-max-age",
    "memento-datetime", "vary", "www-authenticate", "proxy-authenticate", "x-xss-protection",
}
_FONT_EXT = (".woff2", ".woff", ".ttf", ".otf", ".eot")
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"
# An HTML page or stylesheet above this is not rewritten (see the module doc). News
# pages are 50-500 KB; 4 MiB of dense tags rewrites in 1.4 s (measured, one core).
MAX_REWRITE_BYTES = 4 << 20
MAX_URL_LENGTH = 8000
# Replays at once in one worker. Each holds a thread (and the GIL while it
# rewrites), so more would only slow the pages the room's other readers wait for.
REPLAY_THREADS = 2
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_NOT_TOKEN_CHAR = re.compile(r"[^!#$&'*+.^_`|~0-9A-Za-z-]")
_NOT_HEADER_CHAR = re.compile(r"[^\t\x20-\x7e]+")
_URL_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Schemes with no `//` that clean_url would otherwise read as a host (`mailto:a@b.c` is user `mailto` at b.c).
_OTHER_SCHEME = re.compile(
    r"^\s*(?:javascript|vbscript|data|mailto|tel|sms|about|blob|file|view-source|chrome|urn|magnet|news|geo):", re.I
)


def archive_csp(origin: str | None, *, framed: bool = False) -> str:
    """The room's own replay policy: sandboxed (opaque origin, no scripts) and fetching
    only from the archive's replay path, never the live web or the room's API.

    Without a configured origin the policy names `'self'` (the room's origin, which
    browsers take from the document's URL even in a sandbox): no path limit then,
    but no script runs to reach the API and the room's cookie is SameSite=Strict.
    A frame (`if_`) has no `frame-ancestors`: its sandboxed parent's origin is
    opaque and matches no source, so any would leave every iframe blank."""
    archive_only = f"{origin}/web/ {origin}{FONT_PATH}" if origin else "'self'"
    policy = (
        "sandbox allow-popups allow-popups-to-escape-sandbox; "
        f"default-src {archive_only} data: blob: 'unsafe-inline'; "
        "script-src 'none'; connect-src 'none'; worker-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )
    return policy if framed else policy + "; frame-ancestors 'self'"


def origin_csp(room: str | None) -> str:
    """The replay origin's policy: scripts run, and every request stays on this origin,
    which serves nothing but the archive. Framed by itself (archived iframes) and the room."""
    ancestors = "'self'" + (f" {_origin_of(room)}" if room else "")
    return (
        "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; "
        f"base-uri 'self'; form-action 'self'; frame-ancestors {ancestors}"
    )


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def public_base(request: Request) -> str:
    """The configured address of the room without a trailing slash, or "" (relative links)."""
    configured = getattr(request.app.state.config, "public_url", None)
    return configured.strip().rstrip("/") if configured else ""


def replay_url(request: Request) -> str | None:
    """The configured replay origin, or None when the room replays pages itself."""
    configured = getattr(request.app.state.config, "replay_url", None)
    return configured.strip().rstrip("/") if configured else None


def on_replay_origin(request: Request) -> bool:
    return bool(getattr(request.app.state, "replay_origin", False))


def replay_base(request: Request) -> str:
    """Where `/web/...` addresses live: absolute on the replay origin's, else the room's."""
    return replay_url(request) or public_base(request)


def hostile_headers(request: Request, mod: str = "") -> dict[str, str]:
    if on_replay_origin(request):
        return {
            "Content-Security-Policy": origin_csp(public_base(request) or None),
            "X-Content-Type-Options": "nosniff",
            # Whole referrers inside the replay origin let `fallback` find the page a
            # script's root-relative request came from; none leave it.
            "Referrer-Policy": "same-origin",
            "Cross-Origin-Opener-Policy": "same-origin",
        }
    return {
        "Content-Security-Policy": archive_csp(public_base(request) or None, framed=mod in ("if_", "fr_")),
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


class TimestampError(ValueError):
    """A replay timestamp that names no time; the message is for the reader (Persian)."""


def parse_timestamp(ts: str) -> datetime:
    """The time a 1-14 digit timestamp names (UTC); raises TimestampError for no time.

    A day past the month's end (`20240231`) is read as the month's last day, as
    readers shorten timestamps; a month 13, hour 24 or year 0000 is refused.
    """
    if not (ts.isascii() and ts.isdigit() and 1 <= len(ts) <= 14):
        raise TimestampError(f"«{ts}» برچسب زمانی نیست؛ ۱ تا ۱۴ رقم بنویسید، مثل 20240131 یا 2024.")
    full = pad_timestamp(ts)
    year, month, day = int(full[0:4]), int(full[4:6]), int(full[6:8])
    hour, minute, second = int(full[8:10]), int(full[10:12]), int(full[12:14])
    if not (1 <= year <= 9999 and 1 <= month <= 12 and day >= 1 and hour <= 23 and minute <= 59 and second <= 59):
        raise TimestampError(
            f"برچسب زمانی «{ts}» زمانی را نشان نمی‌دهد (سال ۰۰۰۱ تا ۹۹۹۹، ماه ۰۱ تا ۱۲، ساعت ۰۰ تا ۲۳...)."
        )
    day = min(day, calendar.monthrange(year, month)[1])
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def latest_time(ts: str) -> datetime:
    """The last second a valid 1-14 digit timestamp names, as pywb (warcio) pads it:
    with 29991231235959's remaining digits, each field then brought into range
    (`2026` is 2026-12-31 23:59:59, `202602` the end of 28 February)."""
    full = ts + "29991231235959"[len(ts):]
    year = max(int(full[0:4]), 1)
    month = min(max(int(full[4:6]), 1), 12)
    day = min(max(int(full[6:8]), 1), calendar.monthrange(year, month)[1])
    return datetime(year, month, day, min(int(full[8:10]), 23), min(int(full[10:12]), 59), min(int(full[12:14]), 59),
                    tzinfo=UTC)


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


def archived_url(raw: str, query: str = "") -> str:
    """clean_url, refusing (BadRequest, 400) whatever cannot be an archived web address:
    other schemes (`javascript:`, `data:`), a broken authority (`http://[::1`, port
    99999), control characters (`%0d%0a`), or an address longer than MAX_URL_LENGTH."""
    url = clean_url(raw, query)
    shown = display_url(url)[:200]
    if _OTHER_SCHEME.match(raw):
        raise BadRequest(f"«{display_url(raw)[:200]}» نشانی وب (http یا https) نیست.",
                         f"{raw[:200]!r} is not an http(s) address", heading="نشانی نادرست")
    # The client's text is measured, not clean_url's: `http://` added to 8,000 characters the API allows was a 414.
    if len(raw) + len(query) > MAX_URL_LENGTH:
        raise BadRequest(f"نشانی بیش از {MAX_URL_LENGTH} نویسه است.", f"the URL is longer than {MAX_URL_LENGTH} characters",
                         status=414, heading="نشانی بسیار بلند")
    if _URL_CONTROL.search(url):
        raise BadRequest("نشانی نویسهٔ کنترلی (مانند CR، LF یا NUL) دارد و نشانی وب نیست.",
                         "the URL holds control characters (CR, LF, NUL...)", heading="نشانی نادرست")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number or past 65535
        host = parts.hostname
        surt(url)
    except ValueError:
        raise BadRequest(f"«{shown}» نشانی وب درستی نیست.", f"{url[:200]!r} is not a valid web address",
                         heading="نشانی نادرست") from None
    if parts.scheme not in ("http", "https") or not host:
        raise BadRequest(f"«{shown}» نشانی وب (http یا https) نیست.", f"{url[:200]!r} is not an http(s) address",
                         heading="نشانی نادرست")
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
    return MementoLinks(url, f"{replay_base(request)}/web/{url}", f"{public_base(request)}/timemap/link/{url}")


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


def _replay_limiter(request: Request) -> anyio.CapacityLimiter:
    # Made in the running loop (a limiter belongs to one); a new loop, as each test
    # client starts, gets a new one.
    loop = asyncio.get_running_loop()
    held = getattr(request.app.state, "replay_limiter", None)
    if held is None or held[0] is not loop:
        held = (loop, anyio.CapacityLimiter(REPLAY_THREADS))
        request.app.state.replay_limiter = held
    return held[1]


@router.api_route("/web/{rest:path}", methods=["GET", "HEAD"], include_in_schema=False)
async def replay(request: Request, rest: str) -> Response:
    # Not the request threads every other page shares: a few slow replays at once
    # (large pages being rewritten) would otherwise leave the home page waiting for one.
    return await anyio.to_thread.run_sync(_replay, request, rest, limiter=_replay_limiter(request))


def _replay(request: Request, rest: str) -> Response:
    if on_replay_origin(request) and request.headers.get("service-worker", "").lower() == "script":
        # A service worker registered by an archived page would outlive it and answer
        # for the whole origin's replays; the archive is replayed by this server alone.
        return PlainTextResponse("service workers are not replayed", status_code=403)
    first, _, remainder = rest.partition("/")
    if re.fullmatch(r"\d{0,14}\*", first) and remainder:
        # pywb's `/web/2024*/url` asks for the list of captures.
        url = archived_url(remainder, request.url.query)
        return RedirectResponse(f"/captures?url={quote(url, safe='')}", status_code=302)
    ts, mod, raw_url = _split(rest)
    if mod not in _MODS:
        raise BadRequest(f"«{mod}» نشانهٔ شناخته‌شده‌ای برای بازپخش نیست (id_، im_، cs_، js_، if_ …).",
                         f"unknown replay modifier {mod!r}")
    url = archived_url(raw_url, request.url.query)
    elsewhere = replay_url(request)
    if elsewhere and not on_replay_origin(request):
        # Archived pages never run on the room's origin: they are a redirect away, on the
        # configured replay origin (never one named by the request's Host).
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"{elsewhere}/web/{header_url(rest)}{query}", status_code=302,
                                headers={"Cache-Control": "public, max-age=86400"})
    archive = _room(request).shelf().archive
    links = memento_links(request, url)
    if ts is None:
        return timegate(request, url, links)
    try:
        at = parse_timestamp(ts)
    except TimestampError as e:
        raise BadRequest(str(e), f"timestamp {ts!r} names no time", heading="برچسب زمانی نادرست") from None
    if len(ts) < 14:
        # pywb reads a partial timestamp as the last second it names (`2026` is the end
        # of 2026, `202602` of February) and serves the capture nearest to that: the
        # latest one within the prefix when there is one.
        at = latest_time(ts)
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
        except (TypeError, ValueError, IndexError, OverflowError):
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
    headers = hostile_headers(request, mod)
    # A memento at its canonical timestamp never changes.
    headers["Cache-Control"] = "public, max-age=86400"
    headers["Memento-Datetime"] = http_date(capture.captured_at)
    if _is_font(archived):
        # Fonts are fetched in CORS mode; from a sandboxed page the request's origin is
        # `null`. The archive's fonts are public and sent without credentials, so any.
        headers["Access-Control-Allow-Origin"] = "*"
    base = replay_base(request)
    headers["Link"] = links.header(
        [f'<{base}/web/{capture.timestamp14}/{header_url(capture.url)}>; rel="memento"; '
         f'datetime="{http_date(capture.captured_at)}"']
    )
    if mod == "id_":
        return raw_response(archived, headers)
    return rewritten_response(request, archived, mod, headers)


def _status(archived: ArchivedResponse) -> int:
    return archived.status if 200 <= archived.status <= 599 else 200


def header_name(name: str) -> str:
    """An archived header's name as an HTTP token: characters outside the token set
    (non-Latin letters, spaces, colons) percent-encoded as UTF-8, so it stays readable."""
    if _TOKEN.match(name):
        return name
    return _NOT_TOKEN_CHAR.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8", "surrogatepass")), name)


def header_value(value: str) -> str:
    """An archived header's value as one sendable ASCII line: control bytes (CR, LF,
    NUL...) and letters past ASCII percent-encoded as UTF-8, rather than dropped or
    sent as bytes that servers refuse (uvicorn dropped the connection) and clients misread."""
    return _NOT_HEADER_CHAR.sub(
        lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8", "surrogatepass")), value
    ).strip(" \t")


def _orig_headers(archived: ArchivedResponse, headers: dict[str, str], *, keep_type: bool) -> None:
    for k, v in archived.headers:
        lk = k.lower()
        if lk in _DROP:
            continue
        v = header_value(str(v))
        if lk in _KEEP and keep_type:
            headers[k] = v
        elif lk not in _KEEP:
            headers[f"X-Archive-Orig-{header_name(str(k))}"] = v


def raw_response(archived: ArchivedResponse, headers: dict[str, str]) -> Response:
    """The record's payload byte for byte as it was served (still gzip'd if it was) and
    its headers under their own names, Content-Encoding included; no banner, no rewriting.
    Headers that would act on this origin (cookies, HSTS, policies) are renamed X-Archive-Orig-*."""
    for k, v in archived.headers:
        lk = str(k).lower()
        value = header_value(str(v))
        if lk in _RAW_RENAME or not _TOKEN.match(str(k)):
            headers[f"X-Archive-Orig-{header_name(str(k))}"] = value
        else:
            headers[str(k)] = value
    status = _status(archived)
    location = archived.header("location")
    if location and 300 <= status < 400:
        # A raw redirect still must not send the reader to the live web.
        try:
            target = urljoin(archived.capture.url, location)
        except ValueError:
            target = archived.capture.url
        headers["Location"] = f"/web/{archived.capture.timestamp14}id_/{header_url(target)}"
    body = b"" if status in (204, 304) else archived.raw_body
    return Response(body, status_code=status, headers=headers, media_type=None)


def _is_font(archived: ArchivedResponse) -> bool:
    ctype = (archived.header("content-type") or archived.capture.mime or "").lower()
    return "font" in ctype or urlsplit(archived.capture.url).path.lower().endswith(_FONT_EXT)


def _kind(archived: ArchivedResponse) -> str:
    ctype = (archived.header("content-type") or archived.capture.mime or "").lower()
    if "html" in ctype:
        return "html"
    if "css" in ctype:
        return "css"
    return "other"


def too_large_response(request: Request, archived: ArchivedResponse, headers: dict[str, str]) -> Response:
    """A notice, in the room's own page, for a page too large to rewrite: its raw bytes are a link away."""
    capture = archived.capture
    keep = {k: v for k, v in headers.items() if k in ("Memento-Datetime", "Link")}
    keep["Cache-Control"] = "no-store"
    return request.app.state.templates.TemplateResponse(request, "replay_too_large.html", {
        "url": capture.url, "size": len(archived.body), "limit": MAX_REWRITE_BYTES,
        "captured": jalali(capture.captured_at),
        "raw_href": f"/web/{capture.timestamp14}id_/{header_url(capture.url)}",
        "captures_href": f"{public_base(request)}/captures?url={quote(capture.url, safe='')}",
    }, headers=keep)


def replay_banner(request: Request, capture: Capture) -> str:
    """The banner: this capture's time, the captures before and after it, the calendar."""
    room = public_base(request)
    captures = _room(request).shelf().archive.captures(capture.url)
    at = next((i for i, c in enumerate(captures) if c.id == capture.id), None)

    def link(i: int, word: str) -> BannerLink | None:
        if at is None or not 0 <= i < len(captures):
            return None
        c = captures[i]
        return BannerLink(f"/web/{c.timestamp14}/{header_url(c.url)}", f"{word}: {jalali(c.captured_at)}")

    return banner_html(
        url=capture.url,
        captured_jalali=jalali(capture.captured_at),
        calendar_href=f"{room}/calendar?url={quote(capture.url, safe='')}",
        raw_href=f"/web/{capture.timestamp14}id_/{header_url(capture.url)}",
        home_href=f"{room}/",
        previous=link(at - 1, "نسخهٔ پیشین") if at is not None else None,
        next_=link(at + 1, "نسخهٔ پسین") if at is not None else None,
        count=len(captures),
        fonts=FONTS_DIR.joinpath("vazirmatn-arabic-400-normal.woff2").exists(),
    )


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
    ctype = header_value(archived.header("content-type") or capture.mime or "application/octet-stream")
    if kind in ("html", "css") and len(archived.body) > MAX_REWRITE_BYTES:
        if kind == "html":
            return too_large_response(request, archived, headers)
        # A stylesheet as captured: whatever it names outside the archive, the policy blocks.
        return Response(archived.body, status_code=status, headers=headers, media_type=ctype)
    if kind == "html":
        text, _charset = decode_html(archived.body, archived.header("content-type"))
        rw.base = document_base(text, capture.url)
        text = rewrite_html(text, rw)
        if mod in ("", "mp_"):
            text = insert_banner(text, replay_banner(request, capture))
        if on_replay_origin(request):
            text = insert_head(text, f'<script src="{HOOK_PATH}"></script>')
        return Response(text.encode("utf-8"), status_code=status, headers=headers,
                        media_type="text/html; charset=utf-8")
    if kind == "css":
        text, _charset = decode_html(archived.body, archived.header("content-type"))
        return Response(rw.css(text).encode("utf-8"), status_code=status, headers=headers,
                        media_type="text/css; charset=utf-8")
    return Response(archived.body, status_code=status, headers=headers, media_type=ctype)


@router.api_route("/timemap/link/{rest:path}", methods=["GET", "HEAD"], include_in_schema=False)
def timemap(request: Request, rest: str) -> Response:
    url = archived_url(rest, request.url.query)
    archive = _room(request).shelf().archive
    captures = archive.captures(url)
    if not captures:
        # As pywb: a TimeMap with no mementos is an empty link-format 404, for the client
        # that asked for link-format, not a reader's page.
        return Response(b"", status_code=404, media_type="application/link-format")
    links = memento_links(request, url)
    base = replay_base(request)
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



@router.get(FONT_PATH + "{name}", include_in_schema=False)
def banner_font(name: str) -> Response:
    """The room's font for the banner, on whichever origin the page is replayed from
    (a sandboxed page's font request comes from origin `null`, hence `*`)."""
    path = FONTS_DIR / name
    if "/" in name or not name.endswith(".woff2") or not path.is_file():
        return PlainTextResponse("no such font", status_code=404)
    return FileResponse(path, media_type="font/woff2", headers={
        "Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=604800"})


@origin_router.get(HOOK_PATH, include_in_schema=False)
def hook_script() -> Response:
    return FileResponse(STATIC_DIR / "replay.js", media_type="text/javascript; charset=utf-8",
                        headers={"Cache-Control": "public, max-age=3600"})


_DEST_MOD = {"image": "im_", "script": "js_", "style": "cs_", "iframe": "if_", "frame": "if_", "font": "oe_",
             "audio": "oe_", "video": "oe_", "track": "oe_", "object": "oe_", "embed": "oe_", "empty": "oe_",
             "document": ""}


@origin_router.api_route("/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
def fallback(request: Request, path: str) -> Response:
    """A request for a path of the replay origin outside /web/: an archived page's
    script asked for a root-relative URL of its site (`fetch("/api/x")`) that nothing
    rewrote. The Referer names the replayed page, so the request goes to the same
    path of that page's site in the archive, with the modifier its destination needs."""
    room = public_base(request)
    referer = request.headers.get("referer", "")
    target = None
    try:
        ref = urlsplit(referer)
        if ref.path.startswith("/web/"):
            ts, _mod, page = _split(unquote(ref.path[len("/web/"):]))
            if ts is not None:
                page_url = archived_url(page, ref.query)
                query = f"?{request.url.query}" if request.url.query else ""
                wanted = archived_url(urljoin(page_url, "/" + path + query))
                mod = _DEST_MOD.get(request.headers.get("sec-fetch-dest", ""), "oe_")
                target = f"/web/{ts}{mod}/{header_url(wanted)}"
    except (ValueError, BadRequest):
        target = None
    if target:
        # Depends on the Referer, so never cached.
        return RedirectResponse(target, status_code=307, headers={"Cache-Control": "no-store"})
    if path == "" and room:
        return RedirectResponse(f"{room}/", status_code=302)
    return request.app.state.templates.TemplateResponse(request, "error.html", {
        "heading": "اینجا نشانی بازپخش است",
        "message": "این نشانی فقط صفحه‌های بایگانی‌شده را زیر /web/ بازپخش می‌کند؛ تالار خواندن جای دیگری است.",
        "room": room,
    }, status_code=404, headers={"Cache-Control": "no-store"})
