"""Importing damaged files (issue #12, items 4, 7, 14): every good record is kept, the
bad one reported with file, offset and reason, nothing raises, output stays short."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from vazeh.archive import open_archive
from vazeh.capture import import_paths
from vazeh.cli import app


def _load_corpus():
    path = Path(__file__).with_name("damaged_files.py")
    spec = importlib.util.spec_from_file_location("vazeh_tests_damaged_files", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


damaged = _load_corpus()
MAX_QUOTE = 400  # no problem (with its file name) or output line is longer than this

CASES = [(kind, gz) for kind in damaged.KINDS for gz in damaged.GZ_MODES] + [
    (kind, "member") for kind in damaged.MEMBER_ONLY
]


def _make(kind: str, gz: str, folder: Path):
    make = damaged.KINDS.get(kind) or damaged.MEMBER_ONLY[kind]
    return make(folder, gz)


def _check(archive, case, report) -> None:
    for u in case.kept:
        assert archive.captures(u), f"{case.kind}: lost the good record {u}"
    for u in case.lost:
        assert not archive.captures(u), f"{case.kind}: catalogued the bad record {u}"
    if case.problem:
        assert report.problems, f"{case.kind}: no problem reported"
        assert all(p.file.startswith(str(case.path)) for p in report.problems)  # a WACZ adds !member
        if case.offset is not None:
            assert case.offset in [p.offset for p in report.problems], (case.kind, report.problems)
        if case.reason:
            assert any(case.reason.lower() in p.reason.lower() for p in report.problems), report.problems
        assert report.skipped >= 1
    else:
        assert report.ok, report.problems
    for p in report.problems:
        assert len(str(p)) < MAX_QUOTE, str(p)[:500]
        assert "Traceback" not in p.reason


@pytest.mark.parametrize(("kind", "gz"), CASES, ids=[f"{k}-{g}" for k, g in CASES])
def test_a_damaged_record_is_reported_and_the_good_ones_kept(archive, tmp_path, kind, gz):
    case = _make(kind, gz, tmp_path)
    report = import_paths(archive, [case.path])
    _check(archive, case, report)
    # Again: nothing new, the same problems, still no exception.
    again = import_paths(archive, [case.path])
    assert again.records == 0 and len(again.problems) == len(report.problems)


@pytest.mark.timeout(120)
def test_odd_whole_files(archive, tmp_path):
    for case in damaged.whole_files(tmp_path):
        report = import_paths(archive, [case.path])
        _check(archive, case, report)


def test_a_reused_record_id_is_a_conflict_not_a_duplicate(archive, tmp_path):
    case = _make("conflicting record id", "none", tmp_path)
    report = import_paths(archive, [case.path])
    [problem] = report.problems
    assert "left out" in problem.reason and "first one is kept" in problem.reason
    assert report.duplicates == 0 and report.skipped == 1
    assert archive.captures(damaged.url(1))[0].url == damaged.url(1)


def test_a_commit_that_fails_anyway_keeps_the_rest_of_its_batch(archive, tmp_path, monkeypatch):
    # A record the checks let through but the catalog refuses: only it is left out.
    from vazeh.archive import store

    real = store.Archive.import_record

    def refuse(self, record, **kw):
        if record.rec_headers.get_header("WARC-Target-URI") == damaged.url(3):
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        return real(self, record, **kw)

    monkeypatch.setattr(store.Archive, "import_record", refuse)
    data, offsets = damaged.join(damaged.records(), "member")
    path = tmp_path / "refused.warc.gz"
    path.write_bytes(data)
    report = import_paths(archive, [path])
    [problem] = report.problems
    assert problem.offset == offsets[3] and "left out" in problem.reason
    assert report.records == damaged.GOOD - 1
    assert not archive.captures(damaged.url(3)) and archive.captures(damaged.url(4))


runner = CliRunner()


@pytest.mark.parametrize(("kind", "gz"), [("not a date", "none"), ("NULs without a newline", "none"),
                                          ("huge HTTP status", "whole"), ("no WARC-Type", "member")])
def test_the_import_command_says_what_was_wrong_briefly(home, tmp_path, kind, gz):
    case = _make(kind, gz, tmp_path)
    result = runner.invoke(app, ["import", "--no-extract", str(case.path)], catch_exceptions=False)
    assert result.exit_code == 1
    out = result.output
    assert "Traceback" not in out and "problem" in out and str(case.path) in out.replace("\n", "")
    assert f"skipped {1 if kind != 'NULs without a newline' else 1}" in out
    assert len(out) < 2000 and max(len(line) for line in out.splitlines()) < MAX_QUOTE
    with open_archive(home) as archive:
        assert all(archive.captures(u) for u in case.kept)


@pytest.mark.timeout(120)
def test_the_import_command_on_a_file_of_nuls_and_an_empty_file(home, tmp_path):
    nuls = tmp_path / "nuls.warc"
    nuls.write_bytes(bytes(16 << 20))
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["import", "--no-extract", str(nuls), str(empty)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "empty" in result.output and "line end" in result.output
    # Was 33.5 MB: warcio printed the whole line of NULs.
    assert len(result.output) < 2000


# ---------------------------------------------------------------------- property test
SMALL, SMALL_OFFSETS = damaged.small_warc(4)
SMALL_URLS = [damaged.url(i) for i in range(4)]


def _intact_before(damage_at: int) -> list[str]:
    """URLs of the records that end (with their two line ends) before the first damaged byte."""
    ends = SMALL_OFFSETS[1:] + [len(SMALL)]
    return [u for u, end in zip(SMALL_URLS, ends, strict=True) if end <= damage_at]


damage = st.one_of(
    st.tuples(st.just("cut"), st.integers(0, len(SMALL) - 1), st.just(b"")),
    st.tuples(st.just("flip"), st.integers(0, len(SMALL) - 1), st.integers(0, 7).map(lambda b: bytes([1 << b]))),
    st.tuples(st.just("insert"), st.integers(0, len(SMALL)), st.binary(min_size=1, max_size=64)),
)


def _apply(data: bytes, how: str, at: int, arg: bytes) -> bytes:
    if how == "cut":
        return data[:at]
    if how == "flip":
        return data[:at] + bytes([data[at] ^ arg[0]]) + data[at + 1 :]
    return data[:at] + arg + data[at:]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damages=st.lists(damage, min_size=1, max_size=3), gzipped=st.booleans())
def test_random_damage_never_raises_and_keeps_what_came_before_it(tmp_path_factory, damages, gzipped):
    import gzip

    data = SMALL
    first = min(at for _, at, _ in damages)
    for how, at, arg in sorted(damages, key=lambda d: -d[1]):  # from the end, so offsets hold
        data = _apply(data, how, min(at, len(data) - 1) if how == "flip" and data else at, arg)
    if gzipped:
        # Damage to the plain records, then gzipped as one: read as one stream.
        data = gzip.compress(data, mtime=0)
    folder = tmp_path_factory.mktemp("prop")
    path = folder / ("d.warc.gz" if gzipped else "d.warc")
    path.write_bytes(data)
    with open_archive(folder / "home") as archive:
        report = import_paths(archive, [path])
        for u in _intact_before(first):
            assert archive.captures(u), (u, report.problems)
    for p in report.problems:
        assert len(str(p)) < MAX_QUOTE
