"""`vazeh batch extract --engine local` gives the rows `vazeh import` + `vazeh export parquet` give."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from batch_helpers import CATALOG_IDS, PLACE, differences, record_at
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from vazeh.batch import Caps, LocalEngine, read_articles, resolve_inputs, run_extract
from vazeh.cli import app
from vazeh.export.articles import COLUMN_NAMES


@pytest.fixture(scope="module")
def local_out(sample_warcs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local") / "job"
    engine = LocalEngine(2)
    try:
        run_extract([str(p) for p in sample_warcs], out, engine)
    finally:
        engine.close()
    return out


def test_local_engine_rows_equal_import_then_export(local_out, imported_export):
    home, exported = imported_export
    mine = read_articles(local_out).to_pylist()
    theirs = pq.read_table(exported).to_pylist()
    assert len(mine) == len(theirs) > 40
    assert tuple(read_articles(local_out).schema.names) == COLUMN_NAMES
    # Every field but where the record sits and the catalog's ids, provenance included:
    # record id and type, payload digest, capture URL and time, status, mime, collection,
    # the near-duplicate group.
    assert differences(mine, theirs, skip=PLACE + CATALOG_IDS) == []
    assert all(r["article_id"] is None and r["capture_id"] is None for r in mine)
    assert len({r["neardup_group"] for r in mine}) < len(mine)  # some stories are grouped

    # Where the record sits: the batch row points into the source file, the export's
    # into the archive's copy; both places hold the same record.
    theirs_by_id = {r["warc_record_id"]: r for r in theirs}
    for r in mine:
        t = theirs_by_id[r["warc_record_id"]]
        rid, payload = record_at(Path(r["warc_file"]), r["warc_offset"], r["warc_length"])
        rid2, payload2 = record_at(home / "warcs" / t["warc_file"], t["warc_offset"], t["warc_length"])
        assert rid == rid2 == r["warc_record_id"]
        assert payload == payload2


def test_the_comparison_sees_one_changed_field(local_out, imported_export):
    # The equality above is only worth something if a single changed value breaks it.
    mine = read_articles(local_out).to_pylist()
    theirs = pq.read_table(imported_export[1]).to_pylist()
    for name in ("title", "body", "captured_at", "payload_digest", "neardup_group", "collection"):
        changed = copy.deepcopy(mine)
        changed[7][name] = ["x"] if isinstance(changed[7][name], list) else "x"
        assert len(differences(changed, theirs, skip=PLACE + CATALOG_IDS)) == 1, name
    assert differences(mine[1:], theirs, skip=PLACE + CATALOG_IDS)  # a lost row too


def test_one_worker_and_two_give_the_same_parts(local_out, sample_warcs, tmp_path):
    engine = LocalEngine(1)
    run_extract([str(p) for p in sample_warcs], tmp_path / "one", engine)
    assert read_articles(tmp_path / "one").to_pylist() == read_articles(local_out).to_pylist()


def _warc(path: Path, pages: list[tuple[str, bytes]]) -> Path:
    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=True)
        for url, body in pages:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                                http_headers=http))  # fmt: skip
    return path


def _page(i: int, paragraphs: int = 3) -> bytes:
    body = "".join(f"<p>بند {j} از گزارش شمارهٔ {i} دربارهٔ بارش برف در جاده‌های شمال کشور است و "
                   "راه‌داران از رانندگان خواسته‌اند تا بهبود هوا سفر نکنند.</p>"
                   for j in range(paragraphs))  # fmt: skip
    return (f"<html><head><meta charset='utf-8'><title>گزارش {i}</title>"
            "<meta property='og:type' content='article'></head><body><article><h1>گزارش {i}</h1>"
            f"{body}</article></body></html>").encode()  # fmt: skip


def test_a_huge_record_is_skipped_and_counted_the_rest_kept(tmp_path):
    huge = _page(2, paragraphs=20_000)  # about 2 MiB
    src = _warc(tmp_path / "mixed.warc.gz", [("https://news.example.ir/news/1001", _page(1)), ("https://news.example.ir/news/1002", huge),
                                             ("https://news.example.ir/news/1003", _page(3))])  # fmt: skip
    summary = run_extract([str(src)], tmp_path / "out", LocalEngine(1), caps=Caps(max_record_bytes=1 << 20))
    assert summary.oversized == 1
    assert any("passed over" in p and "at offset" in p for p in summary.problems)
    assert [r["capture_url"] for r in read_articles(tmp_path / "out").to_pylist()] == [
        "https://news.example.ir/news/1001", "https://news.example.ir/news/1003"]  # fmt: skip
    # Under a cap above its size, the same record is an article: the cap, not the page, left it out.
    again = run_extract([str(src)], tmp_path / "out2", LocalEngine(1), caps=Caps(max_record_bytes=8 << 20))
    assert again.oversized == 0 and again.articles == 3


def test_a_decoded_body_over_its_cap_is_skipped(tmp_path):
    import gzip as gz

    body = gz.compress(_page(5, paragraphs=5000))  # small as stored, about 0.5 MiB decoded
    path = tmp_path / "bomb.warc.gz"
    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
                                protocol="HTTP/1.1")  # fmt: skip
        w.write_record(w.create_warc_record("https://news.example.ir/news/1005", "response", payload=io.BytesIO(body),
                                            length=len(body), http_headers=http))  # fmt: skip
    summary = run_extract([str(path)], tmp_path / "out", LocalEngine(1), caps=Caps(max_decoded_bytes=64 << 10))
    assert (summary.oversized, summary.articles) == (1, 0)
    assert run_extract([str(path)], tmp_path / "out2", LocalEngine(1)).articles == 1


def test_a_damaged_warc_is_reported_not_fatal(sample_warcs, tmp_path):
    good = sample_warcs[0].read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(good[: len(good) // 2] + b"\x00garbage" * 50)
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(b"this is not a WARC file at all\n" * 10)
    result = CliRunner().invoke(app, ["batch", "extract", str(cut), str(junk), str(sample_warcs[1]),
                                      "--out", str(tmp_path / "out"), "--engine", "local", "--json"])  # fmt: skip
    assert result.exit_code == 1, result.output  # problems: exit 1, with the summary
    summary = json.loads(result.stdout)
    assert summary["damaged_files"] == 2
    assert any(str(cut) in p for p in summary["problems"]) and any(str(junk) in p for p in summary["problems"])
    assert any(p.startswith(f"{cut} at offset ") for p in summary["problems"])  # says where
    rows = read_articles(tmp_path / "out").to_pylist()
    from_good = [r for r in rows if r["warc_file"] == str(sample_warcs[1])]
    from_cut = [r for r in rows if r["warc_file"] == str(cut)]
    assert len(from_good) > 10 and 0 < len(from_cut)  # the records before the damage are kept
    assert "Traceback" not in result.output


def test_cli_inputs_from_a_list_file_and_a_glob(sample_warcs, tmp_path):
    listing = tmp_path / "warcs.txt"
    listing.write_text("# two of them\n" + "\n".join(map(str, sample_warcs[:2])) + "\n", encoding="utf-8")
    assert resolve_inputs([str(listing)]) == [str(p) for p in sample_warcs[:2]]
    assert resolve_inputs([str(sample_warcs[0].parent / "*.warc.gz")]) == [str(p) for p in sample_warcs]
    result = CliRunner().invoke(app, ["batch", "extract", str(tmp_path / "none-*.warc.gz"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "no WARC files" in " ".join(result.output.split())
    result = CliRunner().invoke(app, ["batch", "extract", str(tmp_path / "missing.warc.gz"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "no such file" in " ".join(result.output.split())
    result = CliRunner().invoke(app, ["batch", "extract", str(listing), "--out", str(tmp_path / "o"), "--engine", "flink"])
    assert result.exit_code == 2 and "unknown engine" in " ".join(result.output.split())


def test_chunked_and_compressed_bodies_read_as_the_archive_reads_them(tmp_path):
    # The body a task extracts must be the one Archive.read_response gives the pipeline:
    # chunking undone, gzip and brotli decoded, a legacy charset from the header.
    import gzip as gz

    import brotli
    from batch_helpers import cli

    def chunked(data: bytes) -> bytes:
        return b"".join(b"%x\r\n%s\r\n" % (len(data[i : i + 700]), data[i : i + 700])
                        for i in range(0, len(data), 700)) + b"0\r\n\r\n"  # fmt: skip

    page = _page(7)
    legacy = page.decode().replace("charset='utf-8'", "charset='windows-1256'").encode("cp1256", errors="replace")
    cases = [
        ("https://news.example.ir/news/2001", chunked(page), [("Transfer-Encoding", "chunked")]),
        ("https://news.example.ir/news/2002", gz.compress(page), [("Content-Encoding", "gzip")]),
        ("https://news.example.ir/news/2003", chunked(gz.compress(page)),
         [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]),
        ("https://news.example.ir/news/2004", brotli.compress(page), [("Content-Encoding", "br")]),
        ("https://news.example.ir/news/2005", legacy, []),
    ]  # fmt: skip
    src = tmp_path / "encodings.warc.gz"
    with open(src, "wb") as f:
        w = WARCWriter(f, gzip=True)
        for url, body, extra in cases:
            ctype = "text/html; charset=windows-1256" if url.endswith("2005") else "text/html; charset=utf-8"
            http = StatusAndHeaders("200 OK", [("Content-Type", ctype), *extra], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                                http_headers=http))  # fmt: skip
    run_extract([str(src)], tmp_path / "job", LocalEngine(1))
    mine = read_articles(tmp_path / "job").to_pylist()
    home = tmp_path / "home"
    cli("import", str(src), "--home", str(home), "--json")
    cli("export", "parquet", str(tmp_path / "e.parquet"), "--home", str(home))
    theirs = pq.read_table(tmp_path / "e.parquet").to_pylist()
    assert len(mine) == len(cases) == len(theirs)
    assert differences(mine, theirs, skip=PLACE + CATALOG_IDS) == []
    assert all("گزارش" in r["title"] for r in mine)  # decoded, not read as bytes of gzip or chunks
