"""Revisit detection rests on a uniqueness constraint (`originals`), on both backends.

Two writers that store the same payload of the same URL at the same time must
end with one response and one revisit of it, even when nothing else makes them
take turns: the tests here take the catalog's write turn out (`BEGIN IMMEDIATE`
becomes a plain `BEGIN`) and give each writer its own home, as two machines
sharing one catalog have.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from vazeh.archive import catalog, open_archive
from vazeh.archive.store import Archive

HEAD = [("Content-Type", "text/html; charset=utf-8")]
URL = "https://www.example.ir/fa/news/1402/"
BODY = "<html><body><h1>خبر</h1><p>متن یکسان</p></body></html>".encode()


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_catalog(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}" if request.param == "sqlite" else request.getfixturevalue("pg_catalog")
    monkeypatch.setenv("VAZEH_CATALOG", url)
    return url


def _without_write_turn(archive: Archive) -> None:
    # What a writer that skips the turn does: its transactions start as plain ones.
    execute = archive.db.execute

    def plain(sql: str, params: Any = ()) -> Any:
        return execute("BEGIN" if sql.strip() == "BEGIN IMMEDIATE" else sql, params)

    archive.db.execute = plain  # type: ignore[method-assign]


def _kinds(archive: Archive) -> list[tuple[str, int | None]]:
    return [(c.record_type, c.revisit_of) for c in archive.captures(URL)]


def test_two_writers_racing_on_one_payload_store_one_original(shared_catalog: str, tmp_path: Path) -> None:
    first, second = open_archive(tmp_path / "machine-a"), open_archive(tmp_path / "machine-b")
    _without_write_turn(first)
    _without_write_turn(second)
    # The first writer stops inside its transaction, after deciding what it writes
    # and before it writes it, while the second writer runs.
    decided, go_on = threading.Event(), threading.Event()
    append = first._append

    def paused_append(rec: Any) -> int:
        if not decided.is_set():
            decided.set()
            go_on.wait(30)
        return append(rec)

    first._append = paused_append  # type: ignore[method-assign]
    errors: list[BaseException] = []

    def write(archive: Archive) -> None:
        try:
            archive.write_exchange(url=URL, status=200, response_headers=HEAD, body=BODY)
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    a = threading.Thread(target=write, args=(first,))
    a.start()
    assert decided.wait(30)
    b = threading.Thread(target=write, args=(second,))
    b.start()
    # Without the constraint the second writer finishes here with a response of its own;
    # with it, it waits on the first writer's claim of (surt, digest) until that commits.
    b.join(3)
    go_on.set()
    a.join(30)
    b.join(30)
    assert not errors, errors
    try:
        kinds = _kinds(first)
        responses = [k for k in kinds if k[0] == "response"]
        assert len(kinds) == 2 and len(responses) == 1, kinds
        original = first.captures(URL)[0] if kinds[0][0] == "response" else first.captures(URL)[1]
        revisit = next(c for c in first.captures(URL) if c.record_type == "revisit")
        assert revisit.revisit_of == original.id
        assert revisit.payload_digest == original.payload_digest
        n = first.db.execute("SELECT COUNT(*) FROM originals WHERE capture=?", (original.id,)).fetchone()[0]
        assert n == 1
    finally:
        first.close()
        second.close()


def test_a_second_original_of_one_payload_is_refused(shared_catalog: str, tmp_path: Path) -> None:
    with open_archive(tmp_path / "h") as a:
        first = a.write_exchange(url=URL, status=200, response_headers=HEAD, body=BODY)
        other = a.write_exchange(url=URL, status=200, response_headers=HEAD, body=BODY, dedupe=False)
        assert other.record_type == "response"
        with pytest.raises(catalog.IntegrityError):  # a tuple of both drivers' errors
            a.db.execute(
                "INSERT INTO originals(surt, payload_digest, capture, captured_at) VALUES(?,?,?,?)",
                (first.surt, first.payload_digest, other.id, "2000-01-01T00:00:00"),
            )
        again = a.write_exchange(url=URL, status=200, response_headers=HEAD, body=BODY)
        assert again.record_type == "revisit" and again.revisit_of == first.id


def test_an_old_catalog_gets_its_originals_on_open_the_earliest_of_duplicates(shared_catalog: str, tmp_path: Path) -> None:
    later, earlier = datetime(2024, 3, 2, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC)
    with open_archive(tmp_path / "h") as a:
        # Two responses of one payload, the later one written first: what writers that
        # raced before the constraint leave in an old catalog.
        a.write_exchange(url=URL, status=200, response_headers=HEAD, body=BODY, captured_at=later, dedupe=False)
        first = a.write_exchange(url=URL, status=200, response_headers=HEAD, body=BODY, captured_at=earlier, dedupe=False)
        other = a.write_exchange(url="https://www.example.ir/fa/news/1403/", status=200, response_headers=HEAD,
                                 body=b"<p>other</p>")
        a.db.execute("DROP TABLE IF EXISTS originals")
        a.db.execute("DELETE FROM archive_meta WHERE key='originals_key_format'")
    with open_archive(tmp_path / "h") as a:
        rows = a.db.execute("SELECT capture FROM originals ORDER BY capture").fetchall()
        assert sorted(r[0] for r in rows) == sorted([first.id, other.id])
        again = a.write_exchange(url=URL, status=200, response_headers=HEAD, body=BODY)
        assert again.record_type == "revisit" and again.revisit_of == first.id
        assert a.read_response(again).body == BODY


def test_an_imported_older_response_becomes_the_original(shared_catalog: str, tmp_path: Path) -> None:
    with open_archive(tmp_path / "h") as a:
        live = a.write_exchange(url=URL, status=200, response_headers=HEAD, body=BODY,
                                captured_at=datetime(2024, 5, 1, tzinfo=UTC))
        old = a.write_exchange(url=URL, status=200, response_headers=HEAD, body=BODY, imported=True,
                               captured_at=datetime(2020, 5, 1, tzinfo=UTC), dedupe=False)
        again = a.write_exchange(url=URL, status=200, response_headers=HEAD, body=BODY)
        assert live.record_type == old.record_type == "response"
        assert again.revisit_of == old.id
