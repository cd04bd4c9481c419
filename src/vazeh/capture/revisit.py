"""Revisits: every captured story is captured again on a schedule, and each
result is classified as unchanged, edited, deleted or restored.

Outlets edit and withdraw stories after publishing, mostly in the first hours,
sometimes weeks later; an archive that captured a story once cannot tell. So
each story the pipeline stores enters `revisit_schedule` (by default again after
1 hour, 6 hours, 1 day, 7 days and 30 days from its first capture; per source in
sources.toml). A revisit goes through the same Fetcher as any capture (pacing,
robots.txt, the address guard), so the new page is archived (a revisit record
when its bytes did not change) and extracted by the pipeline's `on_capture`;
the verdict compares the extracted Articles (`vazeh.extract.compare`), never
bytes, so a view counter or a new "related" box is not an edit.

Deleted means 404 or 410, a redirect that ends on the site's home or a section
page, or a 200 page that is not an article or shares little of the story.
Restored is a deleted story back again.

Crash safety: a verdict is written only after its capture is committed, and in
one transaction with the schedule's step moving on (and only if the step is
still the one that was revisited), so a rerun after a kill revisits the story
once more and never writes two verdicts for one (story, step). A fetch that
fails (network, 5xx, robots.txt) writes nothing; the story stays due.

Time is a parameter (`now`) everywhere, so tests and `vazeh revisit --now` run a
schedule without waiting for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from vazeh.archive import Archive, Capture, catalog
from vazeh.archive.catalog import CatalogConnection
from vazeh.capture.fetcher import CaptureOutcome, FetchConfig, Fetcher, OnCapture
from vazeh.capture.sources import DEFAULT_REVISIT, Source, is_section, parse_steps, source_of
from vazeh.extract.compare import compare_articles, shared_words
from vazeh.extract.model import Article, ArticleStore

log = logging.getLogger(__name__)

DEFAULT_STEPS = parse_steps(DEFAULT_REVISIT)
# Below this share of the old story's words still on the page, the page is another one.
MIN_SHARED = 0.3
VERDICTS = ("unchanged", "edited", "deleted", "restored")

SCHEMA = """
CREATE TABLE IF NOT EXISTS revisit_schedule (
  surt TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  source TEXT,
  first_captured TEXT NOT NULL,
  step INTEGER NOT NULL DEFAULT 0,
  due_at TEXT,
  state TEXT NOT NULL DEFAULT 'live'
);
CREATE INDEX IF NOT EXISTS revisit_due ON revisit_schedule(due_at);
CREATE TABLE IF NOT EXISTS revisit_verdicts (
  id INTEGER PRIMARY KEY,
  surt TEXT NOT NULL,
  url TEXT NOT NULL,
  checked_at TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('unchanged','edited','deleted','restored')),
  capture_id INTEGER,
  previous_article_id INTEGER,
  article_id INTEGER,
  status INTEGER,
  reason TEXT,
  change_size INTEGER
);
CREATE INDEX IF NOT EXISTS revisit_verdicts_by_story ON revisit_verdicts(surt, checked_at);
CREATE INDEX IF NOT EXISTS revisit_verdicts_by_time ON revisit_verdicts(checked_at);
"""


def iso(dt: datetime) -> str:
    """The schedule's time format: UTC to the second, so text order is time order."""
    if dt.tzinfo is None:
        raise ValueError("revisit times must be timezone-aware")
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def schedule_story(db: CatalogConnection, capture: Capture, steps: list[timedelta] | None = None) -> None:
    """Put a newly stored story on the schedule (nothing when it is there already).

    Called by the pipeline for every stored article; imported captures are old
    pages from someone else's crawl, not stories to follow, so they are left out.
    """
    if capture.imported:
        return
    first = capture.captured_at
    due = first + (steps or DEFAULT_STEPS)[0]
    row = (capture.surt, capture.url, iso(first), iso(due))
    sql = "INSERT OR IGNORE INTO revisit_schedule(surt, url, first_captured, due_at) VALUES(?,?,?,?)"
    try:
        if db.dialect != "sqlite":
            # A failed statement spoils PostgreSQL's whole transaction: make the table first.
            db.executescript(SCHEMA)
        try:
            db.execute(sql, row)
        except catalog.OperationalError as e:
            if "no such table" not in str(e):
                raise
            db.executescript(SCHEMA)
            db.execute(sql, row)
    except catalog.Error as e:  # the article is stored; a missed schedule entry must not undo that
        log.warning("could not schedule revisits of %s: %s", capture.url, e)


def changed_verdicts(
    db: CatalogConnection, *, source: str | None = None, checked_from: str | None = None,
    checked_before: str | None = None, after: tuple[str, int] | None = None, limit: int = 50,
) -> list[tuple]:
    """Edited and deleted verdicts, newest check first, with their story's title and source:
    (id, surt, url, checked_at, verdict, capture_id, previous_article_id, article_id, status,
    reason, change_size, title, source, site). `after` is the (checked_at, id) of the last
    row of the page before; `source` matches the article's credited source or its site."""
    where = ["v.verdict IN ('edited','deleted')"]
    args: list[object] = []
    if source:
        where.append("(a.source = ? OR a.site = ?)")
        args += [source, source]
    if checked_from is not None:
        where.append("v.checked_at >= ?")
        args.append(checked_from)
    if checked_before is not None:
        where.append("v.checked_at < ?")
        args.append(checked_before)
    if after is not None:
        where.append("(v.checked_at < ? OR (v.checked_at = ? AND v.id < ?))")
        args += [after[0], after[0], after[1]]
    return [tuple(r) for r in db.execute(
        "SELECT v.id, v.surt, v.url, v.checked_at, v.verdict, v.capture_id, v.previous_article_id, v.article_id,"
        " v.status, v.reason, COALESCE(v.change_size, 0), a.title, a.source, a.site"
        " FROM revisit_verdicts v LEFT JOIN articles a ON a.id = COALESCE(v.article_id, v.previous_article_id)"
        f" WHERE {' AND '.join(where)} ORDER BY v.checked_at DESC, v.id DESC LIMIT ?",
        (*args, limit),
    ).fetchall()]


def story_verdicts(db: CatalogConnection, surt: str) -> list[tuple[str, str, int | None, int]]:
    """(verdict, checked_at, article_id, change_size) of every check of a story that found a change, oldest first."""
    return [tuple(r) for r in db.execute(  # type: ignore[misc]
        "SELECT verdict, checked_at, article_id, COALESCE(change_size, 0) FROM revisit_verdicts"
        " WHERE surt=? AND verdict != 'unchanged' ORDER BY checked_at, id", (surt,)
    ).fetchall()]


@dataclass
class DueStory:
    surt: str
    url: str
    source: str | None
    first_captured: datetime
    step: int
    state: str


@dataclass
class Verdict:
    surt: str
    url: str
    checked_at: str
    verdict: str
    capture_id: int | None
    previous_article_id: int | None
    article_id: int | None
    status: int | None
    reason: str | None
    change_size: int = 0


@dataclass
class RevisitReport:
    due: int = 0
    unchanged: int = 0
    edited: int = 0
    deleted: int = 0
    restored: int = 0
    failed: int = 0  # fetch failed or was refused: no verdict, still due
    already: int = 0  # another run wrote this step's verdict first
    verdicts: list[Verdict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, verdict: Verdict) -> None:
        setattr(self, verdict.verdict, getattr(self, verdict.verdict) + 1)
        self.verdicts.append(verdict)


def next_step(first: datetime, steps: list[timedelta], done: int, now: datetime) -> tuple[int, datetime | None]:
    """The step after `done`, skipping steps already past (a revisit run that was
    down for a week catches up with one revisit, not five)."""
    j = done + 1
    while j < len(steps) and first + steps[j] <= now:
        j += 1
    return j, (first + steps[j] if j < len(steps) else None)


class RevisitStore:
    """The schedule and the verdicts, on a connection of its own to the catalog."""

    def __init__(self, archive: Archive):
        self.archive = archive
        self.db = archive.db.reopen()
        self.db.executescript(SCHEMA)
        self.articles = ArticleStore(self.db)

    def close(self) -> None:
        self.db.close()

    def assign_sources(self, sources: list[Source], now: datetime) -> None:
        """Give stories without a source theirs, and that source's schedule."""
        if not sources:
            return
        rows = self.db.execute(
            "SELECT surt, url, first_captured, step FROM revisit_schedule WHERE source IS NULL AND due_at IS NOT NULL"
        ).fetchall()
        updates = []
        for surt, url, first, step in rows:
            src = source_of(url, sources)
            if src is None:
                continue
            steps = src.revisit or DEFAULT_STEPS
            due = parse_iso(first) + steps[step] if step < len(steps) else None
            updates.append((src.id, iso(due) if due else None, surt))
        if updates:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("UPDATE revisit_schedule SET source=?, due_at=? WHERE surt=?", updates)
            self.db.execute("COMMIT")

    def due(self, now: datetime, *, due_only: bool = True, limit: int | None = None) -> list[DueStory]:
        cond = "due_at <= ?" if due_only else "due_at IS NOT NULL AND ? IS NOT NULL"
        sql = (
            "SELECT surt, url, source, first_captured, step, state FROM revisit_schedule "
            f"WHERE {cond} ORDER BY due_at, surt" + (" LIMIT ?" if limit else "")
        )
        args: tuple = (iso(now), limit) if limit else (iso(now),)
        return [DueStory(r[0], r[1], r[2], parse_iso(r[3]), r[4], r[5]) for r in self.db.execute(sql, args)]

    def baseline(self, surt: str) -> tuple[int, Article] | None:
        """The version of the story a revisit is compared with: the article of the
        last edit or restoration, else the first capture's article."""
        row = self.db.execute(
            "SELECT article_id FROM revisit_verdicts WHERE surt=? AND article_id IS NOT NULL ORDER BY id DESC LIMIT 1",
            (surt,),
        ).fetchone()
        ids = [row[0]] if row else [aid for aid, ok in self.articles.versions(surt) if ok][:1]
        for aid in ids:
            stored = self.articles.get(aid)
            if stored is not None:
                return stored.id, stored.article
        return None

    def record(self, story: DueStory, verdict: Verdict, step: int, due_at: datetime | None, state: str) -> bool:
        """Write the verdict and move the schedule on, together; False when this step
        was already done (by a concurrent run, or before a crash)."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            cur = db.execute(
                "UPDATE revisit_schedule SET step=?, due_at=?, state=? WHERE surt=? AND step=?",
                (step, iso(due_at) if due_at else None, state, story.surt, story.step),
            )
            if cur.rowcount != 1:
                db.execute("ROLLBACK")
                return False
            v = verdict
            db.execute(
                "INSERT INTO revisit_verdicts(surt, url, checked_at, verdict, capture_id, previous_article_id, "
                "article_id, status, reason, change_size) VALUES(?,?,?,?,?,?,?,?,?,?)",
                (v.surt, v.url, v.checked_at, v.verdict, v.capture_id, v.previous_article_id, v.article_id,
                 v.status, v.reason, v.change_size),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return True

    def verdicts(self, surt: str | None = None) -> list[Verdict]:
        cols = "surt, url, checked_at, verdict, capture_id, previous_article_id, article_id, status, reason, change_size"
        if surt is None:
            rows = self.db.execute(f"SELECT {cols} FROM revisit_verdicts ORDER BY id").fetchall()
        else:
            rows = self.db.execute(f"SELECT {cols} FROM revisit_verdicts WHERE surt=? ORDER BY id", (surt,)).fetchall()
        return [Verdict(*r) for r in rows]


# --------------------------------------------------------------------------- classification
@dataclass
class Seen:
    """What a revisit found: the final hop and, for a 2xx page, its Article."""

    status: int
    capture_id: int | None
    final_url: str
    redirected: bool
    article: Article | None = None
    article_id: int | None = None


def gone_reason(seen: Seen, story: DueStory, source: Source | None, baseline: Article | None) -> str | None:
    """Why the story is no longer there, or None when it is."""
    if seen.status in (404, 410):
        return str(seen.status)
    if seen.redirected and is_section(seen.final_url, source):
        path = seen.final_url.split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0].strip("/")
        return "redirect to home" if not path else "redirect to section"
    if seen.article is None or not seen.article.is_article:
        return "story missing"
    if baseline is not None and shared_words(baseline, seen.article) < MIN_SHARED:
        return "story missing"
    return None


def classify(story: DueStory, seen: Seen, source: Source | None, baseline: tuple[int, Article] | None,
             checked_at: str) -> tuple[Verdict, str]:
    """The verdict of one revisit and the story's state after it."""
    base_id, base = baseline if baseline else (None, None)
    verdict = Verdict(story.surt, story.url, checked_at, "unchanged", seen.capture_id, base_id, None, seen.status, None, 0)
    gone = gone_reason(seen, story, source, base)
    if gone is not None:
        if story.state == "deleted":
            verdict.reason = f"still deleted ({gone})"
        else:
            verdict.verdict, verdict.reason = "deleted", gone
        return verdict, "deleted"
    assert seen.article is not None
    fields, size = compare_articles(base, seen.article) if base is not None else ([], 0)
    if story.state == "deleted":
        verdict.verdict, verdict.article_id = "restored", seen.article_id
        verdict.reason, verdict.change_size = (",".join(fields) or None), size
    elif fields:
        verdict.verdict, verdict.article_id = "edited", seen.article_id
        verdict.reason, verdict.change_size = ",".join(fields), size
    return verdict, "live"


# --------------------------------------------------------------------------- running
class Revisitor:
    """Runs due revisits through one Fetcher (whose `on_capture` is the pipeline's)."""

    def __init__(self, fetcher: Fetcher, store: RevisitStore, sources: list[Source] | None = None,
                 progress: Callable[[Verdict | None], None] | None = None):
        self.fetcher = fetcher
        self.store = store
        self.sources = {s.id: s for s in sources or []}
        self.progress = progress

    async def run(self, now: datetime, *, due_only: bool = True, limit: int | None = None) -> RevisitReport:
        self.store.assign_sources(list(self.sources.values()), now)
        todo = self.store.due(now, due_only=due_only, limit=limit)
        report = RevisitReport(due=len(todo))
        await asyncio.gather(*(self._one(story, now, report) for story in todo))
        return report

    async def _one(self, story: DueStory, now: datetime, report: RevisitReport) -> None:
        outcome = await self.fetcher.capture(story.url)
        try:
            verdict = self.judge(story, outcome, now, report)
        finally:
            outcome.release()
        if self.progress:
            self.progress(verdict)

    def judge(self, story: DueStory, outcome: CaptureOutcome, now: datetime, report: RevisitReport) -> Verdict | None:
        final = outcome.final
        problem = outcome.skipped or outcome.error
        if final is None or problem or final.status >= 500 or final.status in (304, 429):
            report.failed += 1
            report.errors.append(f"{story.url}: {problem or (f'HTTP {final.status}' if final else 'no response')}")
            return None
        if 400 <= final.status < 500 and final.status not in (404, 410):
            report.failed += 1
            report.errors.append(f"{story.url}: HTTP {final.status}")
            return None
        first_capture = outcome.hops[0].capture
        seen = Seen(final.status, first_capture.id if first_capture else None, final.url, len(outcome.hops) > 1)
        if 200 <= final.status < 300 and final.capture is not None:
            seen.article, seen.article_id = self._article(final.capture, final)
        source = self.sources.get(story.source or "")
        verdict, state = classify(story, seen, source, self.store.baseline(story.surt), iso(now))
        steps = (source.revisit if source else None) or DEFAULT_STEPS
        step, due = next_step(story.first_captured, steps, story.step, now)
        if self.store.record(story, verdict, step, due, state):
            report.add(verdict)
            return verdict
        report.already += 1
        return None

    def _article(self, capture: Capture, final) -> tuple[Article | None, int | None]:  # noqa: ANN001 - a Fetched
        """The pipeline's article of the new capture; extracted here when there is no pipeline."""
        stored = self.store.articles.for_capture(capture.id)
        if stored is not None:
            return stored.article, stored.id
        from vazeh.extract import extract_article

        try:
            return extract_article(final.body(), url=final.url, headers=dict(final.headers)), None
        except Exception as e:  # noqa: BLE001 - an unreadable page is a missing story, not a crash
            log.warning("extracting revisit of %s: %s", capture.url, e)
            return None, None


async def run_revisits(fetcher: Fetcher, sources: Iterable[Source] | None = None, *, now: datetime | None = None,
                       due_only: bool = True, limit: int | None = None,
                       progress: Callable[[Verdict | None], None] | None = None) -> RevisitReport:
    """Due revisits through a Fetcher already open (`vazeh watch` after each round)."""
    store = RevisitStore(fetcher.archive)
    try:
        revisitor = Revisitor(fetcher, store, list(sources or []), progress)
        return await revisitor.run(now or datetime.now(UTC), due_only=due_only, limit=limit)
    finally:
        store.close()


async def revisit_due_async(archive: Archive, sources: Iterable[Source] | None = None, config: FetchConfig | None = None,
                            on_capture: OnCapture | None = None, *, now: datetime | None = None, due_only: bool = True,
                            limit: int | None = None,
                            progress: Callable[[Verdict | None], None] | None = None) -> RevisitReport:
    async with Fetcher(archive, config, on_capture) as fetcher:
        return await run_revisits(fetcher, sources, now=now, due_only=due_only, limit=limit, progress=progress)


def revisit_due(archive: Archive, sources: Iterable[Source] | None = None, config: FetchConfig | None = None,
                on_capture: OnCapture | None = None, *, now: datetime | None = None, due_only: bool = True,
                limit: int | None = None) -> RevisitReport:
    """Revisit every story due at `now` (default: the clock); returns the verdict counts.

    Pass the pipeline's `on_capture` so the new pages are extracted and stored (an
    edited story's verdict then names its new article); `due_only=False` revisits
    every story whose schedule is not finished, due or not.
    """
    return asyncio.run(revisit_due_async(archive, sources, config, on_capture, now=now, due_only=due_only, limit=limit))
