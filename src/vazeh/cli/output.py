"""Machine-readable output for the commands that list or report: --format and --json.

A table is for a person at a terminal; a pipe gets every value whole. Rich sizes
a console that is not a terminal to 80 columns, which cut digests and times in
the middle (issue #14), so output to a pipe goes through a console that neither
wraps nor crops.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import sys
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    tsv = "tsv"


FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format", case_sensitive=False, show_default=False,
        help="Output as table (for people; the default), json, jsonl (one object a line), csv or tsv.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Shorthand for --format json.")]


def pick(fmt: Format | None, as_json: bool = False) -> Format:
    if as_json and fmt not in (None, Format.json):
        raise typer.BadParameter(f"--json and --format {fmt.value} disagree; give one of them", param_hint="--json")
    return Format.json if as_json else (fmt or Format.table)


def piped() -> bool:
    try:
        return not sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or replaced stdout
        return True


# Wide enough that no real value is cut; nothing printed here pads to the width.
_PIPE_WIDTH = 1_000_000


def stdout_console() -> Console:
    """A console for stdout as it is now: the terminal's width, or no width limit for a pipe."""
    if piped():
        return Console(file=sys.stdout, width=_PIPE_WIDTH, soft_wrap=True, highlight=False)
    return Console(file=sys.stdout)


def plain(value: Any) -> Any:
    """A value as JSON has it: dataclasses as objects, datetimes as ISO 8601, paths as text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        d = {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        total = getattr(type(value), "total", None)
        if isinstance(total, property):  # ResourceCounts.total, shown in the text report too
            d["total"] = value.total
        return d
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def flat(d: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """One level of columns for CSV: nested objects as `outer_inner`, lists as their length
    under `outer_count` (the lines themselves are on stderr, or in --format json)."""
    out: dict[str, Any] = {}
    for k, v in d.items():
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flat(v, name + "_"))
        elif isinstance(v, list):
            out[name + "_count"] = len(v)
        else:
            out[name] = v
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return " > ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_json(value: Any) -> None:
    sys.stdout.write(json.dumps(plain(value), ensure_ascii=False, indent=2) + "\n")


def write_jsonl(values: Iterable[Any]) -> None:
    for v in values:
        sys.stdout.write(json.dumps(plain(v), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def write_delimited(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: Format) -> None:
    if fmt is Format.tsv:
        # TSV has no quoting: a tab or line break inside a value would start a new cell or row.
        sys.stdout.write("\t".join(columns) + "\n")
        for r in rows:
            cells = (_cell(r.get(c)).replace("\t", " ").replace("\r", " ").replace("\n", " ") for c in columns)
            sys.stdout.write("\t".join(cells) + "\n")
        return
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in columns])


def emit_rows(rows: Sequence[dict[str, Any]], fmt: Format, *, columns: Sequence[str] | None = None,
              table: Table | None = None) -> None:
    """A listing: a JSON array, one JSON object a line, CSV/TSV with a header, or `table`."""
    rows = [plain(r) for r in rows]
    if fmt is Format.json:
        write_json(rows)
    elif fmt is Format.jsonl:
        write_jsonl(rows)
    elif fmt in (Format.csv, Format.tsv):
        write_delimited(rows, list(columns or (rows[0].keys() if rows else [])), fmt)
    elif table is not None:
        stdout_console().print(table)


def emit_report(report: Any, fmt: Format) -> None:
    """A report (a dataclass) in a machine format: one object, one line, or a CSV header and row."""
    d = plain(report)
    if fmt is Format.json:
        write_json(d)
    elif fmt is Format.jsonl:
        write_jsonl([d])
    elif fmt in (Format.csv, Format.tsv):
        row = flat(d)
        write_delimited([row], list(row), fmt)
