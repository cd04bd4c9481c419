"""The sample news site: its pages, feeds and gold answers agree with each other.

These tests are how the capture and extraction tests can trust the fixture: every
expected string really is on its page, every article is reachable from the feeds
and sitemaps, and each charset trick is written with the bytes it claims.
"""

from __future__ import annotations

import gzip
import json
import re
import tomllib
import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import lxml.html
import pytest

from vazeh.sample import build_site
from vazeh.sample.build_site import EXPECTED, SITE_DIR, collapse

DATA = json.loads(EXPECTED.read_text(encoding="utf-8"))
ARTICLES = [p for p in DATA["pages"] if p["is_article"] and p.get("kind") != "hostile"]
OTHERS = [p for p in DATA["pages"] if not p["is_article"]]
HOSTILE = {p["file"].rsplit("/", 1)[-1]: p for p in DATA["pages"] if p.get("kind") == "hostile"}
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "atom": "http://www.w3.org/2005/Atom",
}
JUNK = ["انتهای پیام", "jwplayer", "بیشتر بخوانید", "تلگرام", "توضیح تصویر", "نظرات", "پیشنهاد ویژه", "اخبار مرتبط", "مطالب مرتبط"]


def page_text(entry: dict, file: str | None = None) -> str:
    """The page's text as a reader sees it: decoded, entities resolved, whitespace collapsed."""
    raw = (SITE_DIR / (file or entry["file"])).read_bytes()
    decoded = raw.decode("utf-8-sig" if entry["charset"] == "utf-8" else "cp1256")
    doc = lxml.html.document_fromstring(decoded)
    return collapse(doc.text_content())


def by_key(key: str) -> dict:
    return next(p for p in ARTICLES if p["key"] == key)


def test_committed_site_matches_a_fresh_build():
    assert build_site.stale_files() == [], "run: python -m vazeh.sample.build_site"


def test_there_is_a_page_for_every_site_profile():
    outlets = {p["outlet"] for p in ARTICLES}
    sources = tomllib.loads((SITE_DIR.parent / "sources.toml").read_text(encoding="utf-8"))["source"]
    assert outlets == {s["id"] for s in sources}
    assert len(ARTICLES) >= 16


@pytest.mark.parametrize("entry", ARTICLES, ids=lambda e: e["key"])
def test_every_expected_string_is_on_its_page(entry):
    text = page_text(entry)
    singles = [entry["title"], entry["kicker"], entry["lead"], entry["author"], entry["published_visible"]]
    for value in [s for s in singles if s] + entry["category"] + entry["tags"]:
        assert value in text, value
    position = 0
    for para in entry["body"]:
        found = text.find(para, position)
        assert found >= 0, f"body paragraph missing or out of order: {para}"
        position = found + len(para)


@pytest.mark.parametrize("entry", ARTICLES, ids=lambda e: e["key"])
def test_gold_text_is_clean_persian(entry):
    body = " ".join(entry["body"])
    assert "\u200c" in body, "every story keeps its ZWNJs"
    for junk in JUNK:
        assert junk not in body
    for caption in (i["caption"] for i in entry["images"]):
        assert caption not in entry["body"]
    for value in [entry["title"], entry["lead"] or "", *entry["body"]]:
        assert value == collapse(value) and "<" not in value and "&" not in value


@pytest.mark.parametrize("entry", ARTICLES, ids=lambda e: e["key"])
def test_published_is_iso_with_the_local_offset(entry):
    published = datetime.fromisoformat(entry["published"])
    assert published.tzinfo is not None and published.microsecond == 0
    offset = entry["published"][-6:]
    if entry["language"] == "prs":
        assert offset == "+04:30"  # Asia/Kabul
    elif published.year < 2022 or (published.year == 2022 and 3 < published.month < 9):
        assert offset == "+04:30"  # Iran's summer time, abolished after 2022
    else:
        assert offset == "+03:30"


def test_dates_span_years_and_both_offsets():
    offsets = {p["published"][-6:] for p in ARTICLES}
    years = {p["published"][:4] for p in ARTICLES}
    assert {"+03:30", "+04:30"} <= offsets
    assert len(years) >= 4


def _sitemap_locs(rel: str) -> dict[str, str]:
    root = ET.parse(SITE_DIR / rel).getroot()
    out = {}
    for url in root.findall("sm:url", NS):
        out[url.findtext("sm:loc", namespaces=NS)] = url.findtext("news:news/news:publication_date", namespaces=NS)
    return out


def _rss_items(rel: str) -> dict[str, str]:
    root = ET.parse(SITE_DIR / rel).getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    return {item.findtext("link"): item.findtext("pubDate") for item in root.iter("item")}


def test_site_feeds_and_sitemap_list_every_article_with_its_date():
    sitemap = _sitemap_locs("sitemap.xml")
    items = _rss_items("rss.xml")
    atom = ET.parse(SITE_DIR / "atom.xml").getroot()
    atom_links = {e.find("atom:link", NS).get("href") for e in atom.findall("atom:entry", NS)}
    for entry in ARTICLES:
        published = datetime.fromisoformat(entry["published"])
        assert sitemap[entry["url_path"]] == entry["published"]
        assert parsedate_to_datetime(items[entry["url_path"]]) == published
        assert entry["url_path"] in atom_links
    assert len(sitemap) == len(items) == len(atom_links) == len(ARTICLES)
    non_articles = {p["url_path"] for p in OTHERS}
    assert not non_articles & set(sitemap)


def test_each_outlet_has_its_own_feed_and_sitemap():
    for outlet in {p["outlet"] for p in ARTICLES}:
        own = {p["url_path"] for p in ARTICLES if p["outlet"] == outlet}
        assert set(_rss_items(f"{outlet}/rss.xml")) == own
        assert set(_sitemap_locs(f"{outlet}/sitemap.xml")) == own


def test_windows_1256_pages_are_really_windows_1256():
    headers = json.loads((SITE_DIR / "_headers.json").read_text(encoding="utf-8"))
    pages = [p for p in ARTICLES if p["charset"] == "windows-1256"]
    assert {p["encoding"] for p in pages} == {"windows-1256", "windows-1256-mislabeled"}
    for entry in pages:
        raw = (SITE_DIR / entry["file"]).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        text = raw.decode("cp1256")
        assert "\u200c" in text and "ي" in text and "ی" not in text
        assert headers[entry["path"]]["Content-Type"] == entry["http_content_type"]
    correct = next(p for p in pages if p["encoding"] == "windows-1256")
    assert b"charset=windows-1256" in (SITE_DIR / correct["file"]).read_bytes()
    wrong = next(p for p in pages if p["encoding"] == "windows-1256-mislabeled")
    assert "ISO-8859-1" in headers[wrong["path"]]["Content-Type"]
    assert b"charset" not in (SITE_DIR / wrong["file"]).read_bytes()[:2000]


def test_a_utf8_page_carries_a_lying_windows_1256_meta():
    entry = next(p for p in ARTICLES if p["encoding"] == "utf-8-meta-1256")
    raw = (SITE_DIR / entry["file"]).read_bytes()
    assert b'<meta charset="windows-1256"' in raw
    assert "\u200c" in raw.decode("utf-8")


def test_a_page_written_as_numeric_character_references():
    entry = next(p for p in ARTICLES if p["encoding"] == "ncr")
    raw = (SITE_DIR / entry["file"]).read_bytes()
    assert raw.isascii() and b"&#x200C;" in raw
    assert entry["title"] in page_text(entry)


def test_a_page_starting_with_a_byte_order_mark():
    entry = next(p for p in ARTICLES if p["encoding"] == "utf-8-bom")
    raw = (SITE_DIR / entry["file"]).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"charset" not in raw[:3000]


def test_one_story_republished_by_three_outlets():
    [group] = DATA["near_duplicates"]
    pages = [next(p for p in ARTICLES if p["path"] == path) for path in group]
    assert len({p["outlet"] for p in pages}) == 3 and len({p["title"] for p in pages}) == 3
    assert {p["source"] for p in pages} == {"مهر", "ایسنا"}  # Khabaronline credits Mehr


def test_an_edited_version_replaces_the_first_at_the_same_url():
    [v2] = DATA["versions"]
    first = next(p for p in ARTICLES if p["file"] == v2["replaces"])
    assert v2["path"] == first["path"] and v2["title"] != first["title"]
    assert len(v2["body"]) == len(first["body"]) + 1 and v2["modified"]
    text = page_text(v2, v2["file"])
    assert v2["title"] in text and all(p in text for p in v2["body"])


def test_afghan_month_names_on_the_dari_page():
    entry = next(p for p in ARTICLES if p["language"] == "prs")
    assert entry["published_visible"].split()[0] in build_site.AFGHAN_MONTHS
    assert b'lang="prs"' in (SITE_DIR / entry["file"]).read_bytes()


def test_served_pages_are_the_files_with_their_header_tricks(sample_site):
    with httpx.Client(base_url=sample_site.base_url) as client:
        for entry in DATA["pages"]:
            if entry.get("kind") == "disallowed":
                continue
            response = client.get(entry["url_path"])
            assert response.status_code == 200, entry["path"]
            assert response.content == (SITE_DIR / entry["file"]).read_bytes()
            if "http_content_type" in entry:
                assert response.headers["content-type"].lower() == entry["http_content_type"].lower()
        robots = client.get("/robots.txt").text
        assert "Disallow: /private/" in robots


def test_sources_file_points_at_served_feeds(sample_site):
    from vazeh.capture.sources import load_sources

    sources = load_sources(SITE_DIR.parent / "sources.toml", base_url=sample_site.base_url)
    assert len(sources) == 12
    with httpx.Client() as client:
        for source in sources:
            urls = source.feeds + source.sitemaps
            assert urls, source.id
            for url in urls:
                response = client.get(url)
                assert response.status_code == 200, url
                body = gzip.decompress(response.content) if url.endswith(".gz") else response.content
                ET.fromstring(body)


def test_visible_dates_use_each_outlets_style():
    assert re.fullmatch(r"[۰-۹]+ \S+ [۰-۹]{4}، [۰-۹]{2}:[۰-۹]{2}", by_key("mehr-metro")["published_visible"])
    assert "ي" in by_key("tasnim-volleyball")["published_visible"]  # شهريور, as Tasnim spells it
    assert re.search(r"\d{4} ساعت \d\d:\d\d$", by_key("varzesh3-promotion")["published_visible"])
    assert by_key("hamshahri-parks")["published_visible"].startswith("سه شنبه 21")


def test_expected_file_lists_every_site_page(tmp_path: Path):
    listed = {p["file"] for p in DATA["pages"]} | {v["file"] for v in DATA["versions"]}
    listed |= {r["file"] for r in DATA["round2"] if "file" in r}
    html_files = {p.relative_to(SITE_DIR).as_posix() for p in SITE_DIR.rglob("*.html")}
    assert html_files == listed


@pytest.mark.parametrize("entry", ARTICLES, ids=lambda e: e["key"])
def test_the_archive_detects_each_pages_charset(entry):
    from vazeh.archive.charset import decode_html

    raw = (SITE_DIR / entry["file"]).read_bytes()
    text, charset = decode_html(raw, entry["http_content_type"])
    assert charset.name == entry["charset"]
    if entry["encoding"] != "ncr":
        assert entry["title"] in collapse(text)


def _tag_free(raw: bytes) -> str:
    # lxml refuses markup nested this deep, so read the text with a regex instead
    return collapse(re.sub(r"<[^>]*>?", " ", raw.decode("utf-8")))


def test_hostile_pages_are_what_they_claim():
    nested = (SITE_DIR / HOSTILE["nested.html"]["file"]).read_bytes()
    assert nested.count(b"<div") >= 5000
    broken = (SITE_DIR / HOSTILE["broken.html"]["file"]).read_bytes()
    assert broken.rstrip().endswith(b'<div class="foot') and b"</html>" not in broken
    for name in ("nested.html", "broken.html"):
        text = _tag_free((SITE_DIR / HOSTILE[name]["file"]).read_bytes())
        assert HOSTILE[name]["title"] in text
        assert all(p in text for p in HOSTILE[name]["body"])
    assert b"<body" not in (SITE_DIR / HOSTILE["nobody.html"]["file"]).read_bytes()
    assert (SITE_DIR / HOSTILE["empty.html"]["file"]).read_bytes() == b""
    assert not HOSTILE["nobody.html"]["is_article"] and not HOSTILE["empty.html"]["is_article"]


def test_edited_site_serves_the_second_version_at_the_same_url(tmp_path: Path):
    from vazeh.sample.server import serve_sample

    [v2] = DATA["versions"]
    first = next(p for p in ARTICLES if p["file"] == v2["replaces"])
    server, base_url = serve_sample(site_dir=build_site.edited_site(tmp_path / "site"))
    try:
        page = httpx.get(base_url + first["url_path"]).content.decode("utf-8")
    finally:
        server.stop()
    text = collapse(lxml.html.document_fromstring(page).text_content())
    assert v2["title"] in text and first["title"] not in text
    assert (SITE_DIR / first["file"]).read_bytes() != page.encode()


def test_sitemap_index_and_compressed_sitemap():
    index = ET.parse(SITE_DIR / "sitemap_index.xml").getroot()
    locs = [e.findtext("sm:loc", namespaces=NS) for e in index.findall("sm:sitemap", NS)]
    assert sorted(locs) == sorted(f"/{o}/sitemap.xml" for o in {p["outlet"] for p in ARTICLES})
    assert all((SITE_DIR / loc.lstrip("/")).is_file() for loc in locs)
    packed = (SITE_DIR / "yjc/sitemap.xml.gz").read_bytes()
    assert gzip.decompress(packed) == (SITE_DIR / "yjc/sitemap.xml").read_bytes()
    robots = (SITE_DIR / "robots.txt").read_text()
    assert "Sitemap: /sitemap_index.xml" in robots


def test_round_two_edits_one_story_and_deletes_another(sample_site):
    import httpx

    server, base = sample_site.server, sample_site.base_url
    edited = next(r for r in DATA["round2"] if r["change"] == "edited")
    deleted = next(r for r in DATA["round2"] if r["change"] == "deleted")
    assert edited["fields"] == ["lead", "body"]
    first = httpx.get(base + edited["path"]).text
    assert httpx.get(base + deleted["path"]).status_code == 200
    server.round = 2
    try:
        second = httpx.get(base + edited["path"]).text
        assert second != first and "بازدید" in first and "بازدید" in second
        assert httpx.get(base + deleted["path"]).status_code == 404
    finally:
        server.round = 1
