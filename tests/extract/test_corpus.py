"""The issue's quality targets on the real-page corpus in ../shared/corpus (read, never copied).

bench/extract.py prints the full comparison; this keeps the targets from regressing.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from vazeh.extract import extract_article

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
GOLD = sorted((CORPUS / "gold").glob("*/*.json")) if CORPUS.is_dir() else []
ZWNJ = "\u200c"

pytestmark = pytest.mark.skipif(not GOLD, reason=f"no gold corpus at {CORPUS}")


def words(paragraphs: list[str]) -> Counter[str]:
    return Counter(w.strip("،,.:;؛!?؟«»\"'()[]") for p in paragraphs for w in p.split())


def f1(gold: Counter[str], got: Counter[str]) -> float:
    common = sum((gold & got).values())
    if not common:
        return 0.0
    p, r = common / sum(got.values()), common / sum(gold.values())
    return 2 * p * r / (p + r)


@pytest.mark.parametrize("gold_path", GOLD, ids=[f"{g.parent.name}/{g.stem}" for g in GOLD])
def test_corpus_page(gold_path: Path) -> None:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    art = extract_article((CORPUS / "pages" / gold["page"]).read_bytes(), url=gold["url"])
    assert art.is_article
    assert art.title == gold["title"]
    assert art.published == gold["published"]
    assert art.news_id == gold["news_id"]
    gw, ow = words(gold["body"]), words(art.body)
    assert f1(gw, ow) >= 0.95
    # Every ZWNJ-joined word of the story comes out joined.
    joined = Counter({w: n for w, n in gw.items() if ZWNJ in w})
    assert not joined - ow
