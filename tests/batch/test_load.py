"""`vazeh batch load` makes every article of a job searchable exactly once; a rerun adds nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from batch_helpers import CATALOG_IDS, PLACE, differences

from conftest import cli
from vazeh.archive import open_archive
from vazeh.batch import LocalEngine, read_articles, run_extract
from vazeh.extract.model import ArticleStore
from vazeh.index import SearchIndex


@pytest.fixture(scope="module")
def job(sample_warcs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("load") / "job"
    run_extract([str(p) for p in sample_warcs], out, LocalEngine(1))
    return out


def test_load_makes_every_article_searchable_once_and_a_rerun_adds_nothing(job, tmp_path, imported_export):
    home = tmp_path / "home"
    rows = read_articles(job).to_pylist()
    first = json.loads(cli("batch", "load", str(job), "--home", str(home), "--json"))
    assert first["rows"] == first["stored"] == len(rows) and first["missing"] == 0 and first["problems"] == []
    stories = {r["story_key"] for r in rows}
    with open_archive(home) as archive, SearchIndex.open(home) as index:
        assert ArticleStore(archive.db).count() == len(rows)
        assert index.count() == len(stories)
        for r in rows[:: max(1, len(rows) // 12)]:
            hits = index.search(f'"{r["title"]}"', per_page=50)
            assert hits.total >= 1 and any(h.title == r["title"] for h in hits.hits), r["title"]

    again = json.loads(cli("batch", "load", str(job), "--home", str(home), "--json"))
    assert (again["stored"], again["unchanged"], again["indexed"]) == (0, len(rows), 0)
    with open_archive(home) as archive, SearchIndex.open(home) as index:
        assert ArticleStore(archive.db).count() == len(rows)
        assert index.count() == len(stories)

    # What was loaded exports as what `vazeh import` would have stored, groups included.
    cli("export", "parquet", str(tmp_path / "again.parquet"), "--home", str(home))
    theirs = pq.read_table(imported_export[1]).to_pylist()
    assert differences(pq.read_table(tmp_path / "again.parquet").to_pylist(), theirs, skip=PLACE + CATALOG_IDS) == []


def test_load_of_a_folder_that_is_no_job_is_an_error(tmp_path):
    from typer.testing import CliRunner

    from vazeh.cli import app

    result = CliRunner().invoke(app, ["batch", "load", str(tmp_path), "--home", str(tmp_path / "h")])
    assert result.exit_code == 2 and "not a batch job's output" in " ".join(result.output.split())
