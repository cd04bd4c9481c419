"""WARC inputs in S3-compatible storage (moto's S3 server on 127.0.0.1): the same rows as from local files,
and `batch load` archives them as `vazeh import` of the local files would."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from batch_helpers import CATALOG_IDS, PLACE, cli, differences
from typer.testing import CliRunner

from vazeh.archive import open_archive
from vazeh.batch import LocalEngine, read_articles, run_extract
from vazeh.cli import app
from vazeh.extract.model import ArticleStore
from vazeh.index import SearchIndex

pytest.importorskip("moto.server", reason="the S3 tests need moto's server (moto[server])")


def test_s3_prefix_gives_the_rows_of_the_local_files(s3_server, sample_warcs, tmp_path, monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
                       "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "VAZEH_S3_ENDPOINT": s3_server}.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    import boto3

    client = boto3.client("s3", endpoint_url=s3_server)
    client.create_bucket(Bucket="crawl")
    for p in sample_warcs[:2]:
        client.upload_file(str(p), "crawl", f"2024/{p.name}")
    client.put_object(Bucket="crawl", Key="2024/notes.txt", Body=b"not a WARC")

    result = CliRunner().invoke(app, ["batch", "extract", "s3://crawl/2024/", "--out", str(tmp_path / "s3"),
                                      "--engine", "local", "--workers", "1", "--home", str(tmp_path / "h"),
                                      "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["files"] == 2 and summary["problems"] == []
    remote = read_articles(tmp_path / "s3").to_pylist()
    run_extract([str(p) for p in sample_warcs[:2]], tmp_path / "local", LocalEngine(1))
    local = read_articles(tmp_path / "local").to_pylist()
    assert len(remote) == len(local) > 10
    names = {str(p): f"s3://crawl/2024/{p.name}" for p in sample_warcs[:2]}
    assert {r["warc_file"] for r in remote} == set(names.values())
    for r in local:  # the same records, named by where they were read
        r["warc_file"] = r["collection"] = names[r["warc_file"]]
    assert differences(remote, local) == []


def test_a_missing_s3_object_is_reported(s3_server, tmp_path, monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1", "VAZEH_S3_ENDPOINT": s3_server}.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    import boto3

    boto3.client("s3", endpoint_url=s3_server).create_bucket(Bucket="empty")
    result = CliRunner().invoke(app, ["batch", "extract", "s3://empty/none.warc.gz", "--out", str(tmp_path / "o"),
                                      "--engine", "local", "--home", str(tmp_path / "h"), "--json"])  # fmt: skip
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert summary["damaged_files"] == 1 and "s3://empty/none.warc.gz" in summary["problems"][0]


def _s3_env(monkeypatch: pytest.MonkeyPatch, endpoint: str) -> None:
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
                       "AWS_SHARED_CREDENTIALS_FILE": os.devnull, "VAZEH_S3_ENDPOINT": endpoint}.items():  # fmt: skip
        monkeypatch.setenv(key, value)


def _s3_job(endpoint: str, bucket: str, warcs: list[Path], out: Path, home: Path) -> list[str]:
    """The WARC files uploaded under s3://bucket/2024/, then a batch job over that prefix: their URLs."""
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket=bucket)
    for p in warcs:
        client.upload_file(str(p), bucket, f"2024/{p.name}")
    cli("batch", "extract", f"s3://{bucket}/2024/", "--out", str(out), "--engine", "local", "--workers", "1",
        "--home", str(home), "--json")  # fmt: skip
    return [f"s3://{bucket}/2024/{p.name}" for p in warcs]


def test_load_of_s3_inputs_archives_them_as_the_local_files(s3_server, sample_warcs, imported_export, tmp_path,
                                                            monkeypatch):  # fmt: skip
    _s3_env(monkeypatch, s3_server)
    urls = _s3_job(s3_server, "load-crawl", sample_warcs, tmp_path / "job", tmp_path / "h")
    home = tmp_path / "home"
    rows = read_articles(tmp_path / "job").to_pylist()
    first = json.loads(cli("batch", "load", str(tmp_path / "job"), "--home", str(home), "--json"))
    assert first["rows"] == first["stored"] == len(rows) > 10 and first["missing"] == 0 and first["problems"] == []
    stories = {r["story_key"] for r in rows}
    with open_archive(home) as archive, SearchIndex.open(home) as index:
        assert ArticleStore(archive.db).count() == len(rows)
        assert index.count() == first["indexed"] == len(stories)
        for r in rows[:: max(1, len(rows) // 12)]:
            hits = index.search(f'"{r["title"]}"', per_page=50)
            # One hit per near-duplicate group; some groups share a title.
            same_title = {x["neardup_group"] for x in rows if x["title"] == r["title"]}
            assert sum(h.title == r["title"] for h in hits.hits) == len(same_title), r["title"]
    assert not list(home.glob(".batch-load-*")), "the fetched copies are removed"

    again = json.loads(cli("batch", "load", str(tmp_path / "job"), "--home", str(home), "--json"))
    assert (again["stored"], again["unchanged"], again["indexed"], again["problems"]) == (0, len(rows), 0, [])
    with open_archive(home) as archive, SearchIndex.open(home) as index:
        assert ArticleStore(archive.db).count() == len(rows) and index.count() == len(stories)

    # As `vazeh import` of the same files stored them, the collection named by the URL read.
    cli("export", "parquet", str(tmp_path / "loaded.parquet"), "--home", str(home))
    loaded = pq.read_table(tmp_path / "loaded.parquet").to_pylist()
    assert {r["collection"] for r in loaded} == set(urls)
    names = {str(p): u for p, u in zip(sample_warcs, urls, strict=True)}
    theirs = pq.read_table(imported_export[1]).to_pylist()
    for r in theirs:
        r["collection"] = names[r["collection"]]
    assert differences(loaded, theirs, skip=PLACE + CATALOG_IDS) == []


def test_an_s3_object_gone_at_load_time_is_reported_and_the_others_load(s3_server, sample_warcs, tmp_path,
                                                                        monkeypatch):  # fmt: skip
    _s3_env(monkeypatch, s3_server)
    urls = _s3_job(s3_server, "load-gone", sample_warcs[:2], tmp_path / "job", tmp_path / "h")
    import boto3

    boto3.client("s3", endpoint_url=s3_server).delete_object(Bucket="load-gone", Key=f"2024/{sample_warcs[1].name}")
    rows = read_articles(tmp_path / "job").to_pylist()
    lost = sum(r["warc_file"] == urls[1] for r in rows)
    assert 0 < lost < len(rows)

    result = CliRunner().invoke(app, ["batch", "load", str(tmp_path / "job"), "--home", str(tmp_path / "home"),
                                      "--json"])  # fmt: skip
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert (summary["stored"], summary["missing"]) == (len(rows) - lost, lost)
    assert len(summary["problems"]) == 1 and summary["problems"][0].startswith(f"{urls[1]}: cannot be fetched")
    with open_archive(tmp_path / "home") as archive:
        assert ArticleStore(archive.db).count() == len(rows) - lost
