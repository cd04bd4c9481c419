"""Word-level differences between two versions of a story.

Journalists care which words an outlet changed or deleted after publishing, so
the comparison runs over word tokens (whitespace-separated, ZWNJ kept inside
words) rather than characters or lines.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from vazeh.extract.model import Article

_WORD = re.compile(r"\S+")


@dataclass
class WordDiff:
    html: Markup  # the newer text with <ins> and <del> marks, paragraphs as <p>
    inserted: int
    deleted: int

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.deleted)


def article_text(article: Article) -> list[str]:
    """The paragraphs a reader sees, in order: kicker, title, lead, body."""
    parts = [article.kicker, article.title, article.lead, *article.body]
    return [p for p in parts if p and p.strip()]


def _tokens(paragraphs: list[str]) -> list[str]:
    out: list[str] = []
    for i, p in enumerate(paragraphs):
        if i:
            out.append("\n")  # a paragraph break is a token, so moved breaks show up too
        out.extend(_WORD.findall(p))
    return out


def _render(tokens: list[str], tag: str | None) -> str:
    pieces: list[str] = []
    words: list[str] = []

    def flush() -> None:
        if words:
            text = " ".join(str(escape(w)) for w in words)
            pieces.append(f"<{tag}>{text}</{tag}>" if tag else text)
            words.clear()

    for t in tokens:
        if t == "\n":
            flush()
            pieces.append("</p><p>")
        else:
            words.append(t)
    flush()
    return " ".join(pieces).replace(" </p><p> ", "</p><p>")


def word_diff(old: list[str], new: list[str]) -> WordDiff:
    """Compare two texts given as paragraphs; the result marks insertions and deletions."""
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    out: list[str] = []
    inserted = deleted = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(_render(b[j1:j2], None))
            continue
        if op in ("delete", "replace"):
            out.append(_render(a[i1:i2], "del"))
            deleted += sum(1 for t in a[i1:i2] if t != "\n")
        if op in ("insert", "replace"):
            out.append(_render(b[j1:j2], "ins"))
            inserted += sum(1 for t in b[j1:j2] if t != "\n")
    body = " ".join(x for x in out if x).replace(" </p><p> ", "</p><p>")
    return WordDiff(Markup(f"<p>{body}</p>"), inserted, deleted)


def article_diff(old: Article, new: Article) -> WordDiff:
    return word_diff(article_text(old), article_text(new))


# ---------------------------------------------------------------------- field by field
# A reader asking "what did they change?" wants the headline and the lead named, not
# folded into the body; and on a phone two columns must also read one under the other.
FIELDS = (("kicker", "روتیتر"), ("title", "تیتر"), ("lead", "لید"), ("body", "متن"))


@dataclass
class FieldDiff:
    name: str
    label: str
    unified: Markup  # both texts in one, <del> and <ins> in place
    old: Markup  # the older text, its deleted words marked
    new: Markup  # the newer text, its inserted words marked
    inserted: int
    deleted: int

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.deleted)


@dataclass
class ArticleDiff:
    fields: list[FieldDiff]

    @property
    def inserted(self) -> int:
        return sum(f.inserted for f in self.fields)

    @property
    def deleted(self) -> int:
        return sum(f.deleted for f in self.fields)

    @property
    def size(self) -> int:
        """Words inserted plus deleted: the scheduler's change_size, the same way counted."""
        return self.inserted + self.deleted

    @property
    def changed(self) -> bool:
        return bool(self.size)

    def to_dict(self) -> dict[str, object]:
        return {"inserted": self.inserted, "deleted": self.deleted, "change_size": self.size,
                "fields": [{"field": f.name, "inserted": f.inserted, "deleted": f.deleted,
                            "unified_html": str(f.unified), "old_html": str(f.old), "new_html": str(f.new)}
                           for f in self.fields]}


def _paras(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    return [p for p in items if p and p.strip()]


def field_diff(name: str, label: str, old: list[str], new: list[str]) -> FieldDiff:
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    uni: list[str] = []
    left: list[str] = []
    right: list[str] = []
    inserted = deleted = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            uni.append(_render(b[j1:j2], None))
            left.append(_render(a[i1:i2], None))
            right.append(_render(b[j1:j2], None))
            continue
        if op in ("delete", "replace"):
            uni.append(_render(a[i1:i2], "del"))
            left.append(_render(a[i1:i2], "del"))
            deleted += sum(1 for t in a[i1:i2] if t != "\n")
        if op in ("insert", "replace"):
            uni.append(_render(b[j1:j2], "ins"))
            right.append(_render(b[j1:j2], "ins"))
            inserted += sum(1 for t in b[j1:j2] if t != "\n")

    def para(parts: list[str]) -> Markup:
        body = " ".join(x for x in parts if x).replace(" </p><p> ", "</p><p>")
        return Markup(f"<p>{body}</p>") if body else Markup("")

    return FieldDiff(name, label, para(uni), para(left), para(right), inserted, deleted)


def compare(old: Article, new: Article) -> ArticleDiff:
    """Kicker, title, lead and body compared each on its own, word by word."""
    return ArticleDiff([field_diff(name, label, _paras(getattr(old, name)), _paras(getattr(new, name)))
                        for name, label in FIELDS])
