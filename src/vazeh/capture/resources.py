"""Page resources: what an HTML page embeds, and fetching it along with the page.

The first half is pure: `html_resources` lists what a page embeds (images with
their srcset and the lazy-load attributes Persian news sites use, stylesheets,
scripts, icons, preloads, video posters, media, iframes, external SVG sprites,
`url()` in `style` attributes and `<style>` blocks) and `css_resources` what a
stylesheet pulls in (`@import`, `url()`; a `url()` inside `@font-face` is a font).

The second half, `PageResources`, is the `Fetcher`'s helper that fetches them
after a page is archived, through the fetcher's own redirect, robots.txt, guard,
pacing and deadline path, and links them to the page:

- every record of the page and of its resources carries the same `WARC-Page-ID`
  (the header Browsertrix and ArchiveWeb.page write), and each resource record a
  `WARC-Resource-Type` (image, stylesheet, font, ...), so the grouping survives in
  the WARC files themselves;
- the catalog's `page_resources` table links the page's capture to each resource
  capture it uses, including resources not fetched again because they were fresh.

A resource archived within `resource_freshness` seconds (by this run or an
earlier one) is linked, not fetched again; one fetched again with an unchanged
payload becomes a revisit record (`Archive.write_exchange` does that by digest).
Each page takes at most `resource_max_count` resources and stops starting new
fetches once `resource_max_bytes` have arrived for it.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urldefrag, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from vazeh.archive import catalog, decode_html, iso_utc, surt

if TYPE_CHECKING:
    from vazeh.archive import Archive, Capture
    from vazeh.capture.fetcher import CaptureOutcome, Fetched, Fetcher

log = logging.getLogger(__name__)

IMAGE = "image"
STYLESHEET = "stylesheet"
FONT = "font"
SCRIPT = "script"
ICON = "icon"
POSTER = "poster"
IFRAME = "iframe"
MEDIA = "media"
KINDS = (STYLESHEET, FONT, SCRIPT, IMAGE, ICON, POSTER, IFRAME, MEDIA)
# Fetch order, so the caps leave out what a replay misses least: styles and their
# fonts first, video and audio last.
_PRIORITY = {STYLESHEET: 0, FONT: 1, SCRIPT: 2, IMAGE: 3, ICON: 4, POSTER: 5, IFRAME: 6, MEDIA: 7}

DEFAULT_MAX_COUNT = 200
DEFAULT_MAX_BYTES = 20 << 20
DEFAULT_FRESHNESS = 24 * 3600.0
MAX_CSS_DEPTH = 4  # @import chains deeper than this are not followed
MAX_URL_LENGTH = 4096
PARALLEL_PER_PAGE = 4  # a page's resource fetches in flight at once (pacing still rules each host)
MAX_ERRORS_KEPT = 50

# Lazy loaders keep the real address out of `src` until the image scrolls into view.
_LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-lazy")
_LAZY_SRCSET = ("data-srcset", "data-lazy-srcset")
_ICON_RELS = {"icon", "shortcut", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon"}
_PRELOAD_AS = {"style": STYLESHEET, "font": FONT, "script": SCRIPT, "image": IMAGE, "video": MEDIA, "audio": MEDIA}
_SKIP_SCHEMES = ("data:", "javascript:", "about:", "blob:", "mailto:", "tel:", "#")


@dataclass(frozen=True)
class Resource:
    url: str
    kind: str


# ---------------------------------------------------------------------- parsing
def parse_srcset(value: str) -> list[str]:
    """The URLs of a srcset attribute, by the HTML standard's parsing algorithm.

    A candidate's URL runs to the next whitespace, so it may hold commas
    (`/img/w_300,h_200/a.jpg 1x`); trailing commas end it. Descriptors run to the
    next comma outside parentheses.
    """
    urls: list[str] = []
    i, n = 0, len(value)
    ws = " \t\n\r\f"
    while i < n:
        while i < n and (value[i] in ws or value[i] == ","):
            i += 1
        if i >= n:
            break
        start = i
        while i < n and value[i] not in ws:
            i += 1
        url = value[start:i]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            depth = 0
            while i < n:
                ch = value[i]
                if ch == "(":
                    depth += 1
                elif ch == ")" and depth:
                    depth -= 1
                elif ch == "," and not depth:
                    i += 1
                    break
                i += 1
        if url:
            urls.append(url)
    return urls


_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.S)
_CSS_URL = re.compile(r"""url\(\s*(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|((?:[^)\s"'\\]|\\.)*))\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|([^\s;)"']+))""", re.I)
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.I)
_IMAGE_SET = re.compile(r"(?:-webkit-)?image-set\(([^()]*(?:\([^()]*\)[^()]*)*)\)", re.I)
_CSS_STRING = re.compile(r""""((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'""")
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6}\s?|.)", re.S)


def _css_unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        s = m.group(1)
        if s[0] in "0123456789abcdefABCDEF" and re.fullmatch(r"[0-9a-fA-F]{1,6}\s?", s):
            cp = int(s.strip(), 16)
            return chr(cp) if 0 < cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF else "\ufffd"
        return "" if s == "\n" else s

    return _CSS_ESCAPE.sub(one, text) if "\\" in text else text


def css_resources(text: str, base_url: str) -> list[Resource]:
    """What a stylesheet (or a `<style>` block, or a `style` attribute) pulls in.

    `@import` targets are stylesheets, `url()` inside `@font-face` fonts, any other
    `url()` or `image-set()` string an image. Relative URLs resolve against
    `base_url` (the stylesheet's own URL, or the document's base for inline CSS).
    """
    text = _CSS_COMMENT.sub(" ", text)
    found: list[Resource] = []
    fonts: set[int] = set()
    for m in _FONT_FACE.finditer(text):
        fonts.update(u.start() for u in _CSS_URL.finditer(text, m.start(), m.end()))
    for m in _CSS_IMPORT.finditer(text):
        raw = next(g for g in m.groups() if g is not None)
        _add(found, base_url, _css_unescape(raw), STYLESHEET)
    for m in _CSS_URL.finditer(text):
        if _inside_import(text, m.start()):
            continue
        raw = next((g for g in m.groups() if g is not None), "")
        _add(found, base_url, _css_unescape(raw), FONT if m.start() in fonts else IMAGE)
    for m in _IMAGE_SET.finditer(text):
        for s in _CSS_STRING.finditer(m.group(1)):
            _add(found, base_url, _css_unescape(s.group(1) if s.group(1) is not None else s.group(2)), IMAGE)
    return _dedupe(found)


def _inside_import(text: str, pos: int) -> bool:
    head = text[max(0, pos - 16) : pos]
    return bool(re.search(r"@import\s*$", head, re.I))


def html_resources(
    body: bytes | str, url: str, content_type: str | None = None, *, iframes: bool = True
) -> list[Resource]:
    """The resources an HTML page embeds, resolved and deduplicated, in fetch order.

    `body` is the page as served (decoded here with the archive's charset
    detection) or already-decoded text. With `iframes=False` the page's iframes
    are left out (an iframe's own iframes are not fetched).
    """
    text = body if isinstance(body, str) else decode_html(body, content_type)[0]
    tree = LexborHTMLParser(text)
    base = url
    for node in tree.css("base[href]"):
        href = (node.attributes.get("href") or "").strip()
        if href and not href.lower().startswith(_SKIP_SCHEMES):
            try:
                base = urljoin(url, href)
            except ValueError:
                pass
        break
    found: list[Resource] = []
    root = tree.root
    if root is None:
        return []
    for node in root.traverse(include_text=False):
        tag = node.tag
        attrs = node.attributes
        if not attrs and tag != "style":
            continue
        _element(found, base, tag, attrs, node, iframes)
        style = attrs.get("style") if attrs else None
        if style and "url(" in style.lower():
            found += css_resources(style, base)
        background = attrs.get("background") if attrs else None
        if background and tag in ("body", "table", "td", "th", "tr"):
            _add(found, base, background, IMAGE)
    resources = _dedupe(r for r in found if r.url != urldefrag(url)[0])
    return sorted(resources, key=lambda r: _PRIORITY.get(r.kind, 9))


def _element(found: list[Resource], base: str, tag: str, attrs: dict, node, iframes: bool) -> None:  # noqa: C901
    get = attrs.get
    if tag == "img":
        for name in ("src", *_LAZY_SRC):
            _add(found, base, get(name), IMAGE)
        for name in ("srcset", *_LAZY_SRCSET):
            for u in parse_srcset(get(name) or ""):
                _add(found, base, u, IMAGE)
    elif tag == "source":
        parent = node.parent.tag if node.parent is not None else ""
        _add(found, base, get("src"), MEDIA if parent in ("video", "audio") else IMAGE)
        for name in ("srcset", *_LAZY_SRCSET):
            for u in parse_srcset(get(name) or ""):
                _add(found, base, u, IMAGE)
    elif tag == "link":
        rels = set((get("rel") or "").lower().split())
        href = get("href")
        if "stylesheet" in rels:
            _add(found, base, href, STYLESHEET)
        elif rels & _ICON_RELS:
            _add(found, base, href, ICON)
        elif "modulepreload" in rels:
            _add(found, base, href, SCRIPT)
        elif "preload" in rels:
            kind = _PRELOAD_AS.get((get("as") or "").lower())
            if kind:
                _add(found, base, href, kind)
                if kind == IMAGE:
                    for u in parse_srcset(get("imagesrcset") or ""):
                        _add(found, base, u, IMAGE)
    elif tag == "script":
        _add(found, base, get("src"), SCRIPT)
    elif tag == "video":
        _add(found, base, get("poster"), POSTER)
        _add(found, base, get("src"), MEDIA)
    elif tag in ("audio", "track"):
        _add(found, base, get("src"), MEDIA)
    elif tag in ("iframe", "frame"):
        if iframes:
            _add(found, base, get("src") or get("data-src"), IFRAME)
    elif tag == "object":
        _add(found, base, get("data"), MEDIA)
    elif tag == "embed":
        _add(found, base, get("src"), MEDIA)
    elif tag == "input":
        if (get("type") or "").lower() == "image":
            _add(found, base, get("src"), IMAGE)
    elif tag in ("use", "image"):  # inside <svg>: an external sprite or picture
        href = get("href") or get("xlink:href")
        if href and not href.strip().startswith("#"):
            _add(found, base, href, IMAGE)
    elif tag == "style":
        css = node.text(deep=True)
        if css and ("url(" in css.lower() or "@import" in css.lower()):
            found += css_resources(css, base)


def _add(found: list[Resource], base: str, raw: str | None, kind: str) -> None:
    url = _resolve(base, raw)
    if url is not None:
        found.append(Resource(url, kind))


def _resolve(base: str, raw: str | None) -> str | None:
    """An absolute http(s) URL without its fragment, or None for what is not fetched."""
    if not raw:
        return None
    # The URL parser drops tabs and newlines anywhere in a URL and trims the ends.
    value = re.sub(r"[\t\n\r]", "", raw).strip(" \f\x00")
    if not value or value.lower().startswith(_SKIP_SCHEMES) or len(value) > MAX_URL_LENGTH:
        return None
    try:
        absolute = urldefrag(urljoin(base, value))[0]
        parts = urlsplit(absolute)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in absolute):
        return None
    return absolute


def _dedupe(resources) -> list[Resource]:
    seen: dict[str, Resource] = {}
    for r in resources:
        seen.setdefault(r.url, r)
    return list(seen.values())


def is_html(mime: str | None, body: bytes) -> bool:
    if mime:
        return "html" in mime.lower()
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def is_css(mime: str | None, kind: str) -> bool:
    m = (mime or "").lower()
    # A stylesheet served as text/plain or untyped (misconfigured servers) is still parsed.
    return m == "text/css" or (kind == STYLESHEET and m in ("", "text/plain"))


# ---------------------------------------------------------------------- counts
@dataclass
class ResourceCounts:
    """What happened to a page's resources (or a whole run's, summed)."""

    fetched: int = 0  # resource responses archived with a new payload
    revisits: int = 0  # fetched again, payload unchanged: a revisit record
    reused: int = 0  # archived recently (this run or within the freshness), linked without a fetch
    over_caps: int = 0  # left out by the per-page count or byte cap
    robots: int = 0  # disallowed by robots.txt
    refused: int = 0  # refused by the address guard (private, loopback, ...)
    failed: int = 0  # errors, timeouts
    bytes: int = 0  # bytes fetched (as received) for resources
    errors: list[str] = field(default_factory=list)

    def add(self, other: ResourceCounts) -> None:
        for name in ("fetched", "revisits", "reused", "over_caps", "robots", "refused", "failed", "bytes"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        room = MAX_ERRORS_KEPT - len(self.errors)
        if room > 0:
            self.errors += other.errors[:room]

    @property
    def total(self) -> int:
        return self.fetched + self.revisits + self.reused

    def note(self, message: str) -> None:
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(message)


# ---------------------------------------------------------------------- catalog link
_LINK_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS page_resources ("
    " page INTEGER NOT NULL REFERENCES captures(id),"
    " resource INTEGER NOT NULL REFERENCES captures(id),"
    " kind TEXT NOT NULL,"
    " PRIMARY KEY (page, resource))",
    "CREATE INDEX IF NOT EXISTS page_resources_by_resource ON page_resources(resource)",
)


def link_resources(archive: Archive, page: int, links: list[tuple[int, str]]) -> None:
    """Record in the catalog that the page capture `page` uses these resource captures."""
    if not links:
        return
    with archive.transaction():
        for statement in _LINK_SCHEMA:
            archive.db.execute(statement)
        archive.db.executemany(
            "INSERT OR IGNORE INTO page_resources(page, resource, kind) VALUES(?,?,?)",
            [(page, resource, kind) for resource, kind in links],
        )


def resources_of(archive: Archive, page: int) -> list[tuple[Capture, str]]:
    """The resource captures a page capture uses, with their kinds, in catalog order."""
    try:
        rows = archive.db.execute(
            "SELECT resource, kind FROM page_resources WHERE page=? ORDER BY resource", (page,)
        ).fetchall()
    except catalog.OperationalError:  # no table yet: nothing was ever linked
        return []
    return [(archive.get(r[0]), r[1]) for r in rows]


def linked_resource_count(archive: Archive) -> int:
    """How many resource captures some page uses."""
    try:
        return archive.db.execute("SELECT COUNT(DISTINCT resource) FROM page_resources").fetchone()[0]
    except catalog.OperationalError:  # no table yet: nothing was ever linked
        return 0


def resources_with_requests(archive: Archive, page: int) -> list[tuple[Capture, tuple[str, int, int] | None]]:
    """The resource captures a page capture uses, each with where its request record lies."""
    try:
        rows = archive.db.execute(
            "SELECT p.resource, q.warc_file, q.offset, q.length FROM page_resources p "
            "JOIN captures c ON c.id = p.resource LEFT JOIN records q ON q.id = c.request_record "
            "WHERE p.page = ? ORDER BY p.resource",
            (page,),
        ).fetchall()
    except catalog.OperationalError:  # no table: nothing was ever linked
        return []
    return [(archive.get(r[0]), (r[1], r[2], r[3]) if r[1] is not None else None) for r in rows]


def pages_using(archive: Archive, resource: int) -> list[int]:
    """The page captures that use the resource capture `resource`."""
    try:
        rows = archive.db.execute("SELECT page FROM page_resources WHERE resource=? ORDER BY page", (resource,))
        return [r[0] for r in rows.fetchall()]
    except catalog.OperationalError:
        return []


# ---------------------------------------------------------------------- fetching
@dataclass
class _Known:
    """A resource URL this run has dealt with: what became of it, for the next page."""

    outcome: str  # "archived", "robots", "refused", "failed"
    captures: list[int] = field(default_factory=list)  # every hop's capture
    children: list[Resource] = field(default_factory=list)  # a stylesheet's own resources
    message: str = ""
    at: float = field(default_factory=time.monotonic)


@dataclass(order=True)
class _Item:
    priority: int
    seq: int
    resource: Resource = field(compare=False)
    referrer: str = field(compare=False)
    depth: int = field(compare=False, default=0)  # @import depth, or 1 inside an iframe


class PageResources:
    """Fetches and links the resources of the pages one `Fetcher` captures.

    Holds the run's memory of resource URLs (bounded), so pages that share a
    stylesheet, captured at the same time or one after the other, fetch it once.
    """

    MAX_KNOWN = 50_000

    def __init__(self, fetcher: Fetcher):
        self.fetcher = fetcher
        self._known: OrderedDict[str, _Known] = OrderedDict()
        self._inflight: dict[str, asyncio.Future[_Known]] = {}

    @property
    def config(self):
        return self.fetcher.config

    async def fetch_for(self, outcome: CaptureOutcome, page_id: str) -> None:
        """Fetch the resources of the page `outcome` captured, if it is an HTML page."""
        final = outcome.final
        if final is None or final.capture is None or not 200 <= final.status < 300:
            return
        if not is_html(final.capture.mime, final.raw_body[:512]):
            return
        resources = await self._parse_html(final, iframes=True)
        counts = outcome.resources
        links: list[tuple[int, str]] = []
        seen = {hop.url for hop in outcome.hops}
        await self._run(resources, final.url, 0, page_id, counts, links, seen)
        if links:
            await asyncio.get_running_loop().run_in_executor(
                self.fetcher._writer, link_resources, self.fetcher.archive, final.capture.id, links
            )

    async def _parse_html(self, fetched: Fetched, *, iframes: bool) -> list[Resource]:
        body = fetched.body(self.fetcher.config.max_bytes)
        ctype = fetched.header("Content-Type")
        try:
            # Parsing a large page takes a while; the event loop keeps fetching meanwhile.
            return await asyncio.to_thread(html_resources, body, fetched.url, ctype, iframes=iframes)
        except Exception as e:  # noqa: BLE001 - a page we cannot parse simply has no resources
            log.warning("finding the resources of %s: %s", fetched.url, e)
            return []

    async def _run(
        self,
        resources: list[Resource],
        referrer: str,
        depth: int,
        page_id: str,
        counts: ResourceCounts,
        links: list[tuple[int, str]],
        seen: set[str],
    ) -> None:
        c = self.config
        heap: list[_Item] = []
        seq = 0

        def push(items: list[Resource], ref: str, d: int) -> None:
            nonlocal seq
            for r in items:
                if r.url in seen:
                    continue
                seen.add(r.url)
                seq += 1
                heapq.heappush(heap, _Item(_PRIORITY.get(r.kind, 9), seq, r, ref, d))

        push(resources, referrer, depth)
        taken = 0
        spent = 0
        active: dict[asyncio.Task, _Item] = {}
        while heap or active:
            while heap and len(active) < PARALLEL_PER_PAGE:
                item = heapq.heappop(heap)
                if taken >= c.resource_max_count or spent >= c.resource_max_bytes:
                    counts.over_caps += 1
                    continue
                taken += 1
                active[asyncio.ensure_future(self._one(item, page_id, counts))] = item
            if not active:
                break
            done, _ = await asyncio.wait(active, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                item = active.pop(task)
                known, fetched_bytes = task.result()
                spent += fetched_bytes
                if known.outcome != "archived":
                    continue
                links += [(cid, item.resource.kind) for cid in known.captures]
                if item.resource.kind == STYLESHEET and item.depth < MAX_CSS_DEPTH:
                    push(known.children, item.resource.url, item.depth + 1)
                elif item.resource.kind == IFRAME and item.depth == 0:
                    # One level: the iframe's own resources, not its iframes.
                    push(known.children, item.resource.url, 1)

    async def _one(self, item: _Item, page_id: str, counts: ResourceCounts) -> tuple[_Known, int]:
        """One resource for one page: linked if known, else fetched (once per run)."""
        url = item.resource.url
        known = self._recall(url)
        if known is None:
            pending = self._inflight.get(url)
            if pending is not None:
                known = await asyncio.shield(pending)
            else:
                known = await self._fresh_in_archive(item.resource)
                if known is None:
                    return await self._fetch(item, page_id, counts)
        self._count_known(known, url, counts)
        return known, 0

    def _count_known(self, known: _Known, url: str, counts: ResourceCounts) -> None:
        if known.outcome == "archived":
            counts.reused += 1
        elif known.outcome == "robots":
            counts.robots += 1
        elif known.outcome == "refused":
            counts.refused += 1
            counts.note(f"{url}: {known.message}")
        else:
            counts.failed += 1
            counts.note(f"{url}: {known.message}")

    def _recall(self, url: str) -> _Known | None:
        known = self._known.get(url)
        if known is None:
            return None
        if time.monotonic() - known.at > self.config.resource_freshness:
            del self._known[url]
            return None
        self._known.move_to_end(url)
        return known

    def _remember(self, url: str, known: _Known) -> None:
        self._known[url] = known
        self._known.move_to_end(url)
        while len(self._known) > self.MAX_KNOWN:
            self._known.popitem(last=False)

    async def _fresh_in_archive(self, resource: Resource) -> _Known | None:
        """The resource's newest capture when it is recent enough to stand for a new one."""
        if self.config.resource_freshness <= 0:
            return None
        archive = self.fetcher.archive
        since = datetime.now(UTC) - timedelta(seconds=self.config.resource_freshness)
        try:
            row = archive.db.execute(
                "SELECT id, status FROM captures WHERE surt=? AND captured_at>=? ORDER BY captured_at DESC LIMIT 1",
                (surt(resource.url), iso_utc(since)),
            ).fetchone()
        except (*catalog.Error, ValueError):
            return None
        # A redirect is fetched again: where it pointed is not kept in the catalog.
        if row is None or row[1] is None or 300 <= row[1] < 400:
            return None
        known = _Known("archived", [row[0]])
        if resource.kind in (STYLESHEET, IFRAME):
            known.children = await asyncio.to_thread(self._archived_children, row[0], resource)
        self._remember(resource.url, known)
        return known

    def _archived_children(self, capture_id: int, resource: Resource) -> list[Resource]:
        archive = self.fetcher.archive
        try:
            cap = archive.get(capture_id)
            response = archive.read_response(cap)
        except Exception as e:  # noqa: BLE001 - an unreadable old copy only loses its children
            log.info("reading the archived %s: %s", resource.url, e)
            return []
        if resource.kind == IFRAME:
            if not is_html(cap.mime, response.body[:512]):
                return []
            return html_resources(response.body, cap.url, response.header("Content-Type"), iframes=False)
        if not is_css(cap.mime, resource.kind):
            return []
        return css_resources(decode_html(response.body, response.header("Content-Type"))[0], cap.url)

    async def _fetch(self, item: _Item, page_id: str, counts: ResourceCounts) -> tuple[_Known, int]:
        url = item.resource.url
        future: asyncio.Future[_Known] = asyncio.get_running_loop().create_future()
        self._inflight[url] = future
        known = _Known("failed", message="not fetched")
        size = 0
        try:
            warc = [("WARC-Page-ID", page_id), ("WARC-Resource-Type", item.resource.kind)]
            outcome = await self.fetcher._follow(
                url, archive_it=True, extra_headers=_referer(item.referrer, url), warc_headers=warc
            )
            size = sum(len(h.raw_body) for h in outcome.hops)
            counts.bytes += size
            known = await self._settle(outcome, item, counts)
        finally:
            self._remember(url, known)
            self._inflight.pop(url, None)
            future.set_result(known)
        return known, size

    async def _settle(self, outcome: CaptureOutcome, item: _Item, counts: ResourceCounts) -> _Known:
        url = item.resource.url
        if outcome.skipped == "robots.txt":
            counts.robots += 1
            return _Known("robots", message="blocked by robots.txt")
        if outcome.skipped:
            counts.refused += 1
            counts.note(f"{url}: {outcome.skipped}")
            return _Known("refused", message=outcome.skipped)
        captured = [h.capture.id for h in outcome.hops if h.capture is not None]
        if outcome.error or not captured:
            counts.failed += 1
            message = outcome.error or "nothing archived"
            counts.note(f"{url}: {message}")
            # The hops before the failure are archived and stay linked to the page.
            return _Known("archived" if captured else "failed", captured, message=message)
        final = outcome.final
        assert final is not None and final.capture is not None
        if final.capture.record_type == "revisit":
            counts.revisits += 1
        else:
            counts.fetched += 1
        known = _Known("archived", captured)
        if 200 <= final.status < 300 and final.raw_body:
            kind = item.resource.kind
            if kind == IFRAME and item.depth == 0 and is_html(final.capture.mime, final.raw_body[:512]):
                known.children = await self._parse_html(final, iframes=False)
            elif kind == STYLESHEET and is_css(final.capture.mime, kind):
                text = decode_html(final.body(self.config.max_bytes), final.header("Content-Type"))[0]
                known.children = css_resources(text, final.url)
        outcome.release()
        return known


def _referer(referrer: str, url: str) -> dict[str, str] | None:
    """The Referer a browser would send (strict-origin-when-cross-origin, its default policy)."""
    ref = urlsplit(referrer)
    target = urlsplit(url)
    if ref.scheme == "https" and target.scheme != "https":
        return None
    if (ref.scheme, ref.netloc) == (target.scheme, target.netloc):
        return {"Referer": urldefrag(referrer)[0]}
    return {"Referer": f"{ref.scheme}://{ref.netloc}/"}
