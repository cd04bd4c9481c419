"""`vazeh` commands of the extract stage: extract (one page) and reextract (the archive)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from vazeh.cli.common import HomeOption, console, err_console, fail, require_archive
from vazeh.cli.output import stdout_console


def register(app: typer.Typer) -> None:
    app.command("extract")(extract)
    app.command("reextract")(reextract)


def extract(
    path: Annotated[str, typer.Argument(help="An HTML file, or - for standard input.")],
    url: Annotated[str | None, typer.Option("--url", help="The page's address (picks the site profile, resolves links).")] = None,
    content_type: Annotated[
        str | None, typer.Option("--content-type", help="The HTTP Content-Type the page was served with.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the Article as one JSON object.")] = False,
) -> None:
    """Extract the article of one saved page and print it."""
    from vazeh.extract import extract_article

    if path == "-":
        html = sys.stdin.buffer.read()
    else:
        p = Path(path)
        if not p.is_file():
            raise fail(f"{path}: no such file; give the path of a saved HTML page (or - for standard input)")
        html = p.read_bytes()
    headers = {"Content-Type": content_type} if content_type else None
    article = extract_article(html, url=url, headers=headers)
    if as_json:
        d = article.to_dict()
        d["is_article"] = article.is_article
        sys.stdout.write(json.dumps(d, ensure_ascii=False, indent=2) + "\n")
        return
    _show(article)


def _show(article) -> None:  # noqa: ANN001 - an Article
    console = stdout_console()  # a pipe gets each paragraph on one line, not cut at 80 columns

    def line(label: str, value: object) -> None:
        if value not in (None, "", []):
            console.print(f"[bold]{label}:[/bold] {escape(str(value))}", highlight=False)

    if not article.is_article:
        console.print("[yellow]not an article[/yellow] (home, list or other page)")
    line("title", article.title)
    line("kicker", article.kicker)
    line("lead", article.lead)
    line("source", article.source)
    line("published", article.published_jalali and f"{article.published_jalali} ({article.published})")
    line("news id", article.news_id)
    line("category", " » ".join(article.category))
    line("tags", "، ".join(article.tags))
    line("author", article.author)
    line("language", article.language)
    line("url", article.url)
    if article.body:
        console.print()
        for p in article.body:
            console.print(p, highlight=False, markup=False)
            console.print()
    for w in article.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {w}", highlight=False)


def reextract(
    home: HomeOption = None,
    force: Annotated[bool, typer.Option("--force", help="Re-extract every page, not only stale ones.")] = False,
) -> None:
    """Rerun extraction over the archive where the extractor version changed."""
    from vazeh.extract import EXTRACTOR_VERSION
    from vazeh.pipeline import Pipeline

    path = require_archive(home)
    with Pipeline(path) as pipeline:
        # Counting first costs one catalog scan and gives the bar a true end.
        total = sum(1 for _ in pipeline.archive.iter_captures(html_only=True))
        columns = (TextColumn("extracting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err_console, transient=False) as bar:
            task = bar.add_task("extract", total=total)
            stats = pipeline.reextract(force=force, progress=lambda n: bar.advance(task, n))
            bar.update(task, completed=total)
    console.print(
        f"extractor {EXTRACTOR_VERSION}: {stats.extracted} pages extracted "
        f"({stats.articles} articles, {stats.not_articles} other pages), {stats.failed} failed"
    )
    for e in stats.errors[:20]:
        err_console.print(f"[yellow]warning:[/yellow] {e}", highlight=False)
