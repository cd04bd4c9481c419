"""Revisits are resolved when read, by URL and payload digest as pywb does, so the
order files are imported in never matters (issue 13)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from vazeh.archive import ArchiveError, payload_digest
from vazeh.capture import import_paths
from vazeh.web import WebConfig, create_app

N = 5
ORPHAN = "https://a.example.ir/gone"


def _url(i: int) -> str:
    return f"https://a.example.ir/n/{i}"


def _copy(i: int) -> str:
    return f"https://a.example.ir/copy/{i}"  # the same payload under another address


def _body(i: int) -> bytes:
    return f"<html><body><p>خبر شمارهٔ {i}</p></body></html>".encode()


def _http() -> StatusAndHeaders:
    return StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")


def _originals(path: Path) -> Path:
    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=True)
        for i in range(N):
            rec = w.create_warc_record(
                _url(i), "response", payload=io.BytesIO(_body(i)), length=len(_body(i)), http_headers=_http(),
                warc_headers_dict={"WARC-Date": f"2024-01-0{i + 1}T08:00:00Z"},
            )
            rec.rec_headers.replace_header("WARC-Payload-Digest", payload_digest(_body(i)))
            w.write_record(rec)
    return path


def _revisit(w: WARCWriter, url: str, body: bytes, refers_to: str | None, date: str, *, head: bool = True):
    rec = w.create_revisit_record(
        url, payload_digest(body), refers_to or url, "2024-01-01T08:00:00Z", http_headers=_http() if head else None
    )
    rec.rec_headers.replace_header("WARC-Date", date)
    if refers_to is None:
        rec.rec_headers.remove_header("WARC-Refers-To-Target-URI")
        rec.rec_headers.remove_header("WARC-Refers-To-Date")
    w.write_record(rec)


def _revisits(path: Path) -> Path:
    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=True)
        for i in range(N):
            _revisit(w, _url(i), _body(i), _url(i), f"2024-02-0{i + 1}T08:00:00Z")
            _revisit(w, _url(i), _body(i), None, f"2024-03-0{i + 1}T08:00:00Z", head=False)  # old style
            _revisit(w, _copy(i), _body(i), _url(i), f"2024-04-0{i + 1}T08:00:00Z")
        _revisit(w, ORPHAN, b"<p>never archived</p>", ORPHAN, "2024-05-01T08:00:00Z")
    return path


def _all_revisits(archive) -> list:
    return [c for c in archive.iter_captures() if c.record_type == "revisit"]


@pytest.fixture
def web(home):
    with TestClient(create_app(home, config=WebConfig(allow_private=True))) as c:
        yield c


def test_revisits_imported_before_their_originals_replay(archive, tmp_path, web):
    report = import_paths(archive, [_revisits(tmp_path / "revisits.warc.gz")])
    assert report.ok and report.captures == 3 * N + 1
    first = archive.captures(_url(0))[0]
    with pytest.raises(ArchiveError, match="has no original in the archive"):
        archive.read_response(first)

    report = import_paths(archive, [_originals(tmp_path / "originals.warc.gz")])
    assert report.ok and report.captures == N
    linked = {c.url: c.revisit_of for c in _all_revisits(archive)}
    assert all(linked[_url(i)] is not None for i in range(N))  # linked when the original came

    for rev in _all_revisits(archive):
        if rev.url == ORPHAN:
            continue
        i = int(rev.url.rsplit("/", 1)[1])
        got = archive.read_response(rev)
        assert got.status == 200 and got.body == _body(i), rev.url
        assert got.header("Content-Type") == "text/html; charset=utf-8"
        r = web.get(f"/web/{rev.timestamp14}id_/{rev.url}", follow_redirects=False)
        assert r.status_code == 200 and r.content == _body(i), (rev.url, r.status_code)
    # The ones under another address are found when read, and remembered.
    for i in range(N):
        [copy] = archive.captures(_copy(i))
        assert copy.revisit_of == archive.captures(_url(i))[0].id
        assert copy.status == 200


def test_a_revisit_whose_original_never_arrives_says_so(archive, tmp_path, web):
    import_paths(archive, [_revisits(tmp_path / "revisits.warc.gz"), _originals(tmp_path / "originals.warc.gz")])
    [orphan] = archive.captures(ORPHAN)
    with pytest.raises(ArchiveError, match=f"revisit capture {orphan.id} of {ORPHAN} has no original in the archive"):
        archive.read_response(orphan)
    r = web.get(f"/web/{orphan.timestamp14}id_/{ORPHAN}", follow_redirects=False)
    assert r.status_code == 502
    assert "has no original in the archive" in r.text and "Traceback" not in r.text
    assert archive.get(orphan.id).revisit_of is None


def test_a_link_that_points_nowhere_is_found_again(archive, tmp_path):
    import_paths(archive, [_originals(tmp_path / "originals.warc.gz"), _revisits(tmp_path / "revisits.warc.gz")])
    rev = next(c for c in archive.captures(_url(1)) if c.record_type == "revisit")
    other = next(c for c in archive.captures(_url(2)) if c.record_type == "revisit")
    # A capture that is not there (only SQLite lets a link point nowhere: PostgreSQL checks
    # the foreign key), and one that is not an original.
    for target in (10_000, other.id) if archive.db.dialect == "sqlite" else (other.id,):
        archive.db.execute("UPDATE captures SET revisit_of=? WHERE id=?", (target, rev.id))
        assert archive.read_response(archive.get(rev.id)).body == _body(1)
        assert archive.get(rev.id).revisit_of == archive.captures(_url(1))[0].id


def test_a_busy_catalog_does_not_fail_the_read(archive, tmp_path, home):
    import_paths(archive, [_revisits(tmp_path / "revisits.warc.gz"), _originals(tmp_path / "originals.warc.gz")])
    [copy] = archive.captures(_copy(3))
    assert copy.revisit_of is None
    writer = archive.db.reopen()
    writer.execute("BEGIN IMMEDIATE")  # another process holds the catalog for writing
    writer.execute("UPDATE captures SET status=status WHERE id=?", (copy.id,))  # and, on PostgreSQL, the row
    try:
        assert archive.read_response(copy).body == _body(3)
        assert archive.get(copy.id).revisit_of is None  # not remembered, and not waited for
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert archive.read_response(copy).body == _body(3)
    assert archive.get(copy.id).revisit_of == archive.captures(_url(3))[0].id
