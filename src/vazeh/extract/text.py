"""Text out of a parsed page: whitespace collapsing and paragraphs.

The paragraph rule is the corpus rule: a new paragraph starts at every block
element and at every `<br>`; whitespace runs (Python `str.isspace`, which counts
NBSP but not ZWNJ, ZWJ, LRM or RLM) collapse to one space. Nothing else is touched,
so ZWNJ and letter variants survive exactly as published.

The walk is iterative (child / next / parent pointers) because hostile pages nest
elements tens of thousands deep and recursion would overflow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

BLOCK_TAGS = frozenset(
    "address article aside blockquote center dd details dialog dir div dl dt fieldset figure footer "
    "form h1 h2 h3 h4 h5 h6 header hgroup hr li main menu nav ol p pre section summary table tbody "
    "thead tfoot tr td th ul caption legend body html".split()
)
# Never text of a story: code, styling, embedded objects and form controls.
SKIP_TAGS = frozenset(
    "script style noscript template iframe svg math object embed video audio canvas img picture "
    "source track button select option textarea input label head title meta link figcaption map area "
    "-comment _comment".split()
)


def collapse(text: str) -> str:
    """Whitespace runs to one space, trimmed; `str.split()` splits exactly at `str.isspace`."""
    return " ".join(text.split())


def node_text(node: LexborNode | None) -> str:
    """Collapsed text of a node, scripts and styles left out."""
    if node is None:
        return ""
    paras = paragraphs(node)
    return collapse(" ".join(p.text for p in paras))


@dataclass
class Paragraph:
    text: str
    link_chars: int = 0  # characters inside <a>, to spot link lists and "read more" lines

    @property
    def link_share(self) -> float:
        n = len(self.text.replace(" ", ""))
        return self.link_chars / n if n else 0.0


def is_hidden(node: LexborNode) -> bool:
    attrs = node.attributes
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = (attrs.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


# No story has this many paragraphs or nodes; a page that does is a dump or an attack,
# and reading on would only cost time.
MAX_PARAGRAPHS = 3000
MAX_NODES = 200_000


def paragraphs(
    root: LexborNode,
    skip: Callable[[LexborNode], bool] | None = None,
    *,
    max_paragraphs: int = MAX_PARAGRAPHS,
    max_nodes: int = MAX_NODES,
) -> list[Paragraph]:
    """Paragraphs of `root` in reading order; `skip(element)` drops an element with its
    subtree. Reading stops after `max_paragraphs` paragraphs or `max_nodes` nodes."""
    out: list[Paragraph] = []
    buf: list[str] = []
    link_chars = 0  # of the paragraph being gathered
    link_depth = 0

    def flush() -> None:
        nonlocal link_chars
        if buf:
            text = collapse("".join(buf))
            if text:
                out.append(Paragraph(text, link_chars))
            buf.clear()
        link_chars = 0

    root_id = root.mem_id
    node: LexborNode | None = root.child
    visited = 0
    while node is not None:
        visited += 1
        if visited > max_nodes or len(out) >= max_paragraphs:
            break
        tag = node.tag
        descend = False
        if tag == "-text":
            t = node.text_content
            if t:
                buf.append(t)
                if link_depth:
                    link_chars += len(t.strip().replace(" ", ""))
        elif tag == "br":
            flush()
        elif tag is None or tag in SKIP_TAGS or tag.startswith("_") or (skip is not None and skip(node)):
            # A skipped block still ends the paragraph before it; a skipped inline
            # thing (an emoji picture, an icon) does not split the sentence around it.
            if tag in BLOCK_TAGS or tag == "figcaption":
                flush()
        else:
            if tag in BLOCK_TAGS:
                flush()
            descend = node.child is not None
            if descend and tag == "a":
                link_depth += 1
        if descend:
            node = node.child
            continue
        # Leave the node: move to its next sibling, or climb, closing blocks on the way.
        while node is not None:
            nxt = node.next
            if nxt is not None:
                node = nxt
                break
            parent = node.parent
            if parent is None or parent.mem_id == root_id:
                node = None
                break
            if parent.tag == "a":
                link_depth -= 1
            elif parent.tag in BLOCK_TAGS:
                flush()
            node = parent
    flush()
    return out
