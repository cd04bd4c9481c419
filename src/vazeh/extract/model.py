"""The Article: what a captured news page says, and where extracted articles are kept."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from vazeh.archive.catalog import CatalogConnection, as_catalog, next_seq, take_feed_turn

log = logging.getLogger(__name__)


@dataclass
class Image:
    url: str
    caption: str | None = None


@dataclass
class Article:
    """One news story as published. Text fields are exactly as on the page (ZWNJ kept,
    letters not normalized); a field the page does not show is None or empty."""

    url: str | None = None
    canonical_url: str | None = None
    site: str | None = None
    source: str | None = None  # the agency whose story it is, e.g. "مهر"
    news_id: str | None = None
    title: str | None = None
    kicker: str | None = None  # روتیتر
    lead: str | None = None  # لید
    body: list[str] = field(default_factory=list)
    published: str | None = None  # ISO 8601 with offset
    published_jalali: str | None = None  # as vazeh.persian.format_jalali writes it
    modified: str | None = None
    category: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    author: str | None = None
    images: list[Image] = field(default_factory=list)
    language: str | None = None
    warnings: list[str] = field(default_factory=list)
    # Not part of the published JSON shape: whether the page is a story at all
    # (a home or list page is archived but not forced into an Article).
    is_article: bool = True

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("is_article")
        return d

    def to_json(self, **kw: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kw)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        d = dict(d)
        d["images"] = [Image(**i) if isinstance(i, dict) else i for i in d.get("images") or []]
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in d.items() if k in known})

    @property
    def text(self) -> str:
        return "\n".join(self.body)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
  id INTEGER PRIMARY KEY,
  capture_id INTEGER NOT NULL UNIQUE,
  seq INTEGER NOT NULL,
  extractor_version TEXT NOT NULL,
  is_article INTEGER NOT NULL,
  url TEXT,
  surt TEXT,
  source TEXT,
  site TEXT,
  news_id TEXT,
  title TEXT,
  published TEXT,
  captured_at TEXT,
  fingerprint BLOB,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_by_surt ON articles(surt, captured_at);
CREATE INDEX IF NOT EXISTS articles_by_published ON articles(is_article, published);
CREATE INDEX IF NOT EXISTS articles_by_source ON articles(source, published);
"""
# PostgreSQL numbers articles from a sequence (see vazeh.archive.catalog.take_feed_turn);
# a new catalog there starts with seq unique, as _make_seq_unique leaves an old SQLite one.
_PG_SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS articles_seq;
CREATE UNIQUE INDEX IF NOT EXISTS articles_seq_unique ON articles(seq);
"""


@dataclass
class StoredArticle:
    id: int
    capture_id: int
    seq: int
    extractor_version: str
    surt: str | None
    captured_at: str | None
    fingerprint: bytes | None
    article: Article


@dataclass(frozen=True)
class CaptureFilter:
    """Which captures' articles a provenance read keeps: vazeh's own captures only
    (`own_captures`), or those imported from `origin` (its path, or its file name; a
    WACZ member after "!"), captured from `captured_from` to `captured_to` (catalog
    time text, both inclusive; the upper bound compared to the second)."""

    own_captures: bool = False
    origin: str | None = None
    captured_from: str | None = None
    captured_to: str | None = None


# What a provenance read gives per article, in this order: the article, its capture, the
# capture's record and the request record (its file, offset, length; NULL without one).
PROVENANCE_COLUMNS = (
    "a.id, a.capture_id, a.surt, a.extractor_version, a.data, c.url, c.captured_at, c.status, c.mime, "
    "c.payload_digest, c.origin, r.record_id, r.type, r.warc_file, r.offset, r.length, "
    "q.warc_file, q.offset, q.length, c.revisit_of"
)
_PROVENANCE = (
    f"SELECT {PROVENANCE_COLUMNS} "
    "FROM articles a JOIN captures c ON c.id = a.capture_id JOIN records r ON r.id = c.record "
    "LEFT JOIN records q ON q.id = c.request_record "
)


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _capture_filter(f: CaptureFilter) -> tuple[str, list[Any]]:
    cond, args = ["a.is_article = 1"], []
    if f.own_captures:
        cond.append("c.origin IS NULL AND c.imported = 0")
    elif f.origin:
        cond.append("(c.origin = ? OR c.origin LIKE ? ESCAPE '\\' OR c.origin LIKE ? ESCAPE '\\')")
        like = _like(f.origin)
        args += [f.origin, "%/" + like, "%/" + like + "!%"]
    if f.captured_from:
        cond.append("c.captured_at >= ?")
        args.append(f.captured_from)
    if f.captured_to:
        # Seconds compared: the stored text carries microseconds after them.
        cond.append("substr(c.captured_at, 1, 19) <= ?")
        args.append(f.captured_to)
    return " AND ".join(cond), args


class ArticleStore:
    """Extracted articles, one row per capture, in the catalog's SQLite file.

    `seq` grows on every insert or update, so a consumer (the search index) can
    catch up with everything that changed after the last `seq` it saw.
    """

    def __init__(self, db: CatalogConnection):
        self.db = db = as_catalog(db)
        db.executescript(_SCHEMA)
        if db.dialect == "postgresql":
            if not db.has_table("articles_seq"):
                db.executescript(_PG_SCHEMA)
                # Rows copied in (vazeh migrate) before the sequence existed: go on after them.
                # Only ever forward: another process may be numbering already.
                db.execute(
                    "SELECT setval('articles_seq', m) FROM (SELECT MAX(seq) AS m FROM articles) x "
                    "WHERE m > (SELECT last_value FROM articles_seq)"
                )
        elif not db.has_index("articles_seq_unique"):
            _make_seq_unique(db)

    def put(
        self,
        capture_id: int,
        article: Article,
        *,
        extractor_version: str,
        surt: str | None,
        captured_at: str | None,
        fingerprint: bytes | None = None,
    ) -> int:
        """Insert or replace the article of a capture; returns its row id.

        The new `seq` is taken inside the one statement that writes the row. SQLite runs
        one writing statement at a time across every process on the file, so numbers are
        handed out in the order rows become visible: a reader that has seen `seq` N has
        seen every row numbered below N, which is what lets the index keep a watermark.
        (Taking MAX(seq)+1 in a statement of its own let two processes get the same
        number, or commit 11 before 10, and the index skipped one for good.)
        PostgreSQL takes the number from a sequence while holding the feed's turn to
        the commit (`take_feed_turn`), which gives the same guarantee.
        """
        if self.db.dialect != "postgresql":
            return self._put(capture_id, article, extractor_version, surt, captured_at, fingerprint)
        if self.db.in_transaction:  # the caller's transaction: the turn is held to its commit
            take_feed_turn(self.db)
            return self._put(capture_id, article, extractor_version, surt, captured_at, fingerprint)
        with self.db.immediate_feed():
            return self._put(capture_id, article, extractor_version, surt, captured_at, fingerprint)

    def _put(
        self, capture_id: int, article: Article, extractor_version: str, surt: str | None,
        captured_at: str | None, fingerprint: bytes | None,
    ) -> int:
        cur = self.db.execute(
            "INSERT INTO articles(capture_id, seq, extractor_version, is_article, url, surt, source, site, news_id, "
            "title, published, captured_at, fingerprint, data) "
            f"VALUES(?,{next_seq(self.db)},?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(capture_id) DO UPDATE SET seq=excluded.seq, extractor_version=excluded.extractor_version, "
            "is_article=excluded.is_article, url=excluded.url, surt=excluded.surt, source=excluded.source, "
            "site=excluded.site, news_id=excluded.news_id, title=excluded.title, published=excluded.published, "
            "captured_at=excluded.captured_at, fingerprint=excluded.fingerprint, data=excluded.data "
            "RETURNING id",
            (
                capture_id,
                extractor_version,
                int(article.is_article),
                article.url,
                surt,
                article.source,
                article.site,
                article.news_id,
                article.title,
                article.published,
                captured_at,
                fingerprint,
                article.to_json(),
            ),
        )
        return int(cur.fetchone()[0])

    def _row(self, row: tuple) -> StoredArticle:
        (id_, capture_id, seq, version, is_article, surt, captured_at, fingerprint, data) = tuple(row)
        art = Article.from_dict(json.loads(data))
        art.is_article = bool(is_article)
        return StoredArticle(id_, capture_id, seq, version, surt, captured_at, fingerprint, art)

    _COLS = "id, capture_id, seq, extractor_version, is_article, surt, captured_at, fingerprint, data"

    def get(self, article_id: int) -> StoredArticle | None:
        row = self.db.execute(f"SELECT {self._COLS} FROM articles WHERE id=?", (article_id,)).fetchone()
        return self._row(row) if row else None

    def for_capture(self, capture_id: int) -> StoredArticle | None:
        row = self.db.execute(f"SELECT {self._COLS} FROM articles WHERE capture_id=?", (capture_id,)).fetchone()
        return self._row(row) if row else None

    def for_url(self, surt: str) -> list[StoredArticle]:
        rows = self.db.execute(f"SELECT {self._COLS} FROM articles WHERE surt=? ORDER BY captured_at", (surt,)).fetchall()
        return [self._row(r) for r in rows]

    def versions(self, surt: str) -> list[tuple[int, bool]]:
        """(article id, is_article) of every capture of a story URL, oldest capture first,
        without decoding the articles."""
        rows = self.db.execute(
            "SELECT id, is_article FROM articles WHERE surt=? ORDER BY captured_at", (surt,)
        ).fetchall()
        return [(r[0], bool(r[1])) for r in rows]

    def changed_since(self, seq: int, *, batch: int = 1000) -> Iterator[StoredArticle]:
        last = seq
        while True:
            rows = self.db.execute(
                f"SELECT {self._COLS} FROM articles WHERE seq > ? ORDER BY seq LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            for r in rows:
                yield self._row(r)
            last = rows[-1][2]

    def latest(self, *, limit: int = 50, offset: int = 0, source: str | None = None) -> list[StoredArticle]:
        """Newest stories first (by publish time, else capture time), articles only."""
        cond, args = "is_article=1", []
        if source:
            cond += " AND source=?"
            args.append(source)
        rows = self.db.execute(
            f"SELECT {self._COLS} FROM articles WHERE {cond} ORDER BY COALESCE(published, captured_at) DESC LIMIT ? OFFSET ?",
            (*args, limit, offset),
        ).fetchall()
        return [self._row(r) for r in rows]

    def captures_without_article(self) -> list[int]:
        """Ids of the HTML captures served with a 2xx that have no article yet, in catalog order."""
        return [r[0] for r in self.db.execute(
            "SELECT c.id FROM captures c LEFT JOIN articles a ON a.capture_id = c.id "
            "WHERE a.id IS NULL AND c.status BETWEEN 200 AND 299 "
            "AND (c.mime IS NULL OR c.mime LIKE '%html%') ORDER BY c.id"
        )]

    def extractor_versions(self) -> dict[int, str]:
        """Capture id -> the extractor version its article was made with."""
        return {r[0]: r[1] for r in self.db.execute("SELECT capture_id, extractor_version FROM articles")}

    def max_seq(self) -> int:
        return self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM articles").fetchone()[0]

    def count(self, *, articles_only: bool = True) -> int:
        q = "SELECT COUNT(*) FROM articles" + (" WHERE is_article=1" if articles_only else "")
        return self.db.execute(q).fetchone()[0]

    # Provenance reads: each article with its capture and WARC records in one statement,
    # for exports, where a query per article would cost more than the export itself.
    def count_filtered(self, f: CaptureFilter) -> int:
        """How many articles (stories, not other pages) pass the filter."""
        where, args = _capture_filter(f)
        return self.db.execute(
            "SELECT COUNT(*) FROM articles a JOIN captures c ON c.id = a.capture_id WHERE " + where, args
        ).fetchone()[0]

    def provenance_after(self, after_id: int, f: CaptureFilter, *, limit: int) -> list[tuple]:
        """Up to `limit` articles with ids above `after_id` that pass, in id order
        (`PROVENANCE_COLUMNS` per row)."""
        where, args = _capture_filter(f)
        sql = _PROVENANCE + "WHERE a.id > ? AND " + where + " ORDER BY a.id LIMIT ?"
        return [tuple(r) for r in self.db.execute(sql, [after_id, *args, limit]).fetchall()]

    def provenance_of(
        self, f: CaptureFilter, *, surts: Sequence[str] = (), capture_ids: Sequence[int] = ()
    ) -> list[tuple]:
        """The articles of these story keys (by key, then capture time) and of these
        captures (articles without a key), that pass (`PROVENANCE_COLUMNS` per row)."""
        where, args = _capture_filter(f)
        out: list[tuple] = []
        if surts:
            marks = ",".join("?" * len(surts))
            sql = _PROVENANCE + f"WHERE a.surt IN ({marks}) AND " + where + " ORDER BY a.surt, c.captured_at, a.id"
            out += [tuple(r) for r in self.db.execute(sql, [*surts, *args])]
        if capture_ids:
            marks = ",".join("?" * len(capture_ids))
            sql = _PROVENANCE + f"WHERE a.capture_id IN ({marks}) AND " + where + " ORDER BY a.id"
            out += [tuple(r) for r in self.db.execute(sql, [*capture_ids, *args])]
        return out


def _make_seq_unique(db: CatalogConnection) -> None:
    """Renumber rows that share a `seq` (left by earlier vazeh, whose writers in two processes
    could collide), then make `seq` unique. The renumbered rows get numbers above every
    watermark, so the index picks up the stories it skipped when the numbers collided."""
    db.execute("BEGIN IMMEDIATE")
    try:
        if not db.has_index("articles_seq_unique"):
            dupes = db.execute(
                "SELECT a.id FROM articles a WHERE EXISTS (SELECT 1 FROM articles b WHERE b.seq = a.seq AND b.id < a.id) "
                "ORDER BY a.id"
            ).fetchall()
            for (article_id,) in dupes:
                db.execute(
                    "UPDATE articles SET seq = (SELECT MAX(seq) + 1 FROM articles) WHERE id = ?", (article_id,)
                )
            if dupes:
                log.warning("%d articles shared a seq number; renumbered so the index picks them up", len(dupes))
            db.execute("DROP INDEX IF EXISTS articles_by_seq")
            db.execute("CREATE UNIQUE INDEX articles_seq_unique ON articles(seq)")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
