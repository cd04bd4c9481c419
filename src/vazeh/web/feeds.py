"""RSS 2.0 and Atom feeds: newest articles, per source, per category and per search."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from vazeh.extract.model import StoredArticle
from vazeh.web.fmt import fa_number, parse_when, path_quote
from vazeh.web.listing import TRAIL_SEP

router = APIRouter(prefix="/feeds", tags=["feeds"])

FEED_SIZE = 50
FORMATS = ("rss", "atom")


def _when(stored: StoredArticle) -> datetime:
    return parse_when(stored.article.published) or parse_when(stored.captured_at) or datetime.now(UTC)


def rss(title: str, link: str, self_url: str, items: list[StoredArticle], base: str) -> str:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
        "<channel>",
        f"<title>{escape(title)}</title>",
        f"<link>{escape(link)}</link>",
        f"<atom:link href={quoteattr(self_url)} rel=\"self\" type=\"application/rss+xml\"/>",
        "<description>واضح: بایگانی خبر فارسی</description>",
        "<language>fa</language>",
    ]
    if items:
        out.append(f"<lastBuildDate>{format_datetime(_when(items[0]).astimezone(UTC), usegmt=True)}</lastBuildDate>")
    for s in items:
        a = s.article
        href = f"{base}/article/{s.id}"
        out.append("<item>")
        out.append(f"<title>{escape(a.title or a.url or '')}</title>")
        out.append(f"<link>{escape(href)}</link>")
        out.append(f'<guid isPermaLink="true">{escape(href)}</guid>')
        out.append(f"<pubDate>{format_datetime(_when(s).astimezone(UTC), usegmt=True)}</pubDate>")
        if a.lead:
            out.append(f"<description>{escape(a.lead)}</description>")
        if a.source or a.site:
            out.append(f"<source url={quoteattr(a.url or href)}>{escape(a.source or a.site or '')}</source>")
        if a.category:
            out.append(f"<category>{escape(TRAIL_SEP.join(a.category))}</category>")
        out.append("</item>")
    out += ["</channel>", "</rss>"]
    return "\n".join(out)


def atom(title: str, link: str, self_url: str, items: list[StoredArticle], base: str) -> str:
    updated = _when(items[0]) if items else datetime.now(UTC)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fa">',
        f"<title>{escape(title)}</title>",
        f"<id>{escape(self_url)}</id>",
        f"<link rel=\"alternate\" href={quoteattr(link)}/>",
        f"<link rel=\"self\" href={quoteattr(self_url)}/>",
        f"<updated>{updated.astimezone(UTC).isoformat()}</updated>",
        "<author><name>واضح</name></author>",
    ]
    for s in items:
        a = s.article
        href = f"{base}/article/{s.id}"
        out.append("<entry>")
        out.append(f"<title>{escape(a.title or a.url or '')}</title>")
        out.append(f"<id>{escape(href)}</id>")
        out.append(f"<link rel=\"alternate\" href={quoteattr(href)}/>")
        if a.url:
            out.append(f"<link rel=\"via\" href={quoteattr(a.url)}/>")
        when = _when(s).isoformat()
        out.append(f"<published>{when}</published><updated>{when}</updated>")
        if a.source or a.site:
            out.append(f"<author><name>{escape(a.source or a.site or '')}</name></author>")
        for c in a.category:
            out.append(f"<category term={quoteattr(c)}/>")
        if a.lead:
            out.append(f"<summary>{escape(a.lead)}</summary>")
        out.append("</entry>")
    out.append("</feed>")
    return "\n".join(out)


def feed_response(request: Request, fmt: str, title: str, page_path: str, items: list[StoredArticle]) -> Response:
    base = str(request.base_url).rstrip("/")
    self_url = str(request.url)
    if fmt == "atom":
        return Response(atom(title, base + page_path, self_url, items, base),
                        media_type="application/atom+xml; charset=utf-8")
    return Response(rss(title, base + page_path, self_url, items, base),
                    media_type="application/rss+xml; charset=utf-8")


def _fmt(fmt: str) -> str | None:
    return fmt if fmt in FORMATS else None


def _bad_format(fmt: str) -> Response:
    return Response(f"unknown feed format {fmt!r}: use .rss or .atom", status_code=404, media_type="text/plain")


@router.get("/newest.{fmt}", summary="Newest articles as RSS or Atom")
def newest_feed(request: Request, fmt: str) -> Response:
    if not _fmt(fmt):
        return _bad_format(fmt)
    items = request.app.state.room.listing().newest(limit=FEED_SIZE)
    return feed_response(request, fmt, "واضح: تازه‌ترین خبرها", "/", items)


@router.get("/source/{name}.{fmt}", summary="Newest articles of one source")
def source_feed(request: Request, name: str, fmt: str) -> Response:
    if not _fmt(fmt):
        return _bad_format(fmt)
    items = request.app.state.room.listing().newest(limit=FEED_SIZE, source=name)
    return feed_response(request, fmt, f"واضح: خبرهای {name}", f"/source/{path_quote(name)}", items)


@router.get("/category/{trail:path}.{fmt}", summary="Newest articles of one category trail")
def category_feed(request: Request, trail: str, fmt: str) -> Response:
    if not _fmt(fmt):
        return _bad_format(fmt)
    parts = [p for p in trail.split("/") if p.strip()]
    items = request.app.state.room.listing().in_category(parts, limit=FEED_SIZE)
    path = "/category/" + "/".join(path_quote(p) for p in parts)
    return feed_response(request, fmt, f"واضح: {TRAIL_SEP.join(parts)}", path, items)


@router.get("/search.{fmt}", summary="Newest articles matching a search query")
def search_feed(request: Request, fmt: str, q: str = Query(..., min_length=1, max_length=1000)) -> Response:
    from urllib.parse import quote

    if not _fmt(fmt):
        return _bad_format(fmt)
    room = request.app.state.room
    try:
        results = room.search(q, sort="newest", page=1, per_page=FEED_SIZE)
    except ValueError as e:  # QueryError: the query itself is wrong
        return Response(f"query {q!r}: {e}", status_code=400, media_type="text/plain; charset=utf-8")
    except RuntimeError as e:  # SearchUnavailable
        return Response(str(e), status_code=503, media_type="text/plain; charset=utf-8")
    shelf = room.shelf()
    items = [s for s in (shelf.articles.get(h.article_id) for h in results.hits) if s is not None]
    return feed_response(request, fmt, f"واضح: جست‌وجوی «{q}»", f"/search?q={quote(q)}", items)


# ---------------------------------------------------------------------- changes
def _change_feed(request: Request, fmt: str, title: str, items: list) -> Response:
    """Edited and deleted stories; each entry is one verdict, so an edit seen twice is two entries."""
    from vazeh.web.changes import Change

    base = str(request.base_url).rstrip("/")
    self_url = str(request.url)
    link = base + "/changes"

    def when(c: Change) -> datetime:
        return parse_when(c.checked_at) or datetime.now(UTC)

    def about(c: Change) -> tuple[str, str, str]:
        href = base + (c.diff_href or (f"/article/{c.story_id}" if c.story_id else "/changes"))
        what = f"{c.label}: {c.title or c.url}"
        if c.verdict == "edited":
            note = f"{fa_number(c.change_size)} واژه تغییر" + (f" ({c.reason_label})" if c.reason else "")
        else:
            note = c.reason_label or c.label
        return href, what, f"{note} — {c.when}"

    out: list[str]
    if fmt == "atom":
        updated = when(items[0]) if items else datetime.now(UTC)
        out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fa">',
               f"<title>{escape(title)}</title>", f"<id>{escape(self_url)}</id>",
               f"<link rel=\"alternate\" href={quoteattr(link)}/>", f"<link rel=\"self\" href={quoteattr(self_url)}/>",
               f"<updated>{updated.astimezone(UTC).isoformat()}</updated>", "<author><name>واضح</name></author>"]
        for c in items:
            href, what, note = about(c)
            out += ["<entry>", f"<title>{escape(what)}</title>", f"<id>{escape(base)}/changes#v{c.id}</id>",
                    f"<link rel=\"alternate\" href={quoteattr(href)}/>",
                    f"<updated>{when(c).astimezone(UTC).isoformat()}</updated>",
                    f"<category term={quoteattr(c.verdict)}/>", f"<summary>{escape(note)}</summary>", "</entry>"]
        out.append("</feed>")
        return Response("\n".join(out), media_type="application/atom+xml; charset=utf-8")
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
           "<channel>", f"<title>{escape(title)}</title>", f"<link>{escape(link)}</link>",
           f"<atom:link href={quoteattr(self_url)} rel=\"self\" type=\"application/rss+xml\"/>",
           "<description>خبرهای ویرایش‌شده و حذف‌شده</description>", "<language>fa</language>"]
    for c in items:
        href, what, note = about(c)
        out += ["<item>", f"<title>{escape(what)}</title>", f"<link>{escape(href)}</link>",
                f'<guid isPermaLink="false">{escape(base)}/changes#v{c.id}</guid>',
                f"<pubDate>{format_datetime(when(c).astimezone(UTC), usegmt=True)}</pubDate>",
                f"<category>{escape(c.verdict)}</category>", f"<description>{escape(note)}</description>", "</item>"]
    out += ["</channel>", "</rss>"]
    return Response("\n".join(out), media_type="application/rss+xml; charset=utf-8")


@router.get("/changes.{fmt}", summary="Edited and deleted stories as RSS or Atom")
def changes_feed(
    request: Request, fmt: str,
    source: str | None = Query(None, max_length=500),
    from_: str | None = Query(None, alias="from", max_length=40, description="a Jalali day, e.g. 1402/05/01"),
    to: str | None = Query(None, max_length=40, description="a Jalali day, included"),
) -> Response:
    from vazeh.web.changes import changes, parse_jalali_day

    if not _fmt(fmt):
        return _bad_format(fmt)
    try:
        from_day, to_day = parse_jalali_day(from_), parse_jalali_day(to)
    except ValueError as e:
        return Response(f"not a Jalali day: {e}", status_code=400, media_type="text/plain; charset=utf-8")
    items, _next = changes(request.app.state.room.shelf().archive.db, source=(source or "").strip() or None,
                           from_day=from_day, to_day=to_day, limit=FEED_SIZE)
    title = "واضح: تغییرها" + (f" در {source}" if source else "")
    return _change_feed(request, fmt, title, items)
