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
        replay_port: Annotated[int | None, typer.Option(
            min=1, max=65535, help="Port of the replay origin, where archived pages run (default: [web] replay_port, "
            "else PORT + 1).")] = None,
    ) -> None:
        """Run the reading room on http://HOST:PORT/ (pages, feeds, the API) and the replay
        origin on a second port, where archived pages are replayed with their scripts."""
        from vazeh.web.app import serve as run
        from vazeh.web.app import serve_config
        from vazeh.web.settings import ConfigError, load_config

        path = resolve_home(home)
        if not (path / "catalog.sqlite").exists():
            raise fail(f"no archive at {path}: capture something first (vazeh capture URL) or pass --home")
        try:
            config = serve_config(load_config(path), host, port, replay_port)
            console.print(f"reading room for [bold]{path}[/bold] at {config.public_url}/ "
                          f"(listening on {host}:{port}); archived pages replayed from {config.replay_url}/ "
                          f"(port {config.replay_port})")
            run(path, host=host, port=port, workers=workers, replay_port=replay_port)
        except ConfigError as e:
            raise fail(str(e)) from e
        except OSError as e:
            raise fail(f"cannot listen on {host}:{port} and {replay_port or 'the replay port'}: {e}") from e
