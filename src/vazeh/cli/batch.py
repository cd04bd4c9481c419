"""`vazeh batch`: extraction beyond one process (a local process pool or Spark), and loading its output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from vazeh.cli.common import HomeOption, console, err_console, fail, resolve_home

batch_app = typer.Typer(help="Batch jobs: WARC files to Parquet articles on a process pool or Spark; load them.",
                        no_args_is_help=True)  # fmt: skip

MAX_PROBLEMS_SHOWN = 20


def register(app: typer.Typer) -> None:
    app.add_typer(batch_app, name="batch")


def _note(text: str) -> None:
    if err_console.is_terminal:
        err_console.print(f"[dim]{escape(text)}[/dim]")


@batch_app.command("extract")
def extract(
    inputs: Annotated[
        list[str],
        typer.Argument(metavar="WARC_LIST_OR_GLOB...",
                       help="WARC files, folders, globs ('crawl/*.warc.gz'), s3:// URLs or list files (one a line)."),
    ],
    out: Annotated[Path, typer.Option("--out", help="A new folder for the Parquet articles and the manifest.")],
    engine: Annotated[str | None, typer.Option("--engine", help="local (a process pool) or spark; default from the batch backend.")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Processes (local) or local[N] cores (spark); default all cores.")] = None,
    master: Annotated[str | None, typer.Option("--master", help="Spark master: local[N] or spark://host:port (default from VAZEH_BATCH).")] = None,
    max_record_mb: Annotated[float, typer.Option("--max-record-mb", help="Records larger than this (as stored) are skipped and counted.")] = 16,
    max_decoded_mb: Annotated[float, typer.Option("--max-decoded-mb", help="Bodies larger than this once decoded are skipped and counted.")] = 64,
    as_json: Annotated[bool, typer.Option("--json", help="Print only the JSON summary.")] = False,
    home: HomeOption = None,
) -> None:
    """Extract every HTML response of many WARC files into Parquet (the schema of `vazeh export parquet`)."""
    from vazeh.batch import BatchError, Caps, make_engine, resolve_inputs, run_extract
    from vazeh.config import ConfigError, backends

    try:
        b = backends(resolve_home(home))
    except ConfigError as e:
        raise fail(str(e), code=2) from None
    if engine is None:
        engine = "spark" if b.batch.startswith("spark://") else "local"
    if engine == "spark" and master is None:
        master = b.batch if b.batch != "local" else None
    if engine == "local" and workers is None and b.batch.startswith("local["):
        workers = int(b.batch.removeprefix("local[").rstrip("]") or 0) or None
    if max_record_mb <= 0 or max_decoded_mb <= 0:
        raise fail("--max-record-mb and --max-decoded-mb must be above 0", code=2)
    caps = Caps(int(max_record_mb * (1 << 20)), int(max_decoded_mb * (1 << 20)))
    try:
        files = resolve_inputs(inputs, s3_endpoint=b.s3_endpoint)
        runner = make_engine(engine, workers=workers, master=master)
    except BatchError as e:
        raise fail(str(e), code=2) from None
    try:
        summary = run_extract(files, out, runner, caps=caps, s3_endpoint=b.s3_endpoint, progress=_note)
    except BatchError as e:
        raise fail(str(e), code=2) from None
    finally:
        runner.close()
    d = summary.to_dict()
    _report(
        d,
        as_json,
        f"{d['files']} files, {d['records']:,} records, {d['responses']:,} HTML responses: "
        f"{d['articles']:,} articles in {d['groups']:,} near-duplicate groups, {d['not_articles']:,} other pages; "
        f"skipped {d['oversized']} oversized, {d['revisits']} revisits, {d['skipped']} damaged records, "
        f"{d['failed']} failed; {d['damaged_files']} damaged files ({d['seconds']:.1f} s) -> {out}",
    )


def _report(d: dict, as_json: bool, line: str) -> None:
    """One line and the problems on a terminal, else the JSON summary; exit 1 when anything was a problem."""
    if sys.stdout.isatty() and not as_json:
        console.print(line, highlight=False)
        for p in d["problems"][:MAX_PROBLEMS_SHOWN]:
            err_console.print(f"  [red]problem[/red] {escape(p)}", soft_wrap=True, highlight=False)
    else:
        sys.stdout.write(json.dumps(d, ensure_ascii=False) + "\n")
    if d["problems"]:
        raise typer.Exit(1)


@batch_app.command("load")
def load(
    out: Annotated[Path, typer.Argument(metavar="DIR", help="The folder `vazeh batch extract --out` wrote.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print only the JSON summary.")] = False,
    home: HomeOption = None,
) -> None:
    """Load a batch job's articles into the archive (records, catalog, search index); a rerun adds nothing."""
    from vazeh.batch import BatchError
    from vazeh.batch.load import load as run_load
    from vazeh.config import ConfigError, backends

    try:
        root = resolve_home(home)
        summary = run_load(root, out, s3_endpoint=backends(root).s3_endpoint, progress=_note)
    except (BatchError, ConfigError) as e:
        raise fail(str(e), code=2) from None
    d = summary.to_dict()
    _report(
        d,
        as_json,
        f"{d['rows']:,} rows: {d['stored']:,} articles stored, {d['unchanged']:,} already there, "
        f"{d['missing']} without their record; {d['indexed']:,} indexed",
    )
