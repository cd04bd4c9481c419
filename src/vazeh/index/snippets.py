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

import numpy as np

from vazeh.index.plan import Highlights
from vazeh.persian import normalize, tokenize
from vazeh.persian.forms import stem

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
        if t in hl.terms or (hl.stems and stem(t) in hl.stems) or (hl.pairs and k + 1 < len(toks) and (t, toks[k + 1]) in hl.pairs):
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
        if hl.stems:
            score += len(hl.stems.intersection(map(stem, toks)))
        if hl.pairs:
            score += len(hl.pairs.intersection(zip(toks, toks[1:], strict=False)))
        if score > best_score:
            best, best_score = (i, _first_hit(toks, hl) / max(1, len(toks))), score
            if score >= hl.words:
                break
    return best


def _token_positions(norm: str, term: str, limit: int = 200) -> list[int]:
    """Where `term` stands as a whole token in normalized text (as tokenize would cut
    it: not inside a longer word, nor a part of a decimal number)."""
    out: list[int] = []
    n, size = len(term), len(norm)
    ends_decimal, starts_decimal = term[-1].isdecimal(), term[0].isdecimal()
    find = norm.find
    pos = find(term)
    while pos >= 0 and len(out) < limit:
        end = pos + n
        if (
            (pos == 0 or not norm[pos - 1].isalnum())
            and (end == size or not norm[end].isalnum())
            and not (ends_decimal and end + 1 < size and norm[end] in ".," and norm[end + 1].isdecimal())
            and not (starts_decimal and pos >= 2 and norm[pos - 1] in ".," and norm[pos - 2].isdecimal())
        ):
            out.append(pos)
        pos = find(term, pos + 1)
    return out


def _form_positions(norm: str, s: str, limit: int = 200) -> list[tuple[int, int]]:
    """Where a form of stem `s` stands as a whole token (انارهای for انار): a token that
    starts with `s` and whose stem is `s`."""
    out: list[tuple[int, int]] = []
    pos = norm.find(s)
    while pos >= 0 and len(out) < limit:
        if pos == 0 or not norm[pos - 1].isalnum():
            end = pos + len(s)
            while end < len(norm) and norm[end].isalnum():
                end += 1
            if end > pos + len(s) and stem(norm[pos:end]) == s:
                out.append((pos, end))
        pos = norm.find(s, pos + 1)
    return out


@lru_cache(maxsize=1)
def _fold_array() -> np.ndarray | None:
    """vazeh.persian's per-code-point fold as a numpy table, one-for-one mappings only
    (deletions, expansions and combining marks are flagged), with one more row, flagged,
    for every character beyond the BMP (see _fold_same_length). Only snippets use it, to
    place marks; matching always uses vazeh.persian itself."""
    try:
        from vazeh.persian import analysis

        table = analysis._FOLD_BMP
    except (ImportError, AttributeError):
        return None
    arr = np.full(0x10001, _SPECIAL, dtype=np.uint32)
    for cp, out in enumerate(table):
        if isinstance(out, int):
            target = out
        elif isinstance(out, str) and len(out) == 1:
            target = ord(out)
        else:
            continue
        if unicodedata.combining(chr(cp)) or unicodedata.combining(chr(target)) or 0x1100 <= target <= 0x11FF:
            continue  # could compose with a neighbour: not one-for-one
        arr[cp] = target
    return arr


_SPECIAL = 0xFFFFFFFF


def _fold_same_length(text: str) -> str | None:
    """normalize(text) when it keeps every offset, else None."""
    arr = _fold_array()
    if arr is None:
        norm = normalize(text)
        return norm if len(norm) == len(text) else None
    try:
        cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)  # a lone surrogate fails here
    except UnicodeEncodeError:
        return None
    # One pass finds both kinds of character that shift offsets: "clip" sends every astral
    # one to the table's last row, and _SPECIAL is no code point, so decoding it fails.
    # (A scan for either costs about as much as the whole fold.)
    try:
        return arr.take(cps, mode="clip").tobytes().decode("utf-32-le")
    except UnicodeDecodeError:
        return None


def _aligned_marks(paragraphs: list[str], hl: Highlights):
    """The best paragraph and its marks, found with one fold of the text and
    substring search (C speed) instead of analyzing word by word; None when no
    paragraph has a query word. This needs the fold to keep offsets (it swaps
    characters one for one in nearly all text); when it does not, _UNALIGNED, and
    the caller takes the word-by-word path.

    The first SCAN_CHARS of the article are searched first; the rest only when no
    paragraph there has every query word (a long article's tail is folded and
    searched only when it may hold a better passage). Paragraphs are scored one by
    one, so the best of the two parts is the best of the whole."""
    cut, length = 0, 0
    while cut < len(paragraphs) and length <= SCAN_CHARS:
        length += len(paragraphs[cut]) + 1
        cut += 1
    first = _marks_in(paragraphs[:cut], hl)
    if first is _UNALIGNED:
        return _UNALIGNED
    if cut < len(paragraphs) and (first is None or first[2] < hl.words):
        rest = _marks_in(paragraphs[cut:], hl)
        if rest is _UNALIGNED:
            return _UNALIGNED
        if rest is not None and (first is None or rest[2] > first[2]):
            return rest[0] + cut, rest[1]
    return None if first is None else (first[0], first[1])


_UNALIGNED = object()  # _marks_in: the fold does not keep offsets in this text


def _marks_in(paragraphs: list[str], hl: Highlights):
    """The best of these paragraphs, its marks and how many distinct query words it
    has; None when none matches, _UNALIGNED when the fold cannot be used."""
    full = "\n".join(paragraphs)
    norm = _fold_same_length(full)
    if norm is None:
        return _UNALIGNED
    occ = _occurrences(norm, hl)
    if not occ:
        return None
    if len(paragraphs) == 1:  # most chunks: an article's first stretch is often all of it
        return 0, sorted({(a, b) for a, b, _ in occ}), len({key for _, _, key in occ})
    starts, offset = [], 0
    for p in paragraphs:
        starts.append(offset)
        offset += len(p) + 1
    per_para: dict[int, list[tuple[int, int, object]]] = {}
    for o in occ:
        per_para.setdefault(bisect_right(starts, o[0]) - 1, []).append(o)
    words = {k: len({key for _, _, key in found}) for k, found in per_para.items()}
    i = max(words, key=lambda k: (words[k], -k))
    base = starts[i]
    return i, sorted({(a - base, b - base) for a, b, _ in per_para[i]}), words[i]


def _occurrences(norm: str, hl: Highlights) -> list[tuple[int, int, object]]:
    """Where the query words stand in folded text: (start, end, which word)."""
    occ: list[tuple[int, int, object]] = []
    for t in hl.terms:
        occ.extend((p, p + len(t), t) for p in _token_positions(norm, t))
    for s in hl.stems:
        occ.extend((p, q, s) for p, q in _form_positions(norm, s))
    for a, b in hl.pairs:
        if b not in norm:
            continue  # a pair's first word is often short and common: look for it only if it can pair
        for p in _token_positions(norm, a):
            q = p + len(a)
            while q < len(norm) and not norm[q].isalnum() and norm[q] != "\n":
                q += 1
            if q > p + len(a) and norm.startswith(b, q) and (q + len(b) == len(norm) or not norm[q + len(b)].isalnum()):
                occ += [(p, p + len(a), (a, b)), (q, q + len(b), (a, b))]
    return occ


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


def _marks_by_words(paragraphs: list[str], hl: Highlights, size: int) -> tuple[str, list[tuple[int, int]]]:
    """The exact path: analyze the original word by word near the first match."""
    best = _best_paragraph(paragraphs, hl) if (hl.terms or hl.pairs or hl.stems) else None
    text = paragraphs[best[0] if best is not None else 0]
    if best is None:
        return text, []
    # Analyze only the spans near the first match (its place among the paragraph's
    # tokens tells roughly where it is), not the whole paragraph.
    guess = int(best[1] * len(text))
    lo, hi = max(0, guess - size), min(len(text), guess + 2 * size)
    if lo > 0:
        lo = max(0, text.rfind(" ", 0, lo) + 1)
    spans = [(m.start(), m.end(), _span_tokens(m.group())) for m in _SPAN.finditer(text, lo, hi)]
    marked = [not hl.terms.isdisjoint(ts) or (bool(hl.stems) and not hl.stems.isdisjoint(map(stem, ts)))
              for _, _, ts in spans]
    if hl.pairs:
        for j in range(len(spans) - 1):
            a, b = spans[j][2], spans[j + 1][2]
            if a and b and (a[-1], b[0]) in hl.pairs:
                marked[j] = marked[j + 1] = True
    marks = [_trim(text, a, b) for (a, b, _), m in zip(spans, marked, strict=True) if m]
    return text, [(a, b) for a, b in marks if a < b]


def make_snippet(paragraphs: list[str], hl: Highlights, size: int = SNIPPET_CHARS) -> str:
    """Escaped HTML of the best-matching passage, matched words in <mark>."""
    paragraphs = [q for p in paragraphs if p and (q := p.strip())]
    if not paragraphs:
        return ""
    aligned = _aligned_marks(paragraphs, hl) if (hl.terms or hl.pairs or hl.stems) else _UNALIGNED
    if aligned is None:
        # Searched all of the text, whose fold keeps offsets, and found no query word:
        # the story matched by its title alone. Analyzing it word by word would find
        # nothing either, only later.
        text, marks, centre = paragraphs[0], [], 0
    elif aligned is not _UNALIGNED:
        text = paragraphs[aligned[0]]
        marks = aligned[1]
        centre = marks[0][0]
    else:
        text, marks = _marks_by_words(paragraphs, hl, size)
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
