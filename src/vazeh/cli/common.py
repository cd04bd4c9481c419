"""What every command shares: the --home option and friendly errors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from vazeh.config import home_path

console = Console()
err_console = Console(stderr=True)

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", envvar="VAZEH_HOME", help="Archive home folder (default ./vazeh-data)."),
]


def resolve_home(home: Path | None) -> Path:
    return home_path(home)


def require_archive(home: Path | None) -> Path:
    """The home of a command that only reads: it must hold an archive already, so that a
    mistyped --home is an error rather than a new, empty archive."""
    path = resolve_home(home)
    if not (path / "catalog.sqlite").is_file():
        raise fail(f"no archive at {path}: capture or import pages first (vazeh init makes an empty one), "
                   "or pass --home")
    return path


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)
