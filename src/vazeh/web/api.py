"""The JSON API under /api/ (articles, search, captures) and the CDX endpoint.

For bulk use, /api/articles pages by an opaque cursor (keyset on the listing's
sort key and id, so pages stay whole while new articles arrive) and
/api/articles.ndjson and .csv stream a whole selection in batches, in constant
memory.

OpenAPI lives at /openapi.json. FastAPI's Swagger page would load its script
from a CDN, so /docs is a small local page that lists the same operations.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from vazeh.archive import Capture
from vazeh.extract.model import StoredArticle
from vazeh.web.listing import ARTICLE_COLUMNS, article_row, csv_text
from vazeh.web.pages import MAX_ID
from vazeh.web.replay import archived_url, replay_base
from vazeh.web.room import SearchUnavailable

router = APIRouter()


class CaptureOut(BaseModel):
    id: int
    url: str
    timestamp: str
    captured_at: str
    status: int | None
    mime: str | None
    digest: str | None
    length: int | None
    record_type: str
    replay: str
    raw: str


class ArticleSummary(BaseModel):
    id: int
    capture_id: int
    url: str | None
    source: str | None
    title: str | None
    kicker: str | None
    lead: str | None
    published: str | None
    published_jalali: str | None
    category: list[str]
    captured_at: str | None
    href: str
    body: list[str] | None = None  # in listings only with body=1


class ArticleOut(ArticleSummary):
    news_id: str | None
    body: list[str]
    tags: list[str]
    author: str | None
    images: list[dict[str, Any]]
    site: str | None
    extractor_version: str
    views: int
    captures: list[CaptureOut]


class ArticleList(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ArticleSummary]
    next_cursor: str | None = None  # pass as `cursor` for the next page; null on the last
    next: str | None = None  # the next page's address


class HitOut(BaseModel):
    article_id: int
    capture_id: int
    url: str | None
    title: str | None
    source: str | None
    published: str | None
    published_jalali: str | None
    snippet_html: str
    also_published_by: list[dict[str, Any]]
    language: str | None = None
    outlet: str | None = None
    agency: str | None = None


class SuggestionOut(BaseModel):
    query: str = Field(description="the nearest query that has results")
    total: int
    kind: str = Field(description="form (another word form), drop (one word left out), date (a looser date), "
                                  "filter (one filter left out)")


class SearchOut(BaseModel):
    query: str
    total: int
    page: int
    per_page: int
    sort: str
    hits: list[HitOut]
    facets: dict[str, list[tuple[str, int]]]
    suggestion: SuggestionOut | None = Field(None, description="with no results: the nearest query that has some")


def capture_out(c: Capture, base: str = "") -> CaptureOut:
    """`base`: where `/web/` addresses live (replay.replay_base), so that links go
    straight to the replay origin rather than through the room's redirect."""
    return CaptureOut(
        id=c.id, url=c.url, timestamp=c.timestamp14, captured_at=c.captured_at.isoformat(), status=c.status,
        mime=c.mime, digest=c.payload_digest, length=c.payload_length, record_type=c.record_type,
        replay=f"{base}/web/{c.timestamp14}/{c.url}", raw=f"{base}/web/{c.timestamp14}id_/{c.url}",
    )


def summary(s: StoredArticle) -> dict[str, Any]:
    return article_row(s)


def _trail(category: str | None) -> list[str] | None:
    if not category:
        return None
    return [p.strip() for p in category.replace(" > ", "/").split("/") if p.strip()] or None


def encode_cursor(key: str, article_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([key, article_id]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        key, article_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(key, str) or not isinstance(article_id, int) or not 0 <= article_id <= MAX_ID:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise HTTPException(400, "cursor: not one this API gave out; start again without it") from None
    return key, article_id


BodyQuery = Query(False, description="include each article's body paragraphs")
SourceQuery = Query(None, max_length=500, description="only this source, e.g. مهر")
CategoryQuery = Query(None, max_length=2000, description="a category trail, parts joined with ' > ' or '/'")


@router.get("/api/articles", response_model=ArticleList, response_model_exclude_unset=True, tags=["articles"],
            summary="Newest articles, by offset or by cursor",
            responses={400: {"description": "a bad cursor, or cursor given with offset"}})
def list_articles(
    request: Request,
    source: str | None = SourceQuery,
    category: str | None = CategoryQuery,
    limit: int = Query(20, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
    cursor: str | None = Query(None, max_length=4000,
                               description="`next_cursor` of the previous page; pages stay whole while articles arrive"),
    body: bool = BodyQuery,
) -> ArticleList:
    listing = request.app.state.room.listing()
    trail = _trail(category)
    if cursor is not None and offset:
        raise HTTPException(400, "give cursor or offset, not both")
    total = listing.count(trail=trail) if trail else listing.count(source=source)
    if cursor is None and offset:
        # Offset pages are kept for old clients; they may shift while articles arrive.
        items = (listing.in_category(trail, limit=limit, offset=offset) if trail
                 else listing.newest(limit=limit, offset=offset, source=source))
        keys = None
    else:
        after = decode_cursor(cursor) if cursor is not None else None
        # One more than asked tells whether a next page exists, so the last page says so.
        keys = listing.keyset(source=source, trail=trail, after=after, limit=limit + 1)
        more, keys = len(keys) > limit, keys[:limit]
        items = listing.articles([i for _k, i in keys])
    next_cursor = next_href = None
    if keys is not None and more:
        next_cursor = encode_cursor(*keys[-1])
        url = request.url.remove_query_params("offset").include_query_params(cursor=next_cursor)
        next_href = f"{url.path}?{url.query}"
    return ArticleList(total=total, limit=limit, offset=offset, next_cursor=next_cursor, next=next_href,
                       items=[ArticleSummary(**article_row(s, body=body)) for s in items])


STREAM_BATCH = 500
STREAM_MEDIA = {"ndjson": "application/x-ndjson", "csv": "text/csv"}


def _selection(request: Request, source: str | None, trail: list[str] | None, q: str | None,
               limit: int | None, body: bool) -> Iterator[list[dict[str, Any]]]:
    """The selection's rows in batches. Each batch asks for the shelf anew: the response is
    iterated on whichever worker thread is free, and connections are per thread."""
    room = request.app.state.room
    left = limit if limit is not None else -1
    if q:
        from vazeh.index.search import MAX_PAGE, MAX_PER_PAGE

        words = [q]
        if source:
            words.append('source:"' + source.replace('"', "") + '"')
        if trail:
            words.append('category:"' + trail[-1].replace('"', "") + '"')
        query = " ".join(words)
        seen: set[int] = set()
        for page in range(1, MAX_PAGE + 1):
            results = room.search(query, sort="newest", page=page, per_page=MAX_PER_PAGE)
            store = room.shelf().articles
            # A hit is a story; the same story from other outlets matched too and is in the selection.
            ids = [i for h in results.hits
                   for i in (h.article_id, *(o.get("article_id") for o in h.also_published_by))
                   if isinstance(i, int) and i not in seen and not seen.add(i)]
            rows = [article_row(s, body=body) for s in (store.get(i) for i in ids)
                    if s is not None and _selected(s, source, trail)]
            if left >= 0:
                rows, left = rows[:left], max(0, left - len(rows))
            if rows:
                yield rows
            if left == 0 or page >= results.pages:
                return
        return
    after: tuple[str, int] | None = None
    while left != 0:
        listing = room.listing()
        want = STREAM_BATCH if left < 0 else min(STREAM_BATCH, left)
        keys = listing.keyset(source=source, trail=trail, after=after, limit=want)
        if not keys:
            return
        after = keys[-1]
        if left > 0:
            left -= len(keys)
        yield [article_row(s, body=body) for s in listing.articles([i for _k, i in keys])]
        if len(keys) < want:
            return


def _selected(s: StoredArticle, source: str | None, trail: list[str] | None) -> bool:
    """Whether a story grouped with a hit is in the selection too (the filters held for the hit)."""
    a = s.article
    if source and (a.source or a.site) != source:
        return False
    return not trail or [t.strip() for t in a.category[: len(trail)]] == trail


def _stream(request: Request, fmt: str, source: str | None, category: str | None, q: str | None,
            limit: int | None, body: bool) -> Response:
    trail = _trail(category)
    q = (q or "").strip() or None
    batches = _selection(request, source, trail, q, limit, body)
    try:
        first = next(batches, None)  # a bad query is a 400 here, not a cut-off stream
    except ValueError as e:  # QueryError
        raise HTTPException(400, str(e)) from e
    except SearchUnavailable as e:
        raise HTTPException(503, str(e)) from e
    columns = [*ARTICLE_COLUMNS, *(["body"] if body else [])]

    def chunks() -> Iterator[str]:
        if fmt == "csv":
            yield "\ufeff" + csv_text([], columns)  # the BOM tells spreadsheet programs it is UTF-8
        if first is None:
            return
        yield _render(first, fmt, columns)
        for rows in batches:
            yield _render(rows, fmt, columns)

    return StreamingResponse(chunks(), media_type=f"{STREAM_MEDIA[fmt]}; charset=utf-8",
                             headers={"Content-Disposition": f'inline; filename="articles.{fmt}"'})


def _render(rows: list[dict[str, Any]], fmt: str, columns: list[str]) -> str:
    if fmt == "csv":
        return csv_text(rows, columns, header=False)
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


@router.get("/api/articles.{fmt}", tags=["articles"], summary="A whole selection of articles as NDJSON or CSV",
            response_class=Response,
            responses={200: {"content": {"application/x-ndjson": {}, "text/csv": {}}},
                       400: {"description": "the query cannot be run; `detail` says why"}})
def stream_articles(
    request: Request,
    fmt: str = Path(pattern="^(ndjson|csv)$", description="ndjson (one JSON object a line) or csv"),
    source: str | None = SourceQuery,
    category: str | None = CategoryQuery,
    q: str | None = Query(None, max_length=1000,
                          description="a query in the search language; newest first, at most 50,000 stories"),
    limit: int | None = Query(None, ge=1, le=10_000_000, description="at most this many rows (default: all)"),
    body: bool = BodyQuery,
) -> Response:
    return _stream(request, fmt, source, category, q, limit, body)


@router.get("/api/articles/{article_id}", response_model=ArticleOut, tags=["articles"], summary="One article")
def get_article(request: Request, article_id: int = Path(ge=0, le=MAX_ID)) -> ArticleOut:
    shelf = request.app.state.room.shelf()
    s = shelf.articles.get(article_id)
    if s is None:
        raise HTTPException(404, f"no article with id {article_id}")
    a = s.article
    capture = shelf.archive.get(s.capture_id)
    return ArticleOut(
        **summary(s), news_id=a.news_id, body=a.body, tags=a.tags, author=a.author,
        images=[{"url": i.url, "caption": i.caption} for i in a.images], site=a.site,
        extractor_version=s.extractor_version, views=shelf.views.count(s.surt or capture.surt),
        captures=[capture_out(c, replay_base(request)) for c in shelf.archive.captures(capture.url)],
    )


@router.get("/api/search", response_model=SearchOut, tags=["search"], summary="Search the archive",
            responses={400: {"description": "the query cannot be run; `detail` says why"}})
def search(
    request: Request,
    q: str = Query(..., min_length=1, max_length=1000, description='e.g. تهران source:مهر date:1402/05'),
    sort: str = Query("relevance", pattern="^(relevance|newest)$"),
    # The index answers at most 500 pages deep; a larger page was a 400 the schema allowed.
    page: int = Query(1, ge=1, le=500),
    per_page: int = Query(20, ge=1, le=100),
) -> SearchOut:
    try:
        r = request.app.state.room.search(q, sort=sort, page=page, per_page=per_page)
    except ValueError as e:  # QueryError
        raise HTTPException(400, str(e)) from e
    except SearchUnavailable as e:
        raise HTTPException(503, str(e)) from e
    return SearchOut(
        query=r.query, total=r.total, page=r.page, per_page=r.per_page, sort=r.sort,
        hits=[HitOut(**{k: getattr(h, k) for k in HitOut.model_fields}) for h in r.hits],
        facets={k: [(str(v), int(n)) for v, n in vals] for k, vals in r.facets.items()},
        suggestion=SuggestionOut(**vars(r.suggestion)) if r.suggestion else None,
    )


@router.get("/api/captures", response_model=list[CaptureOut], tags=["captures"],
            summary="Every capture of a URL, oldest first")
def captures(request: Request, url: str = Query(..., min_length=1, max_length=8000)) -> list[CaptureOut]:
    archive = request.app.state.room.shelf().archive
    base = replay_base(request)
    return [capture_out(c, base) for c in archive.captures(archived_url(url, ""))]


# ---------------------------------------------------------------------- changes
class ChangeOut(BaseModel):
    id: int
    url: str
    checked_at: str
    checked_jalali: str
    verdict: str
    reason: str | None
    status: int | None
    change_size: int
    article_id: int | None
    previous_article_id: int | None
    capture_id: int | None
    title: str | None
    source: str | None
    site: str | None
    href: str | None
    diff: str | None


class ChangeList(BaseModel):
    items: list[ChangeOut]
    next_cursor: str | None = None
    next: str | None = None


class VersionOut(BaseModel):
    article_id: int
    capture_id: int
    captured_at: str | None
    captured_jalali: str
    title: str | None
    change_size: int | None  # words inserted + deleted since the version before; null for the first
    diff: str | None


class FieldDiffOut(BaseModel):
    field: str
    inserted: int
    deleted: int
    unified_html: str
    old_html: str
    new_html: str


class DiffOut(BaseModel):
    from_id: int
    to_id: int
    inserted: int
    deleted: int
    change_size: int
    fields: list[FieldDiffOut]


@router.get("/api/changes", response_model=ChangeList, tags=["changes"],
            summary="Edited and deleted stories, newest check first",
            responses={400: {"description": "a bad day or cursor"}})
def list_changes(
    request: Request,
    source: str | None = SourceQuery,
    from_: str | None = Query(None, alias="from", max_length=40, description="a Jalali day, e.g. 1402/05/01"),
    to: str | None = Query(None, max_length=40, description="a Jalali day, included"),
    limit: int = Query(50, ge=1, le=500),
    cursor: str | None = Query(None, max_length=4000, description="`next_cursor` of the previous page"),
) -> ChangeList:
    from vazeh.web.changes import changes, parse_jalali_day

    try:
        from_day, to_day = parse_jalali_day(from_), parse_jalali_day(to)
    except ValueError as e:
        raise HTTPException(400, f"from/to: not a Jalali day: {e}") from None
    try:
        items, nxt = changes(request.app.state.room.shelf().archive.db, source=(source or "").strip() or None,
                             from_day=from_day, to_day=to_day, limit=limit, cursor=cursor)
    except ValueError:
        raise HTTPException(400, "cursor: not one this API gave out; start again without it") from None
    next_href = None
    if nxt:
        url = request.url.include_query_params(cursor=nxt)
        next_href = f"{url.path}?{url.query}"
    return ChangeList(items=[ChangeOut(**c.to_dict()) for c in items], next_cursor=nxt, next=next_href)


@router.get("/api/articles/{article_id}/versions", response_model=list[VersionOut], tags=["changes"],
            summary="Every extracted version of an article's story, oldest first, with change sizes")
def article_versions(request: Request, article_id: int = Path(ge=0, le=MAX_ID)) -> list[VersionOut]:
    from vazeh.web.changes import jalali_seconds, story_changes
    from vazeh.web.diff import compare

    shelf = request.app.state.room.shelf()
    s = shelf.articles.get(article_id)
    if s is None:
        raise HTTPException(404, f"no article with id {article_id}")
    items = [v for v in (shelf.articles.for_url(s.surt) if s.surt else [s]) if v.article.is_article]
    sizes = story_changes(shelf.archive.db, s.surt).sizes
    out: list[VersionOut] = []
    for prev, v in zip([None, *items], items, strict=False):
        size = None if prev is None else sizes.get(v.id, compare(prev.article, v.article).size)
        out.append(VersionOut(
            article_id=v.id, capture_id=v.capture_id, captured_at=v.captured_at,
            captured_jalali=jalali_seconds(v.captured_at), title=v.article.title, change_size=size,
            diff=None if prev is None else f"/api/articles/{v.id}/diff?from={prev.id}&to={v.id}",
        ))
    return out


@router.get("/api/articles/{article_id}/diff", response_model=DiffOut, tags=["changes"],
            summary="Word differences between two versions (title, lead and body each)")
def article_diff(
    request: Request, article_id: int = Path(ge=0, le=MAX_ID),
    from_: int | None = Query(None, alias="from", ge=0, le=MAX_ID, description="the older version (default: previous)"),
    to: int | None = Query(None, ge=0, le=MAX_ID, description="the newer version (default: this article)"),
) -> DiffOut:
    from vazeh.web.diff import compare

    shelf = request.app.state.room.shelf()
    s = shelf.articles.get(article_id)
    if s is None:
        raise HTTPException(404, f"no article with id {article_id}")
    new = shelf.articles.get(to) if to is not None else s
    old = shelf.articles.get(from_) if from_ is not None else None
    if new is not None and from_ is None:
        earlier = [v for v in (shelf.articles.for_url(new.surt) if new.surt else [])
                   if v.article.is_article and (v.captured_at or "") < (new.captured_at or "")]
        old = earlier[-1] if earlier else None
    if new is None or old is None:
        raise HTTPException(404, "one of the two versions is not in the archive, or there is no previous one")
    if s.surt and {old.surt, new.surt} != {s.surt}:
        raise HTTPException(404, "both versions must be of this story")
    d = compare(old.article, new.article).to_dict()
    return DiffOut(from_id=old.id, to_id=new.id, **d)


@router.get("/docs", include_in_schema=False, response_class=HTMLResponse)
def docs(request: Request) -> Response:
    from vazeh.web import apidocs

    ops = []
    sample = _sample_url(request)
    for group, endpoints in (("api", apidocs.from_openapi(request.app.openapi())), ("other", apidocs.OTHER)):
        for op in endpoints:
            example = op.example
            if sample:
                # The examples name the tests' sample archive; a reader's archive has other hosts.
                example = example.replace("http://ava.example/news/2002/second", sample).replace(
                    "ava.example", urlsplit(sample).hostname or "ava.example")
            ops.append({**op.__dict__, "example": example, "group": group})
    return request.app.state.templates.TemplateResponse(request, "docs.html", {"ops": ops})


def _sample_url(request: Request) -> str | None:
    """The newest archived HTML page, so /docs' examples answer with something."""
    try:
        return request.app.state.room.shelf().archive.newest_html_url()
    except Exception:  # noqa: BLE001 - the examples fall back to the sample names
        return None
