"""The reading room's pages: home, article, versions and diffs, source and category lists."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from vazeh.archive import Capture
from vazeh.extract.model import StoredArticle
from vazeh.web.changes import jalali_seconds
from vazeh.web.charts import source_chart
from vazeh.web.diff import WordDiff, article_diff, compare
from vazeh.web.facets import FACET_TITLES, ROOM_FACETS, active_filters, facet_entries, search_href
from vazeh.web.fmt import parse_when, path_quote, wants_gregorian, when
from vazeh.web.listing import ARTICLE_COLUMNS, TRAIL_SEP, article_row, csv_text
from vazeh.web.messages import query_error_html, search_unavailable, suggestion_html
from vazeh.web.room import ReadingRoom, SearchUnavailable

router = APIRouter(include_in_schema=False)
# Ids are SQLite integers: a larger one in the address is answered 400, not OverflowError's 500.
MAX_ID = 2**63 - 1


def room_of(request: Request) -> ReadingRoom:
    return request.app.state.room


def render(request: Request, name: str, context: dict, status_code: int = 200, headers: dict | None = None) -> Response:
    return request.app.state.templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers)


def error_page(request: Request, heading: str, message: str, status_code: int) -> Response:
    return render(request, "error.html", {"heading": heading, "message": message}, status_code)


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    room = room_of(request)
    listing = room.listing()
    agg = listing.aggregates()
    charts = room.cache("charts", maxsize=4)
    key = (agg.seq, agg.day)
    if key not in charts:
        from vazeh.web.attention import home_chart

        charts[key] = (home_chart(room), source_chart(agg.sources))
    days, sources_svg = charts[key]
    return render(request, "home.html", {
        "newest": listing.newest(limit=room.config.per_page), "agg": agg,
        "captured": listing.newest_captured(limit=min(room.config.per_page, 10)),
        "day_chart": days["svg"] if days else "", "days": days, "source_chart": sources_svg,
    })


def _pages(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / per_page))


# ---------------------------------------------------------------------- JSON and CSV twins
# Every listing page answers ?format=json and ?format=csv with the rows it shows (as
# datasette does), so what a reader found can be taken away as data.
TwinQuery = Query(None, alias="format", pattern="^(json|csv)$")
HIT_COLUMNS = ("article_id", "capture_id", "url", "title", "source", "published", "published_jalali", "snippet", "href")


def twin(request: Request, fmt: str, rows: list[dict], columns: tuple[str, ...], **about: object) -> Response:
    if fmt == "csv":
        return Response("\ufeff" + csv_text(rows, columns), media_type="text/csv; charset=utf-8")
    page, pages = about.get("page"), about.get("pages")
    nxt = None
    if isinstance(page, int) and isinstance(pages, int) and page < pages:
        url = request.url.include_query_params(page=page + 1)
        nxt = f"{url.path}?{url.query}"
    return JSONResponse({**about, "next": nxt, "items": rows})


def twin_error(fmt: str, message: str, status_code: int) -> Response:
    if fmt == "csv":
        return Response(message + "\n", status_code=status_code, media_type="text/plain; charset=utf-8")
    return JSONResponse({"detail": message}, status_code=status_code)


def listing_twin(request: Request, fmt: str, heading: str, items: list[StoredArticle], total: int, page: int,
                 pages: int, per: int) -> Response:
    return twin(request, fmt, [article_row(s) for s in items], ARTICLE_COLUMNS,
                heading=heading, total=total, page=page, pages=pages, per_page=per)


@router.get("/newest.{fmt}")
def newest_twin(request: Request, fmt: str = Path(pattern="^(json|csv)$"),
                page: int = Query(1, ge=1, le=100000)) -> Response:
    return newest(request, page=page, fmt=fmt)


@router.get("/newest", response_class=HTMLResponse)
def newest(request: Request, page: int = Query(1, ge=1, le=100000), fmt: str | None = TwinQuery) -> Response:
    room = room_of(request)
    listing = room.listing()
    per = room.config.per_page
    total = listing.count()
    if fmt:
        return listing_twin(request, fmt, "تازه‌ترین خبرها", listing.newest(limit=per, offset=(page - 1) * per),
                            total, page, _pages(total, per), per)
    return render(request, "listing.html", {
        "heading": "تازه‌ترین خبرها", "items": listing.newest(limit=per, offset=(page - 1) * per),
        "total": total, "page": page, "pages": _pages(total, per), "base": "/newest?", "feed": "/feeds/newest",
    })


@router.get("/newest/captured", response_class=HTMLResponse)
def newest_captured(request: Request, page: int = Query(1, ge=1, le=100000)) -> Response:
    room = room_of(request)
    listing = room.listing()
    per = room.config.per_page
    total = listing.count()
    return render(request, "listing.html", {
        "heading": "تازه‌ترین بایگانی‌شده‌ها", "items": listing.newest_captured(limit=per, offset=(page - 1) * per),
        "total": total, "page": page, "pages": _pages(total, per), "base": "/newest/captured?",
    })


@router.get("/settings/calendar", include_in_schema=False)
def calendar_setting(request: Request, calendar: str = Query("jalali", pattern="^(jalali|both)$"),
                     back: str = Query("/", max_length=2000)) -> Response:
    """Remember whether dates show the Gregorian date beside the Jalali one (a cookie,
    set from a plain link, since the room runs no script), then go back."""
    from vazeh.web.fmt import CALENDAR_COOKIE

    # Only a path of this site: an address elsewhere would make this an open redirect.
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = "/"
    response = RedirectResponse(back, status_code=303)
    response.set_cookie(CALENDAR_COOKIE, calendar, max_age=365 * 24 * 3600, samesite="lax", path="/")
    return response


@router.get("/sources", response_class=HTMLResponse)
def sources(request: Request) -> Response:
    agg = room_of(request).listing().aggregates()
    rows = [(name, f"/source/{path_quote(name)}", n) for name, n in agg.sources]
    return render(request, "index_list.html", {"heading": "منبع‌ها", "rows": rows})


@router.get("/source/{name}", response_class=HTMLResponse)
def source(request: Request, name: str, page: int = Query(1, ge=1, le=100000),
           fmt: str | None = TwinQuery) -> Response:
    room = room_of(request)
    listing = room.listing()
    per = room.config.per_page
    total = listing.count(source=name)
    if total == 0:
        if fmt:
            return twin_error(fmt, f"no articles from the source {name!r}", 404)
        return error_page(request, "منبع ناشناخته", f"خبری از منبع «{name}» در بایگانی نیست.", 404)
    if fmt:
        return listing_twin(request, fmt, f"خبرهای {name}",
                            listing.newest(limit=per, offset=(page - 1) * per, source=name),
                            total, page, _pages(total, per), per)
    return render(request, "listing.html", {
        "heading": f"خبرهای {name}", "items": listing.newest(limit=per, offset=(page - 1) * per, source=name),
        "total": total, "page": page, "pages": _pages(total, per), "base": f"/source/{path_quote(name)}?",
        "feed": f"/feeds/source/{path_quote(name)}",
    })


def trail_href(trail: list[str]) -> str:
    return "/category/" + "/".join(path_quote(t) for t in trail)


@router.get("/categories", response_class=HTMLResponse)
def categories(request: Request) -> Response:
    rows = [(name, trail_href([name]), n) for name, n in room_of(request).listing().subcategories([])]
    return render(request, "index_list.html", {"heading": "دسته‌ها", "rows": rows})


@router.get("/category/{trail:path}", response_class=HTMLResponse)
def category(request: Request, trail: str, page: int = Query(1, ge=1, le=100000),
             fmt: str | None = TwinQuery) -> Response:
    parts = [p for p in trail.split("/") if p.strip()]
    room = room_of(request)
    listing = room.listing()
    per = room.config.per_page
    total = listing.count(trail=parts)
    if fmt and (not parts or total == 0):
        return twin_error(fmt, f"no articles in the category {TRAIL_SEP.join(parts)!r}", 404)
    if fmt:
        return listing_twin(request, fmt, TRAIL_SEP.join(parts),
                            listing.in_category(parts, limit=per, offset=(page - 1) * per),
                            total, page, _pages(total, per), per)
    if not parts or total == 0:
        return error_page(request, "دستهٔ ناشناخته", f"خبری در دستهٔ «{TRAIL_SEP.join(parts)}» در بایگانی نیست.", 404)
    children = [
        (name.split(TRAIL_SEP)[-1], trail_href(name.split(TRAIL_SEP)), n) for name, n in listing.subcategories(parts)
    ]
    crumbs = [(p, trail_href(parts[: i + 1])) for i, p in enumerate(parts)]
    return render(request, "listing.html", {
        "heading": TRAIL_SEP.join(parts), "crumbs": crumbs, "children": children,
        "items": listing.in_category(parts, limit=per, offset=(page - 1) * per),
        "total": total, "page": page, "pages": _pages(total, per), "base": trail_href(parts) + "?",
        "feed": "/feeds/category/" + "/".join(path_quote(p) for p in parts),
    })


# ---------------------------------------------------------------------- article
@dataclass
class Version:
    capture: Capture
    article_id: int | None
    diff_href: str | None = None
    when: str = ""  # Jalali with seconds: two captures in one minute read apart
    size: int | None = None  # words changed since the previous extracted version


@dataclass
class Other:
    href: str
    source: str | None  # the agency the copy credits
    url: str | None
    published: str | None
    outlet: str | None = None  # the outlet whose site published this copy
    captured_at: str | None = None
    article_id: int | None = None
    first: bool = False  # the earliest publication in the group
    this: bool = False

    @property
    def when(self) -> str:
        return jalali_seconds(self.published or self.captured_at)


def versions_of(room: ReadingRoom, stored: StoredArticle) -> tuple[list[Version], StoredArticle | None]:
    """Every capture of the article's URL, and the previous extracted version (for a diff)."""
    from vazeh.web.changes import story_changes

    shelf = room.shelf()
    url = stored.article.url or shelf.archive.get(stored.capture_id).url
    captures = shelf.archive.captures(url)
    by_capture = {s.capture_id: s for s in shelf.articles.for_url(stored.surt)} if stored.surt else {}
    sizes = story_changes(shelf.archive.db, stored.surt).sizes
    versions: list[Version] = []
    previous: StoredArticle | None = None
    last_article: StoredArticle | None = None
    for c in captures:
        s = by_capture.get(c.id)
        v = Version(c, s.id if s else None, when=jalali_seconds(c.captured_at))
        if s is not None:
            if last_article is not None and c.record_type != "revisit":
                v.diff_href = f"/article/{s.id}/diff?from={last_article.id}&to={s.id}"
                # The scheduler's count where it judged this version, else counted here the same way.
                v.size = sizes.get(s.id, compare(last_article.article, s.article).size)
            if s.id == stored.id:
                previous = last_article
            last_article = s
        versions.append(v)
    return versions, previous


def story_group(room: ReadingRoom, stored: StoredArticle) -> list[Other]:
    """The near-duplicate group the index put this story in (grouping happens at
    indexing time; this is two lookups), in time order: published, then captured.
    A copy without a publication time is placed by its capture time, the latest it
    can have appeared. Empty when the story is alone."""
    from vazeh.index.search import story_key
    from vazeh.web.changes import outlet_of

    articles = room.shelf().articles
    members: list[Other] = []
    seen: set[str] = set()
    for m in room.same_story(story_key(stored)):
        s = articles.get(m["article_id"]) if isinstance(m.get("article_id"), int) else None
        a = s.article if s is not None else None
        url = (a.url if a else None) or m.get("url")
        if url in seen:
            continue
        seen.add(url)
        members.append(Other(
            f"/article/{m['article_id']}", (a.source if a else None) or m.get("source"), url,
            (a.published if a else None) or m.get("published"),
            outlet=outlet_of(url, a.site if a else None), captured_at=s.captured_at if s else None,
            article_id=m.get("article_id"),
            this=m.get("article_id") == stored.id or bool(stored.article.url and url == stored.article.url),
        ))
    if len(members) < 2:
        return []
    far = datetime.max.replace(tzinfo=UTC)

    def order(o: Other) -> tuple[datetime, datetime]:
        captured = parse_when(o.captured_at) or far
        return (parse_when(o.published) or captured, captured)

    members.sort(key=order)
    members[0].first = True
    return members


def same_story(room: ReadingRoom, stored: StoredArticle, limit: int = 10) -> list[Other]:
    """The same story published by other outlets, in time order, the earliest marked."""
    return [o for o in story_group(room, stored) if not o.this][:limit]


@router.get("/article/{article_id}", response_class=HTMLResponse)
def article(request: Request, article_id: int = Path(ge=0, le=MAX_ID)) -> Response:
    from vazeh.web.changes import story_changes

    room = room_of(request)
    shelf = room.shelf()
    stored = shelf.articles.get(article_id)
    if stored is None or not stored.article.is_article:
        return error_page(request, "خبر پیدا نشد", f"خبری با شمارهٔ {article_id} در بایگانی نیست.", 404)
    a = stored.article
    capture = shelf.archive.get(stored.capture_id)
    story = stored.surt or capture.surt
    views = shelf.views.record(story, ip=client_ip(request), user_agent=request.headers.get("user-agent"))
    versions, previous = versions_of(room, stored)
    diff: WordDiff | None = article_diff(previous.article, a) if previous is not None else None
    trail = [(name, trail_href(a.category[: i + 1])) for i, name in enumerate(a.category) if name]
    image = None
    if a.images:
        first = a.images[0]
        image = {"src": f"/web/{capture.timestamp14}im_/{first.url}", "caption": first.caption}
    told = story_changes(shelf.archive.db, story)
    # Edits the scheduler saw, or (before it ran) the captured versions whose text differs.
    edits = max(told.edits, sum(1 for v in versions if v.size))
    group = story_group(room, stored)
    return render(request, "article.html", {
        "s": stored, "a": a, "capture": capture, "views": views, "published": when(a.published, a.language, gregorian=wants_gregorian(request)) or a.published_jalali,
        "trail": trail, "versions": versions, "diff": diff, "image": image,
        "others": [o for o in group if not o.this][:10], "group": group,
        "this_first": bool(group) and group[0].this, "edits": edits,
        "deleted_at": told.deleted_jalali if told.deleted_at else None,
    }, headers={"Cache-Control": "no-store"})


@router.get("/article/{article_id}/group", response_class=HTMLResponse)
def article_group(request: Request, article_id: int = Path(ge=0, le=MAX_ID)) -> Response:
    room = room_of(request)
    stored = room.shelf().articles.get(article_id)
    if stored is None or not stored.article.is_article:
        return error_page(request, "خبر پیدا نشد", f"خبری با شمارهٔ {article_id} در بایگانی نیست.", 404)
    return render(request, "group.html", {"s": stored, "a": stored.article, "group": story_group(room, stored)})


def _version_choices(room: ReadingRoom, stored: StoredArticle) -> list[tuple[int, str]]:
    shelf = room.shelf()
    items = shelf.articles.for_url(stored.surt) if stored.surt else [stored]
    return [(s.id, jalali_seconds(s.captured_at)) for s in items if s.article.is_article]


@router.get("/article/{article_id}/diff", response_class=HTMLResponse)
def article_diff_page(
    request: Request, article_id: int = Path(ge=0, le=MAX_ID),
    from_: int | None = Query(None, alias="from", ge=0, le=MAX_ID),
    to: int | None = Query(None, ge=0, le=MAX_ID),
    view: str = Query("unified", pattern="^(unified|side)$"),
) -> Response:
    room = room_of(request)
    shelf = room.shelf()
    stored = shelf.articles.get(article_id)
    if stored is None:
        return error_page(request, "نسخه پیدا نشد", f"خبری با شمارهٔ {article_id} در بایگانی نیست.", 404)
    new = shelf.articles.get(to) if to is not None else stored
    if from_ is not None:
        old = shelf.articles.get(from_)
    else:
        _versions, old = versions_of(room, new) if new is not None else ([], None)
    if new is None or old is None:
        return error_page(request, "نسخه پیدا نشد", "یکی از دو نسخه در بایگانی نیست یا این خبر نسخهٔ قبلی ندارد.", 404)
    if stored.surt and {old.surt, new.surt} != {stored.surt}:
        return error_page(request, "نسخه پیدا نشد", "دو نسخه باید از همین خبر باشند.", 404)
    return render(request, "diff.html", {
        "s": stored, "a": new.article, "old": old, "new": new, "view": view,
        "diff": compare(old.article, new.article),
        "old_when": jalali_seconds(old.captured_at), "new_when": jalali_seconds(new.captured_at),
        "choices": _version_choices(room, stored),
    })


@router.get("/article/{article_id}/diff/{other_id}", response_class=HTMLResponse)
def article_versions_diff(
    request: Request, article_id: int = Path(ge=0, le=MAX_ID), other_id: int = Path(ge=0, le=MAX_ID)
) -> Response:
    """The older address of a diff: the two versions in either order, the earlier one first."""
    shelf = room_of(request).shelf()
    a, b = shelf.articles.get(article_id), shelf.articles.get(other_id)
    if a is None or b is None:
        return error_page(request, "نسخه پیدا نشد", "یکی از دو نسخه در بایگانی نیست.", 404)
    old, new = (b, a) if (b.captured_at or "") <= (a.captured_at or "") else (a, b)
    return RedirectResponse(f"/article/{article_id}/diff?from={old.id}&to={new.id}", status_code=301)


# ---------------------------------------------------------------------- changes
@router.get("/changes", response_class=HTMLResponse)
def changes_page(
    request: Request,
    source: str | None = Query(None, max_length=500),
    from_: str | None = Query(None, alias="from", max_length=40),
    to: str | None = Query(None, max_length=40),
    cursor: str | None = Query(None, max_length=4000),
) -> Response:
    from urllib.parse import urlencode

    from vazeh.web.changes import changes, parse_jalali_day

    room = room_of(request)
    source = (source or "").strip() or None
    try:
        from_day, to_day = parse_jalali_day(from_), parse_jalali_day(to)
    except ValueError as e:
        return error_page(request, "تاریخ نادرست", f"«{e}» روز خورشیدی نیست؛ مانند ۱۴۰۲/۰۵/۰۱ بنویسید.", 400)
    try:
        items, nxt = changes(room.shelf().archive.db, source=source, from_day=from_day, to_day=to_day,
                             limit=room.config.per_page, cursor=cursor)
    except ValueError:
        return error_page(request, "نشانی نادرست", "این صفحه‌بندی از این بایگانی نیست؛ از صفحهٔ اول شروع کنید.", 400)
    keep = {k: v for k, v in (("source", source), ("from", from_), ("to", to)) if v}
    return render(request, "changes.html", {
        "items": items, "source": source or "", "from_": from_ or "", "to": to or "",
        "next": "/changes?" + urlencode({**keep, "cursor": nxt}) if nxt else None,
        "feed_query": ("?" + urlencode(keep)) if keep else "",
        "sources": [name for name, _n in room.listing().aggregates().sources],
    })


@router.get("/captures", response_class=HTMLResponse)
def captures(request: Request, url: str = Query(..., min_length=1, max_length=8000)) -> Response:
    from vazeh.web.replay import archived_url

    url = archived_url(url, "")
    shelf = room_of(request).shelf()
    caps = shelf.archive.captures(url)
    if not caps:
        return render(request, "not_archived.html", {"url": url}, 404)
    articles = {s.capture_id: s.id for s in shelf.articles.for_url(caps[0].surt)}
    rows = [dict(c.__dict__, timestamp14=c.timestamp14, article_id=articles.get(c.id)) for c in caps]
    return render(request, "captures.html", {"url": url, "captures": rows})


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)



# ---------------------------------------------------------------------- search
@router.get("/search.{fmt}")
def search_twin(
    request: Request,
    fmt: str = Path(pattern="^(json|csv)$"),
    q: str = Query("", max_length=1000),
    sort: str = Query("relevance", pattern="^(relevance|newest)$"),
    page: int = Query(1, ge=1, le=500),
) -> Response:
    return search_page(request, q=q, sort=sort, page=page, fmt=fmt)


def _search_twin(request: Request, room: ReadingRoom, fmt: str, q: str, sort: str, page: int) -> Response:
    import html
    import re

    if not q:
        return twin_error(fmt, "q: give a query", 400)
    try:
        results = room.search(q, sort=sort, page=page, per_page=room.config.per_page)
    except ValueError as e:  # QueryError
        return twin_error(fmt, str(e), 400)
    except SearchUnavailable as e:
        return twin_error(fmt, str(e), 503)
    rows = [dict(h.to_dict(), snippet=html.unescape(re.sub(r"</?mark>", "", h.snippet_html)),
                 href=f"/article/{h.article_id}") for h in results.hits]
    return twin(request, fmt, rows, HIT_COLUMNS, query=results.query, sort=results.sort, total=results.total,
                page=results.page, pages=max(1, results.pages), per_page=results.per_page,
                facets={k: [[str(v), int(n)] for v, n in vals] for k, vals in results.facets.items()},
                suggestion=vars(results.suggestion) if results.suggestion else None)


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: str = Query("", max_length=1000),
    sort: str = Query("relevance", pattern="^(relevance|newest)$"),
    page: int = Query(1, ge=1, le=500),
    fmt: str | None = TwinQuery,
) -> Response:

    room = room_of(request)
    q = q.strip()
    if fmt:
        return _search_twin(request, room, fmt, q, sort, page)
    context: dict = {"q": q, "sort": sort, "results": None, "error": None}
    if not q:
        return render(request, "search.html", context)
    # A results page depends only on the query and the index: popular queries are
    # served from the rendered page until the next commit, first from this worker's
    # memory, then from the cache all workers share.
    generation = room.index_generation()
    if generation is None:
        return _search_page(request, room, context, q, sort, page)
    # The reader's calendar setting changes the dates on the page, so it is part of the key.
    calendar = "both" if wants_gregorian(request) else "jalali"
    key = "\x1f".join((q, sort, str(page), str(room.config.per_page), calendar))
    stamp = repr(generation)
    pages_cache = room.cache("search_pages", maxsize=256)
    cached = pages_cache.get((key, stamp))
    if cached is None:
        cached = room.shared_pages.get(key, stamp)
        if cached is not None:
            pages_cache[(key, stamp)] = cached
    if cached is not None:
        return HTMLResponse(cached)
    response = _search_page(request, room, context, q, sort, page)
    if response.status_code == 200:
        pages_cache[(key, stamp)] = response.body
        room.shared_pages.put(key, stamp, bytes(response.body))
    return response


def _search_page(request: Request, room: ReadingRoom, context: dict, q: str, sort: str, page: int) -> Response:
    from urllib.parse import urlencode

    from vazeh.web.attention import search_chart_counts, search_chart_of

    try:
        results, counts = room.search_then(q, search_chart_counts(q), sort=sort, page=page,
                                           per_page=room.config.per_page)
    except ValueError as e:  # QueryError: say what is wrong with the query, in the page
        return render(request, "search.html", {**context, "error": query_error_html(e)}, status_code=400)
    except SearchUnavailable:
        return error_page(request, "جست‌وجو در دسترس نیست", search_unavailable(), 503)
    chips = active_filters(q, sort=sort)
    suggestion = None
    if results.suggestion is not None:
        s = results.suggestion
        suggestion = suggestion_html(s.query, s.total, s.kind, search_href(s.query, sort=sort))
    facets = []
    for kind in ROOM_FACETS:
        values = facet_entries(q, kind, results.facets.get(kind, [])[:15], sort=sort)
        if values:
            facets.append({"title": FACET_TITLES[kind], "entries": values})
    pages = max(1, min(500, -(-results.total // results.per_page)))
    base = "/search?" + urlencode({"q": q, **({"sort": sort} if sort != "relevance" else {})}) + "&"
    return render(request, "search.html", {
        **context, "results": results, "facets": facets, "chips": chips, "suggestion": suggestion, "page": page, "pages": pages, "base": base,
        "sort_links": {s: search_href(q, sort=s) for s in ("relevance", "newest")},
        "feed": "/feeds/search.{fmt}?" + urlencode({"q": q}),
        "attention_chart": search_chart_of(q, counts),
    })
