"""Helpers for the search tests: an index in a temporary folder and a way to add articles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from vazeh.extract.model import Article
from vazeh.index import SearchIndex, Story


@pytest.fixture
def index(tmp_path: Path) -> Iterator[SearchIndex]:
    ix = SearchIndex(tmp_path / "index")
    try:
        yield ix
    finally:
        ix.close()


def article(body: str = "", **kw) -> Article:
    kw.setdefault("source", "خبرگزاری نمونه")
    kw.setdefault("title", "خبری برای آزمون")
    kw.setdefault("published", "2017-01-10T10:00:00+03:30")
    return Article(url=kw.pop("url", None), body=[body] if body else [], **kw)


def add(index: SearchIndex, *articles: Article, fingerprints: bool = False) -> list[str]:
    """Index the articles as stories k0, k1, ... and commit; returns their keys."""
    from vazeh.index.neardup import fingerprint

    start = index.count()
    stories = []
    for i, a in enumerate(articles, start=start):
        a.url = a.url or f"https://example.ir/news/{i}"
        fp = fingerprint(a) if fingerprints else None
        stories.append(Story(key=f"k{i}", article_id=i, capture_id=100 + i, article=a, fingerprint=fp))
    index.add_stories(stories)
    index.commit()
    return [s.key for s in stories]


def urls(results) -> list[str]:
    return [h.url for h in results.hits]
