"""Articles as JSONL, CSV and Parquet: one row per article with its provenance."""

from __future__ import annotations

import csv
import json

import duckdb
import pyarrow.parquet as pq
import pytest

from vazeh.export import (
    COLUMNS,
    Selection,
    SelectionError,
    iter_batches,
    iter_matching_keys,
    timestamp_bound,
    write_articles,
)

from .conftest import IMPORTED_FROM


def export(corpus, fmt, path, sel=Selection(), batch=2000):  # noqa: ANN001, ANN201, B008
    batches = iter_batches(corpus.archive, sel, index=corpus.index, batch=batch)
    return write_articles(fmt, path, batches)


def test_parquet_reads_back_in_pyarrow_and_duckdb_one_row_per_article(corpus, tmp_path):
    out = tmp_path / "articles.parquet"
    summary = export(corpus, "parquet", out)
    assert summary.rows == 6
    table = pq.read_table(out)
    assert table.num_rows == 6
    assert table.column_names == [name for name, _ in COLUMNS]
    rows = {r["capture_id"]: r for r in table.to_pylist()}
    assert set(rows) == set(corpus.capture_ids)
    first = rows[corpus.capture_ids[0]]
    cap = corpus.archive.get(corpus.capture_ids[0])
    assert first["title"] == "خبر شماره 0" and first["source"] == "مهر"
    assert first["body"][0].startswith("پاراگراف 0")
    assert first["images"] == [{"url": "https://cdn.example/0.jpg", "caption": "عکس"}]
    assert (first["warc_file"], first["warc_offset"], first["warc_length"]) == (cap.warc_file, cap.offset, cap.length)
    assert first["warc_record_id"].startswith("<urn:uuid:")
    assert first["payload_digest"] == cap.payload_digest
    assert first["collection"] == IMPORTED_FROM
    assert first["neardup_group"]
    assert first["captured_at"].isoformat() == "2024-01-15T12:00:00+00:00"
    assert first["published_at"].isoformat() == "2016-01-10T06:30:00+00:00"

    con = duckdb.connect()
    n, titles = con.execute(
        f"SELECT count(*), count(DISTINCT capture_id) FROM read_parquet('{out}')"
    ).fetchone()
    assert (n, titles) == (6, 6)
    assert con.execute(f"SELECT len(body) FROM read_parquet('{out}') WHERE news_id='1003'").fetchone() == (3,)


def test_the_writer_works_in_batches(corpus, tmp_path):
    out = tmp_path / "a.parquet"
    summary = export(corpus, "parquet", out, batch=2)
    assert (summary.rows, summary.batches) == (6, 3)
    assert pq.ParquetFile(out).metadata.num_row_groups == 3


def test_jsonl_round_trips_every_field(corpus, tmp_path):
    out = tmp_path / "a.jsonl"
    export(corpus, "jsonl", out)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 6
    assert list(rows[0]) == [name for name, _ in COLUMNS]
    assert rows[0]["captured_at"] == "2024-01-15T12:00:00Z"
    assert rows[0]["tags"] == ["فوتبال"] and rows[0]["kicker"] == "روتیتر"


def test_csv_holds_lists_as_json(corpus, tmp_path):
    out = tmp_path / "a.csv"
    export(corpus, "csv", out)
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 6
    assert json.loads(rows[1]["body"])[0].startswith("پاراگراف 0 از خبر شماره 1")
    assert json.loads(rows[1]["images"])[0]["caption"] == "عکس"


def test_empty_selection_is_still_a_readable_parquet_file(corpus, tmp_path):
    out = tmp_path / "none.parquet"
    assert export(corpus, "parquet", out, Selection(collection="nowhere.warc.gz")).rows == 0
    assert pq.read_table(out).num_rows == 0


@pytest.mark.parametrize(
    ("sel", "expected"),
    [
        (Selection(query="source:ایسنا"), {4, 5}),
        (Selection(query="نفت"), {1, 3, 5}),
        (Selection(query="source:مهر نفت"), {1, 3}),
        (Selection(collection=IMPORTED_FROM), {0, 1}),
        (Selection(collection="mehr-2016.warc.gz"), {0, 1}),
        (Selection(collection="captured"), {2, 3, 4, 5}),
        (Selection(from_ts="202403", to_ts="2024-04-30"), {2, 3}),
        (Selection(to_ts="20240115120000"), {0}),
        (Selection(query="source:مهر", from_ts="2024-02-01"), {1, 2, 3}),
    ],
)
def test_selection_by_query_collection_and_time(corpus, tmp_path, sel, expected):
    out = tmp_path / "a.jsonl"
    export(corpus, "jsonl", out, sel)
    got = {int(json.loads(line)["news_id"]) - 1000 for line in out.read_text(encoding="utf-8").splitlines()}
    assert got == expected


def test_matching_walks_windows_when_hits_exceed_one(corpus):
    keys = list(iter_matching_keys(corpus.index, "خبر", window=1))
    assert len(keys) == len(set(keys)) == 6


def test_time_bounds():
    assert timestamp_bound("2024", upper=False) == "2024-01-01T00:00:00"
    assert timestamp_bound("2024", upper=True) == "2024-99-99T99:99:99"  # compared as text
    assert timestamp_bound("2024-03-01T12:00:00+03:30", upper=False) == "2024-03-01T08:30:00"
    with pytest.raises(SelectionError, match="cannot read the time"):
        timestamp_bound("yesterday", upper=False)
