"""Importing collections: WARC, WARC.gz, ARC, WACZ, saved HTML; twice adds nothing;
damage is reported with file and offset and the good records are kept."""

from __future__ import annotations

import os
import zipfile

from vazeh.capture import import_paths


def test_warc_gz_imports_once(archive, tmp_path, make_warc):
    warc = make_warc(tmp_path / "crawl.warc.gz", 5)
    report = import_paths(archive, [warc])
    assert report.ok and report.captures == 5 and report.records == 5
    again = import_paths(archive, [warc])
    assert again.records == 0 and again.duplicates == 5
    assert archive.count() == 5
    [cap] = archive.captures("https://news.example.ir/a/3")
    assert cap.imported and cap.charset == "utf-8" and cap.origin == str(warc)
    assert "شمارهٔ 3".encode() in archive.read_response(cap).body


def test_uncompressed_warc_and_wacz(archive, tmp_path, make_warc):
    plain = make_warc(tmp_path / "plain.warc", 3, gzip=False)
    inner = make_warc(tmp_path / "inner.warc.gz", 2, start=10)
    wacz = tmp_path / "collection.wacz"
    with zipfile.ZipFile(wacz, "w") as z:
        z.write(inner, "archive/data.warc.gz")
        z.writestr("datapackage.json", "{}")
    report = import_paths(archive, [plain, wacz])
    assert report.ok and report.captures == 5
    assert archive.captures("https://news.example.ir/a/11")[0].origin.endswith("collection.wacz!archive/data.warc.gz")


def test_arc_records_get_stable_ids(archive, tmp_path, make_arc):
    arc = make_arc(tmp_path / "old.arc", 3)
    report = import_paths(archive, [arc])
    assert report.ok and report.captures == 3
    assert import_paths(archive, [arc]).records == 0
    [cap] = archive.captures("http://old.example.ir/1.html")
    assert cap.captured_at.year == 2005 and cap.status == 200
    assert "شمارهٔ 1".encode() in archive.read_response(cap).body


def test_saved_html_folder(archive, tmp_path):
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "a.html").write_text(
        '<html><head><link rel="canonical" href="https://news.example.ir/saved/a"><title>الف</title></head><body>متن</body></html>',
        encoding="utf-8",
    )
    (folder / "b.htm").write_bytes("<html><body>صفحه‌ای بی‌نشانی</body></html>".encode("cp1256", errors="replace"))
    (folder / "notes.txt").write_text("not a page")
    os.utime(folder / "a.html", (1_600_000_000, 1_600_000_000))
    report = import_paths(archive, [folder])
    assert report.ok and report.captures == 2
    [a] = archive.captures("https://news.example.ir/saved/a")
    assert a.imported and a.captured_at.timestamp() == 1_600_000_000 and a.origin.endswith("a.html")
    [b] = archive.captures("file:///b.htm")
    assert b.charset == "windows-1256"
    assert import_paths(archive, [folder]).records == 0
    assert archive.count() == 2


def test_truncated_warc_keeps_the_good_records_and_reports_the_offset(archive, tmp_path, make_warc):
    warc = make_warc(tmp_path / "cut.warc.gz", 6)
    data = warc.read_bytes()
    warc.write_bytes(data[: len(data) - 150])  # the last record loses its end
    report = import_paths(archive, [warc])
    assert not report.ok and report.skipped == 1
    [problem] = report.problems
    assert problem.file == str(warc) and problem.offset is not None and problem.offset > 0
    assert archive.count() == 5


def test_corruption_in_the_middle_is_skipped_and_reading_resumes(archive, tmp_path, make_warc):
    warc = make_warc(tmp_path / "bad.warc.gz", 6)
    data = bytearray(warc.read_bytes())
    # Garble the inside of the third record's gzip member.
    starts = [i for i in range(len(data) - 2) if data[i : i + 3] == b"\x1f\x8b\x08"]
    third = starts[2]
    data[third + 20 : third + 60] = b"\x00" * 40
    warc.write_bytes(bytes(data))
    report = import_paths(archive, [warc])
    assert not report.ok and report.problems[0].offset == third
    assert archive.count() == 5
    assert not archive.captures("https://news.example.ir/a/2")
    assert archive.captures("https://news.example.ir/a/5")


def test_not_an_archive_is_reported(archive, tmp_path):
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(b"this is not a warc file at all\n" * 10)
    report = import_paths(archive, [junk, tmp_path / "missing.warc"])
    assert not report.ok and len(report.problems) == 2
    assert archive.count() == 0


def test_revisit_resource_and_other_records_are_kept(archive, tmp_path):
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from vazeh.archive import payload_digest

    path = tmp_path / "mixed.warc.gz"
    body = "<p>خبر تکراری</p>".encode()
    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        resp = w.create_warc_record("https://a.example.ir/n", "response", payload=io.BytesIO(body), length=len(body), http_headers=http)
        resp.rec_headers.replace_header("WARC-Payload-Digest", payload_digest(body))
        w.write_record(resp)
        w.write_record(w.create_revisit_record("https://a.example.ir/n", payload_digest(body), "https://a.example.ir/n", "2024-01-01T00:00:00Z", http_headers=http))
        pdf = b"%PDF-1.4 not really"
        w.write_record(w.create_warc_record("https://a.example.ir/doc.pdf", "resource", payload=io.BytesIO(pdf), length=len(pdf), warc_content_type="application/pdf"))
        meta = b"via: test"
        w.write_record(w.create_warc_record("https://a.example.ir/n", "metadata", payload=io.BytesIO(meta), length=len(meta)))
    report = import_paths(archive, [path])
    assert report.ok and report.records == 4 and report.captures == 3
    by_type = {c.record_type: c for c in archive.captures("https://a.example.ir/n")}
    response, revisit = by_type["response"], by_type["revisit"]
    assert revisit.revisit_of == response.id
    assert archive.read_response(revisit).body == body
    [doc] = archive.captures("https://a.example.ir/doc.pdf")
    assert (doc.record_type, doc.status, doc.mime) == ("resource", 200, "application/pdf")
    assert archive.read_response(doc).body == pdf


def test_saved_pages_name_their_own_address():
    from vazeh.capture.importers import saved_page_url

    chrome = b"<!DOCTYPE html>\n<!-- saved from url=(0032)https://www.isna.ir/news/123456 -->\n<html></html>"
    og = b'<html><head><meta property="og:url" content="https://www.mehrnews.com/news/42"></head></html>'
    assert saved_page_url(chrome) == "https://www.isna.ir/news/123456"
    assert saved_page_url(og) == "https://www.mehrnews.com/news/42"
    assert saved_page_url(b"<html><link rel=canonical href='/relative'></html>") is None


def _warc_with_a_large_record(path, large: int):
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for i, body in enumerate([b"<p>one</p>", b"\0" * large, b"<p>three</p>"]):
            http = StatusAndHeaders("200 OK", [("Content-Type", "video/mp4" if i == 1 else "text/html")],
                                    protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"https://news.example.ir/m/{i}", "response", payload=io.BytesIO(body), length=len(body),
                http_headers=http,
            ))
    return path


def test_a_record_too_large_to_hold_is_reported_and_the_rest_imported(archive, tmp_path, monkeypatch):
    from vazeh.capture import importers

    monkeypatch.setattr(importers, "MAX_RECORD_BYTES", 50_000)
    warc = _warc_with_a_large_record(tmp_path / "media.warc.gz", 200_000)
    report = import_paths(archive, [warc])
    assert report.captures == 2 and report.skipped == 1 and not report.ok
    [problem] = report.problems
    assert problem.offset is not None and "passed over" in problem.reason and "200," in problem.reason
    assert archive.captures("https://news.example.ir/m/0") and archive.captures("https://news.example.ir/m/2")
    assert not archive.captures("https://news.example.ir/m/1")


def test_large_records_are_committed_in_batches_by_size(archive, tmp_path, make_warc, monkeypatch):
    from vazeh.capture import importers

    monkeypatch.setattr(importers, "BATCH_BYTES", 1)  # every record is a batch of its own
    commits = []
    real = importers._Importer._commit
    monkeypatch.setattr(
        importers._Importer, "_commit", lambda self, batch, origin: (commits.append(len(batch)), real(self, batch, origin))
    )
    warc = make_warc(tmp_path / "crawl.warc.gz", 4)
    report = import_paths(archive, [warc])
    assert report.captures == 4
    assert [c for c in commits if c] == [1, 1, 1, 1]


def test_a_saved_page_too_large_to_hold_is_reported(archive, tmp_path, monkeypatch):
    from vazeh.capture import importers

    monkeypatch.setattr(importers, "MAX_HTML_BYTES", 1000)
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "small.html").write_text("<html><body><p>خبر کوتاه</p></body></html>", encoding="utf-8")
    (folder / "huge.html").write_text("<html><body>" + "<p>متن</p>" * 500 + "</body></html>", encoding="utf-8")
    report = import_paths(archive, [folder])
    assert report.captures == 1 and report.skipped == 1
    assert "huge.html" in report.problems[0].file and "passed over" in report.problems[0].reason
