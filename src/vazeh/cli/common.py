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


def archive_exists(path: Path) -> bool:
    """Whether the home holds an archive: its catalog.sqlite, or, when the catalog is on a
    server (postgresql://), the home folder itself."""
    from vazeh.config import ConfigError, backends

    if (path / "catalog.sqlite").is_file():
        return True
    try:
        return path.is_dir() and backends(path).catalog_scheme != "sqlite"
    except ConfigError as e:
        raise fail(str(e)) from None


def require_archive(home: Path | None) -> Path:
    """The home of a command that only reads: it must hold an archive already, so that a
    mistyped --home is an error rather than a new, empty archive."""
    path = resolve_home(home)
    if not archive_exists(path):
        raise fail(f"no archive at {path}: capture or import pages first (vazeh init makes an empty one), "
                   "or pass --home")
    return path


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)
