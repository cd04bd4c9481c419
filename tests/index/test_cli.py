"""`vazeh search` and `vazeh reindex` from the command line."""

from __future__ import annotations

import json

from tests.index.conftest import article
from typer.testing import CliRunner

from vazeh.cli import app
from vazeh.extract.model import ArticleStore

runner = CliRunner()


def fill(archive):
    store = ArticleStore(archive.db)
    store.put(1, article("بارش برف در گردنه حیران", title="برف حیران", source="مهر", url="https://a.ir/1"),
              extractor_version="t", surt="ir,a)/1", captured_at="2017-01-10T08:00:00+00:00")
    store.put(2, article("برف و باران در شمال", title="شمال", source="ایسنا", url="https://a.ir/2"),
              extractor_version="t", surt="ir,a)/2", captured_at="2017-01-11T08:00:00+00:00")
    archive.db.commit()


def test_search_prints_json(home, archive):
    fill(archive)
    r = runner.invoke(app, ["search", "برف", "--json", "--limit", "5"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["total"] == 2
    assert data["per_page"] == 5
    assert {h["url"] for h in data["hits"]} == {"https://a.ir/1", "https://a.ir/2"}
    assert "<mark>برف</mark>" in data["hits"][0]["snippet_html"]


def test_search_prints_readable_results(home, archive):
    fill(archive)
    r = runner.invoke(app, ["search", "حیران", "--sort", "newest"])
    assert r.exit_code == 0, r.output
    assert "1 articles match" in r.stdout
    assert "برف حیران" in r.stdout
    assert "https://a.ir/1" in r.stdout


def test_a_search_with_no_results_prints_the_nearest_query_that_has_some(home, archive):
    fill(archive)
    r = runner.invoke(app, ["search", "حیران زیردریایی"])
    assert r.exit_code == 0, r.output
    assert "no articles match" in r.stdout
    assert "did you mean: حیران  (1 articles; drop)" in r.stdout
    data = json.loads(runner.invoke(app, ["search", "حیران زیردریایی", "--json"]).stdout)
    assert data["suggestion"] == {"query": "حیران", "total": 1, "kind": "drop"}


def test_malformed_query_is_a_clear_error_not_a_traceback(home, archive):
    fill(archive)
    r = runner.invoke(app, ["search", '"برف'])
    assert r.exit_code == 2
    assert "bad query: unbalanced quote" in r.output
    assert "Traceback" not in r.output


def test_search_without_an_archive(tmp_path, monkeypatch):
    monkeypatch.setenv("VAZEH_HOME", str(tmp_path / "nowhere"))
    r = runner.invoke(app, ["search", "برف"])
    assert r.exit_code == 1
    assert "no archive at" in r.output


def test_reindex_rebuilds_from_the_catalog(home, archive):
    fill(archive)
    r = runner.invoke(app, ["reindex"])
    assert r.exit_code == 0, r.output
    assert "indexed 2 articles; 2 stories searchable" in r.stdout
    r = runner.invoke(app, ["search", "باران", "--json"])
    assert json.loads(r.stdout)["total"] == 1
