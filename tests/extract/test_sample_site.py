"""Every page of the bundled sample site against its gold answer (src/vazeh/sample/expected.json).

Pages are read as the sample server serves them (its per-path Content-Type headers
included), at the address a capture would give them: http://127.0.0.1:8000 + path.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin

import pytest

from vazeh.extract import extract_article

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "vazeh" / "sample"
BASE = "http://127.0.0.1:8000"
FIELDS = (
    "is_article", "site", "source", "news_id", "title", "kicker", "lead", "body", "published", "modified",
    "category", "tags", "author", "language",
)


def _pages() -> list[dict]:
    return json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))["pages"]


def _headers() -> dict[str, dict[str, str]]:
    path = SAMPLE / "site" / "_headers.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


PAGES = _pages()
HEADERS = _headers()


def _extract(page: dict):  # noqa: ANN202
    html = (SAMPLE / "site" / page["file"]).read_bytes()
    return extract_article(html, url=BASE + page["url_path"], headers=HEADERS.get(page["path"]))


@pytest.mark.parametrize("page", PAGES, ids=[p.get("key") or p["path"] for p in PAGES])
def test_sample_page_matches_its_gold_answer(page: dict) -> None:
    art = _extract(page)
    got = art.to_dict() | {"is_article": art.is_article}
    for field in FIELDS:
        if field in page:
            assert got[field] == page[field], field
    # Image URLs come out absolute (resolved against the page's address), each with its caption.
    if page.get("is_article"):
        images = {(i.url, i.caption) for i in art.images}
        for want in page.get("images", []):
            assert (urljoin(BASE + page["url_path"], want["url"]), want["caption"]) in images
        assert not any("/ads/" in i.url or "related" in i.url for i in art.images)


def test_every_story_of_the_sample_site_keeps_its_zwnj() -> None:
    for page in PAGES:
        if not page.get("is_article") or "body" not in page:
            continue
        gold = "\n".join(page["body"])
        got = "\n".join(_extract(page).body)
        assert got.count("\u200c") == gold.count("\u200c"), page["path"]


def test_generic_finder_alone_reads_every_sample_story() -> None:
    """With no site profile at all, structured metadata and the generic finder still
    find each story's text (word F1 >= 0.95) and headline."""
    import dataclasses
    from collections import Counter

    from vazeh.extract.profiles import default_profiles

    bare = dataclasses.replace(default_profiles(), profiles=(), by_name={})
    for page in PAGES:
        if not page.get("is_article") or "key" not in page:
            continue
        html = (SAMPLE / "site" / page["file"]).read_bytes()
        art = extract_article(html, url=BASE + page["url_path"], headers=HEADERS.get(page["path"]), profiles=bare)
        gold = Counter(w for p in page["body"] for w in p.split())
        got = Counter(w for p in art.body for w in p.split())
        common = sum((gold & got).values())
        precision, recall = common / max(1, sum(got.values())), common / max(1, sum(gold.values()))
        assert 2 * precision * recall / (precision + recall) >= 0.95, page["key"]
        assert art.is_article and art.title == page["title"] and art.published == page["published"], page["key"]
