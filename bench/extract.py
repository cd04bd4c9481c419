"""Extraction quality and speed on the gold corpus, vazeh beside trafilatura and resiliparse.

    .venv/bin/python bench/extract.py [--corpus ../shared/corpus] [--repeat 3] [--page NAME]

For every page of the corpus (real pages with hand-checked gold JSON; see its README)
it prints body precision / recall / F1 over word tokens (a ZWNJ-joined word is one
token), ZWNJ fidelity (share of the gold body's ZWNJs that come out inside the same
words), and whether title, published time, news id and category match exactly;
then the means and each extractor's pages per second over the same pages.
Targets (issue 4): mean body F1 >= 0.95 and above trafilatura's, ZWNJ fidelity 1.00,
published right on every page, throughput >= 2x trafilatura's.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ZWNJ = "\u200c"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def tokens(text: str) -> list[str]:
    """Whitespace-separated words with punctuation trimmed from their edges; ZWNJ stays inside."""
    out = []
    for raw in text.split():
        t = raw
        while t and unicodedata.category(t[0])[0] in "PS":
            t = t[1:]
        while t and unicodedata.category(t[-1])[0] in "PS":
            t = t[:-1]
        if t:
            out.append(t)
    return out


def prf(gold: list[str], got: list[str]) -> tuple[float, float, float]:
    g, o = Counter(gold), Counter(got)
    common = sum((g & o).values())
    p = common / sum(o.values()) if o else 0.0
    r = common / sum(g.values()) if g else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def zwnj_fidelity(gold: list[str], got: list[str]) -> float | None:
    g = Counter(t for t in gold if ZWNJ in t)
    total = sum(t.count(ZWNJ) * n for t, n in g.items())
    if not total:
        return None
    o = Counter(t for t in got if ZWNJ in t)
    kept = sum(t.count(ZWNJ) * min(n, o[t]) for t, n in g.items())
    return kept / total


@dataclass
class Output:
    body: str
    title: str | None = None
    published: str | None = None
    news_id: str | None = None
    category: list[str] | None = None


@dataclass
class Score:
    p: float
    r: float
    f1: float
    zwnj: float | None
    fields: dict[str, bool | None] = field(default_factory=dict)


# ---------------------------------------------------------------- the extractors
def run_vazeh(html: bytes, url: str) -> Output:
    from vazeh.extract import extract_article

    a = extract_article(html, url=url)
    return Output("\n".join(a.body), a.title, a.published, a.news_id, a.category)


def run_vazeh_generic(html: bytes, url: str) -> Output:
    """vazeh with no site profile: structured metadata and the generic finder only."""
    import dataclasses

    from vazeh.extract import extract_article
    from vazeh.extract.profiles import default_profiles

    bare = dataclasses.replace(default_profiles(), profiles=(), by_name={})
    a = extract_article(html, url=url, profiles=bare)
    return Output("\n".join(a.body), a.title, a.published, a.news_id, a.category)


def run_trafilatura(html: bytes, url: str) -> Output:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    if doc is None:
        return Output("")
    d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    cats = d.get("categories") or []
    return Output(d.get("text") or "", d.get("title"), d.get("date"), None, list(cats) if cats else [])


def run_resiliparse(html: bytes, url: str) -> Output:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding
    from resiliparse.parse.html import HTMLTree

    tree = HTMLTree.parse(bytes_to_str(html, detect_encoding(html)))
    text = extract_plain_text(tree, main_content=True, alt_texts=False, links=False)
    title = tree.title or None
    return Output(text, title)


EXTRACTORS: dict[str, Callable[[bytes, str], Output]] = {
    "vazeh": run_vazeh,
    "vazeh-generic": run_vazeh_generic,
    "trafilatura": run_trafilatura,
    "resiliparse": run_resiliparse,
}


def score(gold: dict, out: Output) -> Score:
    gt = tokens(" ".join(gold["body"]))
    ot = tokens(out.body)
    p, r, f = prf(gt, ot)
    fields: dict[str, bool | None] = {
        "title": out.title == gold["title"],
        "published": out.published == gold["published"] if gold.get("published") else None,
        "news_id": out.news_id == gold["news_id"] if gold.get("news_id") else None,
        "category": out.category == gold["category"],
    }
    return Score(p, r, f, zwnj_fidelity(gt, ot), fields)


def load_corpus(corpus: Path, only: str | None) -> list[tuple[dict, bytes]]:
    pages = []
    for g in sorted((corpus / "gold").glob("*/*.json")):
        gold = json.loads(g.read_text(encoding="utf-8"))
        if only and only not in gold["page"]:
            continue
        pages.append((gold, (corpus / "pages" / gold["page"]).read_bytes()))
    return pages


def throughput(fn: Callable[[bytes, str], Output], pages: list[tuple[dict, bytes]], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        for gold, html in pages:
            fn(html, gold["url"])
    return repeat * len(pages) / (time.perf_counter() - start)


def fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:5.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--repeat", type=int, default=3, help="passes over the corpus when timing")
    ap.add_argument("--page", help="only pages whose path contains this")
    ap.add_argument("--only", choices=sorted(EXTRACTORS), action="append", help="run only these extractors")
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)  # trafilatura logs every page it finds thin

    if not (args.corpus / "gold").is_dir():
        print(f"{args.corpus}: no corpus here (expected gold/ and pages/); pass --corpus", file=sys.stderr)
        return 2
    pages = load_corpus(args.corpus, args.page)
    names = args.only or list(EXTRACTORS)
    available = {}
    for name in names:
        try:
            EXTRACTORS[name](pages[0][1], pages[0][0]["url"])  # warm up imports and caches
            available[name] = EXTRACTORS[name]
        except ImportError as e:
            print(f"{name}: not installed ({e}); skipped", file=sys.stderr)

    scores: dict[str, list[Score]] = {n: [] for n in available}
    print(f"{'page':44} " + " ".join(f"{n[:20]:>20}" for n in available) + "   title pub  id  cat (vazeh)")
    print(f"{'':44} " + " ".join(f"{'P/R/F1':>14} {'ZWNJ':>5}" for _ in available))
    for gold, html in pages:
        row = []
        for name, fn in available.items():
            s = score(gold, fn(html, gold["url"]))
            scores[name].append(s)
            row.append(f"{s.p:4.2f}/{s.r:4.2f}/{s.f1:4.2f} {fmt(s.zwnj)}")
        v = scores.get("vazeh", [None])[-1]
        marks = ""
        if v is not None:
            marks = "   " + "  ".join(
                {True: " ok", False: " NO", None: "  -"}[v.fields[k]] for k in ("title", "published", "news_id", "category")
            )
        print(f"{gold['page'][:44]:44} " + " ".join(row) + marks)

    print()
    print(f"{'mean over ' + str(len(pages)) + ' pages':24} {'P':>6} {'R':>6} {'F1':>6} {'ZWNJ':>6} "
          f"{'title':>6} {'pub':>6} {'id':>6} {'cat':>6} {'pages/s':>9}")
    speed = {name: throughput(fn, pages, args.repeat) for name, fn in available.items()}
    for name, ss in scores.items():
        zw = [s.zwnj for s in ss if s.zwnj is not None]

        def rate(key: str, ss: list[Score] = ss) -> str:
            vals = [s.fields[key] for s in ss if s.fields[key] is not None]
            return f"{sum(vals) / len(vals):6.2f}" if vals else "     -"

        print(
            f"{name:24} {statistics.mean(s.p for s in ss):6.3f} {statistics.mean(s.r for s in ss):6.3f} "
            f"{statistics.mean(s.f1 for s in ss):6.3f} {fmt(statistics.mean(zw) if zw else None):>6} "
            f"{rate('title')} {rate('published')} {rate('news_id')} {rate('category')} {speed[name]:9.1f}"
        )

    if "vazeh" in scores:
        v = scores["vazeh"]
        f1 = statistics.mean(s.f1 for s in v)
        zw = [s.zwnj for s in v if s.zwnj is not None]
        pub = [s.fields["published"] for s in v if s.fields["published"] is not None]
        checks = [("mean body F1 >= 0.95", f1 >= 0.95)]
        if "trafilatura" in scores:
            tf1 = statistics.mean(s.f1 for s in scores["trafilatura"])
            checks.append(("body F1 above trafilatura's", f1 > tf1))
            checks.append(("throughput >= 2x trafilatura's", speed["vazeh"] >= 2 * speed["trafilatura"]))
        checks.append(("ZWNJ fidelity 1.00", bool(zw) and min(zw) == 1.0))
        checks.append(("published right on every page", all(pub)))
        print()
        for label, ok in checks:
            print(f"  [{'x' if ok else ' '}] {label}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
