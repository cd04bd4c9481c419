"""The search index of an archive home: kept in step with the article catalog,
searched with vazeh's query language.

State under VAZEH_HOME/index/:
    tantivy/          the engine's files
    name              the index's name in the catalog (vazeh.index.state)

and in the catalog (SQLite or PostgreSQL, the home's own):
    index_state       per index: the last article `seq` whose changes are committed,
                      the formats it was built in, a pending rebuild
    neardup_*         fingerprints and near-duplicate groups, one grouping shared by
                      every index of the catalog (vazeh.index.neardup)

An index opened without a catalog (`SearchIndex(path)`: tests, benchmarks) keeps
those tables in a SQLite file of its own, `index/state.sqlite`. An index folder of
an older vazeh (`state.json`, `neardup.sqlite`) is imported into the catalog once
when first opened; the old files are renamed `*.imported`.

Keeping step with the catalog: `sync()` reads every article with a `seq` above
the index's watermark, re-indexes its story (one search document per story URL:
the newest capture's article), commits the engine, and only then advances the
watermark. A crash before that write replays the same articles at the next sync;
replaying is harmless because each story is deleted by key before it is added
again and keeps the group it was given. So the two never disagree after the next start.
"""

from __future__ import annotations

import bisect
import fcntl
import functools
import hashlib
import itertools
import json
import logging
import multiprocessing
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from persiantools.jdatetime import JalaliDate, JalaliDateTime

from vazeh.archive.catalog import CatalogConnection, SQLiteCatalog, connect
from vazeh.archive.surt import KEY_FORMAT
from vazeh.config import backends, home_path
from vazeh.extract.model import Article, ArticleStore, StoredArticle
from vazeh.index.engine import Engine, EngineHit, IndexDoc
from vazeh.index.names import default_names
from vazeh.index.neardup import NearDupIndex
from vazeh.index.plan import (
    COMMON_WORDS,
    PAIR_BUCKETS,
    UNCOMMON_BUCKETS,
    Planner,
    pair_terms_many,
    value_key,
    without_ranking_hints,
)
from vazeh.index.query import TEHRAN, QueryError, parse
from vazeh.index.snippets import make_snippet
from vazeh.index.state import IndexState, index_name
from vazeh.index.suggest import Suggestion, suggest
from vazeh.index.tantivy_engine import FIELD_GAP, SCHEMA_VERSION, TantivyEngine, encode_data
from vazeh.persian import token_text, token_texts, tokenize
from vazeh.persian.forms import PROTECTED, SINGULARS, stem, stem_many

log = logging.getLogger(__name__)

SORTS = ("relevance", "newest")
# A fingerprint of vazeh.persian's analysis: if tokenizing this text ever gives other
# tokens, the index was built with other rules and is rebuilt at the next sync.
_CANARY = "كتاب‌هاي مي شود راهاندازی ۱۲۳٬۴۵۶ ٢٫٥ عَلیٰ ﻛﺘﺎﺏ TEHRAN ۀ ة أ ؤ ئ ـ 2.5.1 a_b"
# Changes of rule the canary cannot show without slowing every start (astral text
# builds its tables on first use): bump and say what changed.
#   2: astral symbols that NFKC spells with letters keep them (U+1F110 is "(A)").
RULES = 2
_FORMS_CANARY = (
    "کتابهایشان درختان نمایندگان دانشجویان تحقیقات متروی بزرگترین کشورشان کتابهایم مهران "
    "ایرانیان دوستان بزرگان اینتر منچستر"
    " کشورمان شهرتان معلمان مردمان خانهام مطالعات حملات خدمات اخبار اعضای امتحانات"
)
ANALYSIS = hashlib.sha1(
    "\x1f".join(
        [
            *tokenize(_CANARY),
            "\x1e",
            *sorted(COMMON_WORDS),
            f"pairs:poly64:{PAIR_BUCKETS}:uncommon:{UNCOMMON_BUCKETS}:no-gap",
            f"rules:{RULES}",
            # the stemmer: its lists and its answers on forms of every rule
            *sorted(PROTECTED),
            *sorted(f"{p}>{s}" for p, s in SINGULARS.items()),
            *(stem(t) for t in tokenize(_FORMS_CANARY)),
        ]
    ).encode()
).hexdigest()[:12]
MAX_PER_PAGE = 100
MAX_PAGE = 500
BATCH = 2000  # articles read from the catalog and fed to the engine at a time
# Articles per commit in a long sync (a rebuild): each commit closes a segment per
# writer thread, and small segments are merged again and again as the index grows.
# At 1,000,000 articles of bench/search.py's corpus, committing every 20,000 indexed
# about 4,900 articles/s and every 100,000 about 5,600. A crash replays at most this
# many articles (harmlessly: each story is deleted by key before it is added).
COMMIT_EVERY = 100_000
RESULTS_CACHED = 512


# --- results ------------------------------------------------------------------
@dataclass
class SearchHit:
    article_id: int
    capture_id: int
    url: str | None
    title: str | None
    source: str | None
    published: str | None
    published_jalali: str | None
    snippet_html: str
    also_published_by: list[dict[str, Any]] = field(default_factory=list)
    score: float = 0.0
    language: str | None = None  # dates of a Dari (prs) story are shown as Afghans write them
    outlet: str | None = None  # the site this copy was captured from (vazeh.index.names)
    agency: str | None = None  # who the story credits; the outlet for its own stories

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SearchResults:
    query: str
    total: int
    page: int
    per_page: int
    sort: str
    hits: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]]
    suggestion: Suggestion | None = None  # with no hits: the nearest query that has some

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, -(-self.total // self.per_page)) if self.total else 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["facets"] = {k: [[v, n] for v, n in vals] for k, vals in self.facets.items()}
        d["pages"] = self.pages
        return d


# --- what gets indexed --------------------------------------------------------
@dataclass
class Story:
    """One story URL as the index sees it: the newest capture's article."""

    key: str
    article_id: int
    capture_id: int
    article: Article
    captured_at: str | None = None
    fingerprint: bytes | None = None
    versions: int = 1


def _parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=TEHRAN)


def jalali_month(dt: datetime) -> str:
    local = dt.astimezone(TEHRAN)
    return _jalali_month_of_day(local.year, local.month, local.day)


@functools.cache
def _month_starts() -> tuple[list[int], list[str]]:
    """Epoch seconds of Tehran midnight on the first day of each Jalali month of
    1300-1499 (1921-2121), and the months' names."""
    starts, names = [], []
    for y in range(1300, 1500):
        for m in range(1, 13):
            g = JalaliDate(y, m, 1).to_gregorian()
            starts.append(int(datetime(g.year, g.month, g.day, tzinfo=TEHRAN).timestamp()))
            names.append(f"{y:04d}-{m:02d}")
    return starts, names


def jalali_month_at(ts: int) -> str:
    """`jalali_month` of the moment `ts` (epoch seconds): a search in a table of month
    starts, since converting each article's date to Tehran time cost more than the
    rest of its fields."""
    starts, names = _month_starts()
    i = bisect.bisect_right(starts, ts) - 1
    if 0 <= i < len(starts) - 1:
        return names[i]
    return jalali_month(datetime.fromtimestamp(ts, TEHRAN))


@functools.lru_cache(maxsize=8192)
def _jalali_month_of_day(year: int, month: int, day: int) -> str:
    j = JalaliDateTime.to_jalali(datetime(year, month, day, 12, tzinfo=TEHRAN))
    return f"{j.year:04d}-{j.month:02d}"


def _jalali_text(dt: datetime) -> str:
    from vazeh.persian import format_jalali

    return format_jalali(dt)


def _parts(a: Article) -> tuple[str, str, str, str]:
    return (a.title or "", a.kicker or "", a.lead or "", a.text)


def stems_text(all_text: str, title: str) -> str:
    """The stems field of a document: each distinct stem of `all_text` (token_text) that
    differs from its token, then the title's behind "^" (title tokens are in all_text).
    One stem per document and no positions: a stem only says a form of the word is there;
    phrases and ranking by frequency stay on the exact tokens."""
    forms = stem_many(set(all_text.split()))
    if not forms:
        return ""
    title_stems = {forms[t] for t in title.split() if t in forms}
    return " ".join([*dict.fromkeys(forms.values()), *("^" + s for s in title_stems)])


def document_for(story: Story, group: str, texts: list[str] | None = None) -> IndexDoc:
    """The index document of a story; `texts` are token_text of its `_parts` when the
    caller already has them. `pairs` is left empty: pair_terms_many fills it."""
    a = story.article
    # Normalized tokens with spaces between them; the engine splits at the spaces.
    if texts is None:
        texts = [token_text(p) for p in _parts(a)]
    all_text = f" {FIELD_GAP} ".join(t for t in texts if t and not t.isspace())
    dt = _parse_iso(a.published) or _parse_iso(story.captured_at)
    jalali = a.published_jalali
    if not jalali and dt is not None and a.published:
        try:
            jalali = _jalali_text(dt)
        except Exception:  # noqa: BLE001 - a display string must not stop indexing
            jalali = None
    outlet, outlet_keys, agency_keys = _outlet_and_agency(a)
    source = a.source or outlet
    ts = int(dt.timestamp()) if dt else None
    return IndexDoc(
        key=story.key,
        group=group,
        all=all_text,
        pairs="",  # filled for a batch at once by _documents
        title=texts[0],
        stems=stems_text(all_text, texts[0]),
        source=source,
        outlet=outlet,
        outlet_keys=outlet_keys,
        agency_keys=agency_keys,
        categories=[c for c in a.category if c],
        month=jalali_month_at(ts) if ts is not None else "",
        published=ts or 0,
        source_keys=sorted({*outlet_keys, *agency_keys}),  # source: is either
        category_keys=sorted({k for k in (value_key(c) for c in a.category) if k}),
        tag_keys=sorted({k for k in (value_key(t) for t in a.tags) if k}),
        data={
            "article_id": story.article_id,
            "capture_id": story.capture_id,
            "url": a.url,
            "title": a.title,
            "kicker": a.kicker,
            "lead": a.lead,
            "body": a.body,
            "source": source or None,
            "outlet": outlet or None,
            "agency": source or None,
            "published": a.published,
            "published_jalali": jalali,
            "language": a.language,
            "captured_at": story.captured_at,
            "ts": ts,
            "versions": story.versions,
        },
    )


def _outlet_and_agency(a: Article) -> tuple[str, list[str], list[str]]:
    """The outlet's name as shown, its keys, and the agency's keys: a story that
    credits no one is its outlet's own."""
    names = default_names()
    outlet, _entity = names.outlet(a.site, a.url)
    outlet_keys = names.keys(a.site or outlet, outlet)  # the name shown, too: a facet click finds it
    agency_keys = names.keys(a.source) if a.source else outlet_keys
    return outlet, outlet_keys, agency_keys


def _documents(stories: list[Story]) -> list[IndexDoc]:
    """Index documents for a batch of stories (the batch amortizes numpy's per-call cost
    in pair_terms_many); runs in an analysis worker when there are several."""
    texts = token_texts([p for story in stories for p in _parts(story.article)])
    docs = [document_for(story, story.key, texts[4 * i : 4 * i + 4]) for i, story in enumerate(stories)]
    for doc, pairs in zip(docs, pair_terms_many([d.all for d in docs]), strict=True):
        doc.pairs = pairs
        doc.data = encode_data(doc.data)  # in the worker, so the process feeding the engine does less
    return docs


def _batches(stories: list[Story], size: int = 64) -> list[list[Story]]:
    return [stories[i : i + size] for i in range(0, len(stories), size)]


def story_key(sa: StoredArticle) -> str:
    return sa.surt or sa.article.url or f"capture:{sa.capture_id}"


def _story_for(store: ArticleStore, sa: StoredArticle) -> Story | None:
    # Which capture is newest is asked of the ids alone; only an article other than
    # the one in hand is decoded (most stories have one version).
    versions = store.versions(sa.surt) if sa.surt else [(sa.id, sa.article.is_article)]
    ids = [article_id for article_id, is_article in versions if is_article]
    if not ids:
        return None
    newest = sa if ids[-1] == sa.id else store.get(ids[-1])
    if newest is None or not newest.article.is_article:
        return None
    return Story(
        key=story_key(sa),
        article_id=newest.id,
        capture_id=newest.capture_id,
        article=newest.article,
        captured_at=newest.captured_at,
        fingerprint=newest.fingerprint,
        versions=len(ids),
    )


# --- the index ----------------------------------------------------------------
class SearchIndex:
    """The searchable side of one archive home."""

    def __init__(
        self,
        path: Path | str,
        *,
        engine: Engine | None = None,
        threads: int = 1,
        result_cache: int = RESULTS_CACHED,
        catalog: CatalogConnection | str | None = None,
        name: str | None = None,
    ):
        """`catalog` holds the index's watermark and the near-duplicate groups: a URL, or a
        connection (the index opens a second one of its own, since it runs transactions
        on it); without one, a SQLite file in the index folder. `name` is the index's row
        in `index_state` (default: the folder's `name` file, made on first use)."""
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._lock_path = self.path / "sync.lock"
        if catalog is None:
            self.catalog: CatalogConnection = SQLiteCatalog(self.path / "state.sqlite")
        elif isinstance(catalog, str):
            self.catalog = connect(catalog)
        else:
            self.catalog = catalog.reopen()
        self.name = name or index_name(self.path)
        self._states = IndexState(self.catalog)
        self.neardup = NearDupIndex(self.catalog)
        self._state: dict[str, Any] = {}
        self._import_old_state()
        state = self._read_state()
        if state and state.get("schema") != SCHEMA_VERSION:
            with self._turn(wait=True):
                state = self._read_state()  # another process may have started over already
                if state and state.get("schema") != SCHEMA_VERSION:
                    # An index from an older vazeh: start over; sync() refills it from the catalog.
                    log.warning("search index format changed; rebuilding %s from the catalog", self.path)
                    shutil.rmtree(self.path / "tantivy", ignore_errors=True)
                    self._state = {"seq": 0, "schema": SCHEMA_VERSION, "analysis": ANALYSIS, "keys": KEY_FORMAT}
                    self._write_state()  # seq 0 recorded now, whichever process syncs next
        self._load_state()
        self.engine: Engine = engine or TantivyEngine(self.path / "tantivy", threads=threads)
        self._workers: tuple[int, Any] | None = None
        self._write_lock = threading.RLock()  # capture threads may sync concurrently
        # Popular queries repeat; their results stay valid until the engine sees a commit
        # (its generation is part of the key). Treat cached results as read-only.
        self._results: OrderedDict[tuple, SearchResults] = OrderedDict()
        self._results_lock = threading.Lock()
        self._result_cache = result_cache

    @classmethod
    def open(cls, home: Path | str | None = None, **kw: Any) -> SearchIndex:
        """The index of an archive home, its state in the home's catalog."""
        home = home_path(home)
        kw.setdefault("catalog", backends(home).catalog)
        return cls(home / "index", **kw)

    # --- state --------------------------------------------------------------
    def _read_state(self) -> dict[str, Any]:
        return self._states.read(self.name)

    def _import_old_state(self) -> None:
        """An index folder of an older vazeh: its groups and watermark into the catalog,
        once. Groups first: a watermark without them would skip stories never grouped.
        A story the catalog had already grouped otherwise (another index imported first)
        keeps the catalog's group, and this index is rebuilt so its documents carry it."""
        old_state, old_groups = self.path / "state.json", self.path / "neardup.sqlite"
        if not old_state.exists() and not old_groups.exists():
            return
        with self._turn(wait=True):
            differ = 0
            if old_groups.exists():
                added, differ = self.neardup.import_file(old_groups)
                log.info("imported %d near-duplicate stories of %s into the catalog", added, old_groups)
                for suffix in ("", "-wal", "-shm"):
                    part = Path(f"{old_groups}{suffix}")
                    if part.exists():
                        part.rename(f"{part}.imported")
            state = self._read_state()
            if old_state.exists():
                if not state:
                    try:
                        state = json.loads(old_state.read_text())
                    except (OSError, ValueError):
                        log.warning("unreadable %s; the index will be rebuilt from the catalog", old_state)
                        state = {"seq": 0, "pending_rebuild": True, "schema": SCHEMA_VERSION}
                    self._states.write(self.name, state)
                old_state.rename(old_state.with_name("state.json.imported"))
            if differ:
                log.warning("%d stories were grouped otherwise in the catalog; rebuilding %s", differ, self.path)
                self._states.write(self.name, {**state, "pending_rebuild": True})

    def _load_state(self) -> None:
        """Take the state as the last committing process left it."""
        state = self._read_state()
        self._state = {"seq": 0, **state, "schema": SCHEMA_VERSION}
        if state.get("analysis", ANALYSIS) != ANALYSIS:
            # vazeh.persian's rules changed: old terms would no longer match new queries.
            log.warning("Persian analysis changed; the search index will be rebuilt from the catalog")
            self._state["pending_rebuild"] = True
        self._state["analysis"] = ANALYSIS
        if state and state.get("keys", 1) != KEY_FORMAT:
            # The catalog's story keys changed format (vazeh.archive.migrate): documents
            # under the old keys would stay beside the new ones; a rebuild knows them all.
            log.warning("the catalog's SURT keys changed format; the search index will be rebuilt")
            self._state["pending_rebuild"] = True
        self._state["keys"] = KEY_FORMAT

    @contextmanager
    def _turn(self, *, wait: bool) -> Iterator[bool]:
        """This process's turn to write the index, if it gets one (always, with `wait`).

        Every process that stores articles (capture, import, watch, the reading room's
        save page now) also indexes them, and the engine admits one writer at a time.
        The turn is an flock on index/sync.lock: the kernel drops it when its holder
        dies, so a killed writer never blocks the home.
        """
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _write_state(self, **changes: Any) -> None:
        self._state.update(changes)
        self._states.write(self.name, self._state)

    @property
    def last_seq(self) -> int:
        """The last article `seq` whose changes are committed, by whichever process."""
        return int(self._read_state().get("seq", 0))

    # --- writing ------------------------------------------------------------
    def add_stories(self, stories: Iterable[Story], *, replace: bool = True, workers: int = 0) -> int:
        """Index stories, replacing any document with the same key (`replace=False`
        skips that lookup when the index is known not to hold them); no commit.

        With `workers` >= 1, Persian analysis runs in that many processes while this
        one feeds the engine: analysis is most of the cost of indexing."""
        stories = list(stories)
        if workers >= 1 and len(stories) >= 200:
            batches: Iterable[list[IndexDoc]] = self._pool(workers).imap(_documents, _batches(stories))
        else:
            batches = map(_documents, _batches(stories))
        docs = itertools.chain.from_iterable(batches)
        # Groups are assigned (and committed) while the analysis workers make the documents.
        groups = self.neardup.groups_of((s.key, s.fingerprint) for s in stories)
        n = 0
        for story, doc, group in zip(stories, docs, groups, strict=True):
            doc.group = group
            if replace:
                self.engine.delete(story.key)
            self.engine.add(doc)
            n += 1
        return n

    def _pool(self, workers: int):
        if self._workers is None or self._workers[0] != workers:
            self._close_pool()
            # spawn, not fork: the engine's writer threads must not be copied into children.
            ctx = multiprocessing.get_context("spawn")
            self._workers = (workers, ctx.Pool(workers))
        return self._workers[1]

    def _close_pool(self) -> None:
        if self._workers is not None:
            self._workers[1].close()
            self._workers[1].join()
            self._workers = None

    def commit(self, seq: int | None = None) -> None:
        # Order matters: groups (committed as assigned), then documents, then the seq
        # that says both are done.
        self.engine.commit()
        if seq is not None:
            self._write_state(seq=seq)

    def sync(
        self,
        store: ArticleStore,
        *,
        progress: Callable[[int], None] | None = None,
        workers: int = 0,
        wait: bool = False,
    ) -> int:
        """Index every article changed since the last sync; returns how many articles
        this process indexed.

        When another process is indexing, this one does not wait for its turn (unless
        `wait`): the other process indexes what this one stored. That holds because a
        process that ends its turn looks again, after letting go of the lock, for
        articles stored meanwhile, and takes another turn for them. An article stored
        before a failed try for the lock was therefore committed before the holder's
        look, and either the holder or whoever holds the lock next reads it. (A holder
        killed before its look leaves them to the next start's catch-up.)
        """
        with self._write_lock:
            done = 0
            while True:
                with self._turn(wait=wait) as mine:
                    if not mine:
                        return done
                    self._load_state()
                    try:
                        done += self._sync(store, progress, workers)
                    finally:
                        self.engine.release_writer()
                if store.max_seq() <= int(self._read_state().get("seq", 0)):
                    return done
                wait = False

    def _sync(self, store: ArticleStore, progress: Callable[[int], None] | None, workers: int) -> int:
        if self._state.get("pending_rebuild"):
            self._clear()
        done = 0
        pending: dict[str, StoredArticle] = {}
        seq = int(self._state.get("seq", 0))

        uncommitted = 0

        def feed() -> None:
            stories = []
            for key, sa in pending.items():
                story = _story_for(store, sa)
                if story is None:
                    self.engine.delete(key)
                else:
                    stories.append(story)
            self.add_stories(stories, workers=workers)
            pending.clear()

        for sa in store.changed_since(seq):
            pending[story_key(sa)] = sa
            seq = sa.seq
            done += 1
            uncommitted += 1
            if progress:
                progress(1)
            if len(pending) >= BATCH:
                feed()
                if uncommitted >= COMMIT_EVERY:
                    self.commit(seq)
                    uncommitted = 0
        if pending:
            feed()
        if uncommitted:
            self.commit(seq)
        return done

    def _clear(self) -> None:
        # The groups stay: they are the catalog's, shared with every other index on it,
        # and a story keeps its group for good.
        self.engine.delete_all()
        self.engine.commit()
        self._write_state(seq=0, pending_rebuild=False)

    def rebuild(
        self, store: ArticleStore, *, progress: Callable[[int], None] | None = None, workers: int = 0
    ) -> int:
        """Throw the index away and index the whole catalog again."""
        with self._write_lock, self._turn(wait=True):
            self._load_state()
            # Recorded first, so a crash mid-rebuild still finishes the rebuild at the next sync.
            self._write_state(seq=0, pending_rebuild=True)
            try:
                return self._sync(store, progress, workers)
            finally:
                self.engine.release_writer()

    def count(self) -> int:
        return self.engine.count()

    def same_story(self, key: str) -> list[dict[str, Any]]:
        """Every indexed version of the story `key` (a story URL's SURT) in its
        near-duplicate group, earliest first: what "also published by" lists. Empty when
        the story is alone or not indexed. Two indexed lookups, no query."""
        with self.engine.snapshot():
            members = _earliest_first(self.engine.by_group(self.neardup.group(key) or key))
        return [{**m.data, "key": m.key} for m in members]

    def close(self) -> None:
        with self._write_lock:
            self._close_any()

    def _close_any(self) -> None:
        self._close_pool()
        self.engine.close()
        self.catalog.close()

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- searching ----------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 20,
        facets: bool = True,
    ) -> SearchResults:
        """Run a query (see vazeh.index.query); raises QueryError for a malformed one."""
        if sort not in SORTS:
            raise QueryError(f"unknown sort {sort!r}; use one of: {', '.join(SORTS)}")
        if not isinstance(page, int) or page < 1 or page > MAX_PAGE:
            raise QueryError(f"page must be between 1 and {MAX_PAGE}")
        if not isinstance(per_page, int) or per_page < 1 or per_page > MAX_PER_PAGE:
            raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}")
        # One searcher from the first lookup to the last stored field read: the
        # addresses of hits mean nothing to a searcher reloaded after another commit.
        with self.engine.snapshot(), _engine_failures(query):
            if not self._result_cache:
                return self._search(query, sort, page, per_page, facets)
            key = (query, sort, page, per_page, facets, self.engine.generation)
            with self._results_lock:
                cached = self._results.get(key)
                if cached is not None:
                    self._results.move_to_end(key)
                    return cached
            results = self._search(query, sort, page, per_page, facets)
            with self._results_lock:
                self._results[key] = results
                while len(self._results) > self._result_cache:
                    self._results.popitem(last=False)
            return results

    def _search(self, query: str, sort: str, page: int, per_page: int, facets: bool) -> SearchResults:
        planner = Planner(self.engine.doc_freq, getattr(self.engine, "doc_freqs", None))
        match = planner.plan(parse(query))

        # Near-duplicates collapse to one result per group (Engine.collapsed).
        res = self.engine.collapsed(
            match,
            sort=sort,
            offset=(page - 1) * per_page,
            limit=per_page,
            facets=facets,
            count_match=without_ranking_hints(match),
        )
        hits = [self._hit(h, res.matching.get(h.group), planner) for h in res.hits]
        results = SearchResults(query, res.total, page, per_page, sort, hits, merged_facets(res.facets) if facets else {})
        if not res.total:  # only a search with no hits pays for looking around it
            results.suggestion = suggest(query, self._count)
        return results

    def _count(self, query: str) -> int:
        """How many stories a query finds (for suggestions; no ranking, no facets)."""
        match = Planner(self.engine.doc_freq).plan(parse(query))
        return self.engine.search(without_ranking_hints(match), sort="relevance", offset=0, limit=1, facets=False).total

    def _hit(self, first: EngineHit, matching: set[str] | None, planner: Planner) -> SearchHit:
        members = self.engine.by_group(first.group) if first.group and first.group_size > 1 else []
        if len(members) > 1:
            # Show the earliest version that the query itself matches (a source: filter
            # must not show another agency's copy); list every other version.
            keys = matching or {first.key}
            members = _earliest_first(members)
            shown = next((m for m in members if m.key in keys), first)
            others = [m for m in members if m.key != shown.key]
        else:
            shown, others = first, []
        d = shown.data
        paragraphs = [d.get("lead") or "", *(d.get("body") or [])]
        return SearchHit(
            article_id=d["article_id"],
            capture_id=d["capture_id"],
            url=d.get("url"),
            title=d.get("title"),
            source=d.get("source"),
            published=d.get("published"),
            published_jalali=d.get("published_jalali"),
            snippet_html=make_snippet(paragraphs, planner.highlights),
            also_published_by=[
                {
                    "article_id": m.data["article_id"],
                    "source": m.data.get("source"),
                    "url": m.data.get("url"),
                    "published": m.data.get("published"),
                }
                for m in others
            ],
            score=first.score,
            language=d.get("language"),
            outlet=d.get("outlet"),
            agency=d.get("agency"),
        )


def merged_facets(facets: dict[str, list[tuple[str, int]]]) -> dict[str, list[tuple[str, int]]]:
    """Facet values that are one value for the filters, counted as one: spellings with
    one value_key (شهري, شهری), and for outlets and agencies every name of one entity
    («مهر», «خبرگزاری مهر»). Each is shown in its most frequent spelling. "agency" is
    the source facet under its own name (the two are one field)."""
    names = default_names()
    out = dict(facets)
    for name, key_of in (("source", names.facet_key), ("outlet", names.facet_key), ("category", value_key)):
        if name in facets:
            out[name] = _merge(facets[name], key_of)
    if "source" in out:
        out["agency"] = out["source"]
    return out


def _merge(values: list[tuple[str, int]], key_of: Callable[[str], str]) -> list[tuple[str, int]]:
    keys = [key_of(value) or value for value, _n in values]
    if len(set(keys)) == len(keys):
        return values  # most searches: nothing to merge, so no groups are built
    groups: dict[str, list[tuple[str, int]]] = {}
    for key, vn in zip(keys, values, strict=True):
        groups.setdefault(key, []).append(vn)
    # The engine gives buckets most frequent first, so each group's first is its most frequent spelling.
    merged = [(g[0][0], sum(n for _v, n in g)) for g in groups.values()]
    merged.sort(key=lambda vn: -vn[1])  # stable: ties keep the engine's order
    return merged


class SearchEngineError(RuntimeError):
    """The engine failed on a query (not the query's fault): the index may be damaged."""


@contextmanager
def _engine_failures(query: str) -> Iterator[None]:
    # tantivy's panics reach Python as pyo3's PanicException, a BaseException that
    # `except Exception` in callers would let through as a crash: give it a name.
    try:
        yield
    except BaseException as e:
        if type(e).__name__ != "PanicException":
            raise
        raise SearchEngineError(f"the search engine failed on {query!r}: {e}; run `vazeh reindex`") from e


def _earliest_first(members: list[EngineHit]) -> list[EngineHit]:
    """Versions of a story by publish time, undated ones last."""
    return sorted(members, key=lambda h: (h.data.get("ts") is None, h.data.get("ts") or 0, h.key))
