"""`vazeh export`: the archive's articles as data sets, its captures as WARC or WACZ."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from vazeh.cli.common import HomeOption, archive_exists, console, err_console, fail, resolve_home

FORMAT_HELP = "jsonl, csv or parquet (articles with provenance); wacz or warc (their captures); cdxj (the whole archive)."


def register(app: typer.Typer) -> None:
    app.command("export")(export)


def export(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help=FORMAT_HELP)],
    out: Annotated[Path, typer.Argument(metavar="OUT", help="The file to write.")],
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Only articles matching this search query, e.g. 'source:مهر'.")
    ] = None,
    collection: Annotated[
        str | None,
        typer.Option("--collection", help="Only captures imported from this file (path or name), or 'captured'."),
    ] = None,
    from_ts: Annotated[str | None, typer.Option("--from", help="Captured at or after (20240301, 2024-03-01T12:00Z).")] = None,
    to_ts: Annotated[str | None, typer.Option("--to", help="Captured at or before (inclusive, 2024 = to the year's end).")] = None,
    home: HomeOption = None,
) -> None:
    """Export a selection of the archive; prints a JSON summary line at the end."""
    from vazeh.archive import open_archive
    from vazeh.archive.store import ArchiveError
    from vazeh.export import (
        FORMATS,
        Selection,
        SelectionError,
        count_articles,
        iter_batches,
    )
    from vazeh.extract.model import ArticleStore
    from vazeh.index import QueryError, SearchIndex

    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise fail(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}", code=2)
    if fmt == "cdxj" and (query or collection or from_ts or to_ts):
        raise fail("cdxj indexes the whole archive; --query, --collection, --from and --to do not apply", code=2)
    if not out.parent.exists():
        raise fail(f"cannot write {out}: the folder {out.parent} does not exist", code=2)
    path = resolve_home(home)
    if not archive_exists(path):
        raise fail(f"no archive at {path}: capture or import pages first, or pass --home")
    try:
        archive = open_archive(path, create=False)
    except ArchiveError as e:
        raise fail(str(e)) from None
    index = None
    sel = Selection(query, collection, from_ts, to_ts)
    try:
        if fmt == "cdxj":
            summary = _with_progress("indexing", archive.count(), lambda p: _cdxj(archive, out, p))
        else:
            store = ArticleStore(archive.db)
            index = SearchIndex.open(path)
            try:
                index.sync(store)  # an export of a query must see what a search would see
            except ValueError as e:
                err_console.print(f"[yellow]warning:[/yellow] index not brought up to date ({e})")
            total = None if query else count_articles(archive, sel)
            batches = iter_batches(archive, sel, index=index)
            summary = _with_progress("exporting", total, lambda p: _write(fmt, archive, batches, out, p))
    except (QueryError, SelectionError) as e:
        raise fail(f"bad selection: {e}", code=2) from None
    except (RuntimeError, ArchiveError) as e:  # ArchiveError: a record that cannot be read back
        raise fail(str(e)) from None
    finally:
        if index is not None:
            index.close()
        archive.close()
    line = json.dumps(summary, ensure_ascii=False)
    if sys.stdout.isatty():
        console.print(f"exported {summary['rows']:,} rows to {out}", highlight=False)
    sys.stdout.write(line + "\n")


def _write(fmt, archive, batches, out, progress):  # noqa: ANN001, ANN202 - plain wiring
    from vazeh.export import ARTICLE_FORMATS, export_wacz, export_warc, write_articles

    if fmt in ARTICLE_FORMATS:
        return write_articles(fmt, out, batches, progress=progress).to_dict()
    if fmt == "wacz":
        return export_wacz(archive, batches, out, title=f"vazeh export {out.stem}", progress=progress).to_dict()
    subset = export_warc(archive, batches, out, progress=progress)
    return {"format": "warc", "path": str(out), "rows": subset.captures, "resources": subset.resources,
            "records": subset.records,
            "batches": subset.batches, "bytes": subset.bytes}  # fmt: skip


def _cdxj(archive, out, progress):  # noqa: ANN001, ANN202
    from vazeh.export import write_archive_cdxj

    n = write_archive_cdxj(archive, out, progress=progress)
    return {"format": "cdxj", "path": str(out), "rows": n, "bytes": out.stat().st_size}


def _with_progress(label: str, total: int | None, run):  # noqa: ANN001, ANN202
    # The bar goes to stderr and only on a terminal: piped output is the summary line alone.
    if not err_console.is_terminal:
        return run(None)
    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err_console, transient=True
    ) as progress:
        task = progress.add_task(label, total=total)
        return run(lambda k: progress.advance(task, k))
