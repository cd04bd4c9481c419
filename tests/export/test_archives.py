"""A selection as WACZ (validated by py-wacz) and WARC; the archive as CDXJ."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from vazeh.cli import app
from vazeh.export import Selection, export_wacz, export_warc, iter_batches, parse_line, write_archive_cdxj
from vazeh.export.warc import iter_records

WACZ_CLI = Path(sys.executable).with_name("wacz")


def test_wacz_validates_with_py_wacz(corpus, tmp_path):
    out = tmp_path / "mehr.wacz"
    summary = export_wacz(corpus.archive, iter_batches(corpus.archive, Selection(collection="captured")), out)
    assert (summary.pages, summary.captures) == (4, 4)
    run = subprocess.run([str(WACZ_CLI), "validate", "-f", str(out)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Validation succeeded" in run.stdout
    with zipfile.ZipFile(out) as z:
        assert z.getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED
        assert z.getinfo("indexes/index.cdx.gz").compress_type == zipfile.ZIP_STORED
        package = json.loads(z.read("datapackage.json"))
        assert package["wacz_version"] == "1.1.1"
        pages = [json.loads(x) for x in z.read("pages/pages.jsonl").decode().splitlines()]
        assert pages[0]["format"] == "json-pages-1.0" and len(pages) == 5
        lines = gzip.decompress(z.read("indexes/index.cdx.gz")).decode().splitlines(keepends=True)
        warc = z.read("archive/data.warc.gz")
    assert lines == sorted(lines) and len(lines) == 4
    for line in lines:
        _key, _ts, fields = parse_line(line)
        offset, length = int(fields["offset"]), int(fields["length"])
        member = gzip.decompress(warc[offset : offset + length])
        assert member.startswith(b"WARC/1.1") and fields["url"].encode() in member


def test_warc_subset_copies_request_and_response_after_a_warcinfo(corpus, tmp_path):
    out = tmp_path / "isna.warc.gz"
    subset = export_warc(corpus.archive, iter_batches(corpus.archive, Selection(query="source:ایسنا"), index=corpus.index), out)
    kinds = [t for t, _ in iter_records(out.read_bytes())]
    assert kinds == ["warcinfo", "request", "response", "request", "response"]
    assert (subset.captures, subset.records) == (2, 5)


def test_archive_cdxj_has_one_sorted_line_per_capture(corpus, tmp_path):
    out = tmp_path / "all.cdxj"
    n = write_archive_cdxj(corpus.archive, out)
    lines = out.read_text().splitlines(keepends=True)
    assert n == len(lines) == corpus.archive.count() == 7
    assert lines == sorted(lines)
    key, ts, fields = parse_line(lines[0])
    assert key.startswith("com,mehrnews)/") and len(ts) == 14
    assert set(fields) == {"url", "mime", "status", "digest", "length", "offset", "filename"}
    assert fields["digest"].startswith("sha1:")


def test_cli_prints_a_summary_line_when_piped(corpus, tmp_path):
    out = tmp_path / "a.jsonl"
    result = CliRunner().invoke(app, ["export", "jsonl", str(out), "--query", "source:مهر", "--from", "2024-03"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["format"] == "jsonl" and summary["rows"] == 2


def test_cli_names_a_bad_query_and_format(corpus, tmp_path):
    bad = CliRunner().invoke(app, ["export", "xml", str(tmp_path / "a.xml")])
    assert bad.exit_code == 2 and "unknown format" in bad.output
    bad = CliRunner().invoke(app, ["export", "jsonl", str(tmp_path / "a.jsonl"), "--from", "yesterday"])
    assert bad.exit_code == 2 and "cannot read the time" in bad.output
