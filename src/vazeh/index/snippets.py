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
from bisect import bisect_right
from functools import lru_cache

from vazeh.index.plan import Highlights
from vazeh.persian import normalize, tokenize

SNIPPET_CHARS = 240
MAX_PARAGRAPHS = 12
SCAN_CHARS = 1500
_SPAN = re.compile(r"[^\s\u200c]+")


@lru_cache(maxsize=200_000)
def _span_tokens(span: str) -> tuple[str, ...]:
    # News vocabulary is Zipfian: most spans of a snippet were analyzed for an earlier hit.
    return tuple(tokenize(span))


def _is_edge_punct(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def _first_hit(toks: list[str], hl: Highlights) -> int:
    for k, t in enumerate(toks):
        if t in hl.terms or (hl.pairs and k + 1 < len(toks) and (t, toks[k + 1]) in hl.pairs):
            return k
    return 0


def _best_paragraph(paragraphs: list[str], hl: Highlights) -> tuple[int, float] | None:
    """The paragraph with the most distinct matched words (the first, on a tie), and
    where in it (0..1) the first match is; stops early at one that has every query
    word, and after MAX_PARAGRAPHS (a snippet from far down helps no one)."""
    best, best_score = None, 0
    scanned = 0
    for i, p in enumerate(paragraphs[:MAX_PARAGRAPHS]):
        if best is not None and scanned > SCAN_CHARS:
            break  # a passage with some of the words, found cheaply, beats a perfect one found slowly
        scanned += len(p)
        toks = tokenize(p)
        score = len(hl.terms.intersection(toks))
        if hl.pairs:
            score += len(hl.pairs.intersection(zip(toks, toks[1:], strict=False)))
        if score > best_score:
            best, best_score = (i, _first_hit(toks, hl) / max(1, len(toks))), score
            if score >= hl.words:
                break
    return best


def _find_token(norm: str, term: str) -> int:
    """First place where `term` stands as a whole token in normalized text, or -1."""
    n = len(term)
    pos = norm.find(term)
    while pos >= 0:
        before = norm[pos - 1] if pos else " "
        after = norm[pos + n] if pos + n < len(norm) else " "
        if not before.isalnum() and not after.isalnum():
            return pos
        pos = norm.find(term, pos + 1)
    return -1


def _locate(paragraphs: list[str], hl: Highlights) -> tuple[int, float] | None:
    """Where the matches are, found with one fold of the whole text and substring
    search (C speed) instead of tokenizing paragraph by paragraph. Folding keeps
    offsets when it only swaps characters, which is nearly always; otherwise (or
    when nothing is found) the caller takes the slower exact path. The marks are
    still decided span by span, so a wrong guess costs a mark, never a false one."""
    full = "\n".join(paragraphs)
    norm = normalize(full)
    if len(norm) != len(full):
        return None
    wanted = set(hl.terms)
    for a, b in hl.pairs:
        wanted.update((a, b))
    found = [p for p in (_find_token(norm, t) for t in wanted) if p >= 0]
    if not found:
        return None
    starts = []
    offset = 0
    for p in paragraphs:
        starts.append(offset)
        offset += len(p) + 1
    per_para: dict[int, list[int]] = {}
    for p in found:
        per_para.setdefault(bisect_right(starts, p) - 1, []).append(p)
    i = max(per_para, key=lambda k: (len(per_para[k]), -k))
    first = min(per_para[i]) - starts[i]
    return i, first / max(1, len(paragraphs[i]))


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


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and _is_edge_punct(text[a]):
        a += 1
    while b > a and _is_edge_punct(text[b - 1]):
        b -= 1
    return a, b


def make_snippet(paragraphs: list[str], hl: Highlights, size: int = SNIPPET_CHARS) -> str:
    """Escaped HTML of the best-matching passage, matched words in <mark>."""
    paragraphs = [p.strip() for p in paragraphs if p and p.strip()]
    if not paragraphs:
        return ""
    best, exact = None, False
    if hl.terms or hl.pairs:
        best = _locate(paragraphs, hl)
        exact = best is not None
        if best is None:
            best = _best_paragraph(paragraphs, hl)
    text = paragraphs[best[0] if best is not None else 0]
    marks: list[tuple[int, int]] = []
    centre = 0
    if best is not None:
        # Analyze only the spans near the first match (its place among the paragraph's
        # tokens tells roughly where it is), not the whole paragraph.
        guess = int(best[1] * len(text))
        if exact:
            lo, hi = max(0, guess - size // 2), min(len(text), guess + size)
        else:
            lo, hi = max(0, guess - size), min(len(text), guess + 2 * size)
        if lo > 0:
            lo = max(0, text.rfind(" ", 0, lo) + 1)
        spans = [(m.start(), m.end(), _span_tokens(m.group())) for m in _SPAN.finditer(text, lo, hi)]
        marked = [not hl.terms.isdisjoint(ts) for _, _, ts in spans]
        if hl.pairs:
            for j in range(len(spans) - 1):
                a, b = spans[j][2], spans[j + 1][2]
                if a and b and (a[-1], b[0]) in hl.pairs:
                    marked[j] = marked[j + 1] = True
        marks = [_trim(text, a, b) for (a, b, _), m in zip(spans, marked, strict=True) if m]
        marks = [(a, b) for a, b in marks if a < b]
        centre = marks[0][0] if marks else 0
    start, end = _window(text, centre, size)
    parts = ["…" if start > 0 else ""]
    pos = start
    for a, b in marks:
        if a < start or b > end:
            continue
        parts.append(html.escape(text[pos:a]))
        parts.append(f"<mark>{html.escape(text[a:b])}</mark>")
        pos = b
    parts.append(html.escape(text[pos:end]))
    if end < len(text):
        parts.append("…")
    return "".join(parts)
