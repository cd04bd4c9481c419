"""The JSON API under /api/ (articles, search, captures) and the CDX endpoint.

OpenAPI lives at /openapi.json. FastAPI's Swagger page would load its script
from a CDN, so /docs is a small local page that lists the same operations.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel

from vazeh.archive import Capture
from vazeh.extract.model import StoredArticle
from vazeh.web import cdx
from vazeh.web.fmt import jalali
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


class SearchOut(BaseModel):
    query: str
    total: int
    page: int
    per_page: int
    sort: str
    hits: list[HitOut]
    facets: dict[str, list[tuple[str, int]]]


def capture_out(c: Capture, base: str = "") -> CaptureOut:
    """`base`: where `/web/` addresses live (replay.replay_base), so that links go
    straight to the replay origin rather than through the room's redirect."""
    return CaptureOut(
        id=c.id, url=c.url, timestamp=c.timestamp14, captured_at=c.captured_at.isoformat(), status=c.status,
        mime=c.mime, digest=c.payload_digest, length=c.payload_length, record_type=c.record_type,
        replay=f"{base}/web/{c.timestamp14}/{c.url}", raw=f"{base}/web/{c.timestamp14}id_/{c.url}",
    )


def summary(s: StoredArticle) -> dict[str, Any]:
    a = s.article
    return dict(
        id=s.id, capture_id=s.capture_id, url=a.url, source=a.source or a.site, title=a.title, kicker=a.kicker,
        lead=a.lead, published=a.published, published_jalali=a.published_jalali or (jalali(a.published) or None),
        category=a.category, captured_at=s.captured_at, href=f"/article/{s.id}",
    )


@router.get("/api/articles", response_model=ArticleList, tags=["articles"], summary="Newest articles")
def list_articles(
    request: Request,
    source: str | None = Query(None, description="only this source, e.g. مهر"),
    category: str | None = Query(None, description="a category trail, parts joined with ' > ' or '/'"),
    limit: int = Query(20, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> ArticleList:
    listing = request.app.state.room.listing()
    if category:
        trail = [p.strip() for p in category.replace(" > ", "/").split("/") if p.strip()]
        items, total = listing.in_category(trail, limit=limit, offset=offset), listing.count(trail=trail)
    else:
        items, total = listing.newest(limit=limit, offset=offset, source=source), listing.count(source=source)
    return ArticleList(total=total, limit=limit, offset=offset,
                       items=[ArticleSummary(**summary(s)) for s in items])


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
    )


@router.get("/api/captures", response_model=list[CaptureOut], tags=["captures"],
            summary="Every capture of a URL, oldest first")
def captures(request: Request, url: str = Query(..., min_length=1, max_length=8000)) -> list[CaptureOut]:
    archive = request.app.state.room.shelf().archive
    base = replay_base(request)
    return [capture_out(c, base) for c in archive.captures(archived_url(url, ""))]


@router.get("/cdx", tags=["captures"], summary="CDX server query (pywb parameters)",
            response_class=Response, responses={200: {"content": {"text/plain": {}, "text/x-ndjson": {}}}})
def cdx_query(
    request: Request,
    url: str = Query(..., min_length=1, max_length=8000, description="URL; `*.host` or `prefix*` shorthands work too"),
    matchType: str | None = Query(None, description="exact | prefix | host | domain"),  # noqa: N803 - pywb's name
    from_: str | None = Query(None, alias="from"),
    to: str | None = Query(None),
    limit: int | None = Query(None),
    output: str | None = Query(None, description="json: one JSON object per line"),
    fl: str | None = Query(None, description="fields, comma-separated"),
    sort: str | None = Query(None, description="reverse | closest"),
    closest: str | None = Query(None),
    filter: list[str] | None = Query(  # noqa: A002 - pywb's name
        None, description="[!]field:text (contains), [!]=field:text (equals), [!]~field:regex (RE2, from the start)"
    ),
) -> Response:
    try:
        query = cdx.parse_query(url, match_type=matchType, from_=from_, to=to, limit=limit, output=output,
                                fl=fl, sort=sort, closest=closest, filters=filter)
    except cdx.CdxQueryError as e:
        return Response(str(e) + "\n", status_code=400, media_type="text/plain; charset=utf-8")
    db = request.app.state.room.shelf().archive.db
    lines = list(cdx.render(cdx.rows(db, query), query))
    media = "text/x-ndjson" if query.output == "json" else "text/plain"
    return StreamingResponse(iter(lines), media_type=f"{media}; charset=utf-8")


@router.get("/docs", include_in_schema=False, response_class=HTMLResponse)
def docs(request: Request) -> Response:
    spec = request.app.openapi()
    ops = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = [
                {"name": p["name"], "where": p.get("in"), "required": p.get("required", False),
                 "description": p.get("description") or p.get("schema", {}).get("description", "")}
                for p in op.get("parameters", [])
            ]
            ops.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                        "params": params, "tag": (op.get("tags") or [""])[0]})
    return request.app.state.templates.TemplateResponse(request, "docs.html", {"ops": ops, "title": spec["info"]["title"]})
