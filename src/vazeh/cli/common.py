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


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)
