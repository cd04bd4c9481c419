"""The index implements vazeh.persian.spellings_match exactly: for generated texts and
queries (pieces of words glued with ZWNJ, a space or nothing, in Arabic or Persian
letters), the documents a query finds are the texts the reference rule accepts."""

from __future__ import annotations

import random

from tests.index.conftest import add, article

from vazeh.persian import spellings_match

PIECES = ["می", "شود", "راه", "اندازی", "کتاب", "ها", "ما", "در", "مادر", "ريس", "رییس", "۲", "5", "نو"]
GLUE = [" ", " ", "\u200c", ""]


def _phrase(rng: random.Random, n: int) -> str:
    out = rng.choice(PIECES)
    for _ in range(n - 1):
        out += rng.choice(GLUE) + rng.choice(PIECES)
    return out


def test_index_agrees_with_reference_rule(index):
    rng = random.Random(1395)
    texts = [_phrase(rng, rng.randint(1, 7)) for _ in range(80)]
    add(index, *[article(t, title=None, url=f"https://example.ir/{i}") for i, t in enumerate(texts)])
    mismatches = []
    for _ in range(300):
        q = _phrase(rng, rng.randint(1, 3))
        expected = {f"https://example.ir/{i}" for i, t in enumerate(texts) if spellings_match(q, t)}
        found = {h.url for h in index.search(q, per_page=100).hits}
        if found != expected:
            mismatches.append((q, sorted(found ^ expected)))
    assert mismatches == []
