"""The archive: WARC/1.1 records, the catalog, revisits, rotation, reading back, crash recovery."""

from __future__ import annotations

import gzip
import io
from datetime import UTC, datetime, timedelta

import pytest
from warcio.archiveiterator import ArchiveIterator

from vazeh.archive import Archive, ArchiveError, open_archive, payload_digest, surt
from vazeh.archive.store import _dechunk, _fast_response

PAGE = "<html><head><meta charset='utf-8'><title>آزمایش</title></head><body>متن {n}</body></html>"


def exchange(archive: Archive, url: str, body: bytes, **kw):
    kw.setdefault("response_headers", [("Content-Type", "text/html; charset=utf-8")])
    return archive.write_exchange(url=url, status=kw.pop("status", 200), reason="OK", body=body, **kw)


def test_a_capture_is_catalogued_with_everything_the_issue_lists(archive):
    at = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    cap = exchange(archive, "https://www.Example.ir/news/1?b=2&a=1", PAGE.format(n=1).encode(), captured_at=at, charset="utf-8", ip="192.0.2.7")
    assert cap.surt == "ir,example)/news/1?a=1&b=2" == surt(cap.url)
    assert (cap.status, cap.mime, cap.charset, cap.record_type) == (200, "text/html", "utf-8", "response")
    assert cap.captured_at == at and cap.timestamp14 == "20250301083000"
    assert cap.payload_digest == payload_digest(PAGE.format(n=1).encode())
    assert cap.payload_length == len(PAGE.format(n=1).encode())
    raw = archive.read_raw(cap.warc_file, cap.offset, cap.length)
    [rec] = list(ArchiveIterator(io.BytesIO(raw)))
    assert rec.rec_headers.protocol == "WARC/1.1"
    assert rec.rec_headers.get_header("WARC-IP-Address") == "192.0.2.7"
    assert rec.rec_headers.get_header("WARC-Date").startswith("2025-03-01T08:30:00")


def test_each_record_is_its_own_gzip_member(archive):
    for n in range(3):
        exchange(archive, f"https://example.ir/{n}", PAGE.format(n=n).encode())
    rows = archive.db.execute("SELECT warc_file, offset, length, type FROM records ORDER BY id").fetchall()
    assert [r["type"] for r in rows] == ["warcinfo"] + ["request", "response"] * 3
    for r in rows:
        member = archive.read_raw(r["warc_file"], r["offset"], r["length"])
        assert gzip.decompress(member).startswith(b"WARC/1.1\r\n")


def test_unchanged_payload_becomes_a_revisit_that_reads_back_the_original(archive):
    body = PAGE.format(n=7).encode()
    first = exchange(archive, "https://example.ir/a", body)
    second = exchange(archive, "https://example.ir/a", body, captured_at=datetime.now(UTC) + timedelta(hours=1))
    other_url = exchange(archive, "https://example.ir/b", body)
    assert second.record_type == "revisit" and second.revisit_of == first.id
    assert other_url.record_type == "response"  # revisits are per URL
    assert archive.read_response(second).body == body
    assert [c.id for c in archive.captures("https://example.ir/a")] == [first.id, second.id]


def test_nearest_capture_by_time(archive):
    base = datetime(2025, 1, 1, tzinfo=UTC)
    caps = [exchange(archive, "https://example.ir/n", PAGE.format(n=i).encode(), captured_at=base + timedelta(days=i)) for i in range(3)]
    assert archive.nearest("https://example.ir/n", base + timedelta(days=1, hours=5)).id == caps[1].id
    assert archive.nearest("https://example.ir/n").id == caps[2].id
    assert archive.nearest("https://example.ir/none") is None


def test_files_rotate_at_the_size_limit(tmp_path):
    archive = Archive(tmp_path / "h", rotate_bytes=4000)
    for n in range(20):
        exchange(archive, f"https://example.ir/{n}", (PAGE.format(n=n) * 5).encode())
    # Through the catalog and read_raw: with VAZEH_TEST_WARCS=s3 the finished files are objects.
    files = archive.db.execute("SELECT name, committed_length FROM warc_files ORDER BY name").fetchall()
    assert len(files) > 1
    for name, length in files:
        assert length <= 4000 + 2000  # one record may overshoot
        assert next(iter(ArchiveIterator(io.BytesIO(archive.read_raw(name, 0, length))))).rec_type == "warcinfo"
    archive.close()


def test_the_rotation_size_comes_from_the_environment_when_none_is_named(tmp_path, monkeypatch):
    monkeypatch.delenv("VAZEH_ROTATE_BYTES", raising=False)
    with open_archive(tmp_path / "default") as archive:
        assert archive.rotate_bytes == 1 << 30
    monkeypatch.setenv("VAZEH_ROTATE_BYTES", "4000")
    with open_archive(tmp_path / "small") as archive:
        for n in range(20):
            exchange(archive, f"https://example.ir/{n}", (PAGE.format(n=n) * 5).encode())
        lengths = [r[0] for r in archive.db.execute("SELECT committed_length FROM warc_files").fetchall()]
        assert len(lengths) > 1 and max(lengths) <= 4000 + 2000
    with Archive(tmp_path / "named", rotate_bytes=1 << 20) as archive:  # a size named in code wins
        assert archive.rotate_bytes == 1 << 20
    for bad in ("4k", "0", "-5"):
        monkeypatch.setenv("VAZEH_ROTATE_BYTES", bad)
        with pytest.raises(ArchiveError, match="VAZEH_ROTATE_BYTES"):
            open_archive(tmp_path / "bad")


def test_a_failed_transaction_leaves_nothing_and_the_next_writer_cuts_its_bytes(archive):
    exchange(archive, "https://example.ir/ok", b"kept")
    with pytest.raises(RuntimeError):
        with archive.transaction():
            exchange(archive, "https://example.ir/lost", b"never committed")
            raise RuntimeError("killed")
    assert archive.captures("https://example.ir/lost") == []
    cap = exchange(archive, "https://example.ir/after", b"next")
    with open(archive.warc_dir / cap.warc_file, "rb") as f:
        urls = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(f)]
    assert "https://example.ir/lost" not in urls and "https://example.ir/after" in urls


def test_leftovers_of_a_killed_writer_are_cleaned_by_the_next_process(home):
    archive = open_archive(home)
    cap = exchange(archive, "https://example.ir/x", b"committed")
    archive.close()
    path = home / "warcs" / cap.warc_file
    size = path.stat().st_size
    with open(path, "ab") as f:
        f.write(b"\x1f\x8b\x08half a record")  # what a SIGKILL mid-write leaves
    orphan = home / "warcs" / "vazeh-29990101000000000000-1.warc.gz"
    orphan.write_bytes(b"\x1f\x8b\x08never committed")
    archive = open_archive(home)
    exchange(archive, "https://example.ir/y", b"later")
    assert not orphan.exists()
    with open(path, "rb") as f:
        assert len(list(ArchiveIterator(f))) >= 3
    assert path.stat().st_size >= size
    archive.close()


def test_same_record_id_is_written_once(archive):
    rid = "<urn:uuid:6b5a1d36-3f0e-5a49-9d1c-2d6a4f9b8e11>"
    a = exchange(archive, "https://example.ir/r", b"one", record_id=rid, imported=True)
    b = exchange(archive, "https://example.ir/r", b"one", record_id=rid, imported=True)
    assert a.id == b.id and archive.count() == 1


def test_missing_capture_and_short_file_are_clear_errors(archive):
    with pytest.raises(ArchiveError, match="no capture with id"):
        archive.get(999)
    cap = exchange(archive, "https://example.ir/s", b"short")
    with pytest.raises(ArchiveError, match="shorter than the catalog"):
        archive.read_raw(cap.warc_file, cap.offset, cap.length + 10_000)


@pytest.mark.parametrize(
    "headers, body, fast_path",
    [
        ([("Content-Type", "text/html; charset=utf-8")], PAGE.format(n=1).encode(), True),
        ([("Content-Type", "text/html"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")], b"<p>two cookies</p>", True),
        ([("Content-Type", "text/html"), ("Content-Encoding", "gzip")], gzip.compress(PAGE.format(n=2).encode()), True),
        ([("X-Odd", "  spaced value  "), ("Content-Type", "text/plain")], b"", True),
        ([("Content-Type", "text/html; charset=windows-1256")], "سلام".encode("cp1256"), True),
        ([("Content-Type", "text/html"), ("X-Title", "خبر")], b"warcio percent-encodes the header", True),
        ([("Transfer-Encoding", "chunked")], b"5\r\nhello\r\n0\r\n\r\n", False),
    ],
)
def test_fast_reader_agrees_with_warcio(archive, headers, body, fast_path):
    cap = archive.write_exchange(url="https://example.ir/f", status=200, reason="OK", response_headers=headers, body=body, dedupe=False)
    fast = _fast_response(archive.read_raw(cap.warc_file, cap.offset, cap.length))
    rec = archive.read_record(cap)
    slow = (int(rec.http_headers.get_statuscode()), "OK", list(rec.http_headers.headers), rec.raw_stream.read())
    assert (fast is not None) == fast_path
    if fast is not None:
        assert fast == slow
    response = archive.read_response(cap)
    # raw_body is the payload as served: content-encoded still, but without the
    # connection's chunk framing, which the record keeps as it crossed the wire.
    chunked = any(k.lower() == "transfer-encoding" for k, _v in headers)
    payload = _dechunk(slow[3]) if chunked else slow[3]
    assert (response.status, response.reason, response.headers, response.raw_body) == (*slow[:3], payload)


@pytest.mark.parametrize("reason", ["", "Not Found", "Gone  (twice spaced)"])
def test_status_lines_read_back_the_same_either_way(archive, reason):
    cap = archive.write_exchange(url="https://example.ir/gone", status=404, reason=reason, response_headers=[("Content-Type", "text/html")], body=b"-")
    rec = archive.read_record(cap)
    statusline = rec.http_headers.statusline
    expected_reason = statusline.split(" ", 1)[1] if " " in statusline else ""
    response = archive.read_response(cap)
    assert (response.status, response.reason) == (404, expected_reason)
    assert _fast_response(archive.read_raw(cap.warc_file, cap.offset, cap.length))[:2] == (404, expected_reason)


def test_chunked_records_from_other_crawlers_read_back_dechunked(archive):
    raw = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    cap = archive.write_exchange(
        url="https://example.ir/chunked", status=200, reason="OK",
        response_headers=[("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")], body=raw,
    )
    response = archive.read_response(cap)
    assert response.raw_body == b"hello world" and response.body == b"hello world"
    assert archive.read_record(cap).raw_stream.read() == raw  # the record keeps the framing


def test_nearest_in_a_tied_second_is_the_url_asked_for(archive):
    """/x and /x/ share a SURT key; replay timestamps have whole seconds. Captured in the
    same second, each URL must replay its own capture, not the one captured first."""
    from datetime import UTC, datetime

    at = datetime(2026, 11, 1, 8, 0, 0, 250_000, tzinfo=UTC)
    slash = archive.write_exchange(url="https://example.ir/section/", status=200, body=b"with slash",
                                   response_headers=[("Content-Type", "text/html")], captured_at=at)
    bare = archive.write_exchange(url="https://example.ir/section", status=200, body=b"without",
                                  response_headers=[("Content-Type", "text/html")],
                                  captured_at=at.replace(microsecond=750_000))
    second = at.replace(microsecond=0)
    assert archive.nearest("https://example.ir/section", second).id == bare.id
    assert archive.nearest("https://example.ir/section/", second).id == slash.id
    # Across seconds, time still decides.
    assert archive.nearest("https://example.ir/section", at.replace(second=5)).id == bare.id
