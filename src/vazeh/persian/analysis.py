"""Search analysis for Persian text: one fold and one tokenizer for index and query time.

Stored text is never changed; these functions only serve the index and queries.

The fold (``normalize``)
------------------------
Applied in this order, then repeated until the text no longer changes (so ``normalize`` is
idempotent even on hostile input):

1. NFKC, which turns Arabic presentation forms (U+FB50–FDFF, U+FE70–FEFF) into plain letters,
   full-width Latin into ASCII, and ligatures such as ﷲ into their letters.
2. ``str.casefold`` (Latin, Greek, Cyrillic...; Persian has no case).
3. One ``str.translate`` table:

   =========================================  ===========  ==========================================
   written                                    becomes      why
   =========================================  ===========  ==========================================
   ي ى ے ۓ ئ                                  ی            Arabic yeh, alef maksura, barree yeh and
                                                           yeh with hamza: رئیس and رییس are both used
   ك ڪ                                        ک            Arabic and swash kaf
   ۀ ہ ۂ ە ھ ة                                ه            heh forms and teh marbuta (as Lucene)
   آ أ إ ٱ                                    ا            alef forms (as Lucene)
   ؤ                                          و            مؤسسه and موسسه are both used
   harakat U+064B–065F, U+0670, Quranic       (deleted)    vowel marks and hamza/madda above/below
   marks U+0610–061A, U+06D6–06ED
   tatweel U+0640                             (deleted)    stretching only
   any Unicode decimal digit (۱ ١ 1 ...)      0–9          three digit sets in the wild
   ٫ (U+066B Arabic decimal separator)        ``.``        ۲٫۵ and 2.5 become the token ``2.5``
   ٬ (U+066C Arabic thousands separator)      ``,``        ۱٬۰۰۰, 1,000 and 1000 become ``1000``
   ٪ (U+066A)                                 ``%``
   U+200B, U+200D, U+200E, U+200F, U+FEFF,    (deleted)    invisible: zero-width space and joiner,
   U+061C, U+00AD, U+2060, bidi controls                   marks, BOM, soft hyphen, word joiner
   U+202A–202E and U+2066–2069
   ZWNJ U+200C                                kept         ``tokenize`` splits there
   =========================================  ===========  ==========================================

   ئ and ؤ: Lucene keeps them; we fold them (ئ → ی, ؤ → و) because both spellings are common in
   Persian news (رئیس / رییس, پائیز / پاییز, مؤسسه / موسسه). The cost is that مسئول (→ مسیول) and
   مسؤول (→ مسوول) still differ. The standalone hamza ء is kept.

Tokens (``tokenize``)
---------------------
``tokenize`` folds as ``normalize`` does, then splits at every character that is not a letter,
digit or combining mark (whitespace, punctuation, symbols, ZWNJ, ``_``): ``کتاب‌ها`` gives
``[کتاب, ها]``. Numbers keep their decimal point (``2.5``) and lose thousands commas (``1,000`` →
``1000``, only where the comma is followed by exactly three digits). Tokens are themselves
normalized, and ``tokenize(text) == tokenize(normalize(text))``.

The implementation folds through one table indexed by code point that already holds NFKC,
casefold and the fold of every BMP character (a numpy gather for long text, ``str.translate``
for short text and text with astral characters), and splits with ``str.split``; full NFKC runs
only when a composable sequence remains.

Lone surrogates (U+D800–DFFF, which cannot come from decoding real text) raise ``ValueError``
from ``normalize`` and ``tokenize``: the caller learns the input is broken rather than
indexing garbage.

Matching rule (``spellings_match``; the search index implements the same rule)
------------------------------------------------------------------------------
Persian writes one word with ZWNJ, a space or nothing: ``می‌شود``, ``می شود``, ``میشود``. The
index stores, for a text, its tokens ``T = tokenize(text)`` with positions, plus the extra terms
``joined_pairs(T)`` (each adjacent pair concatenated). A query is split at whitespace into words.

* A query word ``W`` matches when ``tokenize(W)`` occurs as a contiguous run in ``T`` (a phrase),
  or when ``concat(tokenize(W))`` is in ``T ∪ joined_pairs(T)``.
* Two adjacent query words ``w1 w2`` also match together when ``concat(tokenize(w1) +
  tokenize(w2))`` is in ``T`` (a spaced query finds joined text).
* Words with no tokens (pure punctuation) are ignored; a query with no tokens matches nothing.
* A text matches when every query word matches (AND).

* A one-token query word ``W`` also matches when it is three tokens of ``T`` joined, each of two
  letters or more (``همتیمیها`` finds ``هم‌تیمی‌ها``). The index asks for three parts only when
  no text has the word as one token or split in two, so there it is a fallback.
* Word forms (``vazeh.persian.forms``): let ``core`` be ``tokenize(W)`` without the suffix tokens
  it ends with (``SUFFIX_TOKENS``: ``گنجشک‌ها`` → ``[گنجشک]``), its last token stemmed. ``W`` also
  matches when ``core`` (two tokens or more) is a contiguous run of ``T``, or when a stem ``s``
  (``stem(concat(tokenize(W)))``, and ``core[0]`` when ``core`` is one token) is a token of ``T``,
  the stem of a token of ``T``, or (for a one-token ``core``) a joined pair of ``T``.

So all three spellings of a two-part word find each other, ``کتاب`` finds ``کتاب‌ها`` and
``کتابها``, and ``گنجشک‌ها`` finds ``گنجشک‌های``. A quoted phrase is not under this rule: the
index matches it as written (with its spelling variants).

Equivalence table (each row is a test in tests/persian/test_persian_analysis.py)
-------------------------------------------------------------------------------
==================================  ==================================  =======================
a query for                         finds text written                  because
==================================  ==================================  =======================
می‌شود, می شود, میشود               any of the three                    ZWNJ / space / joined
راه‌اندازی, راه اندازی, راهاندازی   any of the three                    ZWNJ / space / joined
کتاب                                کتاب‌ها, کتاب ها (one way)           ZWNJ and space split
علي, كتاب, يك, مصطفى                علی, کتاب, یک, مصطفی                Arabic yeh, kaf, maksura
عَلی, مُحَمَّد, اصلاً                  علی, محمد, اصلا                     harakat and tanwin
کتـــاب                              کتاب                                tatweel deleted
خانۀ, خانهٔ, مدرسة                     خانه, خانه, مدرسه                   heh and teh marbuta
آب, أحمد, إسلام                       اب, احمد, اسلام                     alef forms
رئیس, مؤسسه                          رییس, موسسه                         ئ → ی, ؤ → و
۱۳۹۵, ١٣٩٥                           1395                                digit sets
۲٫۵                                 2.5                                 decimal separator
۱٬۰۰۰, 1,000                         1000                                thousands separator
ﻛﺘﺎﺏ                                 کتاب                                presentation forms
TEHRAN, Tehran                      tehran                              casefold
کتاب + RLM + ها, ک + ZWJ + تاب,     کتابها, کتاب, کتاب                  invisible controls
RLE + کتاب + PDF
==================================  ==================================  =======================

Every row works in both directions except the one marked one way.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import numpy as np

__all__ = ["joined_pairs", "normalize", "spellings_match", "token_text", "token_texts", "tokenize", "ZWNJ"]

ZWNJ = "\u200c"


def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for letters, target in (
        ("\u064a\u0649\u06d2\u06d3\u0626", "\u06cc"),  # ي ى ے ۓ ئ -> ی
        ("\u0643\u06aa", "\u06a9"),  # ك ڪ -> ک
        ("\u06c0\u06c1\u06c2\u06d5\u06be\u0629", "\u0647"),  # ۀ ہ ۂ ە ھ ة -> ه
        ("\u0622\u0623\u0625\u0671", "\u0627"),  # آ أ إ ٱ -> ا
        ("\u0624", "\u0648"),  # ؤ -> و
        ("\u066b", "."),
        ("\u066c", ","),
        ("\u066a", "%"),
    ):
        for ch in letters:
            table[ord(ch)] = target
    marks = [*range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE)]
    for cp in marks:
        if unicodedata.category(chr(cp)) == "Mn":
            table[cp] = None
    invisible = [0x0640, 0x00AD, 0x061C, 0x200B, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF]
    invisible += [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
    for cp in invisible:
        table[cp] = None
    for cp in _decimal_digits():
        table[cp] = str(unicodedata.decimal(chr(cp)))
    return table


def _decimal_digits() -> list[int]:
    # Every Nd block is ten contiguous code points from a zero. Listing the zeros (Unicode 14)
    # avoids scanning all of Unicode at import; digits of a block added later stay inside
    # tokens, they just are not folded to ASCII.
    zeros = [
        0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
        0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0,
        0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0,
        0xAA50, 0xABF0, 0xFF10, 0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0,
        0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0,
        0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0,
        0x1E950, 0x1FBF0,
    ]  # fmt: skip
    digits = []
    for zero in zeros:
        for i in range(10):
            if unicodedata.decimal(chr(zero + i), None) == i:
                digits.append(zero + i)
    return digits


_FOLD = _fold_table()
_BMP = 0x10000
# Token characters: letters, digits, combining marks (so marks of any script stay inside their
# word), private use and unassigned. Everything else separates tokens.
_KEEP_CATEGORIES = frozenset("L N M Co Cn".split())
_NON_DECIMAL_DOT = re.compile(r"\.(?:(?<!\d\.)|(?!\d))")
_THOUSANDS = re.compile(r",(?<=\d,)(?=\d{3}(?!\d))")


def _is_separator(ch: str) -> bool:
    if ch in ".,":
        return False  # resolved later: decimal point and thousands comma stay inside numbers
    category = unicodedata.category(ch)
    return category not in _KEEP_CATEGORIES and category[0] not in _KEEP_CATEGORIES


def _fold_char(ch: str) -> str:
    out = ch
    for _ in range(3):
        folded = unicodedata.normalize("NFKC", out).casefold().translate(_FOLD)
        if folded == out:
            break
        out = folded
    return out


def _bmp_tables() -> tuple[list[int | str | None], list[int | str | None]]:
    """Per code point: NFKC, casefold and fold (for ``normalize``); the same with separators -> space.

    CPython's str.translate looks a dict up per character; a list indexed by code point is about
    three times faster, which is most of the tokenizer's budget. Astral characters (rare in news)
    fall outside the lists and take a dict path. NFKC is in the table so that text NFKC would not change never pays for a full NFKC pass
    (a single harakat makes ``unicodedata.normalize`` run at a tenth of the speed).
    """
    fold: list[int | str | None] = list(range(_BMP))
    token: list[int | str | None] = list(fold)
    for cp in range(_BMP):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        unchanged = cp not in _FOLD and unicodedata.is_normalized("NFKC", ch) and ch.casefold() == ch
        out = ch if unchanged else _fold_char(ch)
        if out == ch:
            if _is_separator(ch):
                token[cp] = 32
            continue
        if not out:
            fold[cp] = token[cp] = None
            continue
        tok = "".join(" " if _is_separator(c) else c for c in out)
        # translate is faster when it gets code points back rather than one-character strings.
        fold[cp] = ord(out) if len(out) == 1 else out
        token[cp] = ord(tok) if len(tok) == 1 else tok
    token[ord(ZWNJ)] = 32
    return fold, token


_FOLD_BMP, _TOKEN_BMP = _bmp_tables()


@functools.cache
def _astral_tables() -> tuple[dict[int, str], dict[int, str]]:
    fold = {cp: v for cp, v in _FOLD.items() if cp >= _BMP and isinstance(v, str)}
    token = dict(fold)
    for cp in [*range(_BMP, 0x40000), *range(0xE0000, 0xE1000)]:
        ch = chr(cp)
        if cp in fold or not unicodedata.is_normalized("NFKC", ch):
            # As in the BMP table: separators are decided after NFKC, so a symbol that
            # NFKC spells with letters (U+1F110 is "(A)") keeps them, as normalize does.
            out = _fold_char(ch)
            token[cp] = "".join(" " if _is_separator(c) else c for c in out)
        elif _is_separator(ch):
            token[cp] = " "
    return fold, token


def _has_astral(text: str) -> bool:
    """Whether ``text`` has characters beyond the BMP; ValueError for a lone surrogate.

    Encoding to UTF-16 runs at GB/s, far faster than a regex scan, and fails on exactly the
    lone surrogates.
    """
    try:
        return len(text.encode("utf-16-le")) != 2 * len(text)
    except UnicodeEncodeError as err:
        raise ValueError(
            f"text has a lone surrogate U+{ord(text[err.start]):04X} at index {err.start}: "
            "it was decoded with errors='surrogateescape' or is corrupt; decode it again with "
            "errors='replace'"
        ) from None


# Below this many characters str.translate is as fast as the array lookup's fixed cost.
_ARRAY_MIN = 200
_DELETE = 0xFFFFFFFF
_EXPAND = 0xFFFFFFFE


@functools.cache
def _array_table(tokens: bool) -> np.ndarray:
    """The BMP table as a numpy array: a code point, or _DELETE, or _EXPAND (several characters)."""
    arr = np.empty(_BMP, dtype=np.uint32)
    for cp, out in enumerate(_TOKEN_BMP if tokens else _FOLD_BMP):
        if out is None:
            arr[cp] = _DELETE
        elif isinstance(out, int):
            arr[cp] = out
        elif len(out) == 1:
            arr[cp] = ord(out)
        else:
            arr[cp] = _EXPAND
    return arr


def _translate_bmp(text: str, tokens: bool) -> str:
    """``text.translate`` with the BMP table, for text with no astral characters.

    str.translate looks each character up through Python objects (about 20 M characters/s); one
    numpy gather over the UTF-32 code units does an article body in a few microseconds. Text
    with a character that expands to several falls back to str.translate, so both give the
    same string."""
    if len(text) >= _ARRAY_MIN:
        folded = _gather(_array_table(tokens), text)
        if folded is not None:
            return folded
    return text.translate(_TOKEN_BMP if tokens else _FOLD_BMP)


def _gather(table: np.ndarray, text: str) -> str | None:
    """`text` (BMP only) mapped through an array table; None if a character expands."""
    out = table[np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)]
    if out.size and int(out.max()) >= _EXPAND:
        if (out == _EXPAND).any():
            return None
        out = out[out != _DELETE]
    return out.tobytes().decode("utf-32-le")


def _fold(text: str, tokens: bool) -> str:
    astral = _has_astral(text)
    bmp = _TOKEN_BMP if tokens else _FOLD_BMP
    folded = text.translate(bmp) if astral else _translate_bmp(text, tokens)
    if astral:
        folded = folded.casefold().translate(_astral_tables()[tokens])
    # Characters folded one by one can still form sequences NFKC composes (e + U+0301), and
    # deleting a mark can unblock a composition, so repeat to a fixed point; real Persian text is
    # done after the first pass.
    for _ in range(4):
        if unicodedata.is_normalized("NFKC", folded):
            break
        folded = unicodedata.normalize("NFKC", folded).translate(bmp)
        if astral:
            folded = folded.casefold().translate(_astral_tables()[tokens])
    return folded


def normalize(text: str) -> str:
    """Fold ``text`` for search: letters, digits, marks and invisible controls (see module doc).

    ZWNJ is kept. Raises ValueError for a lone surrogate.
    """
    return _fold(text, tokens=False)


def token_text(text: str) -> str:
    """``tokenize(text)`` before the split: the normalized tokens with ASCII spaces between
    them (runs of spaces, and spaces at either end, included), so that
    ``token_text(text).split() == tokenize(text)``. The index hands this string to its engine
    to split, which saves building a Python string per token."""
    folded = _fold(text, tokens=True)
    if "," in folded:
        folded = _THOUSANDS.sub("", folded).replace(",", " ")
    if "." in folded:
        folded = _NON_DECIMAL_DOT.sub(" ", folded)
    return folded


@functools.cache
def _batch_table() -> np.ndarray:
    arr = _array_table(True).copy()
    arr[0] = 0  # NUL, a separator elsewhere, marks where one text of a batch ends
    return arr


def token_texts(texts: list[str]) -> list[str]:
    """``[token_text(t) for t in texts]``, folding the whole list in one pass.

    Per-call costs (encoding, the array gather, the NFKC check, two regexes) are paid once
    for the list instead of once per text. The texts are joined with NUL, which the fold
    keeps and nothing composes with; if any text has a NUL, an astral character, a
    character that expands, or a sequence NFKC would still change, each text goes its own
    way instead."""
    if len(texts) < 2 or any("\x00" in t for t in texts):
        return [token_text(t) for t in texts]
    joined = "\x00".join(texts)
    if _has_astral(joined):
        return [token_text(t) for t in texts]
    folded = _gather(_batch_table(), joined)
    if folded is None or not unicodedata.is_normalized("NFKC", folded):
        return [token_text(t) for t in texts]
    if "," in folded:
        folded = _THOUSANDS.sub("", folded).replace(",", " ")
    if "." in folded:
        folded = _NON_DECIMAL_DOT.sub(" ", folded)
    return folded.split("\x00")


def tokenize(text: str) -> list[str]:
    """Normalized tokens of ``text``, split at whitespace, punctuation and ZWNJ."""
    return token_text(text).split()


def joined_pairs(tokens: list[str]) -> list[str]:
    """Each adjacent pair of tokens concatenated: extra index terms for joined spellings."""
    return [a + b for a, b in zip(tokens, tokens[1:], strict=False)]


def _contains_run(tokens: list[str], run: list[str]) -> bool:
    n = len(run)
    first = run[0]
    return any(tokens[i] == first and tokens[i : i + n] == run for i in range(len(tokens) - n + 1))


def spellings_match(query: str, text: str) -> bool:
    """The reference matching rule of the search index (see module doc): every query word found.

    Slow and simple on purpose: it defines what the index must do, and tests check both.
    """
    tokens = tokenize(text)
    token_set = set(tokens)
    terms = token_set | set(joined_pairs(tokens))
    words = [tokenize(w) for w in query.split()]
    words = [w for w in words if w]
    if not words:
        return False
    matched = [_contains_run(tokens, w) or "".join(w) in terms or _form_matches(w, tokens) for w in words]
    for i in range(len(words) - 1):
        if "".join(words[i] + words[i + 1]) in token_set:
            matched[i] = matched[i + 1] = True
    return all(matched)


def _form_matches(word: list[str], tokens: list[str]) -> bool:
    """The two rules beyond spelling (see the module doc): three joined parts, word forms."""
    from vazeh.persian.forms import SUFFIX_TOKENS, stem  # forms builds on tokenize

    joined = "".join(word)
    if len(word) == 1 and any(
        min(len(a), len(b), len(c)) >= 2 and a + b + c == joined
        for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False)
    ):
        return True
    core = list(word)
    while len(core) > 1 and core[-1] in SUFFIX_TOKENS:
        core.pop()
    core[-1] = stem(core[-1])
    if len(core) > 1 and _contains_run(tokens, core):
        return True
    stems = {stem(joined)} | ({core[0]} if len(core) == 1 else set())
    token_set = set(tokens)
    forms = {stem(t) for t in token_set}
    pairs = set(joined_pairs(tokens)) if len(core) == 1 else set()
    return any(s in token_set or s in forms or s in pairs for s in stems)
