"""WARC files in S3-compatible object storage, against moto's S3 server on 127.0.0.1.

moto's server (the `moto[server]` dev dependency) is a real HTTP server speaking the
S3 protocol: boto3 reaches it over a socket exactly as it reaches any store, and it
keeps ranged GETs, multipart uploads and SHA256 checksums as S3 does. It is pure
Python, so a fresh clone's `pip install -e .[dev]` has it, offline.

The archive is written and rotated locally with a small `rotate_bytes`; finished
files are sealed and uploaded; everything read afterwards (records, replay, export,
reextraction) must be byte for byte what the same archive gives from local files,
and every read of a stored file must be a ranged GET of one record.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import shutil
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vazeh.archive import Archive, ArchiveError, open_archive, warcstore
from vazeh.archive.warcstore import S3WarcStore

boto3 = pytest.importorskip("boto3")
pytest.importorskip("moto.server")

T0 = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)


def page(n: int) -> bytes:
    # A story page the extractor reads as an article (title, paragraphs), different each time.
    paras = "".join(
        f"<p>بند {j} از گزارش شمارهٔ {n}: بارش باران در شهرستان‌های شرقی ادامه دارد و راه روستاها بسته شد.</p>"
        for j in range(4)
    )
    return (
        f'<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>گزارش {n}</title></head>'
        f"<body><article><h1>گزارش شمارهٔ {n} از سیلاب</h1>{paras}</article></body></html>"
    ).encode()


def fill(archive: Archive, count: int = 12) -> list[int]:
    ids = []
    for n in range(count):
        cap = archive.write_exchange(
            url=f"https://news.example.ir/fa/news/{n}", status=200, reason="OK",
            response_headers=[("Content-Type", "text/html; charset=utf-8")], body=page(n),
            captured_at=T0 + timedelta(minutes=n),
        )  # fmt: skip
        ids.append(cap.id)
    # The same page again: a revisit, whose payload is read from the first capture's file.
    cap = archive.write_exchange(
        url="https://news.example.ir/fa/news/0", status=200, reason="OK",
        response_headers=[("Content-Type", "text/html; charset=utf-8")], body=page(0),
        captured_at=T0 + timedelta(days=1),
    )  # fmt: skip
    assert cap.record_type == "revisit"
    ids.append(cap.id)
    return ids


@dataclass
class S3:
    endpoint: str
    client: object
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)  # method, key, Range

    def bucket(self) -> str:
        name = f"vazeh-{uuid.uuid4().hex[:12]}"
        self.client.create_bucket(Bucket=name)  # type: ignore[attr-defined]
        return name

    def gets(self) -> list[tuple[str, str | None]]:
        return [(key, rng) for method, key, rng in self.requests if method == "GET"]


@pytest.fixture
def s3(s3_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("VAZEH_S3_ENDPOINT", s3_server)
    client = warcstore.s3_client(s3_server)  # the archive's own client: its requests are counted
    state = S3(s3_server, client)

    def count(request, **_kw):  # noqa: ANN001 - botocore's AWSPreparedRequest
        from urllib.parse import urlsplit

        key = urlsplit(request.url).path.split("/", 2)[-1]
        rng = request.headers.get("Range")
        state.requests.append((request.method, key, rng.decode() if isinstance(rng, bytes) else rng))

    client.meta.events.register("before-send.s3", count)
    try:
        yield state
    finally:
        client.meta.events.unregister("before-send.s3", count)


def s3_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, s3: S3, name: str = "s3-home", query: str = "") -> tuple[Path, str]:
    bucket = s3.bucket()
    monkeypatch.setenv("VAZEH_WARCS", f"s3://{bucket}/archive/2025{query}")
    return tmp_path / name, bucket


def warc_rows(archive: Archive) -> list:
    return archive.db.execute(
        "SELECT name, committed_length, sealed_at, size, sha256, location FROM warc_files ORDER BY name"
    ).fetchall()


def test_rotated_files_are_sealed_uploaded_and_checked_and_reads_are_ranged_gets(tmp_path, monkeypatch, s3):
    home, bucket = s3_home(tmp_path, monkeypatch, s3)
    archive = Archive(home, rotate_bytes=3000)
    assert isinstance(archive.warcs, S3WarcStore)
    ids = fill(archive)
    rows = warc_rows(archive)
    assert len(rows) >= 4
    *finished, current = rows
    for row in finished:
        assert row["sealed_at"] and row["location"] == f"s3://{bucket}/archive/2025/{row['name']}"
        obj = s3.client.get_object(Bucket=bucket, Key=f"archive/2025/{row['name']}")["Body"].read()
        assert len(obj) == row["size"] == row["committed_length"]
        assert hashlib.sha256(obj).hexdigest() == row["sha256"]
        assert gzip.decompress(obj).startswith(b"WARC/1.1\r\n")  # a whole WARC file, readable end to end
        assert not (archive.warc_dir / row["name"]).exists()  # the local copy went after the check
    # The file being written is neither sealed nor uploaded, and stays local.
    assert current["sealed_at"] is None and current["location"] is None
    assert (archive.warc_dir / current["name"]).exists()

    s3.requests.clear()
    stored = [archive.get(i) for i in ids if archive.get(i).warc_file != current["name"]]
    assert stored
    for cap in stored:
        assert archive.read_response(cap).body == page(int(cap.url.rsplit("/", 1)[1]))
    gets = s3.gets()
    assert gets, "records of stored files must be read from the store"
    # Every GET asked for one record's bytes: no whole-object GET.
    spans = {(f"archive/2025/{c.warc_file}", f"bytes={c.offset}-{c.offset + c.length - 1}") for c in stored}
    assert all(rng is not None for _, rng in gets)
    assert set(gets) <= spans | {
        (f"archive/2025/{archive.get(c.revisit_of).warc_file}",
         f"bytes={archive.get(c.revisit_of).offset}-{archive.get(c.revisit_of).offset + archive.get(c.revisit_of).length - 1}")
        for c in stored if c.revisit_of
    }  # fmt: skip
    archive.close()


def test_vazeh_warcs_seal_stores_the_current_file_too_and_new_writes_open_a_new_one(tmp_path, monkeypatch, s3):
    from vazeh.cli import app

    home, bucket = s3_home(tmp_path, monkeypatch, s3)
    archive = Archive(home, rotate_bytes=1 << 20)
    fill(archive, 3)
    [only] = warc_rows(archive)
    assert only["sealed_at"] is None
    archive.close()
    result = CliRunner().invoke(app, ["warcs", "seal", "--current", "--home", str(home), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["stored"] == [f"s3://{bucket}/archive/2025/{only['name']}"]
    archive = Archive(home, rotate_bytes=1 << 20)
    [row] = warc_rows(archive)
    assert row["location"] == report["stored"][0] and not (archive.warc_dir / row["name"]).exists()
    cap = archive.write_exchange(url="https://news.example.ir/fa/news/late", status=200, reason="OK",
                                 response_headers=[("Content-Type", "text/html")], body=page(99))  # fmt: skip
    assert cap.warc_file != row["name"]  # a sealed file is never appended to
    listing = CliRunner().invoke(app, ["warcs", "list", "--home", str(home), "--format", "jsonl"])
    assert listing.exit_code == 0, listing.output
    files = [json.loads(line) for line in listing.stdout.splitlines()]
    assert [f["name"] for f in files] == [row["name"], cap.warc_file]
    assert files[0]["sha256"] == row["sha256"] and files[1]["sealed_at"] is None
    archive.close()


def test_a_big_file_goes_up_in_parts_and_is_checked_by_its_composite_checksum(tmp_path, monkeypatch, s3):
    home, bucket = s3_home(tmp_path, monkeypatch, s3)
    store = warcstore.warcs_of_home(home)
    part = 5 << 20  # S3's smallest part
    store.part_bytes = part
    archive = Archive(home, rotate_bytes=64 << 20, warcs=store)
    noise = os.urandom(12 << 20)  # incompressible, so the file is > 2 parts
    cap = archive.write_exchange(url="https://news.example.ir/big.bin", status=200, reason="OK",
                                 response_headers=[("Content-Type", "application/octet-stream")], body=noise)  # fmt: skip
    s3.requests.clear()
    [stored] = archive.seal_warcs(current=True)
    methods = [m for m, _, _ in s3.requests]
    assert methods.count("PUT") >= 3  # the parts, after the POST that opens the upload
    [row] = warc_rows(archive)
    head = s3.client.head_object(Bucket=bucket, Key=f"archive/2025/{row['name']}", ChecksumMode="ENABLED")
    assert head["ContentLength"] == row["size"] > 2 * part
    whole = s3.client.get_object(Bucket=bucket, Key=f"archive/2025/{row['name']}")["Body"].read()
    parts = b"".join(hashlib.sha256(whole[i : i + part]).digest() for i in range(0, len(whole), part))
    # The server's checksum is of the parts: the one the seal was checked against.
    assert head["ChecksumSHA256"].split("-")[0] == base64.b64encode(hashlib.sha256(parts).digest()).decode()
    assert hashlib.sha256(whole).hexdigest() == row["sha256"]
    assert stored == row["location"]
    s3.requests.clear()
    assert archive.read_response(cap).body == noise
    [(key, rng)] = s3.gets()
    assert rng == f"bytes={cap.offset}-{cap.offset + cap.length - 1}"
    archive.close()


def _members(data: bytes) -> list[bytes]:
    out, rest = [], data
    while rest:
        d = zlib.decompressobj(31)
        d.decompress(rest)
        used = len(rest) - len(d.unused_data)
        out.append(rest[:used])
        rest = d.unused_data
    return out


def _shift(line: str, by: int) -> tuple[str, dict]:
    key, ts, fields = line.split(" ", 2)
    d = json.loads(fields)
    d["offset"] = int(d["offset"]) - by
    return f"{key} {ts}", d


def _readback(home: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tag: str) -> dict[str, object]:
    """Everything a user reads from an archive: records, replay, WARC and WACZ export, reextraction."""
    from fastapi.testclient import TestClient

    from vazeh.cli import app
    from vazeh.pipeline import Pipeline
    from vazeh.web import create_app

    monkeypatch.setenv("VAZEH_HOME", str(home))
    out: dict[str, object] = {}
    with open_archive(home, create=False) as archive:
        rows = archive.db.execute('SELECT record_id, warc_file, "offset", length FROM records ORDER BY id').fetchall()
        out["records"] = [archive.read_raw(r[1], r[2], r[3]) for r in rows]
        caps = list(archive.iter_captures())
    with TestClient(create_app(home)) as client:
        out["replay"] = [
            (r.status_code, r.content)
            for r in (client.get(f"/web/{c.timestamp14}id_/{c.url}") for c in caps)
        ]
    with Pipeline(home, index=False) as pipeline:
        stats = pipeline.reextract(force=True)
        assert stats.failed == 0 and stats.articles > 0
        out["articles"] = [
            tuple(r) for r in pipeline.archive.db.execute(
                "SELECT capture_id, is_article, url, title, published, data FROM articles ORDER BY capture_id"
            )
        ]  # fmt: skip
    runner = CliRunner()
    (tmp_path / tag).mkdir()
    warc, wacz = tmp_path / tag / "selection.warc.gz", tmp_path / tag / "selection.wacz"  # names are in the files
    for fmt, path in (("warc", warc), ("wacz", wacz)):
        result = runner.invoke(app, ["export", fmt, str(path), "--home", str(home)])
        assert result.exit_code == 0, result.output
    out["warc"] = _members(warc.read_bytes())[1:]  # the first member is the export's own warcinfo
    assert len(out["warc"]) > len(out["articles"])  # type: ignore[arg-type] - a request and a response each
    with zipfile.ZipFile(wacz) as z:
        names = sorted(z.namelist())
        out["wacz_names"] = names
        [data] = [z.read(n) for n in names if n.startswith("archive/")]
        info, *members = _members(data)
        out["wacz_warc"] = members
        # The export's own warcinfo (its time, its id) may differ in length by a byte or
        # two once compressed: offsets are compared from the end of it.
        lines = gzip.decompress(z.read("indexes/index.cdx.gz")).decode().splitlines()
        out["wacz_index"] = [_shift(line, len(info)) for line in lines]
    return out


def test_replay_export_and_reextract_give_the_same_bytes_as_local_files(tmp_path, monkeypatch, s3):
    local = tmp_path / "local-home"
    monkeypatch.delenv("VAZEH_WARCS", raising=False)
    archive = Archive(local, rotate_bytes=3000)
    fill(archive)
    archive.seal_warcs()  # the local store: checksums recorded, files stay
    assert all(r["sha256"] and r["location"].startswith("file:") for r in warc_rows(archive)[:-1])
    archive.close()
    remote = tmp_path / "remote-home"
    shutil.copytree(local, remote)
    # The same archive with an S3 backend: its existing files are sealed and moved there.
    home, bucket = s3_home(tmp_path, monkeypatch, s3)
    with Archive(remote) as archive:
        stored = archive.seal_warcs(current=True)
        assert len(stored) == len(warc_rows(archive))
    assert not list((remote / "warcs").glob("*.warc.gz"))  # every record now comes from the store
    s3.requests.clear()
    from_s3 = _readback(remote, monkeypatch, tmp_path, "s3")
    assert s3.gets() and all(rng for _, rng in s3.gets())
    monkeypatch.delenv("VAZEH_WARCS")
    from_files = _readback(local, monkeypatch, tmp_path, "local")
    assert from_s3 == from_files
    assert len(from_files["records"]) > 20 and from_files["articles"]  # type: ignore[arg-type]
    assert all(status == 200 for status, _ in from_files["replay"])  # type: ignore[union-attr]


def test_a_missing_or_damaged_object_is_a_clear_error_not_a_traceback(tmp_path, monkeypatch, s3):
    from fastapi.testclient import TestClient

    from vazeh.cli import app
    from vazeh.pipeline import Pipeline
    from vazeh.web import create_app

    home, bucket = s3_home(tmp_path, monkeypatch, s3)
    monkeypatch.setenv("VAZEH_HOME", str(home))
    with Archive(home, rotate_bytes=3000) as archive:
        ids = fill(archive, 6)
        archive.seal_warcs(current=True)
        victim = archive.get(ids[0])
        cut = archive.get(ids[-2])
    key = f"archive/2025/{victim.warc_file}"
    s3.client.delete_object(Bucket=bucket, Key=key)
    # Another file cut short, as a damaged copy would be.
    cut_key = f"archive/2025/{cut.warc_file}"
    if cut.warc_file != victim.warc_file:
        whole = s3.client.get_object(Bucket=bucket, Key=cut_key)["Body"].read()
        s3.client.put_object(Bucket=bucket, Key=cut_key, Body=whole[: cut.offset + 10])
    with Archive(home) as archive:
        with pytest.raises(ArchiveError, match=rf"{victim.warc_file}.*missing from the object store"):
            archive.read_response(victim)
        if cut.warc_file != victim.warc_file:
            with pytest.raises(ArchiveError, match="shorter than the catalog says"):
                archive.read_response(cut)
    with TestClient(create_app(home)) as client:
        r = client.get(f"/web/{victim.timestamp14}id_/{victim.url}")
        assert r.status_code == 502 and "missing from the object store" in r.text
    with Pipeline(home, index=False) as pipeline:
        pipeline.reextract(force=True)  # the missing file's pages fail, counted; the others are stories
    result = CliRunner().invoke(app, ["export", "warc", str(tmp_path / "x.warc.gz"), "--home", str(home)])
    assert result.exit_code == 1
    assert "missing from the object store" in result.output and "Traceback" not in result.output


def test_a_crash_between_upload_and_catalog_mark_is_finished_safely_on_the_next_write(tmp_path, monkeypatch, s3):
    home, bucket = s3_home(tmp_path, monkeypatch, s3)
    archive = Archive(home, rotate_bytes=3000)
    real = warcstore.store_sealed

    def crash_after_upload(db, store):  # noqa: ANN001
        # Uploads and checks everything, then dies before the catalog hears of it.
        rows = db.execute(
            "SELECT name, size, sha256 FROM warc_files WHERE sealed_at IS NOT NULL AND location IS NULL"
        ).fetchall()
        for name, size, sha in rows:
            store.store(store.local_dir / name, warcstore.Seal(name, size, sha))
        if rows:
            raise KeyboardInterrupt("killed")
        return []

    monkeypatch.setattr(warcstore, "store_sealed", crash_after_upload)
    with pytest.raises(KeyboardInterrupt):
        fill(archive, 6)
    archive.close()
    monkeypatch.setattr(warcstore, "store_sealed", real)
    archive = Archive(home, rotate_bytes=3000)
    uploaded = {o["Key"].rsplit("/", 1)[1] for o in s3.client.list_objects_v2(Bucket=bucket).get("Contents", [])}
    sealed = [r for r in warc_rows(archive) if r["sealed_at"]]
    assert sealed and {r["name"] for r in sealed} <= uploaded
    assert all(r["location"] is None and (archive.warc_dir / r["name"]).exists() for r in sealed)
    s3.requests.clear()
    ids = [c.id for c in archive.iter_captures()]
    archive.write_exchange(url="https://news.example.ir/fa/news/after", status=200, reason="OK",
                           response_headers=[("Content-Type", "text/html")], body=page(50))  # fmt: skip
    # The rerun found the objects already there and matching: checked, not sent again.
    assert not [m for m, k, _ in s3.requests if m == "PUT" and k.rsplit("/", 1)[1] in {r["name"] for r in sealed}]
    for r in warc_rows(archive):
        if r["name"] in {s["name"] for s in sealed}:
            assert r["location"] and not (archive.warc_dir / r["name"]).exists()
    for i in ids:
        cap = archive.get(i)
        assert archive.read_response(cap).body == page(int(cap.url.rsplit("/", 1)[1]))
    archive.close()


def test_an_object_that_differs_from_the_seal_is_replaced_and_a_store_that_is_down_loses_nothing(
    tmp_path, monkeypatch, s3
):
    home, bucket = s3_home(tmp_path, monkeypatch, s3)
    archive = Archive(home, rotate_bytes=3000)
    with monkeypatch.context() as m:
        m.setattr(S3WarcStore, "store", lambda self, path, seal: (_ for _ in ()).throw(
            warcstore.WarcStoreError("store down")))  # fmt: skip
        ids = fill(archive, 6)  # writes go on while the store is down
    sealed = [r for r in warc_rows(archive) if r["sealed_at"]]
    assert sealed and all(r["location"] is None for r in sealed)
    # Someone's bytes sit at one key already: not the sealed file, so they are replaced.
    key = f"archive/2025/{sealed[0]['name']}"
    s3.client.put_object(Bucket=bucket, Key=key, Body=b"not a warc")
    archive.seal_warcs()
    body = s3.client.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert hashlib.sha256(body).hexdigest() == sealed[0]["sha256"]
    for i in ids:
        cap = archive.get(i)
        assert archive.read_response(cap).body == page(int(cap.url.rsplit("/", 1)[1]))
    archive.close()


def test_backend_urls_are_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("VAZEH_WARCS", "s3://")
    with pytest.raises(ArchiveError, match="expected s3://bucket/prefix"):
        Archive(tmp_path / "a")
    monkeypatch.setenv("VAZEH_WARCS", "s3://bucket/p?keep=yes")
    with pytest.raises(ArchiveError, match="unknown option"):
        Archive(tmp_path / "b")
    other = tmp_path / "elsewhere"
    monkeypatch.setenv("VAZEH_WARCS", other.as_uri())
    with Archive(tmp_path / "c") as archive:
        fill(archive, 1)
        assert archive.warc_dir == other and list(other.glob("vazeh-*.warc.gz"))


def test_keep_local_keeps_the_copy_and_reads_it_first(tmp_path, monkeypatch, s3):
    home, bucket = s3_home(tmp_path, monkeypatch, s3, query="?keep_local=true")
    with Archive(home, rotate_bytes=3000) as archive:
        ids = fill(archive, 6)
        archive.seal_warcs(current=True)
        assert all(r["location"].startswith("s3://") and (archive.warc_dir / r["name"]).exists()
                   for r in warc_rows(archive))  # fmt: skip
        s3.requests.clear()
        for i in ids:
            archive.read_response(archive.get(i))
        assert not s3.gets()


def test_reads_from_io_bytes_are_the_records(tmp_path, monkeypatch, s3):
    # read_raw of a stored file is the member as written: it decompresses on its own.
    home, _ = s3_home(tmp_path, monkeypatch, s3)
    with Archive(home, rotate_bytes=3000) as archive:
        fill(archive, 4)
        archive.seal_warcs(current=True)
        for r in archive.db.execute('SELECT warc_file, "offset", length FROM records').fetchall():
            member = archive.read_raw(r[0], r[1], r[2])
            assert gzip.GzipFile(fileobj=io.BytesIO(member)).read().startswith(b"WARC/1.1\r\n")


def test_a_sealed_file_is_never_appended_to_even_when_it_stays_local(tmp_path, monkeypatch):
    # The local store keeps sealed files in place: a write after `seal --current` must
    # open a new file, or the recorded sha256 would no longer be the file's.
    monkeypatch.delenv("VAZEH_WARCS", raising=False)
    with Archive(tmp_path / "h") as archive:
        fill(archive, 2)
        archive.seal_warcs(current=True)
        [sealed] = warc_rows(archive)
        cap = archive.write_exchange(url="https://news.example.ir/fa/news/late", status=200, reason="OK",
                                     response_headers=[("Content-Type", "text/html")], body=page(77))  # fmt: skip
        assert cap.warc_file != sealed["name"]
        assert warcstore.seal_file(archive.warc_dir / sealed["name"]).sha256 == sealed["sha256"]


def test_a_local_copy_left_by_a_crash_after_the_catalog_mark_is_removed(tmp_path, monkeypatch, s3):
    home, bucket = s3_home(tmp_path, monkeypatch, s3)
    with Archive(home, rotate_bytes=3000) as archive:
        ids = fill(archive, 4)
        archive.seal_warcs(current=True)
        rows = warc_rows(archive)
        # As if killed between setting the location and removing the local file.
        leftover = archive.warc_dir / rows[0]["name"]
        leftover.write_bytes(s3.client.get_object(Bucket=bucket, Key=f"archive/2025/{rows[0]['name']}")["Body"].read())
    with Archive(home, rotate_bytes=3000) as archive:
        archive.write_exchange(url="https://news.example.ir/fa/news/next", status=200, reason="OK",
                               response_headers=[("Content-Type", "text/html")], body=page(60))  # fmt: skip
        assert not leftover.exists()
        assert archive.read_response(archive.get(ids[0])).body == page(0)


def test_a_local_file_changed_after_its_seal_is_not_accepted_by_the_store(tmp_path, monkeypatch, s3):
    home, bucket = s3_home(tmp_path, monkeypatch, s3)
    with Archive(home, rotate_bytes=3000) as archive:
        with monkeypatch.context() as m:
            m.setattr(warcstore.Sealing, "store_sealed", lambda self, **kw: [])  # the store not reached yet
            fill(archive, 4)
        first = warc_rows(archive)[0]
        path = archive.warc_dir / first["name"]
        data = bytearray(path.read_bytes())
        data[-5] ^= 0xFF  # a flipped byte, same size: only the checksum can tell
        path.write_bytes(bytes(data))
        with pytest.raises(ArchiveError, match=f"does not match {first['name']} after upload"):
            archive.seal_warcs()
        assert warc_rows(archive)[0]["location"] is None and path.exists()  # kept, for a person to look at



@pytest.mark.parametrize("moment", ["before it looks", "before its upload", "before its unlink"])
def test_two_writers_storing_the_same_file_at_once_both_go_on_quietly(tmp_path, monkeypatch, s3, caplog, moment):
    # Writers of one home store after their commits, outside the writer lock, so two can
    # take the same sealed file: the one that finds the other finished must not fail
    # (before: "gone before it was stored" or an OSError, logged, its store paused 60 s).
    home, bucket = s3_home(tmp_path, monkeypatch, s3)
    a, b = Archive(home, rotate_bytes=3000), Archive(home, rotate_bytes=3000)
    with monkeypatch.context() as m:
        m.setattr(S3WarcStore, "store", lambda self, path, seal: (_ for _ in ()).throw(
            warcstore.WarcStoreError("store down")))  # fmt: skip
        ids = fill(a, 6)
    pending = {r["name"] for r in warc_rows(a) if r["sealed_at"] and r["location"] is None}
    assert pending
    first = (b.warc_dir / min(pending)).as_posix()
    fired = []

    def a_finishes_first() -> None:  # once: a stores every pending file and drops the local copies
        if not fired:
            fired.append(moment)
            assert warcstore.store_sealed(a.db, a.warcs)

    real_store, real_exists = S3WarcStore.store, Path.exists

    def store_of_b(self, path, seal):  # noqa: ANN001
        if moment == "before its upload":
            a_finishes_first()
        where = real_store(self, path, seal)
        if moment == "before its unlink":
            a_finishes_first()
        return where

    def exists(path: Path) -> bool:
        if moment == "before it looks" and path.as_posix() == first:
            a_finishes_first()
        return real_exists(path)

    caplog.clear()
    with monkeypatch.context() as m, caplog.at_level("WARNING", logger="vazeh"):
        m.setattr(b.warcs, "store", store_of_b.__get__(b.warcs))
        m.setattr(Path, "exists", exists)
        warcstore.store_sealed(b.db, b.warcs)  # no exception
    assert fired
    assert not [r.getMessage() for r in caplog.records if r.levelno >= 30]
    for r in warc_rows(a):
        if r["name"] in pending:
            assert r["location"] == f"s3://{bucket}/archive/2025/{r['name']}"
            assert not (a.warc_dir / r["name"]).exists()
    for i in ids:
        cap = b.get(i)
        assert b.read_response(cap).body == page(int(cap.url.rsplit("/", 1)[1]))
    a.close()
    b.close()
