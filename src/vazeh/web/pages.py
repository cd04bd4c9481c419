"""The reading room's pages: home, article, versions and diffs, source and category lists."""

from __future__ import annotations

import math
from dataclasses import dataclass

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from vazeh.archive import Capture
from vazeh.extract.model import StoredArticle
from vazeh.web.charts import day_chart, source_chart
from vazeh.web.diff import WordDiff, article_diff
from vazeh.web.fmt import jalali, path_quote
from vazeh.web.listing import ARTICLE_COLUMNS, TRAIL_SEP, article_row, csv_text
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
    key = (agg.seq, agg.day, agg.days[-1][0])
    if key not in charts:
        charts[key] = (day_chart(agg.days), source_chart(agg.sources))
    days_svg, sources_svg = charts[key]
    return render(request, "home.html", {
        "newest": listing.newest(limit=room.config.per_page), "agg": agg,
        "day_chart": days_svg, "source_chart": sources_svg,
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


@dataclass
class Other:
    href: str
    source: str | None
    url: str | None
    published: str | None


def versions_of(room: ReadingRoom, stored: StoredArticle) -> tuple[list[Version], StoredArticle | None]:
    """Every capture of the article's URL, and the previous extracted version (for a diff)."""
    shelf = room.shelf()
    url = stored.article.url or shelf.archive.get(stored.capture_id).url
    captures = shelf.archive.captures(url)
    by_capture = {s.capture_id: s for s in shelf.articles.for_url(stored.surt)} if stored.surt else {}
    versions: list[Version] = []
    previous: StoredArticle | None = None
    last_article: StoredArticle | None = None
    for c in captures:
        s = by_capture.get(c.id)
        v = Version(c, s.id if s else None)
        if s is not None:
            if last_article is not None and c.record_type != "revisit":
                v.diff_href = f"/article/{s.id}/diff/{last_article.id}"
            if s.id == stored.id:
                previous = last_article
            last_article = s
        versions.append(v)
    return versions, previous


def same_story(room: ReadingRoom, stored: StoredArticle, limit: int = 10) -> list[Other]:
    """The same story published by other outlets: the near-duplicate group the index
    put this story in (grouping happens at indexing time; this is two lookups)."""
    from vazeh.index.search import story_key

    a = stored.article
    return [
        Other(f"/article/{m['article_id']}", m.get("source"), m.get("url"), m.get("published"))
        for m in room.same_story(story_key(stored))
        if m.get("article_id") != stored.id and not (a.url and m.get("url") == a.url)
    ][:limit]


@router.get("/article/{article_id}", response_class=HTMLResponse)
def article(request: Request, article_id: int = Path(ge=0, le=MAX_ID)) -> Response:
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
    return render(request, "article.html", {
        "s": stored, "a": a, "capture": capture, "views": views, "published": a.published_jalali or jalali(a.published),
        "trail": trail, "versions": versions, "diff": diff, "image": image,
        "others": same_story(room, stored),
    }, headers={"Cache-Control": "no-store"})


@router.get("/article/{article_id}/diff/{other_id}", response_class=HTMLResponse)
def article_versions_diff(
    request: Request, article_id: int = Path(ge=0, le=MAX_ID), other_id: int = Path(ge=0, le=MAX_ID)
) -> Response:
    shelf = room_of(request).shelf()
    a, b = shelf.articles.get(article_id), shelf.articles.get(other_id)
    if a is None or b is None:
        return error_page(request, "نسخه پیدا نشد", "یکی از دو نسخه در بایگانی نیست.", 404)
    old, new = (b, a) if (b.captured_at or "") <= (a.captured_at or "") else (a, b)
    return render(request, "diff.html", {"a": new.article, "old": old, "new": new,
                                         "diff": article_diff(old.article, new.article)})


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
FACET_FIELDS = {"source": "source", "category": "category", "month": "date"}
FACET_TITLES = {"source": "منبع", "category": "دسته", "month": "ماه"}


def month_label(value: str) -> str:
    """`1402-05` (the index's month facet) as `مرداد ۱۴۰۲`."""
    from vazeh.persian import JALALI_MONTHS, to_persian_digits

    try:
        year, month = (int(x) for x in value.split("-")[:2])
        return f"{JALALI_MONTHS[month - 1]} {to_persian_digits(year)}"
    except (ValueError, IndexError):
        return value


def facet_term(kind: str, value: str) -> str:
    """The query words that filter by a facet value, in the search language."""
    if kind == "month":
        return "date:" + value.replace("-", "/")
    value = value.replace('"', "")
    return f'{FACET_FIELDS[kind]}:"{value}"'


def search_href(q: str, *, sort: str = "relevance", page: int = 1) -> str:
    from urllib.parse import urlencode

    params = {"q": q}
    if sort != "relevance":
        params["sort"] = sort
    if page > 1:
        params["page"] = str(page)
    return "/search?" + urlencode(params)


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
                facets={k: [[str(v), int(n)] for v, n in vals] for k, vals in results.facets.items()})


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
    key = "\x1f".join((q, sort, str(page), str(room.config.per_page)))
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

    try:
        results = room.search(q, sort=sort, page=page, per_page=room.config.per_page)
    except ValueError as e:  # QueryError: say what is wrong with the query, in the page
        return render(request, "search.html", {**context, "error": str(e)}, status_code=400)
    except SearchUnavailable as e:
        return error_page(request, "جست‌وجو در دسترس نیست", str(e), 503)
    facets = []
    for kind in ("source", "category", "month"):
        values = []
        for value, count in results.facets.get(kind, [])[:15]:
            term = facet_term(kind, str(value))
            label = month_label(str(value)) if kind == "month" else str(value)
            on = term in q
            # A second click on a chosen value takes the filter off again.
            without = " ".join(q.replace(term, " ").split())
            href = search_href(without or q, sort=sort) if on else search_href(f"{q} {term}", sort=sort)
            values.append({"label": label, "count": count, "href": href, "on": on})
        if values:
            facets.append({"title": FACET_TITLES[kind], "entries": values})
    pages = max(1, min(500, -(-results.total // results.per_page)))
    base = "/search?" + urlencode({"q": q, **({"sort": sort} if sort != "relevance" else {})}) + "&"
    return render(request, "search.html", {
        **context, "results": results, "facets": facets, "page": page, "pages": pages, "base": base,
        "sort_links": {s: search_href(q, sort=s) for s in ("relevance", "newest")},
        "feed": "/feeds/search.{fmt}?" + urlencode({"q": q}),
    })
