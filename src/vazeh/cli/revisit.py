"""`vazeh revisit`: capture the scheduled stories again and classify what changed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from vazeh.cli.common import HomeOption, console, err_console, fail
from vazeh.cli.output import FormatOption, JsonOption, pick


def register(app: typer.Typer) -> None:
    app.command("revisit")(revisit)


def revisit(
    due: Annotated[
        bool, typer.Option("--due/--all", help="Only the stories due now (default), or every story still on its schedule.")
    ] = True,
    now: Annotated[
        str | None, typer.Option("--now", help="Act as if it were this time (ISO 8601 or a WARC timestamp; UTC).")
    ] = None,
    sources: Annotated[
        Path | None, typer.Option("--sources", help="Sources TOML whose revisit schedules apply (default: the bundled list).")
    ] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="Base for relative feed URLs.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many stories this run.")] = None,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Allow private/loopback addresses (only for servers you run yourself).")
    ] = False,
    rate: Annotated[float, typer.Option("--rate", help="Requests per second per host.")] = 1.0,
    no_resources: Annotated[
        bool, typer.Option("--no-resources", help="Capture only the pages, not their stylesheets and pictures.")
    ] = False,
    fmt: FormatOption = None,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Capture scheduled stories again; record each as unchanged, edited, deleted or restored."""
    from vazeh.capture import SourcesError, load_sources
    from vazeh.capture.revisit import revisit_due_async
    from vazeh.cli.capture import _config, _open, _report, parse_when, pipeline_hook

    out_format = pick(fmt, as_json)
    try:
        when = parse_when(now) if now else datetime.now(UTC)
    except ValueError:
        raise fail(f"--now {now!r} is not a time: give ISO 8601 (2026-05-01T12:00:00Z) or a WARC timestamp") from None
    try:
        srcs = load_sources(sources, base_url=base_url)
    except SourcesError as e:
        raise fail(str(e)) from None
    config = _config(allow_private, rate, 10.0, 30.0, 3)
    config.resources = not no_resources
    with _open(home) as archive, pipeline_hook(archive) as callback:
        report = asyncio.run(
            revisit_due_async(archive, srcs, config, callback, now=when, due_only=due, limit=limit)
        )
    _report(report, out_format, print_revisit_report)


def print_revisit_report(report) -> None:  # noqa: ANN001 - a RevisitReport
    console.print(
        f"revisits {report.due}: {report.unchanged} unchanged, {report.edited} edited, "
        f"{report.deleted} deleted, {report.restored} restored, {report.failed} failed",
        soft_wrap=True,
    )
    for v in report.verdicts:
        if v.verdict != "unchanged":
            console.print(f"  {v.verdict} ({escape(v.reason or '')}) {escape(v.url)}", soft_wrap=True, highlight=False)
    for line in report.errors[:20]:
        err_console.print(f"  [yellow]not revisited[/yellow] {escape(line)}", soft_wrap=True, highlight=False)
