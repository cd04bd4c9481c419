"""WARC inputs in S3-compatible storage (moto's S3 server on 127.0.0.1): the same rows as from local files."""

from __future__ import annotations

import json
import os

import pytest
from batch_helpers import differences
from typer.testing import CliRunner

from vazeh.batch import LocalEngine, read_articles, run_extract
from vazeh.cli import app

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
