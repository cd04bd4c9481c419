"""Replay fidelity in a real browser, vazeh against pywb (issue #13's "done when").

A news site on 127.0.0.1 (http.server, written here) serves three pages laid out
as Persian news sites are: a stylesheet that `@import`s another with an
`@font-face` web font (Vazirmatn, when `src/vazeh/web/static/fonts/` was fetched)
and a `url()` background, an `<img srcset>` whose URLs hold commas, a lazy
`data-src` image a small script promotes, an `<iframe>` with an image of its own,
an SVG sprite through `<use href="/sprite.svg#icon">`, and a script that inserts
an image after the load event.

vazeh's fetcher captures the pages (resources on, as by default) into a fresh
home. The site is then stopped, and each page is replayed in Debian's chromium
(Playwright) from vazeh (the room and its replay origin on two ports of one
uvicorn, as `vazeh serve` runs them) and from pywb 2.10's `wayback` over a
collection of the same WARC files. Every request is recorded, with its response or
its failure. Per page and per replayer: the archived resources the page requested,
how many loaded (2xx/3xx from the archive), how many failed, and how many requests
left the archive's origins. For vazeh it is asserted that every resource loaded
from the archive and nothing went elsewhere, the stopped site's host:port least of
all; pywb's figures are for comparison.

The table is printed (`pytest -s`) and written to test-artifacts/replay-fidelity.txt,
with screenshots of both replays of each page beside it.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from tests.peers.conftest import wayback
from warcio.archiveiterator import ArchiveIterator

from vazeh.archive import open_archive
from vazeh.capture import FetchConfig, capture_urls
from vazeh.web import WebConfig, create_app
from vazeh.web.app import serve_config

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
FONT = ROOT / "src/vazeh/web/static/fonts/vazirmatn-arabic-400-normal.woff2"
COLL = "fidelity"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
    pytest.mark.timeout(600),
]


# ------------------------------------------------------------------ the news site

def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


HAS_FONT = FONT.exists()
FONT_CSS = ('@font-face{font-family:"Vazir";src:url("/fonts/vazir.woff2") format("woff2");font-display:block}\n'
            'body{font-family:"Vazir",serif}\n' if HAS_FONT else "body{font-family:serif}\n")
SITE_CSS = """@import url("/css/fonts.css");
body{margin:0;background:#f6f1e7;color:#222}
.masthead{height:64px;background:#7a1010 url("/img/masthead.png") repeat-x;color:#fff;padding:8px 16px}
.masthead h1{margin:0;font-size:28px}
.icon{width:24px;height:24px;fill:#c33;vertical-align:middle}
main{padding:8px 16px}
.lead img,.thumbs img{border:3px solid #7a1010}
.thumbs img{width:90px;height:60px}
iframe{border:2px dashed #7a1010;width:300px;height:110px}
"""
SPRITE = (b'<svg xmlns="http://www.w3.org/2000/svg"><symbol id="icon" viewBox="0 0 10 10">'
          b'<circle cx="5" cy="5" r="5"/></symbol><symbol id="play" viewBox="0 0 10 10">'
          b'<path d="M2 1 L9 5 L2 9 Z"/></symbol></svg>')
LATE_JS = b"""window.addEventListener("load", function () {
  var img = new Image(); img.id = "late"; img.alt = "";
  img.src = "/img/late.png";
  document.querySelector("main").appendChild(img);
});
"""
LAZY = """<script>window.addEventListener("load", function () {
  document.querySelectorAll("img[data-src]").forEach(function (img) { img.src = img.getAttribute("data-src"); });
});</script>"""
BLANK = "data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=="


def layout(title: str, body: str) -> bytes:
    return f"""<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="/css/site.css"></head><body>
<header class="masthead"><h1><svg class="icon"><use href="/sprite.svg#icon"></use></svg> خبرگزاری آزمون</h1></header>
<main>{body}</main>{LAZY}<script src="/js/late.js"></script></body></html>""".encode()


FRONT = layout("صفحهٔ نخست", f"""
<h2>تیتر یک: بارش برف در تهران</h2>
<div class="thumbs">
<img src="/img/thumb/1.png" alt="">
<img srcset="/img/w_90,h_60/thumb2.png 1x, /img/w_180,h_120/thumb2.png 2x" src="/img/thumb/2.png" alt="">
<img class="lazy" src="{BLANK}" data-src="/img/thumb/3.png" alt="">
</div>
<p><a href="/news/1402/story">ادامهٔ خبر</a></p>""")
STORY = layout("سیلاب در روستاهای شرق سمنان", f"""
<article><h2>سیلاب در روستاهای شرق سمنان</h2>
<figure class="lead"><img id="lead" srcset="/img/w_300,h_200/lead.png 1x, /img/w_600,h_400/lead.png 2x"
  src="/img/lead.png" alt=""></figure>
<p>به گزارش خبرنگار ما، بارش شدید باران در شرق استان سمنان سبب جاری شدن سیلاب شد.</p>
<img id="lazy" class="lazy" src="{BLANK}" data-src="/img/story-lazy.png" alt="">
<iframe id="poll" src="/embed/poll.html"></iframe></article>""")
VIDEO = layout("گزارش تصویری", f"""
<h2><svg class="icon"><use href="/sprite.svg#play"></use></svg> گزارش تصویری از بازار بزرگ</h2>
<iframe id="player" src="/embed/player.html"></iframe>
<img class="lazy" src="{BLANK}" data-src="/img/gallery/1.png" alt="">
<img srcset="/img/w_200,q_80/g2.png 1x" alt="">""")
POLL = ("""<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8">
<style>body{margin:4px;background:url("/img/poll-bg.png")}</style></head>
<body><p id="inner">نظرسنجی امروز</p><img id="poll-img" src="/img/poll.png" alt=""></body></html>""").encode()
PLAYER = ("""<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"></head>
<body><img id="poster" src="/img/poster.png" alt=""><p>پخش ویدئو</p></body></html>""").encode()

PAGES = {"front": "/", "story": "/news/1402/story", "video": "/video/bazaar"}
ROUTES: dict[str, tuple[bytes, str]] = {
    "/": (FRONT, "text/html; charset=utf-8"),
    "/news/1402/story": (STORY, "text/html; charset=utf-8"),
    "/video/bazaar": (VIDEO, "text/html; charset=utf-8"),
    "/embed/poll.html": (POLL, "text/html; charset=utf-8"),
    "/embed/player.html": (PLAYER, "text/html; charset=utf-8"),
    "/css/site.css": (SITE_CSS.encode(), "text/css"),
    "/css/fonts.css": (FONT_CSS.encode(), "text/css"),
    "/sprite.svg": (SPRITE, "image/svg+xml"),
    "/js/late.js": (LATE_JS, "text/javascript"),
    "/img/masthead.png": (png(40, 64, (150, 20, 20)), "image/png"),
    "/img/thumb/1.png": (png(90, 60, (30, 90, 160)), "image/png"),
    "/img/thumb/2.png": (png(90, 60, (0, 0, 0)), "image/png"),
    "/img/w_90,h_60/thumb2.png": (png(90, 60, (40, 150, 60)), "image/png"),
    "/img/w_180,h_120/thumb2.png": (png(180, 120, (40, 150, 60)), "image/png"),
    "/img/thumb/3.png": (png(90, 60, (200, 140, 20)), "image/png"),
    "/img/lead.png": (png(300, 200, (0, 0, 0)), "image/png"),
    "/img/w_300,h_200/lead.png": (png(300, 200, (60, 110, 170)), "image/png"),
    "/img/w_600,h_400/lead.png": (png(600, 400, (60, 110, 170)), "image/png"),
    "/img/story-lazy.png": (png(120, 40, (200, 140, 20)), "image/png"),
    "/img/late.png": (png(120, 30, (120, 40, 160)), "image/png"),
    "/img/poll.png": (png(60, 40, (20, 160, 150)), "image/png"),
    "/img/poll-bg.png": (png(8, 8, (230, 230, 250)), "image/png"),
    "/img/poster.png": (png(160, 60, (20, 20, 20)), "image/png"),
    "/img/gallery/1.png": (png(100, 70, (160, 80, 40)), "image/png"),
    "/img/w_200,q_80/g2.png": (png(100, 70, (90, 60, 140)), "image/png"),
}
if HAS_FONT:
    ROUTES["/fonts/vazir.woff2"] = (FONT.read_bytes(), "font/woff2")
# Resources a replay asks for that vazeh's capture cannot have: the late script's
# image is named only inside the script, and capture reads HTML and CSS, it runs no
# script. Each is asked of the archive and answered 404 there (by pywb too); the
# day capture learns them, the strict check below says so.
CAPTURE_GAPS = {"/img/late.png": "inserted by /js/late.js after the load event; capture runs no script"}
# What each page uses (the browser asks for these, besides the page): the 1x
# candidates of srcset on a 1x screen, the sprite, the lazy image once promoted,
# the late script's image, and what its iframe uses.
SHARED = ["/css/site.css", "/css/fonts.css", "/img/masthead.png", "/sprite.svg", "/js/late.js", "/img/late.png",
          *(["/fonts/vazir.woff2"] if HAS_FONT else [])]
USES = {
    "front": [*SHARED, "/img/thumb/1.png", "/img/w_90,h_60/thumb2.png", "/img/thumb/3.png"],
    "story": [*SHARED, "/img/w_300,h_200/lead.png", "/img/story-lazy.png", "/embed/poll.html", "/img/poll.png",
              "/img/poll-bg.png"],
    "video": [*SHARED, "/embed/player.html", "/img/poster.png", "/img/gallery/1.png", "/img/w_200,q_80/g2.png"],
}


class SiteHandler(BaseHTTPRequestHandler):
    seen: list[str]

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.seen.append(self.path)
        body, ctype = ROUTES.get(self.path, (b"not here", "text/plain"))
        self.send_response(200 if self.path in ROUTES else 404)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


# ------------------------------------------------------------------ capture

@dataclass
class Captured:
    home: Path
    site: str  # http://127.0.0.1:PORT, stopped by now
    warcs: list[Path]
    stamps: dict[str, str]  # page name -> the 14-digit time of its capture
    seen_by_site: list[str]


@pytest.fixture(scope="module")
def captured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Captured]:
    seen: list[str] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Site", (SiteHandler,), {"seen": seen}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}"
    home = tmp_path_factory.mktemp("fidelity") / "vazeh-data"
    archive = open_archive(home)
    try:
        config = FetchConfig(allow_private=True, rate=100.0, backoff=0.01, timeout=10.0, retries=0,
                             obey_robots=False)
        report = capture_urls(archive, [site + p for p in PAGES.values()], config)
        assert report.captured >= len(PAGES), report.errors
    finally:
        archive.close()
        # Stopped before any replay: whatever the browser asks of it now is refused.
        server.shutdown()
        server.server_close()
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=2):
        pass
    warcs = sorted(home.glob("warcs/*.warc.gz"))
    stamps: dict[str, str] = {}
    by_url = {site + p: name for name, p in PAGES.items()}
    for path in warcs:
        with open(path, "rb") as f:
            for rec in ArchiveIterator(f):
                uri = rec.rec_headers.get_header("WARC-Target-URI")
                if rec.rec_type == "response" and uri in by_url:
                    when = datetime.fromisoformat(rec.rec_headers.get_header("WARC-Date").replace("Z", "+00:00"))
                    stamps[by_url[uri]] = when.astimezone(UTC).strftime("%Y%m%d%H%M%S")
    assert set(stamps) == set(PAGES), stamps
    yield Captured(home, site, warcs, stamps, list(seen))


# ------------------------------------------------------------------ the two replayers

@contextmanager
def vazeh_serving(home: Path) -> Iterator[tuple[str, str]]:
    """The room and its replay origin on two ephemeral ports of one uvicorn, as `vazeh serve`."""
    sockets = []
    for _ in range(2):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
    room_port, replay_port = (sock.getsockname()[1] for sock in sockets)
    config = serve_config(WebConfig(allow_private=True), "127.0.0.1", room_port, replay_port)
    server = uvicorn.Server(uvicorn.Config(create_app(home, config=config), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": sockets}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield config.public_url or "", config.replay_url or ""
    finally:
        server.should_exit = True
        thread.join(10)


def pywb_serving(pywb_bin: Path, warcs: list[Path], root: Path):  # noqa: ANN201 - a context manager
    return wayback(pywb_bin, root, COLL, warcs)


# ------------------------------------------------------------------ the browser

@pytest.fixture(scope="module")
def browser():
    pytest.importorskip("playwright")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Seen:
    """One request the page made, with what became of it."""

    url: str
    kind: str  # Playwright's resource type
    navigation: bool
    status: int | None = None
    failure: str | None = None
    finished: bool = False


@dataclass
class Figures:
    requested: int = 0
    loaded: int = 0
    failed: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    own: int = 0  # the replayer's own assets (banner, wombat.js): not the page's
    gaps: int = 0  # requests for CAPTURE_GAPS
    used: list[str] = field(default_factory=list)  # site paths of the archived resources requested
    checks: dict[str, object] = field(default_factory=dict)


def replay(browser, url: str, origins: tuple[str, ...], archived: str, site: str, shot: Path) -> tuple[Figures, list[Seen]]:
    """Open `url`, wait for the page and its late script, and sort every request it made."""
    context = browser.new_context(locale="fa-IR", viewport={"width": 800, "height": 1000}, service_workers="block")
    page = context.new_page()
    seen: dict[object, Seen] = {}

    def on_request(r) -> None:
        seen[r] = Seen(r.url, r.resource_type, r.is_navigation_request() and r.frame == page.main_frame)

    def on_response(r) -> None:
        if r.request in seen:
            seen[r.request].status = r.status

    def on_failed(r) -> None:
        if r in seen:
            seen[r].failure = r.failure or "failed"

    def on_finished(r) -> None:
        if r in seen:
            seen[r].finished = True

    page.on("request", on_request)
    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    page.on("requestfinished", on_finished)
    figures = Figures()
    try:
        page.goto(url, wait_until="load", timeout=60000)
        # The lazy images, the late script's image and the iframe's, each settled
        # (loaded or broken) before counting; a replayer that never makes them is
        # seen in the figures, not here.
        try:
            page.wait_for_function(
                "() => { const l = document.getElementById('late');"
                " return l && l.complete && Array.from(document.images).every(i => i.complete); }",
                timeout=20000)
        except Exception as e:  # noqa: BLE001 - pywb may never settle; counted below
            figures.checks["settle"] = f"not settled: {type(e).__name__}"
        page.wait_for_load_state("networkidle", timeout=30000)
        figures.checks["fonts"] = page.evaluate(
            "document.fonts.ready.then(() => Array.from(document.fonts).filter(f => f.status === 'loaded')"
            ".map(f => f.family.replace(/\"/g, '')))")
        figures.checks["broken images"] = page.evaluate(
            "Array.from(document.images).filter(i => i.complete && i.naturalWidth === 0).map(i => i.id || i.src)")
        frames = [f for f in page.frames if f != page.main_frame]
        figures.checks["iframe images"] = [
            f.evaluate("Array.from(document.images).map(i => i.naturalWidth)") for f in frames]
        figures.checks["masthead background"] = page.evaluate(
            "getComputedStyle(document.querySelector('.masthead')).backgroundImage")
        figures.checks["sprite drawn"] = page.evaluate(
            "(() => { const u = document.querySelector('svg.icon use'); const b = u && u.getBBox(); return !!b && b.width > 0; })()")
        shot.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        time.sleep(1.0)  # any escaped request has time to show
    finally:
        context.close()
    host = urlsplit(site).netloc
    for s in seen.values():
        if s.url.startswith(("data:", "blob:", "about:")):
            continue
        if not s.url.startswith(tuple(o + "/" for o in origins)) or host in urlsplit(s.url).netloc:
            figures.outside.append(s.url)
            continue
        if s.navigation:
            continue  # the page itself (and the room's redirect to the replay origin)
        if archived not in s.url:
            figures.own += 1
            continue
        figures.requested += 1
        target = s.url.split(site, 1)[1] if site in s.url else s.url
        figures.used.append(target)
        figures.gaps += target in CAPTURE_GAPS
        ok = s.failure is None and s.status is not None and 200 <= s.status < 400
        if ok:
            figures.loaded += 1
        else:
            figures.failed.append(f"{s.url} -> {s.status} {s.failure or ''}".strip())
    # Any attempt at the stopped site, even one chromium refused before sending, is an
    # `outside` request above: its host:port is in no archive origin.
    return figures, list(seen.values())


def table(rows: list[tuple[str, Figures, Figures]]) -> str:
    head = f"{'page':<8} {'replayer':<7} {'requested':>9} {'loaded':>6} {'failed':>6} {'outside':>7} {'own':>4}"
    lines = [head, "-" * len(head)]
    total = {"vazeh": [0, 0, 0, 0, 0], "pywb": [0, 0, 0, 0, 0]}
    for name, ours, theirs in rows:
        for label, f in (("vazeh", ours), ("pywb", theirs)):
            lines.append(f"{name:<8} {label:<7} {f.requested:>9} {f.loaded:>6} {len(f.failed):>6} "
                         f"{len(f.outside):>7} {f.own:>4}")
            t = total[label]
            t[0] += f.requested
            t[1] += f.loaded
            t[2] += len(f.failed)
            t[3] += len(f.outside)
            t[4] += f.gaps
    for label, (req, ok, bad, out, gaps) in total.items():
        lines.append(f"{'all':<8} {label:<7} {req:>9} {ok:>6} {bad:>6} {out:>7}"
                     f"   loaded/requested {ok}/{req} = {ok / req if req else 0:.0%}; of the captured "
                     f"{ok}/{req - gaps} = {ok / (req - gaps) if req > gaps else 0:.0%}")
    return "\n".join(lines)


def test_pages_replay_in_chromium_with_every_resource_from_the_archive(captured: Captured, pywb_bin: Path,
                                                                       browser, tmp_path: Path) -> None:
    rows: list[tuple[str, Figures, Figures]] = []
    details: list[str] = []
    with vazeh_serving(captured.home) as (base, replay_origin), \
            pywb_serving(pywb_bin, captured.warcs, tmp_path) as pywb:
        for name, path in PAGES.items():
            url, ts = captured.site + path, captured.stamps[name]
            ours, _ = replay(browser, f"{base}/web/{ts}/{url}", (base, replay_origin), "/web/", captured.site,
                             ARTIFACTS / f"fidelity-{name}-vazeh.png")
            theirs, _ = replay(browser, f"{pywb}/{COLL}/{ts}/{url}", (pywb,), f"/{COLL}/", captured.site,
                               ARTIFACTS / f"fidelity-{name}-pywb.png")
            rows.append((name, ours, theirs))
            for label, f in (("vazeh", ours), ("pywb", theirs)):
                details.append(f"{name} {label}: checks {f.checks}")
                details += [f"  failed: {x}" for x in f.failed] + [f"  outside: {x}" for x in f.outside]
                missing = sorted(set(USES[name]) - {u.split("?")[0] for u in f.used})
                if missing:
                    details.append(f"  not requested: {missing}")
    report = (f"replay fidelity, {len(PAGES)} pages of a local news site captured by vazeh's fetcher "
              f"({len(captured.warcs)} WARC files; font part {'on' if HAS_FONT else 'off: fonts not fetched'})\n"
              + table(rows) + "\n(own: the replayer's own assets, not counted; outside: requests that left the "
              "archive's origins)\ncapture gaps: " + "; ".join(f"{k}: {v}" for k, v in CAPTURE_GAPS.items())
              + "\n\n" + "\n".join(details) + "\n")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "replay-fidelity.txt").write_text(report, encoding="utf-8")
    print("\n" + report)

    # The capture fetched every resource the pages use but the gaps, and not those.
    fetched = set(captured.seen_by_site)
    assert {p for uses in USES.values() for p in uses} - set(CAPTURE_GAPS) <= fetched, sorted(fetched)
    assert not set(CAPTURE_GAPS) & fetched, "capture now fetches a gap: take it out of CAPTURE_GAPS"
    site = urlsplit(captured.site).netloc
    for name, ours, theirs in rows:
        assert theirs.requested, f"pywb replayed nothing of {name}"  # pywb ran; its figures are not asserted
        assert ours.outside == [], (name, ours.outside)
        assert not any(site in u for u in ours.outside), (name, ours.outside)
        # Every resource the page asked for was asked of the archive and loaded from
        # it, but the gaps, which the archive answered itself (a 404 of its own).
        gaps = [f for f in ours.failed if any(f"/{site}{g} -> 404" in f for g in CAPTURE_GAPS)]
        assert [f for f in ours.failed if f not in gaps] == [], (name, ours.failed)
        assert ours.loaded == ours.requested - len(gaps) > 0, name
        missing = sorted(set(USES[name]) - {u.split("?")[0] for u in ours.used})
        assert missing == [], f"{name}: the browser never asked vazeh for {missing}"
        assert [i for i in ours.checks["broken images"] if i not in ("late",)] == [], (name, ours.checks)
        assert all(all(w > 0 for w in imgs) for imgs in ours.checks["iframe images"]), (name, ours.checks)
        assert "url(" in str(ours.checks["masthead background"]), (name, ours.checks)
        assert ours.checks["sprite drawn"], (name, ours.checks)
        if HAS_FONT:
            assert "Vazir" in ours.checks["fonts"], (name, ours.checks)
