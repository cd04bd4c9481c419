"""Extraction: a captured page becomes an Article (see docs/extract.md).

`extract_article(html, url=None, headers=None)` reads one page; `EXTRACTOR_VERSION`
changes whenever the output for the same page may change, so `vazeh reextract`
knows which stored articles are stale.
"""

from vazeh.extract.extractor import extract_article
from vazeh.extract.model import Article, ArticleStore, Image

EXTRACTOR_VERSION = "1.5"  # 1.5: a byline or the metadata naming another agency credits it

__all__ = ["EXTRACTOR_VERSION", "Article", "ArticleStore", "Image", "extract_article"]
