"""Every page type of the reading room, in a real browser, at a desktop and a phone size.

Debian's chromium (through Playwright) opens home, an article, a search with
facets, a source, a category, a replayed page (on the replay origin), an article
with two versions and its diff (word by word and side by side), the save page,
the changes page, the docs and the 404 page, at 1366×900 and at 390×844 (a
phone: touch, mobile viewport). Pages are reached by following links the pages
themselves show (the first article on the home page, its source and category,
its replay link, its diff link), so the test follows the room as it changes.

For each page and size it keeps a full-page screenshot in
test-artifacts/screens/<page>-<size>.png and checks:

* no horizontal scroll (the document is no wider than the window, 1 px allowed);
* no broken image (every <img> complete with a natural width); on a replay only
  the images the archive holds as images count: an image the archive lacks, or
  holds as bytes no image decoder reads, is the archived page as it was;
* on the room's pages (not replays, whose archived text is what it is, though
  the replay banner is checked): no Latin-script word outside the allow list of
  tests/web/test_persian_everywhere.py and no Latin digit in the visible text,
  leaving out code, kbd, samp, pre, addresses and the reader's own words.

On the phone the search results come before the facets, which are folded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from vazeh.web import WebConfig

from .conftest import ADMIN_TOKEN, SampleArchive, build_sample
from .test_browser import CHROMIUM, serving
from .test_persian_everywhere import ADDRESS, ALLOWED, LATIN_DIGIT, LATIN_WORD

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]

SIZES = {
    "desktop": {"viewport": {"width": 1366, "height": 900}, "device_scale_factor": 1},
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "is_mobile": True,
              "has_touch": True},
}
PAGES = ["home", "article", "search", "source", "category", "replay", "versions", "diff", "diff-side", "save",
         "changes", "docs", "404"]
# An ordinary browser's name: headless chromium calls itself HeadlessChrome, which view counts treat as a bot.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
QUERY = "سمنان"
FEED = (".rss", ".atom")

# The text a reader sees: text nodes with a rendered box, outside code and addresses.
SHOWN_TEXT_JS = """(root) => {
  const skip = 'script,style,noscript,template,code,kbd,samp,pre,svg,.url,.fragment';
  const out = [];
  const walker = document.createTreeWalker(root || document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walker.nextNode());) {
    const el = n.parentElement;
    if (!el || !n.data.trim() || el.closest(skip)) continue;
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: false})) continue;
    out.push(n.data);
  }
  return out;
}"""

# Waits until every image has loaded or failed (lazy ones made eager), then reports each.
IMAGES_JS = """async () => {
  const images = [...document.images];
  for (const i of images) if (i.loading === 'lazy') i.loading = 'eager';
  await Promise.all(images.map(i => i.complete ? null : new Promise(done => {
    i.addEventListener('load', done, {once: true});
    i.addEventListener('error', done, {once: true});
    setTimeout(done, 10000);
  })));
  return images.map(i => ({src: i.currentSrc || i.src, complete: i.complete, width: i.naturalWidth,
                           shown: i.checkVisibility()}));
}"""

# What makes the page wide: the deepest elements wider than the window, else those that stick out.
OVERFLOW_JS = """(width) => {
  const wide = e => e.getBoundingClientRect().width > width + 1;
  const out = e => { const r = e.getBoundingClientRect(); return r.width && (r.right > width + 1 || r.left < -1); };
  const all = [...document.querySelectorAll('body *')];
  let found = all.filter(e => wide(e) && ![...e.children].some(wide));
  if (!found.length) found = all.filter(e => out(e) && ![...e.children].some(out));
  return found.slice(0, 6).map(e => { const r = e.getBoundingClientRect();
    const cls = typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).join('.') : '';
    return `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${cls} width=${Math.round(r.width)} `
      + `(${(e.innerText || '').trim().slice(0, 40)})`; });
}"""


@dataclass
class Site:
    base: str
    replay: str
    sample: SampleArchive


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    sample = build_sample(tmp_path_factory.mktemp("screens") / "home")
    config = WebConfig(admin_token=ADMIN_TOKEN, allow_private=True)
    # The replay origin under a host name of its own, as test_browser runs it.
    with serving(sample.home, config, replay_host="replay.localhost") as (base, replay):
        yield Site(base, replay, sample)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def opened(browser, request):
    """A page in a fresh context of the size the test asks for, and the responses it saw."""
    size = request.param if hasattr(request, "param") else "desktop"
    context = browser.new_context(locale="fa-IR", user_agent=USER_AGENT, **SIZES[size])
    page = context.new_page()
    responses: dict[str, object] = {}
    page.on("response", lambda r: responses.setdefault(r.url, r))
    try:
        yield page, size, responses
    finally:
        context.close()


# ------------------------------------------------------------------ getting there
def _href(page, selector: str, what: str) -> str:
    for link in page.locator(selector).all():
        href = link.get_attribute("href") or ""
        if href and not href.endswith(FEED):
            return href
    raise AssertionError(f"no link for {what} ({selector}) on {page.url}")


def _go(page, site: Site, href: str):
    response = page.goto(href if "://" in href else site.base + href)
    page.wait_for_load_state("load")
    return response


def _first_article(page, site: Site) -> None:
    _go(page, site, "/")
    _go(page, site, _href(page, 'main a[href^="/article/"]', "the first article on the home page"))


def _versions(page, site: Site) -> None:
    """The article with two captured versions (flood_v1, then flood), from its search hit."""
    _go(page, site, f"/article/{site.sample.stories['flood'].article_id}")
    assert page.locator("#versions").count(), f"no versions list on {page.url}"


def open_page(page, site: Site, name: str) -> bool:
    """Goes to one page type by the links the room shows; True when it is a replay."""
    if name == "home":
        _go(page, site, "/")
    elif name == "article":
        _first_article(page, site)
    elif name == "search":
        _go(page, site, "/")
        page.locator("input[name=q]").first.fill(QUERY)
        page.locator("input[name=q]").first.press("Enter")
        page.wait_for_url("**/search?q=*")
        page.wait_for_load_state("load")
        assert page.locator("ol.hits > li a.title").count(), f"no hits for {QUERY} on {page.url}"
        assert page.locator(".facets").count(), f"no facets on {page.url}"
    elif name == "source":
        _first_article(page, site)
        _go(page, site, _href(page, 'main a[href^="/source/"]', "the article's source"))
    elif name == "category":
        _first_article(page, site)
        _go(page, site, _href(page, 'main a[href^="/category/"]', "the article's category"))
    elif name == "replay":
        _first_article(page, site)
        # "The page as it was": the first replay link that is not the raw response.
        href = _href(page, f'main a[href^="{site.replay}/web/"]:not(.raw)', "the article's replay")
        _go(page, site, href)
        assert page.url.startswith(site.replay + "/web/"), page.url
        return True
    elif name == "versions":
        _versions(page, site)
    elif name in ("diff", "diff-side"):
        _versions(page, site)
        _go(page, site, _href(page, 'main a.diff-link, main a[href*="/diff"]', "the article's diff"))
        assert "/diff" in page.url, page.url
        if name == "diff-side":
            page.locator('input[name=view][value=side]').check()
            page.locator("form.diff-pick button[type=submit], form.diff-pick [type=submit]").first.click()
            page.wait_for_url("**view=side**")
            page.wait_for_load_state("load")
            assert parse_qs(urlsplit(page.url).query).get("view") == ["side"], page.url
    elif name == "save":
        _go(page, site, "/save")
    elif name == "changes":
        response = _go(page, site, "/changes")
        assert response is not None and response.status == 200, response and response.status
        if not page.locator("ol.changes > li").count():
            text = page.inner_text("main")
            assert "تغییری" in text and "پیدا نشد" in text, f"/changes is empty without its message: {text[:300]!r}"
    elif name == "docs":
        _go(page, site, "/docs")
    elif name == "404":
        response = _go(page, site, "/no/such/page")
        assert response is not None and response.status == 404, response and response.status
    else:  # pragma: no cover
        raise AssertionError(name)
    return False


# ------------------------------------------------------------------ what is checked
def _decodable(body: bytes) -> bool:
    """Bytes an image decoder would read: the signatures and first chunk of common formats."""
    return (body.startswith(b"\x89PNG\r\n\x1a\n") and body[12:16] == b"IHDR" or body.startswith(b"\xff\xd8\xff")
            or body.startswith((b"GIF87a", b"GIF89a")) or body[:4] == b"RIFF" and body[8:12] == b"WEBP"
            or b"<svg" in body[:512] or body.startswith(b"\x00\x00\x01\x00"))


def broken_images(page, responses: dict, replay: bool) -> list[str]:
    found = []
    for image in page.evaluate(IMAGES_JS):
        if image["complete"] and image["width"] > 0:
            continue
        src = image["src"]
        if replay:
            response = responses.get(src)
            if response is None or response.status != 200:
                continue  # the archive does not hold it: the page as it was
            body = response.body()
            if not _decodable(body):
                continue  # the archive holds these bytes, which are no image
            found.append(f"{src}: archived as an image ({len(body)} bytes) but not shown")
        else:
            status = responses[src].status if src in responses else "no response"
            found.append(f"{src}: {status}, complete={image['complete']}, naturalWidth={image['width']}")
    return found


def latin_in(pieces: list[str]) -> list[str]:
    found = []
    for piece in pieces:
        text = ADDRESS.sub(" ", piece)
        words = [w for w in LATIN_WORD.findall(text) if w not in ALLOWED]
        if words:
            found.append(f"Latin words {words} in {piece.strip()[:120]!r}")
        if LATIN_DIGIT.search(text):
            found.append(f"Latin digits in {piece.strip()[:120]!r}")
    return found


def horizontal_scroll(page, size: str, replay: bool) -> str | None:
    """The room's pages fit the device; an archived page without a viewport meta is laid
    out at chromium's 980 px and zoomed out to fit, as it was, so only its window counts."""
    width = page.evaluate("window.innerWidth")
    if not replay:
        width = min(SIZES[size]["viewport"]["width"], width)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll <= width + 1:
        return None
    return f"scrollWidth {scroll} > window {width}; sticking out: {page.evaluate(OVERFLOW_JS, width)}"


@pytest.mark.parametrize("opened", list(SIZES), indirect=True)
@pytest.mark.parametrize("name", PAGES)
def test_screen(site: Site, opened, name: str) -> None:
    page, size, responses = opened
    replay = open_page(page, site, name)
    page.evaluate("document.fonts.ready.then(() => true)")
    broken = broken_images(page, responses, replay)  # also waits for every image
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}-{size}.png"), full_page=True)

    found: dict[str, object] = {}
    if scroll := horizontal_scroll(page, size, replay):
        found["horizontal scroll"] = scroll
    if broken:
        found["broken images"] = broken
    if replay:
        banner = page.locator("#vazeh-banner")
        assert banner.count(), f"no replay banner on {page.url}"
        if latin := latin_in(banner.evaluate(SHOWN_TEXT_JS)):
            found["English in the replay banner"] = latin
    elif latin := latin_in(page.evaluate(SHOWN_TEXT_JS)):
        found["English or Latin digits"] = latin
    assert not found, f"{name} at {size} ({page.url}): {found}"


@pytest.mark.parametrize("opened", ["phone"], indirect=True)
def test_phone_search_folds_the_facets(site: Site, opened) -> None:
    page, _size, _responses = opened
    open_page(page, site, "search")
    folded = page.evaluate(
        """() => { const f = document.querySelector('.facets');
                   return (f.tagName === 'DETAILS' && !f.open) || !f.checkVisibility(); }""")
    assert folded, "the facets are open on a phone"


@pytest.mark.parametrize("opened", ["phone"], indirect=True)
def test_phone_search_puts_the_results_before_the_facets(site: Site, opened) -> None:
    page, _size, _responses = opened
    open_page(page, site, "search")
    result_top = page.locator("ol.hits > li").first.bounding_box()["y"]
    facets_top = page.locator(".facets").first.bounding_box()["y"]
    assert result_top < facets_top, f"the facets (top {facets_top}) come before the first result (top {result_top})"
