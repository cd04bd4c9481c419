"""`vazeh` commands of the web stage: `vazeh serve`."""

from __future__ import annotations

from typing import Annotated

import typer

from vazeh.cli.common import HomeOption, console, fail, resolve_home


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        home: HomeOption = None,
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
        workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (one per core is plenty).")] = 1,
    ) -> None:
        """Run the reading room: pages, replay, feeds and the API, on http://HOST:PORT/."""
        from vazeh.web import serve as run
        from vazeh.web.settings import ConfigError

        path = resolve_home(home)
        if not (path / "catalog.sqlite").exists():
            raise fail(f"no archive at {path}: capture something first (vazeh capture URL) or pass --home")
        console.print(f"reading room for [bold]{path}[/bold] at http://{host}:{port}/")
        try:
            run(path, host=host, port=port, workers=workers)
        except ConfigError as e:
            raise fail(str(e)) from e
        except OSError as e:
            raise fail(f"cannot listen on {host}:{port}: {e}") from e
