"""`vazeh` commands of the search stage: search and reindex."""

from __future__ import annotations

import html
import re
from typing import Annotated
from urllib.parse import unquote

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from vazeh.cli.common import HomeOption, console, err_console, fail, require_archive
from vazeh.cli.output import Format, FormatOption, JsonOption, emit_rows, pick, stdout_console, write_json


def register(app: typer.Typer) -> None:
    app.command("search")(search)
    app.command("reindex")(reindex)


def _open(home):  # noqa: ANN001, ANN202 - Path | None -> (Archive, ArticleStore, SearchIndex)
    from vazeh.archive import open_archive
    from vazeh.archive.store import ArchiveError
    from vazeh.extract.model import ArticleStore
    from vazeh.index import SearchIndex

    path = require_archive(home)
    try:
        archive = open_archive(path, create=False)
    except ArchiveError as e:
        raise fail(str(e)) from None
    return archive, ArticleStore(archive.db), SearchIndex.open(path)


_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def _snippet_for_terminal(snippet_html: str) -> str:
    parts = []
    pos = 0
    for m in _MARK.finditer(snippet_html):
        parts.append(escape(html.unescape(snippet_html[pos : m.start()])))
        parts.append(f"[bold yellow]{escape(html.unescape(m.group(1)))}[/bold yellow]")
        pos = m.end()
    parts.append(escape(html.unescape(snippet_html[pos:])))
    return "".join(parts)


HIT_COLUMNS = ("article_id", "capture_id", "url", "title", "source", "published", "published_jalali",
               "score", "snippet", "href")


def _snippet_text(snippet_html: str) -> str:
    return html.unescape(_MARK.sub(r"\1", snippet_html))


def search(
    query: Annotated[str, typer.Argument(help='The query, e.g. \'"راه اندازی" source:مهر date:1395/10/01..1395/10/30\'.')],
    home: HomeOption = None,
    as_json: JsonOption = False,
    fmt: FormatOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=100, help="Results per page.")] = 10,
    page: Annotated[int, typer.Option("--page", min=1, help="Which page of results.")] = 1,
    sort: Annotated[str, typer.Option("--sort", help="relevance or newest.")] = "relevance",
) -> None:
    """Search the archive's articles (Persian-aware: ZWNJ, Arabic letters and digits all match).

    --format json prints the whole result (hits, facets, pages) as one object;
    jsonl, csv and tsv print one hit a line."""
    from vazeh.index import QueryError

    out_format = pick(fmt, as_json)
    archive, store, index = _open(home)
    try:
        try:
            index.sync(store)  # whatever a crashed process left unindexed
        except ValueError as e:
            err_console.print(f"[yellow]warning:[/yellow] index not brought up to date ({e})")
        try:
            results = index.search(query, sort=sort, page=page, per_page=limit)
        except QueryError as e:
            raise fail(f"bad query: {e}", code=2) from None
    finally:
        index.close()
        archive.close()
    if out_format is Format.json:
        write_json(results.to_dict())
        return
    if out_format is not Format.table:
        rows = [dict(h.to_dict(), snippet=_snippet_text(h.snippet_html), href=f"/article/{h.article_id}")
                for h in results.hits]
        emit_rows(rows, out_format, columns=HIT_COLUMNS)
        return
    console = stdout_console()
    if not results.total:
        console.print(f"no articles match {escape(query)}", highlight=False)
        if results.suggestion is not None:
            s = results.suggestion
            console.print(f"did you mean: {escape(s.query)}  ({s.total:,} articles; {s.kind})", highlight=False)
        return
    first = (results.page - 1) * results.per_page + 1
    console.print(
        f"[bold]{results.total:,}[/bold] articles match; page {results.page} of {results.pages}", highlight=False
    )
    for i, hit in enumerate(results.hits, start=first):
        console.print()
        console.print(f"[bold]{i}. {escape(hit.title or '(untitled)')}[/bold]", highlight=False)
        meta = " · ".join(x for x in (f"article {hit.article_id}", hit.source, hit.published_jalali or hit.published)
                          if x)
        console.print(f"   {escape(meta)}", highlight=False)
        if hit.url:
            console.print(f"   [blue]{escape(unquote(hit.url))}[/blue]", highlight=False)
        if hit.snippet_html:
            console.print(f"   {_snippet_for_terminal(hit.snippet_html)}", highlight=False)
        if hit.also_published_by:
            names = "، ".join(str(o.get("source") or o.get("url")) for o in hit.also_published_by)
            console.print(f"   [dim]also published by: {escape(names)}[/dim]", highlight=False)
    facets = results.facets
    if facets.get("source"):
        console.print()
        console.print(
            "[dim]sources: " + escape("، ".join(f"{v} ({n})" for v, n in facets["source"][:10])) + "[/dim]",
            highlight=False,
        )


def reindex(
    home: HomeOption = None,
    workers: Annotated[int, typer.Option("--workers", min=0, help="Processes for Persian analysis (0: this one).")] = 0,
) -> None:
    """Rebuild the search index from the article catalog."""
    archive, store, index = _open(home)
    total = store.count(articles_only=False)
    try:
        with Progress(
            TextColumn("indexing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
        ) as progress:
            task = progress.add_task("index", total=total)
            n = index.rebuild(store, progress=lambda k: progress.advance(task, k), workers=workers)
        console.print(f"indexed {n:,} articles; {index.count():,} stories searchable")
    except ValueError as e:
        raise fail(f"could not rebuild the index: {e}") from None
    finally:
        index.close()
        archive.close()
