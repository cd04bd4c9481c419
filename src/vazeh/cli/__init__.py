"""The `vazeh` command: a thin shell over the library, one module per stage."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from vazeh.cli import batch, capture, catalog, demo, export, extract, revisit, search, warcs, web

app = typer.Typer(
    name="vazeh",
    help="vazeh: a Persian news web archive (capture to WARC, extract, search, read).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)



def _version(value: bool) -> None:
    if value:
        from vazeh import __version__

        typer.echo(f"vazeh {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """vazeh: a Persian news web archive (capture to WARC, extract, search, read)."""


for _module in (capture, extract, search, web, demo, export, revisit, batch, warcs, catalog):
    _module.register(app)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
