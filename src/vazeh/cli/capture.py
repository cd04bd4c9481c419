"""`vazeh` commands of the capture stage: init, capture, watch, import, captures, record."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from vazeh.archive import Archive, ArchiveError, Capture, decode_html, open_archive
from vazeh.cli.common import HomeOption, console, err_console, fail, require_archive, resolve_home
from vazeh.cli.output import (
    Format,
    FormatOption,
    JsonOption,
    emit_report,
    emit_rows,
    pick,
    plain,
    write_jsonl,
)

log = logging.getLogger(__name__)

AllowPrivate = Annotated[
    bool,
    typer.Option("--allow-private", help="Allow private/loopback addresses (only for servers you run yourself)."),
]
NoExtract = Annotated[bool, typer.Option("--no-extract", help="Only archive; do not extract and index now.")]
Rate = Annotated[float, typer.Option("--rate", help="Requests per second per host.")]
NoResources = Annotated[
    bool,
    typer.Option("--no-resources", help="Capture only the pages, not their stylesheets, images, fonts and scripts."),
]


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("capture")(capture)
    app.command("watch")(watch)
    app.command("import")(import_)
    app.command("captures")(captures)
    app.command("record")(record)


# ---------------------------------------------------------------------- helpers
@contextmanager
def pipeline_hook(
    archive: Archive, enabled: bool = True, *, index_interval: float = 1.0
) -> Iterator[Callable[[Capture], None] | None]:
    """`Pipeline.on_capture` for this archive (None when disabled or unavailable); closes it after.

    New articles wait up to `index_interval` seconds for the index: one commit per
    second of a capture run or an import rather than one per page; the rest are
    indexed when the run ends.

    Capture must keep working while extraction or indexing is broken or missing:
    the captures are safe in the archive and the pipeline's catch-up handles them later.
    """
    if not enabled:
        yield None
        return
    try:
        from vazeh.pipeline import Pipeline

        pipeline = Pipeline(archive=archive, index_interval=index_interval)
    except Exception as e:  # noqa: BLE001 - see docstring
        err_console.print(f"[yellow]note:[/yellow] extraction is unavailable ({escape(str(e))}); archiving only")
        yield None
        return
    try:
        # Finish what a killed run left: captures without an article, articles not indexed.
        pipeline.catch_up()
    except Exception as e:  # noqa: BLE001 - see docstring
        log.warning("catching up extraction and indexing failed: %s", e)
    state = {"on": True}

    def on_capture(capture: Capture) -> None:
        if not state["on"]:
            return
        try:
            pipeline.on_capture(capture)
        except ImportError as e:
            state["on"] = False
            err_console.print(f"[yellow]note:[/yellow] extraction is unavailable ({escape(str(e))}); archiving only")
        except Exception as e:  # noqa: BLE001 - one failed extraction never stops a capture
            log.warning("extracting %s failed: %s", capture.url, e)

    try:
        yield on_capture
    finally:
        try:
            pipeline.flush()
        except Exception as e:  # noqa: BLE001 - the archive is already safe; catch-up indexes them
            log.warning("indexing the last captures failed: %s", e)
        index = getattr(pipeline, "_index", None)
        if index is not None:
            try:
                index.close()
            except Exception as e:  # noqa: BLE001 - the archive is already safe
                log.warning("closing the search index: %s", e)


@contextmanager
def _open(home: Path | None, *, create: bool = True) -> Iterator[Archive]:
    """`create=False` for commands that only read: a mistyped --home must not become a new archive."""
    path = resolve_home(home) if create else require_archive(home)
    try:
        archive = open_archive(path, create=create)
    except (ArchiveError, OSError) as e:
        raise fail(str(e)) from None
    try:
        yield archive
    finally:
        archive.close()


def _progress(total: int | None, label: str) -> Progress:
    columns = [SpinnerColumn(), TextColumn(label)]
    if total is not None:
        columns += [BarColumn(), MofNCompleteColumn()]
    else:
        columns += [TextColumn("{task.completed} records")]
    columns.append(TimeElapsedColumn())
    return Progress(*columns, console=err_console, transient=True, disable=not err_console.is_terminal)


def _config(allow_private: bool, rate: float, max_mb: float, timeout: float, retries: int, max_seconds: float | None = None):
    from vazeh.capture import FetchConfig

    if timeout <= 0 or (max_seconds is not None and max_seconds <= 0):
        raise fail("--timeout and --max-seconds must be more than 0 seconds")
    return FetchConfig(
        allow_private=allow_private,
        rate=rate,
        max_bytes=int(max_mb * (1 << 20)),
        timeout=timeout,
        max_seconds=max_seconds,
        retries=retries,
    )


def _print_capture_report(report) -> None:
    statuses = report.http_statuses
    http = f"HTTP errors {report.http_errors}"
    if statuses:
        http += " (" + ", ".join(f"{code} x{n}" for code, n in sorted(statuses.items())) + ")"
    # Pages first, by how they ended; records after, since a 404's answer is a record
    # written and must not read as the page saved.
    console.print(
        f"pages: captured {report.pages_ok}, {http}, "
        f"blocked by robots.txt {report.robots}, refused {report.refused} by the address guard, "
        f"failed {report.failed} (connection, timeout)",
        soft_wrap=True,
    )
    console.print(
        f"records written: responses {report.captured}, revisits {report.revisits}, redirects {report.redirects}, "
        f"truncated {report.truncated}",
        soft_wrap=True,
    )
    for line in report.errors[:50]:
        err_console.print(f"  [yellow]not saved[/yellow] {escape(line)}", soft_wrap=True, highlight=False)
    _print_resources(report.resources)


def _size(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB" if n >= 1 << 20 else f"{n / 1024:.0f} KiB"


def _print_resources(r) -> None:
    if not (r.total or r.over_caps or r.robots or r.refused or r.failed):
        return
    console.print(
        f"page resources: fetched {r.fetched} ({_size(r.bytes)}), revisits {r.revisits}, "
        f"reused (archived recently) {r.reused}, over the per-page caps {r.over_caps}, "
        f"blocked by robots.txt {r.robots}, refused {r.refused}, failed {r.failed}",
        soft_wrap=True,
    )
    for line in r.errors[:20]:
        err_console.print(f"  [yellow]resource skipped[/yellow] {escape(line)}", soft_wrap=True, highlight=False)


# ---------------------------------------------------------------------- commands
def init(home: HomeOption = None) -> None:
    """Create the archive home (WARC folder and catalog)."""
    with _open(home) as archive:
        console.print(f"archive home ready at {archive.home} ({archive.count()} captures)")


def capture(
    urls: Annotated[list[str] | None, typer.Argument(help="URLs to capture.")] = None,
    from_file: Annotated[Path | None, typer.Option("--from", help="File with one URL per line ('-' for stdin).")] = None,
    allow_private: AllowPrivate = False,
    rate: Rate = 1.0,
    max_mb: Annotated[float, typer.Option("--max-mb", help="Response size cap in MiB.")] = 10.0,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout",
            help="Seconds a response's head (connect, TLS, status line, headers) may take in all; also the limit of each read.",
        ),
    ] = 30.0,
    max_seconds: Annotated[
        float | None,
        typer.Option(
            "--max-seconds",
            help="Seconds one attempt's whole exchange may take; a body still arriving then is cut and "
            "archived as WARC-Truncated: time. Default: 4 x --timeout.",
            show_default=False,
        ),
    ] = None,
    retries: Annotated[int, typer.Option("--retries", help="Retries on timeouts and 5xx.")] = 3,
    no_resources: NoResources = False,
    no_extract: NoExtract = False,
    fmt: FormatOption = None,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Capture URLs into the archive: each redirect hop, request and response kept as WARC
    records, and each page's stylesheets, images, fonts and scripts with it."""
    from vazeh.capture import capture_urls_async

    out_format = pick(fmt, as_json)
    todo = list(urls or [])
    if from_file is not None:
        try:
            text = sys.stdin.read() if str(from_file) == "-" else from_file.read_text(encoding="utf-8")
        except OSError as e:
            raise fail(f"cannot read {from_file}: {e}") from None
        todo += [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not todo:
        raise fail("give at least one URL, or --from FILE")
    config = _config(allow_private, rate, max_mb, timeout, retries, max_seconds)
    config.resources = not no_resources
    with _open(home) as archive, pipeline_hook(archive, not no_extract) as callback:
        with _progress(len(set(todo)), "capturing") as bar:
            task = bar.add_task("capture", total=len(set(todo)))
            report = asyncio.run(capture_urls_async(archive, todo, config, callback, lambda _o: bar.advance(task)))
    _report(report, out_format, _print_capture_report)
    # Exit 1 unless every URL ended in its page archived: a 404 or a robots block is
    # an answer kept, not the page asked for.
    if not report.all_ok:
        raise typer.Exit(1)


def watch(
    sources: Annotated[Path | None, typer.Option("--sources", help="Sources TOML (default: the bundled list).")] = None,
    once: Annotated[bool, typer.Option("--once", help="Poll every source once, then exit.")] = False,
    base_url: Annotated[str | None, typer.Option("--base-url", help="Base for relative feed URLs.")] = None,
    allow_private: AllowPrivate = False,
    rate: Rate = 1.0,
    no_resources: NoResources = False,
    no_extract: NoExtract = False,
    fmt: FormatOption = None,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Poll the sources' RSS/Atom feeds and sitemaps and capture the new articles (with their page resources)."""
    from vazeh.capture import SourcesError, load_sources, watch_forever_async, watch_once_async

    out_format = pick(fmt, as_json)
    try:
        srcs = load_sources(sources, base_url=base_url)
    except SourcesError as e:
        raise fail(str(e)) from None
    if not srcs:
        raise fail(f"no sources in {sources or 'the default sources file'}")
    config = _config(allow_private, rate, 10.0, 30.0, 3)
    config.resources = not no_resources
    # A watch that runs on waits for its next capture, maybe for minutes: index at once.
    with _open(home) as archive, pipeline_hook(archive, not no_extract, index_interval=1.0 if once else 0.0) as callback:
        if once:
            with _progress(None, f"watching {len(srcs)} sources") as bar:
                task = bar.add_task("watch", total=None)
                report = asyncio.run(
                    watch_once_async(archive, srcs, config, callback, lambda _o: bar.advance(task))
                )
            _report(report, out_format, print_watch_report)
            if report.source_errors and len(report.source_errors) >= len(srcs):
                raise typer.Exit(1)
            return

        def on_round(source, report) -> None:
            if out_format is not Format.table:
                # A watch that runs on has no end to print one document at: one line a round.
                write_jsonl([{"time": datetime.now(UTC).isoformat(timespec="seconds"), "source": source.id,
                              **plain(report)}])
                return
            stamp = datetime.now(UTC).strftime("%H:%M:%S")
            errors = f", error: {report.source_errors[0]}" if report.source_errors else ""
            console.print(
                f"{stamp} {source.id}: {report.new_urls} new, {report.capture.captured} captured "
                f"(+{report.capture.resources.total} page resources), {report.not_modified} feeds unchanged{errors}"
            )

        shown = console if out_format is Format.table else err_console
        shown.print(f"watching {len(srcs)} sources (Ctrl+C to stop)")
        try:
            asyncio.run(watch_forever_async(archive, srcs, config, callback, on_round))
        except KeyboardInterrupt:
            console.print("stopped")


def print_watch_report(report) -> None:
    console.print(
        f"sources {report.sources}, feeds fetched {report.feeds} ({report.not_modified} unchanged), "
        f"new URLs {report.new_urls}",
        soft_wrap=True,
    )
    _print_capture_report(report.capture)
    if report.revisits is not None and report.revisits.due:
        from vazeh.cli.revisit import print_revisit_report

        print_revisit_report(report.revisits)
    for line in report.source_errors:
        err_console.print(f"  [yellow]source failed[/yellow] {escape(line)}", soft_wrap=True, highlight=False)


MAX_PROBLEMS_SHOWN = 50


def import_(
    paths: Annotated[list[Path], typer.Argument(help="WARC, WARC.gz, ARC, WACZ files or folders of saved .html.")],
    no_extract: NoExtract = False,
    fmt: FormatOption = None,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """Import existing collections; importing the same file twice adds nothing."""
    from vazeh.capture import import_paths

    out_format = pick(fmt, as_json)
    with _open(home) as archive, pipeline_hook(archive, not no_extract) as callback:
        with _progress(None, "importing") as bar:
            task = bar.add_task("import", total=None)
            try:
                report = import_paths(archive, paths, on_capture=callback, progress=lambda n: bar.advance(task, n))
            except OSError as e:
                # The archive's own disk (full, read-only): what was committed is safe.
                raise fail(f"cannot write to the archive at {archive.home}: {e.strerror or e}; "
                           "the records committed so far are kept, run the import again once fixed") from None
    if out_format is not Format.table:
        emit_report(report, out_format)
        if report.problems:
            raise typer.Exit(1)
        return
    console.print(
        f"files {report.files}, new records {report.records} ({report.captures} captures), "
        f"already archived {report.duplicates}, skipped {report.skipped}"
    )
    # Each problem names its file and offset; a file damaged all through would
    # otherwise print thousands of them.
    for problem in report.problems[:MAX_PROBLEMS_SHOWN]:
        err_console.print(f"  [red]problem[/red] {escape(str(problem))}", soft_wrap=True, highlight=False)
    if len(report.problems) > MAX_PROBLEMS_SHOWN:
        err_console.print(f"  ... and {len(report.problems) - MAX_PROBLEMS_SHOWN:,} more problems", highlight=False)
    if report.problems:
        raise typer.Exit(1)


CAPTURE_COLUMNS = ("id", "url", "captured_at", "timestamp", "status", "record_type", "imported", "mime",
                   "charset", "digest", "length", "warc_file", "warc_offset")


def captures(
    url: Annotated[str, typer.Argument(help="The URL (any spelling of it: SURT-matched).")],
    fmt: FormatOption = None,
    as_json: JsonOption = False,
    home: HomeOption = None,
) -> None:
    """List a URL's captures: time, status, digest, size (in a pipe, every value whole)."""
    out_format = pick(fmt, as_json)
    with _open(home, create=False) as archive:
        rows = archive.captures(url)
    if not rows:
        raise fail(f"no captures of {url}")
    table = None
    if out_format is Format.table:
        table = Table("id", "captured (UTC)", "status", "type", "mime", "charset", "digest", "size")
        for c in rows:
            table.add_row(
                str(c.id),
                c.captured_at.strftime("%Y-%m-%d %H:%M:%S"),
                str(c.status or ""),
                c.record_type + (" (imported)" if c.imported else ""),
                c.mime or "",
                c.charset or "",
                c.payload_digest or "",
                str(c.payload_length if c.payload_length is not None else ""),
            )
    emit_rows([_capture_row(c) for c in rows], out_format, columns=CAPTURE_COLUMNS, table=table)


def _capture_row(c: Capture) -> dict:
    return {
        "id": c.id, "url": c.url, "captured_at": c.captured_at.isoformat(), "timestamp": c.timestamp14,
        "status": c.status, "record_type": c.record_type, "imported": bool(c.imported), "mime": c.mime,
        "charset": c.charset, "digest": c.payload_digest, "length": c.payload_length,
        "warc_file": c.warc_file, "warc_offset": c.offset,
    }


def _report(report, fmt: Format, text: Callable) -> None:  # noqa: ANN001 - a Capture- or WatchReport
    if fmt is Format.table:
        text(report)
    else:
        emit_report(report, fmt)


def parse_when(text: str) -> datetime:
    """A 14-digit WARC timestamp (or a prefix of it) or an ISO 8601 time; naive means UTC."""
    digits = text.strip()
    if digits.isdigit() and 4 <= len(digits) <= 14:
        digits = digits.ljust(14, "0")
        month, day = digits[4:6], digits[6:8]
        digits = digits[:4] + (month if month != "00" else "01") + (day if day != "00" else "01") + digits[8:]
        return datetime.strptime(digits, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def record(
    url: Annotated[str, typer.Argument(help="The URL whose archived response to print.")],
    at: Annotated[str | None, typer.Option("--at", help="Time wanted: 20250101120000 or ISO 8601 (default: newest).")] = None,
    headers_only: Annotated[bool, typer.Option("--headers", help="Print only the status line and headers.")] = False,
    raw: Annotated[bool, typer.Option("--raw", help="Write the body bytes exactly as served to stdout.")] = False,
    home: HomeOption = None,
) -> None:
    """Print the archived response of URL nearest the given time."""
    try:
        when = parse_when(at) if at else None
    except ValueError:
        raise fail(f"--at {at!r}: use a WARC timestamp like 20250101120000 or ISO 8601") from None
    with _open(home, create=False) as archive:
        cap = archive.nearest(url, when)
        if cap is None:
            raise fail(f"no captures of {url}")
        try:
            response = archive.read_response(cap)
        except ArchiveError as e:
            raise fail(str(e)) from None
    if raw:
        sys.stdout.buffer.write(response.raw_body)
        return
    out = [f"# capture {cap.id} of {cap.url} at {cap.captured_at.isoformat()} ({cap.record_type})"]
    out.append(f"HTTP {response.status} {response.reason}".rstrip())
    out += [f"{k}: {v}" for k, v in response.headers]
    console.print("\n".join(out), markup=False, highlight=False, soft_wrap=True)
    if headers_only:
        return
    mime = (cap.mime or "").lower()
    if mime and not (mime.startswith("text/") or "html" in mime or "xml" in mime or "json" in mime):
        console.print(f"\n({len(response.body)} bytes of {mime}; use --raw to write them out)", highlight=False)
        return
    if cap.charset:  # detected at capture time, from the bytes as well as the labels
        text = response.body.decode(cap.charset, errors="replace").lstrip("\ufeff")
    else:
        text, _charset = decode_html(response.body, response.header("Content-Type"))
    print()
    print(text)
