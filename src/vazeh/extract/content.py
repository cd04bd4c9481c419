"""Finding the story on a page without a profile, and cleaning a story's paragraphs.

The finder scores containers by the running text they hold, in the spirit of
readability: every block of non-link text gives its length to the element around
it (and half to the one above), so the element holding the most prose wins. Link
lists, menus and boxes named like furniture score low.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from selectolax.lexbor import LexborHTMLParser, LexborNode

from vazeh.extract.profiles import Generic
from vazeh.extract.text import BLOCK_TAGS, MAX_NODES, SKIP_TAGS, Paragraph, is_hidden, paragraphs

_CONTAINER_TAGS = frozenset("div td section article main blockquote center".split())
# (Not <form>: old ASP.NET sites wrap the whole page, story included, in one.)
_FURNITURE_TAGS = frozenset("nav aside footer header menu".split())
_INLINE_TAGS = frozenset("a span b strong i em u small sub sup abbr cite q mark font time bdi bdo".split())
_GOOD_HINT = re.compile(r"article|content|body|text|story|entry|main|post|matn|news-?detail", re.I)
# Persian and Latin sentence punctuation: prose has it, menus do not.
_PUNCT = re.compile(r"[،,.؛:!?؟]")


def _hint(node: LexborNode) -> str:
    a = node.attributes
    return f"{a.get('class') or ''} {a.get('id') or ''}"


def make_skip(generic: Generic, *, furniture: bool = True) -> Callable[[LexborNode], bool]:
    """The element filter used while taking paragraphs: hidden things, and (for pages
    read without a profile) elements whose tag, class or id says they are furniture."""
    bp = generic.boilerplate_class

    def skip(node: LexborNode) -> bool:
        if is_hidden(node):
            return True
        if furniture:
            tag = node.tag
            if tag in _FURNITURE_TAGS:
                return True
            if tag in _INLINE_TAGS:
                # A link classed "tag" inside a sentence is part of the sentence.
                return False
            h = _hint(node)
            if h.strip() and bp.search(h):
                return True
        return False

    return skip


def find_main(tree: LexborHTMLParser, generic: Generic) -> LexborNode | None:
    """The element that holds the story's running text, or None when nothing does."""
    body = tree.body
    if body is None:
        return None
    text_len: dict[int, list] = {}  # block mem_id -> [node, chars, link chars, punctuation]
    seen = 0
    for node in body.traverse(include_text=True):
        seen += 1
        if seen > MAX_NODES:
            break
        if node.tag != "-text":
            continue
        t = node.text_content
        if not t:
            continue
        t = t.strip()
        if len(t) < 2:
            continue
        in_link = False
        block = None
        p = node.parent
        for _ in range(12):
            if p is None:
                break
            tag = p.tag
            if tag in SKIP_TAGS:
                block = None
                break
            if tag == "a":
                in_link = True
            if tag in BLOCK_TAGS:
                block = p
                break
            p = p.parent
        if block is None:
            continue
        entry = text_len.get(block.mem_id)
        if entry is None:
            entry = text_len[block.mem_id] = [block, 0, 0, 0]
        entry[1] += len(t)
        if in_link:
            entry[2] += len(t)
        entry[3] += len(_PUNCT.findall(t))

    scores: dict[int, list] = {}

    def add(node: LexborNode | None, value: float) -> None:
        if node is None or node.tag in ("body", "html"):
            return
        e = scores.get(node.mem_id)
        if e is None:
            scores[node.mem_id] = [node, value]
        else:
            e[1] += value

    for block, chars, link, punct in text_len.values():
        prose = chars - link
        if prose < 25:
            continue
        value = prose * (1 - link / chars) + 20 * min(punct, 10)
        parent = block.parent
        if block.tag in _CONTAINER_TAGS:
            add(block, value)
            add(parent, value * 0.5)
        else:
            add(parent, value)
            add(parent.parent if parent is not None else None, value * 0.5)
    if not scores:
        return None

    ranked = sorted(scores.values(), key=lambda e: e[1], reverse=True)[:8]
    best, best_score = None, 0.0
    for node, score in ranked:
        h = _hint(node)
        if generic.boilerplate_class.search(h) or node.tag in _FURNITURE_TAGS:
            score *= 0.3
        elif _GOOD_HINT.search(h) or node.attributes.get("itemprop") == "articleBody":
            score *= 1.25
        if score > best_score:
            best, best_score = node, score
    return best


def with_stray_siblings(main: LexborNode, generic: Generic) -> list[LexborNode]:
    """The main element plus sibling paragraphs of prose around it, in page order.

    A stray `</div>` in the story closes its container early, and the browser puts the
    rest of the story beside it; those paragraphs still belong to the story."""
    parent = main.parent
    if parent is None or parent.tag in ("html",):
        return [main]
    out: list[LexborNode] = []
    child = parent.child
    main_id = main.mem_id
    count = 0
    while child is not None and count < 500:
        count += 1
        if child.mem_id == main_id:
            out.append(child)
        elif child.tag in ("p", "blockquote") and not generic.boilerplate_class.search(_hint(child)):
            text = child.text(deep=True) or ""
            links = sum(len(a.text() or "") for a in child.css("a"))
            if len(text.strip()) >= 50 and links < 0.3 * len(text) and _PUNCT.search(text):
                out.append(child)
        child = child.next
    return out or [main]


def prose_before(main: LexborNode, region: LexborNode, title: LexborNode, generic: Generic) -> list[Paragraph]:
    """Prose between the headline and the story's main element, in page order.

    A video page prints the video's description under the player and the article
    text in a box of its own below; the finder picks the box, and the description
    (what the gold rules call the video page's body) sits in a sibling above it.
    Walks from `main` up to `region`, taking the earlier siblings at each level back
    to the one holding the headline; only sentence-like paragraphs count, so a
    duration, a view count or a share bar is not taken."""
    skip = make_skip(generic)
    title_chain: set[int] = set()
    n: LexborNode | None = title
    for _ in range(60):
        if n is None:
            break
        title_chain.add(n.mem_id)
        n = n.parent
    if main.mem_id in title_chain:
        return []
    found: list[list[Paragraph]] = []
    node: LexborNode | None = main
    for _ in range(12):
        if node is None or node.mem_id == region.mem_id or node.tag in ("body", "html"):
            break
        sib, count = node.prev, 0
        while sib is not None and count < 50:
            count += 1
            if sib.mem_id in title_chain:
                return [p for group in reversed(found) for p in group]
            tag = sib.tag or ""
            if tag != "-text" and not tag.startswith("_") and tag not in SKIP_TAGS and not skip(sib):
                found.append([p for p in paragraphs(sib, skip) if _is_prose(p)])
            sib = sib.prev
        node = node.parent
    # The headline is not above the main element at any level: nothing is "between".
    return []


def _is_prose(p: Paragraph) -> bool:
    return len(p.text) >= 50 and p.link_share < 0.3 and _PUNCT.search(p.text) is not None


def clean_paragraphs(
    paras: list[Paragraph],
    generic: Generic,
    *,
    drop_texts: set[str],
    drop_link_lines: bool = True,
) -> tuple[list[str], list[str]]:
    """Story paragraphs without end markers, furniture lines and repeated headings.
    Returns the paragraphs and what was dropped that a reader might want to know."""
    out: list[str] = []
    notes: list[str] = []
    for p in paras:
        text = p.text
        if any(rx.search(text) for rx in generic.end_markers):
            break
        if text in drop_texts:
            continue
        if any(rx.search(text) for rx in generic.boilerplate):
            continue
        if drop_link_lines and p.link_share > 0.9 and len(text) < 200:
            notes.append("dropped a paragraph that is only a link")
            continue
        out.append(text)
    return out, notes
