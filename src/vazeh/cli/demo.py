"""`vazeh demo`: serve the bundled sample news site, archive it with a real
`watch --once` round, revisit it an hour later (in the clock of the revisit
schedule) after the site edited one story and deleted another, and open the
reading room over the result."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from vazeh.cli.common import HomeOption, console, err_console, fail, resolve_home

# The sample site keeps one address across runs when it can, so a second demo finds
# the same URLs (and unchanged feeds) instead of archiving the site again under a new port.
SAMPLE_PORT = 8788
DEMO_RATE = 50.0  # requests/s: the demo's own server on 127.0.0.1, not someone else's site
# The revisit pass runs as if this much later than the first round: past the first
# step (1 hour) of the schedule, before the second (6 hours), so a second demo run
# finds nothing due and archives nothing twice.
REVISIT_AFTER = timedelta(hours=1, minutes=1)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def sample_sources_text(base_url: str) -> str:
    """The sample's sources file with the running server's base URL set."""
    text = (resources.files("vazeh.sample") / "sources.toml").read_text(encoding="utf-8")
    # A top-level key must come before the first table, so it goes first.
    return f'base_url = "{base_url}"\n\n' + text


def demo(
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Only build the archive; do not start the reading room.")] = False,
    port: Annotated[int, typer.Option("--port", help="Port of the reading room.")] = 8000,
    sample_port: Annotated[
        int, typer.Option("--sample-port", help="Port of the sample site (0: any free port).")
    ] = SAMPLE_PORT,
    admin_token: Annotated[str | None, typer.Option(
        "--admin-token", help="Turn save page now on with this admin token (default: a one-time token, printed).",
        show_default=False)] = None,
    home: HomeOption = None,
) -> None:
    """Capture the bundled sample news site into the archive and open the reading room,
    with save page now on (the token printed, or the one given with --admin-token)."""
    from vazeh.archive import ArchiveError, open_archive
    from vazeh.capture import FetchConfig, load_sources, watch_once_async
    from vazeh.capture.revisit import revisit_due_async
    from vazeh.cli.capture import pipeline_hook, print_watch_report
    from vazeh.cli.revisit import print_revisit_report

    home_dir = resolve_home(home)
    try:
        archive = open_archive(home_dir)
    except (ArchiveError, OSError) as e:
        raise fail(str(e)) from None
    server, base_url = _start_sample(sample_port)
    console.print(f"sample news site serving at {base_url}/")
    try:
        sources_file = home_dir / "demo-sources.toml"
        sources_file.write_text(sample_sources_text(base_url), encoding="utf-8")
        sources = load_sources(sources_file)
        console.print(f"watching {len(sources)} sample sources (sources file: {sources_file})")
        # allow_private is for this demo's own server only; everything else in it is the real code path.
        config = FetchConfig(allow_private=True, rate=DEMO_RATE, backoff=0.1)
        with pipeline_hook(archive) as callback, console.status("capturing the sample site…"):
            report = asyncio.run(watch_once_async(archive, sources, config, callback))
        print_watch_report(report)
        # Between the two rounds the site edits one story and deletes another.
        server.round = 2
        with pipeline_hook(archive) as callback, console.status("revisiting the sample site, round 2…"):
            revisits = asyncio.run(
                revisit_due_async(archive, sources, config, callback, now=datetime.now(UTC) + REVISIT_AFTER)
            )
        print_revisit_report(revisits)
        summary = _summary(archive)
        console.print(summary)
    finally:
        archive.close()
    if report.source_errors and len(report.source_errors) >= len(sources):
        server.stop()
        raise fail("every sample source failed; see the messages above")
    if no_serve:
        server.stop()
        console.print(f"archive ready in {home_dir}")
        return
    _enable_save_page(home_dir, admin_token, port)
    try:
        start_reading_room(home_dir, "127.0.0.1", port)
    finally:
        server.stop()


def _enable_save_page(home: Path, token: str | None, port: int) -> None:
    """Save page now on for this demo run: a token from --admin-token, the home's own
    (config.toml or VAZEH_ADMIN_TOKEN), or else a fresh one printed once.

    It goes to the room through VAZEH_ADMIN_TOKEN in this process only, so nothing
    is written into the home and the next run asks for a new one."""
    import os
    import secrets

    from vazeh.web.settings import load_config

    where = f"http://127.0.0.1:{port}/save"
    if token:
        os.environ["VAZEH_ADMIN_TOKEN"] = token
        console.print(f"save page now is on at {where} with the token given by --admin-token", highlight=False)
        return
    if load_config(home).admin_token:
        console.print(f"save page now is on at {where} with the admin token of {home}/config.toml "
                      "(or VAZEH_ADMIN_TOKEN)", highlight=False)
        return
    token = secrets.token_urlsafe(12)
    os.environ["VAZEH_ADMIN_TOKEN"] = token
    console.print(f"save page now is on at {where}; admin token for this run: [bold]{token}[/bold]",
                  highlight=False)


def _start_sample(port: int):
    from vazeh.sample.server import serve_sample

    try:
        return serve_sample("127.0.0.1", port)
    except OSError:
        return serve_sample("127.0.0.1", 0)


def _summary(archive) -> str:
    captures = archive.count()
    from vazeh.capture.resources import linked_resource_count
    from vazeh.extract.model import ArticleStore

    html = archive.count_html_pages()
    articles = ArticleStore(archive.db).count(articles_only=False)
    linked = linked_resource_count(archive)
    return f"archive: {captures} captures ({html} HTML pages, {linked} page resources), {articles} articles extracted"


# ---------------------------------------------------------------------------
# HOOK: the reading room (vazeh.web). The demo starts it when it is importable;
# `create_app`/`serve` are the web stage's public face. Lead: finish wiring here.
# ---------------------------------------------------------------------------
def start_reading_room(home: Path, host: str, port: int) -> None:
    try:
        from vazeh.web import serve
    except ImportError as e:
        err_console.print(f"[yellow]note:[/yellow] the reading room is not available yet ({e}); archive is ready in {home}")
        return
    from vazeh.cli.web import announce_when_ready

    url = f"http://{host}:{port}"
    console.print(f"reading room at {url}/ (getting ready…)", highlight=False)
    announce_when_ready(host, port, url)
    serve(home, host=host, port=port, log_level="warning")
