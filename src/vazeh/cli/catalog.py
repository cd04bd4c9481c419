"""`vazeh migrate`: copy an archive's catalog to another backend (SQLite <-> PostgreSQL)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vazeh.cli.common import HomeOption, err_console, fail, require_archive
from vazeh.cli.output import Format, FormatOption, JsonOption, emit_rows, pick


def register(app: typer.Typer) -> None:
    app.command("migrate")(migrate)


def store_schemas() -> list[str]:
    """The DDL of every store that keeps tables in the catalog, in pipeline order."""
    from vazeh.archive import migrate as rekey
    from vazeh.archive import store
    from vazeh.capture import resources, revisit, watch
    from vazeh.extract import model
    from vazeh.index import neardup, state
    from vazeh.web import listing, views

    return [
        store._SCHEMA, rekey._SCHEMA, ";\n".join(resources._LINK_SCHEMA) + ";", watch._SCHEMA,
        model._SCHEMA, neardup.SCHEMA, state.SCHEMA, revisit.SCHEMA, listing._SCHEMA, views._SCHEMA,
    ]


def migrate(
    to: Annotated[str, typer.Option("--to", help="The catalog to copy into: postgresql://... or sqlite:///path (empty).")],
    source: Annotated[
        str | None, typer.Option("--from", help="The catalog to copy from (default: the home's, as its backends name it).")
    ] = None,
    fmt: FormatOption = None,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Copy the catalog into another backend and compare every table's rows and digest.

    The WARC files stay where they are; afterwards point the home at the new catalog
    (`catalog = "..."` under [backends] in <home>/vazeh.toml, or VAZEH_CATALOG).
    Exits 1 when any table differs."""
    from vazeh.archive import catalog
    from vazeh.archive.migrate import CopyError, copy_catalog
    from vazeh.config import ConfigError, backends

    out_format = pick(fmt, as_json)
    path = require_archive(home)
    try:
        src_url = source or backends(path).catalog
    except ConfigError as e:
        raise fail(str(e)) from None
    if src_url == to:
        raise fail("--to names the catalog being copied: give another one", code=2)
    try:
        src = catalog.connect(src_url)
    except catalog.CatalogError as e:
        raise fail(str(e)) from None
    try:
        try:
            dst = catalog.connect(to)
        except catalog.CatalogError as e:
            raise fail(str(e)) from None
        try:
            schemas = store_schemas()
            try:
                _seal_columns(dst)
                results = copy_catalog(
                    src, dst, schemas,
                    progress=lambda t, n: err_console.print(f"  copied {n:,} rows of {t}", highlight=False),
                )
            except (CopyError, *catalog.Error) as e:
                raise fail(f"not copied: {e}") from None
        finally:
            dst.close()
    finally:
        src.close()
    rows = [
        dict(table=r.table, source_rows=r.source_rows, target_rows=r.target_rows, same=r.same,
             source_digest=r.source_digest, target_digest=r.target_digest)
        for r in results
    ]
    if out_format is Format.table:
        table = Table("table", "rows", "copied", "digest", "same")
        for r in results:
            table.add_row(r.table, f"{r.source_rows:,}", f"{r.target_rows:,}", r.source_digest[11:27],
                          "yes" if r.same else "[red]NO[/red]")
        emit_rows(rows, out_format, table=table)
    else:
        emit_rows(rows, out_format)
    if not all(r.same for r in results):
        raise fail("the copy differs from the source (see the tables marked NO)")


def _seal_columns(db: object) -> None:
    # The warc_files columns of the WARC store (vazeh.archive.warcstore), where present.
    try:
        from vazeh.archive import store
        from vazeh.archive.warcstore import ensure_seal_columns  # type: ignore[attr-defined]
    except ImportError:
        return
    db.executescript(store._SCHEMA)  # type: ignore[attr-defined]
    ensure_seal_columns(db)
