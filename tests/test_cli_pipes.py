"""The CLI in a pipe (issue #14): --format and --json, whole values, article ids in
search, --version, and a --home without an archive refused by read commands."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from typer.testing import CliRunner

from vazeh import __version__
from vazeh.cli import app
from vazeh.extract.model import Article, ArticleStore

runner = CliRunner()
URL = "http://pipe.example/news/2026/a-long-address-that-a-narrow-table-would-cut-in-the-middle"
WHEN = datetime(2026, 12, 1, 8, 30, 15, tzinfo=UTC)


def fill(archive) -> tuple[int, int]:
    body = "<html><body><h1>آزمون</h1></body></html>".encode()
    c = archive.write_exchange(url=URL, status=200, reason="OK", response_headers=[("Content-Type", "text/html")],
                               body=body, captured_at=WHEN, request_headers=[("User-Agent", "vazeh-test")])
    store = ArticleStore(archive.db)
    a = Article(url=URL, source="مهر", title="بارش برف در گردنه حیران", body=["بارش برف در گردنه حیران " * 20],
                published="2026-12-01T08:00:00+00:00")
    article_id = store.put(c.id, a, extractor_version="t", surt=c.surt, captured_at=c.captured_at.isoformat())
    archive.db.commit()
    return c.id, article_id


def test_captures_as_json_csv_tsv_and_a_full_table(home, archive):
    capture_id, _ = fill(archive)
    digest = archive.get(capture_id).payload_digest
    assert digest and len(digest) > 30
    r = runner.invoke(app, ["captures", URL, "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows[0]["digest"] == digest and rows[0]["captured_at"] == WHEN.isoformat()
    assert rows[0]["timestamp"] == "20261201083015" and rows[0]["url"] == URL
    lines = runner.invoke(app, ["captures", URL, "--format", "jsonl"]).stdout.splitlines()
    assert [json.loads(x)["id"] for x in lines] == [capture_id]
    table = list(csv.DictReader(io.StringIO(runner.invoke(app, ["captures", URL, "--format", "csv"]).stdout)))
    assert table[0]["digest"] == digest and table[0]["status"] == "200" and table[0]["imported"] == "false"
    tsv = runner.invoke(app, ["captures", URL, "--format", "tsv"]).stdout.splitlines()
    assert tsv[0].split("\t")[:3] == ["id", "url", "captured_at"] and digest in tsv[1].split("\t")
    # The table for people: in a pipe (CliRunner's stdout is no terminal), nothing cut.
    plain = runner.invoke(app, ["captures", URL]).stdout
    assert digest in plain and "2026-12-01 08:30:15" in plain and "…" not in plain
    both = runner.invoke(app, ["captures", URL, "--json", "--format", "csv"])
    assert both.exit_code == 2


def test_search_formats_and_article_ids(home, archive):
    _, article_id = fill(archive)
    text = runner.invoke(app, ["search", "حیران"])
    assert text.exit_code == 0, text.output
    assert f"article {article_id}" in text.stdout
    assert URL in text.stdout  # the whole address on one line, not wrapped at 80 columns
    whole = json.loads(runner.invoke(app, ["search", "حیران", "--json"]).stdout)
    assert whole["hits"][0]["article_id"] == article_id and "facets" in whole
    hits = [json.loads(x) for x in runner.invoke(app, ["search", "حیران", "--format", "jsonl"]).stdout.splitlines()]
    assert [h["article_id"] for h in hits] == [article_id] and hits[0]["href"] == f"/article/{article_id}"
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["search", "حیران", "--format", "csv"]).stdout)))
    assert rows[0]["article_id"] == str(article_id) and "<mark>" not in rows[0]["snippet"]
    assert "حیران" in rows[0]["snippet"]


def test_import_report_as_json_and_csv(home, tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.html").write_text("<html><body><p>سلام</p></body></html>", encoding="utf-8")
    r = runner.invoke(app, ["import", str(folder), "--no-extract", "--json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["files"] == 1 and report["problems"] == [] and "duplicates" in report
    again = runner.invoke(app, ["import", str(folder), "--no-extract", "--format", "csv"])
    row = next(csv.DictReader(io.StringIO(again.stdout)))
    assert row["files"] == "1" and row["records"] == "0" and row["problems_count"] == "0"


def test_capture_report_as_json(home):
    # No network: a refused address is still a report (and exit code 1).
    r = runner.invoke(app, ["capture", "http://127.0.0.1:9/", "--no-extract", "--json", "--retries", "0"])
    report = json.loads(r.stdout)
    assert report["refused"] == 1 and r.exit_code == 1
    assert {"captured", "failed", "errors", "resources"} <= set(report) and "total" in report["resources"]


def test_version():
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout.strip() == f"vazeh {__version__}"


def test_read_commands_refuse_a_home_without_an_archive(tmp_path):
    typo = tmp_path / "typo"
    empty = tmp_path / "empty"
    empty.mkdir()
    for home in (typo, empty):
        for args in (["captures", URL], ["record", URL], ["search", "برف"], ["reextract"], ["serve", "--port", "1"]):
            r = runner.invoke(app, [*args, "--home", str(home)])
            assert r.exit_code == 1, (args, r.output)
            assert "no archive at" in r.output
    assert not typo.exists()
    assert list(empty.iterdir()) == []
