"""`vazeh warcs`: the archive's WARC files and where they are stored (seal, list)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vazeh.cli.common import HomeOption, console, fail, require_archive
from vazeh.cli.output import Format, FormatOption, JsonOption, emit_rows, pick, write_json

warcs_app = typer.Typer(help="The archive's WARC files: seal finished ones and store them (file:// or s3://).",
                        no_args_is_help=True)  # fmt: skip

COLUMNS = ("name", "committed_length", "sealed_at", "size", "sha256", "location")


def register(app: typer.Typer) -> None:
    app.add_typer(warcs_app, name="warcs")


@warcs_app.command("seal")
def seal(
    current: Annotated[
        bool, typer.Option("--current", help="Seal the file being written too (the next write opens a new one).")
    ] = False,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Seal finished WARC files (size and sha256 into the catalog), store them in the warcs
    backend and check them there; with an S3 backend the local copies then go."""
    from vazeh.archive import ArchiveError, open_archive

    path = require_archive(home)
    try:
        with open_archive(path, create=False) as archive:
            stored = archive.seal_warcs(current=current)
            backend = archive.warcs.url
    except ArchiveError as e:
        raise fail(str(e)) from None
    if as_json:
        write_json({"backend": backend, "stored": stored})
        return
    console.print(f"{len(stored)} WARC files stored in {backend}", soft_wrap=True, highlight=False)
    for where in stored:
        console.print(f"  {where}", soft_wrap=True, highlight=False)


@warcs_app.command("list")
def list_files(fmt: FormatOption = None, as_json: JsonOption = False, home: HomeOption = None) -> None:
    """Every WARC file of the archive: committed length, seal (time, size, sha256) and location."""
    from vazeh.archive import ArchiveError, open_archive
    from vazeh.archive.warcstore import warc_files

    out_format = pick(fmt, as_json)
    path = require_archive(home)
    try:
        with open_archive(path, create=False) as archive:
            rows = warc_files(archive.db)
    except ArchiveError as e:
        raise fail(str(e)) from None
    table = None
    if out_format is Format.table:
        table = Table("file", "bytes", "sealed", "sha256", "location")
        for r in rows:
            table.add_row(r["name"], f"{r['committed_length']:,}", r["sealed_at"] or "-",
                          (r["sha256"] or "-")[:16], r["location"] or "local, being written")  # fmt: skip
    emit_rows(rows, out_format, columns=COLUMNS, table=table)
