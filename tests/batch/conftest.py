"""Fixtures of the batch tests: a small WARC collection made from the sample site, the
same collection imported and exported the ordinary way, and one SparkSession for the
module (skipped, saying why, where Java or pyspark is missing)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from vazeh.sample.warcs import write_sample_warcs

# The tests import importlib-mode-safe helpers from this folder (batch_helpers.py).
sys.path.insert(0, str(Path(__file__).parent))

from batch_helpers import cli  # noqa: E402 - importable once the path is set

# 3 files of 40 records: every sample page (38) three times over, so near-duplicate
# groups span files (the site's republished stories, and copies of pages without text).
RECORDS, PER_FILE = 120, 40


@pytest.fixture(scope="session")
def sample_warcs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_sample_warcs(tmp_path_factory.mktemp("warcs"), records=RECORDS, per_file=PER_FILE)


@pytest.fixture(scope="session")
def imported_export(sample_warcs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """`vazeh import` of the collection, then `vazeh export parquet`: (home, the reference rows)."""
    tmp = tmp_path_factory.mktemp("imported")
    home = tmp / "home"
    cli("import", *map(str, sample_warcs), "--home", str(home), "--json")
    out = tmp / "articles.parquet"
    cli("export", "parquet", str(out), "--home", str(home))
    return home, out


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    if shutil.which("java") is None:
        pytest.skip("the Spark tests need Java 17 (apt-get install openjdk-17-jre-headless); not found on PATH")
    pytest.importorskip("pyspark", reason="the Spark tests need pyspark (pip install 'vazeh[spark]')")
    from vazeh.batch.job import spark_session

    session = spark_session("local[2]", memory="512m")
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
