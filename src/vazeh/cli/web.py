"""`vazeh` commands of the web stage: `vazeh serve`."""

from __future__ import annotations

import socket
import threading
import time
from typing import Annotated

import typer

from vazeh.cli.common import HomeOption, archive_exists, console, fail, resolve_home

READY_POLL_SECONDS = 0.2


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def announce_when_ready(host: str, port: int, url: str) -> threading.Thread | None:
    """Print "ready" once the server accepts connections, from a daemon thread.

    uvicorn listens only after the app's startup (the room catching its lists up
    with the article store, seconds on a large archive), so the first accepted
    connection is the moment a reader's page will load.
    """
    target = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    if _answers(target, port):
        # Someone else already listens there: the bind will fail and say so; a "ready"
        # from their server would be a lie.
        return None

    def wait() -> None:
        while not _answers(target, port):
            time.sleep(READY_POLL_SECONDS)
        console.print(f"[green]ready[/green]: open {url}/ in a browser (Ctrl+C to stop)", highlight=False)

    thread = threading.Thread(target=wait, name="vazeh-ready", daemon=True)
    thread.start()
    return thread


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
        path = resolve_home(home)
        if not archive_exists(path):
            raise fail(f"no archive at {path}: capture something first (vazeh capture URL) or pass --home")
        # Said before the web stack is imported and the archive is read, so the terminal
        # never sits silent while the room warms up.
        console.print(f"starting the reading room on {host}:{port} for [bold]{path}[/bold]…", highlight=False)
        from vazeh.web.app import serve as run
        from vazeh.web.app import serve_config
        from vazeh.web.settings import ConfigError, load_config

        try:
            config = serve_config(load_config(path), host, port, replay_port)
            console.print(f"reading room at {config.public_url}/ "
                          f"(listening on {host}:{port}); archived pages replayed from {config.replay_url}/ "
                          f"(port {config.replay_port}); getting ready…", highlight=False)
            announce_when_ready(host, port, config.public_url or f"http://{host}:{port}")
            run(path, host=host, port=port, workers=workers, replay_port=replay_port)
        except ConfigError as e:
            raise fail(str(e)) from e
        except OSError as e:
            raise fail(f"cannot listen on {host}:{port} and {replay_port or 'the replay port'}: {e}") from e
