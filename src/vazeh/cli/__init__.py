"""The `vazeh` command: a thin shell over the library, one module per stage."""

from __future__ import annotations

import logging

import typer

from vazeh.cli import capture, demo, extract, search, web

app = typer.Typer(
    name="vazeh",
    help="vazeh: a Persian news web archive (capture to WARC, extract, search, read).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _module in (capture, extract, search, web, demo):
    _module.register(app)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
