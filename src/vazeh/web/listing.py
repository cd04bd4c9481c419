"""Lists the reading room shows: newest stories, by source, by category, per day.

The article store keeps each article as JSON, and sources, category trails and
days are asked for on every home page. So the web keeps its own small table,
`web_articles`, derived from the store and brought up to date by `seq` the way
the search index is: rebuildable at any time, never the record of truth.
Only the newest version of each URL is listed (`current`), so a story captured
five times appears once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from vazeh.archive.catalog import CatalogConnection
from vazeh.extract.model import Article, ArticleStore, StoredArticle
from vazeh.index.names import default_names
from vazeh.web.fmt import TEHRAN, jalali, parse_when, tehran_day

TRAIL_SEP = " > "

_SCHEMA = """
CREATE TABLE IF NOT EXISTS web_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS web_articles (
  article_id INTEGER PRIMARY KEY,
  surt TEXT,
  source TEXT,
  trail TEXT,
  day TEXT,
  sort_key TEXT NOT NULL,
  captured_at TEXT,
  current INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS web_articles_newest ON web_articles(current, sort_key);
CREATE INDEX IF NOT EXISTS web_articles_source ON web_articles(current, source, sort_key);
CREATE INDEX IF NOT EXISTS web_articles_day ON web_articles(current, day);
CREATE INDEX IF NOT EXISTS web_articles_surt ON web_articles(surt, captured_at);
CREATE INDEX IF NOT EXISTS web_articles_captured ON web_articles(current, captured_at);
CREATE TABLE IF NOT EXISTS web_categories (
  article_id INTEGER NOT NULL,
  prefix TEXT NOT NULL,
  depth INTEGER NOT NULL,
  sort_key TEXT NOT NULL,
  PRIMARY KEY (prefix, article_id)
);
CREATE INDEX IF NOT EXISTS web_categories_newest ON web_categories(prefix, sort_key);
CREATE INDEX IF NOT EXISTS web_categories_article ON web_categories(article_id);
CREATE INDEX IF NOT EXISTS web_categories_keyset ON web_categories(prefix, sort_key, article_id);
"""

_sync_lock = threading.Lock()


@dataclass
class Aggregates:
    seq: int
    total: int
    sources: list[tuple[str, int]]
    categories: list[tuple[str, int]]  # top-level categories
    days: list[tuple[str, int]]  # (ISO day in Tehran, count), oldest first
    day: date  # the day these were computed on (the cache is per day)


def sort_key(article: Article, captured_at: str | None) -> str:
    """Newest-first order: publish time, else capture time, as comparable UTC text."""
    dt = parse_when(article.published) or parse_when(captured_at)
    if dt is None:
        return "0000"
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def trail_text(trail: list[str] | tuple[str, ...]) -> str:
    return TRAIL_SEP.join(t.strip() for t in trail if t and t.strip())


def article_row(s: StoredArticle, *, body: bool = False) -> dict[str, Any]:
    """One listed article as the API, the listing pages' JSON/CSV twins and the streams give it."""
    a = s.article
    row: dict[str, Any] = dict(
        id=s.id, capture_id=s.capture_id, url=a.url, source=a.source or a.site, title=a.title, kicker=a.kicker,
        lead=a.lead, published=a.published, published_jalali=a.published_jalali or (jalali(a.published) or None),
        category=a.category, captured_at=s.captured_at, href=f"/article/{s.id}",
    )
    if body:
        row["body"] = a.body
    return row


class Listing:
    """The derived lists over one catalog connection (one per thread)."""

    def __init__(self, db: CatalogConnection, store: ArticleStore, cache: dict | None = None):
        self.db = db
        self.store = store
        db.executescript(_SCHEMA)
        # Shared between the threads of one process: aggregates are costly on a big archive.
        self._cache: dict = cache if cache is not None else {}

    # ------------------------------------------------------------------ keeping up
    def synced_seq(self) -> int:
        row = self.db.execute("SELECT value FROM web_meta WHERE key='listing_seq'").fetchone()
        return int(row[0]) if row else 0

    def sync(self) -> int:
        """Bring the lists up to date with the article store; returns how many articles changed."""
        if self.store.max_seq() == self.synced_seq():
            return 0
        with _sync_lock:
            seen = self.synced_seq()
            changed = 0
            batch: list[StoredArticle] = []
            for stored in self.store.changed_since(seen):
                batch.append(stored)
                if len(batch) >= 2000:
                    changed += self._apply(batch)
                    batch = []
            if batch:
                changed += self._apply(batch)
            return changed

    def _apply(self, batch: list[StoredArticle]) -> int:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            surts: set[str] = set()
            for s in batch:
                db.execute("DELETE FROM web_articles WHERE article_id=?", (s.id,))
                db.execute("DELETE FROM web_categories WHERE article_id=?", (s.id,))
                if s.surt:
                    surts.add(s.surt)
                if not s.article.is_article:
                    continue
                a = s.article
                key = sort_key(a, s.captured_at)
                trail = [t.strip() for t in a.category if t and t.strip()]
                db.execute(
                    "INSERT INTO web_articles(article_id, surt, source, trail, day, sort_key, captured_at, current) "
                    "VALUES(?,?,?,?,?,?,?,0)",
                    (s.id, s.surt, a.source or a.site, trail_text(trail) or None,
                     tehran_day(a.published) or tehran_day(s.captured_at), key, s.captured_at),
                )
                for depth in range(1, len(trail) + 1):
                    db.execute(
                        "INSERT INTO web_categories(article_id, prefix, depth, sort_key) VALUES(?,?,?,?) "
                        "ON CONFLICT(prefix, article_id) DO UPDATE SET depth=excluded.depth, sort_key=excluded.sort_key",
                        (s.id, trail_text(trail[:depth]), depth, key),
                    )
            for key in surts:
                self._mark_current(key)
            db.execute(
                "INSERT INTO web_meta(key, value) VALUES('listing_seq', ?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (str(max(s.seq for s in batch)),),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return len(batch)

    def _mark_current(self, surt: str) -> None:
        self.db.execute("UPDATE web_articles SET current=0 WHERE surt=?", (surt,))
        self.db.execute(
            "UPDATE web_articles SET current=1 WHERE article_id=("
            "SELECT article_id FROM web_articles WHERE surt=? ORDER BY captured_at DESC, article_id DESC LIMIT 1)",
            (surt,),
        )

    # ------------------------------------------------------------------ reading
    def _articles(self, ids: list[int]) -> list[StoredArticle]:
        out = []
        for i in ids:
            s = self.store.get(i)
            if s is not None:
                out.append(s)
        return out

    def newest(self, *, limit: int = 20, offset: int = 0, source: str | None = None) -> list[StoredArticle]:
        if source is None:
            rows = self.db.execute(
                "SELECT article_id FROM web_articles WHERE current=1 ORDER BY sort_key DESC LIMIT ? OFFSET ?",
                (limit, offset),
            )
        else:
            rows = self._by_source(self.source_values(source), "", (), limit, offset)
        return self._articles([r[0] for r in rows])

    def source_values(self, name: str) -> list[str]:
        """The source values listed as one with `name`: every spelling and name of one
        outlet or agency (vazeh.index.names), as the search's source: filter and its
        facet take them (/source/مهر lists «خبرگزاری مهر»'s stories too), most
        frequent first; `name` itself when the archive has no other."""
        groups = self._source_groups()
        return groups.get(_source_key(name)) or [name]

    def _source_groups(self) -> dict[str, list[str]]:
        seq = self.synced_seq()
        cached = self._cache.get("source_groups")
        if cached is not None and cached[0] == seq:
            return cached[1]
        groups: dict[str, list[str]] = {}
        for value, _n in self._source_counts():
            groups.setdefault(_source_key(value), []).append(value)
        self._cache["source_groups"] = (seq, groups)
        return groups

    def _source_counts(self) -> list[tuple[str, int]]:
        return [
            (r[0], r[1])
            for r in self.db.execute(
                "SELECT source, COUNT(*) FROM web_articles WHERE current=1 AND source IS NOT NULL "
                "GROUP BY source ORDER BY COUNT(*) DESC, source"
            )
        ]

    def _by_source(self, values: list[str], where: str, args: tuple, limit: int, offset: int = 0):
        """(article_id, sort_key) of the newest stories of any of `values`, newest first.
        One ordered index range per value, each cut at `limit`, merged: an IN list would
        make the database sort every story of the outlet for each page."""
        arm = ("SELECT * FROM (SELECT article_id, sort_key FROM web_articles WHERE current=1 AND source=?"
               f"{where} ORDER BY sort_key DESC, article_id DESC LIMIT ?) AS v{{}}")
        sql = " UNION ALL ".join(arm.format(i) for i in range(len(values)))
        params: list = [x for v in values for x in (v, *args, offset + limit)]
        return self.db.execute(
            f"SELECT article_id, sort_key FROM ({sql}) AS s ORDER BY sort_key DESC, article_id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        ).fetchall()

    def newest_captured(self, *, limit: int = 20, offset: int = 0) -> list[StoredArticle]:
        """The stories archived most recently, whatever their publication date: a page
        saved just now leads here while "newest" (by publication) may list it far down."""
        rows = self.db.execute(
            "SELECT article_id FROM web_articles WHERE current=1 ORDER BY captured_at DESC, article_id DESC "
            "LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return self._articles([r[0] for r in rows])

    def keyset(
        self, *, source: str | None = None, trail: list[str] | None = None,
        after: tuple[str, int] | None = None, limit: int = 20,
    ) -> list[tuple[str, int]]:
        """(sort key, article id) of the next `limit` listed articles, newest first, after `after`.

        Ties on the sort key (a batch published the same second) are broken by id, so
        each article has one place in the order and a page that starts after a given
        (key, id) neither repeats nor skips rows when newer articles arrive meanwhile.
        """
        key, last = after if after is not None else ("\U0010ffff", 2**63 - 1)
        if trail:
            rows = self.db.execute(
                "SELECT c.sort_key, c.article_id FROM web_categories c JOIN web_articles a ON a.article_id=c.article_id "
                "WHERE c.prefix=? AND a.current=1 AND (c.sort_key, c.article_id) < (?, ?) "
                "ORDER BY c.sort_key DESC, c.article_id DESC LIMIT ?",
                (trail_text(trail), key, last, limit),
            )
        elif source is not None:
            found = self._by_source(self.source_values(source), " AND (sort_key, article_id) < (?, ?)",
                                    (key, last), limit)
            return [(r[1], r[0]) for r in found]
        else:
            rows = self.db.execute(
                "SELECT sort_key, article_id FROM web_articles WHERE current=1 "
                "AND (sort_key, article_id) < (?, ?) ORDER BY sort_key DESC, article_id DESC LIMIT ?",
                (key, last, limit),
            )
        return [(r[0], r[1]) for r in rows.fetchall()]

    def articles(self, ids: list[int]) -> list[StoredArticle]:
        return self._articles(ids)

    def in_category(self, trail: list[str], *, limit: int = 20, offset: int = 0) -> list[StoredArticle]:
        rows = self.db.execute(
            "SELECT c.article_id FROM web_categories c JOIN web_articles a ON a.article_id=c.article_id "
            "WHERE c.prefix=? AND a.current=1 ORDER BY c.sort_key DESC LIMIT ? OFFSET ?",
            (trail_text(trail), limit, offset),
        )
        return self._articles([r[0] for r in rows])

    def count(self, *, source: str | None = None, trail: list[str] | None = None) -> int:
        if trail:
            q = ("SELECT COUNT(*) FROM web_categories c JOIN web_articles a ON a.article_id=c.article_id "
                 "WHERE c.prefix=? AND a.current=1")
            return self.db.execute(q, (trail_text(trail),)).fetchone()[0]
        if source is not None:
            values = self.source_values(source)
            return self.db.execute(
                f"SELECT COUNT(*) FROM web_articles WHERE current=1 AND source IN ({','.join('?' * len(values))})",
                tuple(values),
            ).fetchone()[0]
        return self.db.execute("SELECT COUNT(*) FROM web_articles WHERE current=1").fetchone()[0]

    def newest_days(self, limit: int) -> list[tuple[str, int]]:
        """(Tehran day, stories) of the `limit` newest days that have any, newest first."""
        return [(r[0], r[1]) for r in self.db.execute(
            "SELECT day, COUNT(*) FROM web_articles WHERE current=1 AND day IS NOT NULL "
            "GROUP BY day ORDER BY day DESC LIMIT ?",
            (limit,),
        ).fetchall()]

    def subcategories(self, trail: list[str]) -> list[tuple[str, int]]:
        """The next level below a trail (or the top level for []), with story counts."""
        depth = len(trail) + 1
        if trail:
            like = trail_text(trail) + TRAIL_SEP + "%"
            rows = self.db.execute(
                "SELECT c.prefix, COUNT(*) FROM web_categories c JOIN web_articles a ON a.article_id=c.article_id "
                "WHERE c.depth=? AND c.prefix LIKE ? AND a.current=1 GROUP BY c.prefix ORDER BY COUNT(*) DESC",
                (depth, like),
            )
        else:
            rows = self.db.execute(
                "SELECT c.prefix, COUNT(*) FROM web_categories c JOIN web_articles a ON a.article_id=c.article_id "
                "WHERE c.depth=1 AND a.current=1 GROUP BY c.prefix ORDER BY COUNT(*) DESC"
            )
        return [(r[0], r[1]) for r in rows]

    def aggregates(self, *, days: int = 90, today: date | None = None) -> Aggregates:
        """Counts for the home page, computed once per change of the article store."""
        seq = self.synced_seq()
        cached = self._cache.get("aggregates")
        fresh = cached is not None and cached.seq == seq and cached.day == datetime.now(TEHRAN).date()
        if fresh and today is None:
            return cached
        total = self.count()
        sources = merged_sources(self._source_counts())
        now = today or datetime.now(TEHRAN).date()
        # The window ends at the newest story (not after today): an archive of old
        # pages still gets its last 90 days drawn rather than an empty chart.
        newest = self.db.execute(
            "SELECT MAX(day) FROM web_articles WHERE current=1 AND day<=?", (now.isoformat(),)
        ).fetchone()[0]
        end = date.fromisoformat(newest) if newest else now
        start = end - timedelta(days=days - 1)
        counted = dict(
            self.db.execute(
                "SELECT day, COUNT(*) FROM web_articles WHERE current=1 AND day>=? AND day<=? GROUP BY day",
                (start.isoformat(), end.isoformat()),
            ).fetchall()
        )
        series = [((start + timedelta(d)).isoformat(), counted.get((start + timedelta(d)).isoformat(), 0))
                  for d in range(days)]
        agg = Aggregates(seq, total, sources, self.subcategories([]), series, now)
        if today is None:
            self._cache["aggregates"] = agg
        return agg


def _source_key(value: str) -> str:
    return default_names().facet_key(value) or value


def merged_sources(counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Sources that are one outlet or agency counted as one, shown in their most frequent
    spelling (the search's facets do the same), most stories first."""
    groups: dict[str, list[tuple[str, int]]] = {}
    for value, n in counts:
        groups.setdefault(_source_key(value), []).append((value, n))
    merged = [(g[0][0], sum(n for _v, n in g)) for g in groups.values()]
    merged.sort(key=lambda vn: -vn[1])  # stable: ties keep the database's order
    return merged


# ---------------------------------------------------------------------- rows for machines
ARTICLE_COLUMNS = ("id", "capture_id", "url", "source", "title", "kicker", "lead", "published", "published_jalali",
                   "category", "captured_at", "href")


def csv_cell(value: Any, column: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        # Body paragraphs stay paragraphs; a category trail reads as the room shows it.
        return ("\n\n" if column == "body" else TRAIL_SEP).join(map(str, value))
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def csv_text(rows: list[dict[str, Any]], columns: list[str] | tuple[str, ...], *, header: bool = True) -> str:
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if header:
        w.writerow(columns)
    for r in rows:
        w.writerow([csv_cell(r.get(c), c) for c in columns])
    return buf.getvalue()
