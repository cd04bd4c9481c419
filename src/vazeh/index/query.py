"""The query language: what a researcher types, parsed into a small tree.

    words                 all must match (in any order, anywhere)
    "a phrase"  «a phrase»   the words in this order
    -word  -"a phrase"    must not match
    a OR b                either (OR binds tighter than the implicit AND)
    ( ... )               grouping
    title:word  title:"a phrase"
    source:مهر  category:ورزشی  tag:"انرژی هسته‌ای"
    outlet:خبرآنلاین (the site of the copy)  agency:مهر (whom it credits); source: is either
    date:1395/10/01..1395/10/30   date:2017-01-01..2017-01-31   date:1395/10/01..
    date:1395/10   date:2017      (a whole month or year)

Fields may also be written in Persian: عنوان: منبع: رسانه: خبرگزاری: دسته: برچسب: تاریخ:.
Every mistake raises `QueryError` with a message meant for the person who typed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from persiantools.jdatetime import JalaliDate

from vazeh.persian import to_ascii_digits

TEHRAN = ZoneInfo("Asia/Tehran")
MAX_QUERY_CHARS = 1000
MAX_TERMS = 64

FIELD_ALIASES = {
    "title": "title",
    "source": "source",
    "outlet": "outlet",
    "agency": "agency",
    "category": "category",
    "tag": "tag",
    "date": "date",
    "عنوان": "title",
    "منبع": "source",
    "رسانه": "outlet",
    "خبرگزاری": "agency",
    "دسته": "category",
    "برچسب": "tag",
    "تاریخ": "date",
}
KNOWN_FIELDS = "title:, source:, outlet:, agency:, category:, tag:, date:"
QUOTES = {'"': '"', "«": "»", "“": "”"}


class QueryError(ValueError):
    """A query that cannot be run; str(error) tells the user what to fix, in English.

    `code` and `params` name the mistake and the fragments of the query it is about,
    so an interface in another language (the reading room's is Persian) can say the
    same thing without parsing the English sentence."""

    def __init__(self, message: str, code: str = "invalid", **params: object):
        super().__init__(message)
        self.code = code
        self.params = params


# --- the tree -------------------------------------------------------------
@dataclass(frozen=True)
class Word:
    text: str
    field: str = "all"  # "all" or "title"


@dataclass(frozen=True)
class PhraseQ:
    text: str
    field: str = "all"


@dataclass(frozen=True)
class Exact:
    """source:, outlet:, agency:, category:, tag: — the whole value must equal the field's
    value (a name of an outlet or agency stands for all its names)."""

    field: str
    value: str


@dataclass(frozen=True)
class DateRange:
    start: datetime | None  # inclusive
    end: datetime | None  # exclusive
    text: str


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = Word | PhraseQ | Exact | DateRange | Not | And | Or


# --- lexing ---------------------------------------------------------------
@dataclass(frozen=True)
class _Tok:
    kind: str  # WORD PHRASE FIELD LPAREN RPAREN OR NOT
    text: str = ""
    field: str = ""
    quoted: bool = False
    start: int = 0  # where the token is in the query: a filter can be taken out again
    end: int = 0


_SURROGATE = re.compile("[\ud800-\udfff]")
_FIELD_RE = re.compile(r"^([A-Za-z]+|[\u0600-\u06FF\u200c]+):(.*)$", re.S)
_STOP = set(" \t\n\r()") | set(QUOTES)


def _read_quoted(q: str, i: int) -> tuple[str, int]:
    close = QUOTES[q[i]]
    j = q.find(close, i + 1)
    if j < 0:
        raise QueryError(f"unbalanced quote: the phrase starting at {q[i:i + 20]!r} has no closing {close}",
                         "unbalanced_quote", fragment=q[i : i + 20], close=close)
    return q[i + 1 : j], j + 1


def lex(q: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            i += 1
        elif c == "(":
            toks.append(_Tok("LPAREN", start=i, end=i + 1))
            i += 1
        elif c == ")":
            toks.append(_Tok("RPAREN", start=i, end=i + 1))
            i += 1
        elif c in QUOTES:
            start = i
            text, i = _read_quoted(q, i)
            toks.append(_Tok("PHRASE", text, start=start, end=i))
        elif c == "-" and i + 1 < n and not q[i + 1].isspace() and (not toks or toks[-1].kind != "WORD" or q[i - 1].isspace()):
            toks.append(_Tok("NOT", start=i, end=i + 1))
            i += 1
        else:
            j = i
            while j < n and q[j] not in _STOP:
                j += 1
            word = q[i:j]
            m = _FIELD_RE.match(word)
            if m and m.group(2).startswith("//"):
                m = None  # an address (https://...), searched as words
            if m and (m.group(1) in FIELD_ALIASES or m.group(1).isascii()):
                name = m.group(1)
                if name not in FIELD_ALIASES:
                    raise QueryError(f"unknown field {name + ':'!r}; the fields are {KNOWN_FIELDS}",
                                     "unknown_field", field=name + ":")
                value = m.group(2)
                quoted = False
                if not value and j < n and q[j] in QUOTES:
                    value, j = _read_quoted(q, j)
                    quoted = True
                if not value.strip():
                    raise QueryError(f"{name}: needs a value, e.g. {name}:تهران", "field_needs_value", field=name)
                toks.append(_Tok("FIELD", value, FIELD_ALIASES[name], quoted, i, j))
            elif word == "OR" or word == "|":
                toks.append(_Tok("OR", start=i, end=j))
            else:
                toks.append(_Tok("WORD", word, start=i, end=j))
            i = j
    return toks


# --- parsing --------------------------------------------------------------
class _Parser:
    def __init__(self, toks: list[_Tok]):
        self.toks = toks
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def expr(self, depth: int) -> Node:
        parts: list[Node] = []
        while (t := self.peek()) is not None and t.kind != "RPAREN":
            parts.append(self.or_expr(depth))
        if not parts:
            if depth:
                raise QueryError("empty parentheses: put search words inside ( )", "empty_parentheses")
            raise QueryError("empty query: type one or more words", "empty_query")
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def or_expr(self, depth: int) -> Node:
        if self.peek() and self.peek().kind == "OR":
            raise QueryError("OR needs a search term on both sides, e.g. تهران OR مشهد", "or_needs_sides")
        parts = [self.unary(depth)]
        while (t := self.peek()) is not None and t.kind == "OR":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in ("OR", "RPAREN"):
                raise QueryError("OR needs a search term on both sides, e.g. تهران OR مشهد", "or_needs_sides")
            parts.append(self.unary(depth))
        if len(parts) == 1:
            return parts[0]
        if any(isinstance(p, Not) for p in parts):
            raise QueryError("an exclusion (-word) cannot be one side of OR; write it as a separate term",
                             "or_exclusion")
        return Or(tuple(parts))

    def unary(self, depth: int) -> Node:
        t = self.take()
        if t.kind == "NOT":
            nxt = self.peek()
            if nxt is None or nxt.kind in ("OR", "RPAREN", "NOT"):
                raise QueryError("'-' must be followed by the word or phrase to exclude, e.g. -ورزش", "dash_alone")
            return Not(self.unary(depth))
        if t.kind == "LPAREN":
            if depth >= 8:
                raise QueryError("too many nested parentheses", "too_deep")
            inner = self.expr(depth + 1)
            if self.peek() is None:
                raise QueryError("unbalanced parentheses: a '(' has no matching ')'", "unclosed_parenthesis")
            self.take()
            return inner
        if t.kind == "RPAREN":
            raise QueryError("unbalanced parentheses: a ')' has no matching '('", "unopened_parenthesis")
        if t.kind == "PHRASE":
            if not t.text.strip():
                raise QueryError('empty phrase: put words between the quotes, e.g. "راه اندازی"', "empty_phrase")
            return PhraseQ(t.text)
        if t.kind == "FIELD":
            return _field_node(t)
        return Word(t.text)


def _field_node(t: _Tok) -> Node:
    if t.field == "title":
        return PhraseQ(t.text, "title") if t.quoted else Word(t.text, "title")
    if t.field == "date":
        return parse_date_range(t.text)
    return Exact(t.field, t.text)


def _check_exclusions(node: Node) -> None:
    """Reject a query (or a group) made only of exclusions: it would mean 'everything except'."""
    if isinstance(node, Not):
        raise QueryError("a query cannot consist only of exclusions; add a word to search for, e.g. تهران -ورزش",
                         "only_exclusions")
    if isinstance(node, And):
        if all(isinstance(n, Not) for n in node.nodes):
            raise QueryError("a query cannot consist only of exclusions; add a word to search for, e.g. تهران -ورزش",
                         "only_exclusions")
        for n in node.nodes:
            _check_exclusions(n.node if isinstance(n, Not) else n)
    if isinstance(node, Or):
        for n in node.nodes:
            _check_exclusions(n)


def _count_terms(node: Node) -> int:
    if isinstance(node, And | Or):
        return sum(_count_terms(n) for n in node.nodes)
    if isinstance(node, Not):
        return _count_terms(node.node)
    if isinstance(node, Word | PhraseQ):
        return max(1, len(node.text.split()))
    return 1


def parse(query: str) -> Node:
    """Parse a query string; raise QueryError saying what is wrong."""
    if query is None or not query.strip():
        raise QueryError("empty query: type one or more words", "empty_query")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long: {len(query)} characters, the limit is {MAX_QUERY_CHARS}",
                         "too_many_characters", length=len(query), limit=MAX_QUERY_CHARS)
    if (bad := _SURROGATE.search(query)) is not None:
        # Half of a UTF-16 pair is no character: text decoded with errors="surrogateescape"
        # or cut mid-pair. The analyzer refuses it, so say so here, where it was typed.
        raise QueryError(
            f"the query has an invalid character (U+{ord(bad.group()):04X}, half of a UTF-16 pair) at "
            f"position {bad.start() + 1}; retype or paste the query again",
            "invalid_character", codepoint=f"U+{ord(bad.group()):04X}", position=bad.start() + 1,
        )
    p = _Parser(lex(query))
    node = p.expr(0)
    if p.peek() is not None:
        raise QueryError("unbalanced parentheses: a ')' has no matching '('", "unopened_parenthesis")
    if _count_terms(node) > MAX_TERMS:
        raise QueryError(f"query too long: more than {MAX_TERMS} words", "too_many_words", limit=MAX_TERMS)
    _check_exclusions(node)
    return node


# --- the query's parts, where they are typed --------------------------------
@dataclass(frozen=True)
class Part:
    """One term of a query's top level (not inside parentheses, not a side of OR),
    with where it was typed: what the reading room shows as an active filter chip
    and what a suggestion leaves out or rewrites. `kind` is "word", "phrase" or
    "filter"; `field` the canonical field (title: words are "title")."""

    kind: str
    field: str
    value: str
    start: int
    end: int
    negated: bool = False

    @property
    def node(self) -> Node:
        if self.field == "date":
            return parse_date_range(self.value)
        return Exact(self.field, self.value)


def parts(query: str) -> list[Part]:
    """The top-level terms of a query, in order (QueryError if it does not lex)."""
    toks = lex(query)
    out: list[Part] = []
    depth = 0
    for i, t in enumerate(toks):
        if t.kind == "LPAREN":
            depth += 1
        elif t.kind == "RPAREN":
            depth = max(0, depth - 1)
        if depth or t.kind not in ("WORD", "PHRASE", "FIELD"):
            continue
        negated = i > 0 and toks[i - 1].kind == "NOT"
        before = toks[i - 2] if negated and i > 1 else (toks[i - 1] if i > 0 and not negated else None)
        after = toks[i + 1] if i + 1 < len(toks) else None
        if (before is not None and before.kind == "OR") or (after is not None and after.kind == "OR"):
            continue  # one side of OR is no filter of the whole query
        start = toks[i - 1].start if negated else t.start
        if t.kind == "FIELD" and t.field != "title":
            out.append(Part("filter", t.field, t.text, start, t.end, negated))
        elif t.kind == "FIELD":
            out.append(Part("phrase" if t.quoted else "word", "title", t.text, start, t.end, negated))
        else:
            out.append(Part("word" if t.kind == "WORD" else "phrase", "all", t.text, start, t.end, negated))
    return out


def filters(query: str) -> list[Part]:
    """The field filters of a query's top level (source:, outlet:, agency:, category:,
    tag:, date:), typed by hand or added from a facet."""
    return [p for p in parts(query) if p.kind == "filter"]


def without(query: str, part: Part, replacement: str = "") -> str:
    """The query with one of its parts taken out (or replaced), spaces tidied."""
    return " ".join(f"{query[: part.start]} {replacement} {query[part.end :]}".split())


# --- dates ----------------------------------------------------------------
_DATE_RE = re.compile(r"^(\d{4})(?:[/\-.](\d{1,2})(?:[/\-.](\d{1,2}))?)?$")


def _parse_day(text: str, whole: str, *, end: bool) -> datetime:
    """One side of a date range. `end` moves to the start of the day (month, year)
    after it, so ranges are half-open and the last day is included."""
    m = _DATE_RE.match(text)
    if not m:
        raise QueryError(
            f"bad date {whole!r}: write a Jalali or Gregorian date such as 1395/10/01 or 2017-01-31, "
            "optionally as a range start..end",
            "bad_date", value=whole,
        )
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    jalali = y < 1700
    try:
        if jalali:
            month, day = int(mo or 1), int(d or 1)
            start = JalaliDate(y, month, day)
            if end:
                if d:
                    start = start + timedelta(days=1)
                elif mo:
                    start = JalaliDate(y + 1, 1, 1) if month == 12 else JalaliDate(y, month + 1, 1)
                else:
                    start = JalaliDate(y + 1, 1, 1)
            g = start.to_gregorian()
        else:
            month, day = int(mo or 1), int(d or 1)
            g = date(y, month, day)
            if end:
                if d:
                    g = g + timedelta(days=1)
                elif mo:
                    g = date(y + 1, 1, 1) if month == 12 else date(y, month + 1, 1)
                else:
                    g = date(y + 1, 1, 1)
    except (ValueError, OverflowError) as e:
        cal = "Jalali" if jalali else "Gregorian"
        raise QueryError(f"bad date {whole!r}: {text} is not a valid {cal} date ({e})",
                         "impossible_date", value=whole, date=text, calendar=cal.lower()) from None
    return datetime(g.year, g.month, g.day, tzinfo=TEHRAN)


def parse_date_range(value: str) -> DateRange:
    text = to_ascii_digits(value.strip())
    if ".." in text:
        lo, _, hi = text.partition("..")
        lo, hi = lo.strip(), hi.strip()
        if not lo and not hi:
            raise QueryError(f"bad date {value!r}: give at least one end of the range, e.g. date:1395/10/01..",
                             "open_date_range", value=value)
        start = _parse_day(lo, value, end=False) if lo else None
        stop = _parse_day(hi, value, end=True) if hi else None
    else:
        start = _parse_day(text, value, end=False)
        stop = _parse_day(text, value, end=True)
    if start and stop and start >= stop:
        raise QueryError(f"bad date range {value!r}: the start is after the end", "reversed_date_range", value=value)
    return DateRange(start, stop, value)
