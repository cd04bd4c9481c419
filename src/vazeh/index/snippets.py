"""Snippets from the original text, with the matched words marked.

The index only knows normalized tokens; a reader must see the text as published
(Arabic letters, ZWNJ and digits as the page had them). So the snippet is cut
from the original: each whitespace/ZWNJ-separated span of the original is
analyzed on its own, and a span whose tokens were matched is wrapped in <mark>.
Everything else is HTML-escaped.
"""

from __future__ import annotations

import html
import re
import unicodedata

from vazeh.index.plan import Highlights
from vazeh.persian import tokenize

SNIPPET_CHARS = 240
_SPAN = re.compile(r"[^\s\u200c]+")


def _is_edge_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def _best_paragraph(paragraphs: list[str], hl: Highlights) -> int | None:
    best, best_score = None, 0
    for i, p in enumerate(paragraphs):
        toks = tokenize(p)
        score = sum(1 for t in toks if t in hl.terms)
        if hl.pairs:
            score += sum(1 for a, b in zip(toks, toks[1:], strict=False) if (a, b) in hl.pairs)
        if score > best_score:
            best, best_score = i, score
    return best


def _marked_spans(text: str, hl: Highlights, start: int, end: int) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _SPAN.finditer(text, start, end)]
    toks = [tokenize(text[a:b]) for a, b in spans]
    marked = [any(t in hl.terms for t in ts) for ts in toks]
    if hl.pairs:
        for i in range(len(spans) - 1):
            if toks[i] and toks[i + 1] and (toks[i][-1], toks[i + 1][0]) in hl.pairs:
                marked[i] = marked[i + 1] = True
    out = []
    for (a, b), m in zip(spans, marked, strict=True):
        if not m:
            continue
        while a < b and _is_edge_punct(text[a]):
            a += 1
        while b > a and _is_edge_punct(text[b - 1]):
            b -= 1
        if a < b:
            out.append((a, b))
    return out


def _first_match(text: str, hl: Highlights) -> int:
    for m in _SPAN.finditer(text):
        toks = tokenize(m.group())
        if any(t in hl.terms for t in toks) or any(t == a or t == b for a, b in hl.pairs for t in toks):
            return m.start()
    return 0


def _window(text: str, centre: int, size: int) -> tuple[int, int]:
    if len(text) <= size:
        return 0, len(text)
    start = max(0, centre - size // 4)
    end = min(len(text), start + size)
    start = max(0, end - size)
    # Do not cut words in half.
    if start > 0:
        sp = text.find(" ", start)
        start = sp + 1 if 0 <= sp < centre else start
    if end < len(text):
        sp = text.rfind(" ", start, end)
        end = sp if sp > centre else end
    return start, end


def make_snippet(paragraphs: list[str], hl: Highlights, size: int = SNIPPET_CHARS) -> str:
    """Escaped HTML of the best-matching passage, matched words in <mark>."""
    paragraphs = [p.strip() for p in paragraphs if p and p.strip()]
    if not paragraphs:
        return ""
    i = _best_paragraph(paragraphs, hl) if (hl.terms or hl.pairs) else None
    text = paragraphs[i if i is not None else 0]
    centre = _first_match(text, hl) if i is not None else 0
    start, end = _window(text, centre, size)
    marks = _marked_spans(text, hl, start, end) if i is not None else []
    parts = ["…" if start > 0 else ""]
    pos = start
    for a, b in marks:
        parts.append(html.escape(text[pos:a]))
        parts.append(f"<mark>{html.escape(text[a:b])}</mark>")
        pos = b
    parts.append(html.escape(text[pos:end]))
    if end < len(text):
        parts.append("…")
    return "".join(parts)
