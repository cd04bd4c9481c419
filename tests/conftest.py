"""Fixtures shared by every stage's tests.

- `home`: a fresh archive home folder (also set as $VAZEH_HOME for CLI runs).
- `archive`: an open `Archive` in `home`.
- `sample_site`: the bundled sample news site served on 127.0.0.1 (ephemeral
  port) for the whole test session; `sample_site.base_url`, `sample_site.url("/rss.xml")`.
  Captures from it need `allow_private=True` (CLI: `--allow-private`).
- `pg_server`: a PostgreSQL server of its own for the session (Debian's binaries,
  run as the `postgres` user in a data folder it owns, listening on 127.0.0.1 only);
  skipped with a clear message where the binaries are absent.
- `pg_catalog`: a fresh, empty PostgreSQL catalog URL (a schema of its own).
- With `VAZEH_TEST_CATALOG=postgresql` every test runs with `$VAZEH_CATALOG` set
  to a fresh PostgreSQL catalog, so each catalog-touching test (and each `vazeh`
  it runs) writes the shared server instead of `<home>/catalog.sqlite`.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from vazeh.archive import Archive, open_archive
from vazeh.sample.server import SampleServer, serve_sample


@dataclass
class SampleSite:
    server: SampleServer
    base_url: str  # e.g. http://127.0.0.1:38211 (no trailing slash)

    def url(self, path: str = "/") -> str:
        return self.base_url + "/" + path.lstrip("/")

    def __str__(self) -> str:
        return self.base_url


@pytest.fixture(scope="session")
def sample_site() -> Iterator[SampleSite]:
    server, base_url = serve_sample("127.0.0.1", 0)
    try:
        yield SampleSite(server, base_url)
    finally:
        server.stop()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "vazeh-data"
    open_archive(path).close()
    monkeypatch.setenv("VAZEH_HOME", str(path))
    return path


@pytest.fixture
def archive(home: Path) -> Iterator[Archive]:
    arch = open_archive(home)
    try:
        yield arch
    finally:
        arch.close()


# ---------------------------------------------------------------------- PostgreSQL
def _pg_bin() -> Path:
    # Debian puts each major version's server under /usr/lib/postgresql/<major>/bin.
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return Path(os.environ.get("VAZEH_PG_BIN") or (found[-1].parent if found else "/usr/lib/postgresql/15/bin"))


PG_BIN = _pg_bin()


@dataclass
class PgServer:
    port: int
    data: Path
    _schemas: Iterator[int]

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def fresh_catalog(self) -> str:
        """A catalog URL of its own: an empty schema, the connection's search path."""
        import psycopg

        name = f"t{os.getpid()}_{next(self._schemas)}"
        with psycopg.connect(self.admin_url, autocommit=True) as db:
            db.execute(f"CREATE SCHEMA {name}")
        return f"{self.admin_url}?options=-csearch_path%3D{name}"


def _as_postgres(*args: str) -> list[str]:
    # PostgreSQL refuses to run as root; the tests run as root in CI.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return list(args)


def _start_pg() -> PgServer:
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        pytest.skip(f"PostgreSQL is not installed ({PG_BIN}/initdb missing): apt-get install postgresql")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start PostgreSQL as the postgres user")
    data = Path(tempfile.mkdtemp(prefix="vazeh-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run(_as_postgres(str(PG_BIN / "initdb"), "-D", str(data / "db"), "-U", "postgres",
                                "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"),
                   check=True, capture_output=True)
    # fsync off: the test server's durability is not what is tested; the machine is shared.
    opts = (f"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=400 -c shared_buffers=64MB")
    subprocess.run(_as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data / "db"), "-o", opts,
                                "-l", str(data / "log"), "-w", "start"), check=True, capture_output=True)
    server = PgServer(port, data, itertools.count(1))
    import psycopg

    for _ in range(100):
        try:
            psycopg.connect(server.admin_url).close()
            return server
        except psycopg.OperationalError:
            time.sleep(0.1)
    raise RuntimeError(f"PostgreSQL did not come up on 127.0.0.1:{port}; see {data}/log")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = _start_pg()
    try:
        yield server
    finally:
        subprocess.run(_as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(server.data / "db"), "-m", "immediate",
                                    "stop"), capture_output=True)
        shutil.rmtree(server.data, ignore_errors=True)


@pytest.fixture
def pg_catalog(pg_server: PgServer) -> str:
    return pg_server.fresh_catalog()


TEST_CATALOG = os.environ.get("VAZEH_TEST_CATALOG", "sqlite")


@pytest.fixture(autouse=True)
def _catalog_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if TEST_CATALOG != "postgresql":
        return
    server = request.getfixturevalue("pg_server")
    monkeypatch.setenv("VAZEH_CATALOG", server.fresh_catalog())


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """A real S3-compatible server (moto's, in this process) on 127.0.0.1; its endpoint URL."""
    moto_server = pytest.importorskip("moto.server", reason="the S3 tests need moto's server (moto[server])")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
