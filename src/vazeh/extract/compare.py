"""Did a story change between two captures? Compared on the extracted Article.

A news page changes on every load in ways no reader would call an edit: view
counters, "related" and "most read" boxes, the page's own clock. None of those
reach the Article's title, lead or body, so comparing Articles (not bytes)
ignores them; what is left to smooth over is whitespace, ZWNJ spelled as a
space or not at all, and Arabic/Persian letter and digit variants, which a CMS
re-save can flip without anyone touching the text.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter

from vazeh.extract.model import Article

FIELDS = ("title", "lead", "body")

_SPACE = re.compile(r"[\s\u200c\u200f\u200e\u00a0]+")
# Letter and digit variants a re-save may flip (Arabic yeh/kaf, Arabic-Indic and ASCII digits).
_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", **{chr(0x0660 + i): chr(0x06F0 + i) for i in range(10)},
                       **{str(i): chr(0x06F0 + i) for i in range(10)}})


def normalize(text: str | None) -> str:
    """Text as compared: letters folded, every run of spaces (and ZWNJ) one space."""
    return _SPACE.sub(" ", (text or "").translate(_FOLD)).strip()


def field_tokens(article: Article, name: str) -> list[str]:
    if name == "body":
        return normalize(" ".join(article.body)).split()
    return normalize(getattr(article, name)).split()


def changed_fields(old: Article, new: Article) -> list[str]:
    """Which of title, lead and body differ once cosmetic differences are smoothed."""
    return [name for name in FIELDS if field_tokens(old, name) != field_tokens(new, name)]


def change_size(old: Article, new: Article) -> int:
    """Words inserted plus words deleted, over title, lead and body in order."""
    a = [t for name in FIELDS for t in field_tokens(old, name)]
    b = [t for name in FIELDS for t in field_tokens(new, name)]
    if a == b:
        return 0
    size = 0
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op != "equal":
            size += (i2 - i1) + (j2 - j1)
    return size


def compare_articles(old: Article, new: Article) -> tuple[list[str], int]:
    """(changed fields, words inserted + deleted); ([], 0) when only cosmetics differ."""
    fields = changed_fields(old, new)
    return fields, (change_size(old, new) if fields else 0)


def shared_words(old: Article, new: Article) -> float:
    """The share of the old story's title and body words the new page still has (0..1).

    A page at the story's URL that shares little of it is another page (a "story
    removed" notice, a different story reusing the address): the story is missing.
    """
    a = Counter(field_tokens(old, "title") + field_tokens(old, "body"))
    b = Counter(field_tokens(new, "title") + field_tokens(new, "body"))
    total = sum(a.values())
    if not total:
        return 1.0
    return sum((a & b).values()) / total
