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
- `s3_server`: moto's S3 server on 127.0.0.1 for the session; its endpoint URL.
- With `VAZEH_TEST_WARCS=s3` every test runs with `$VAZEH_WARCS` set to
  `s3://<session bucket>/<test id>` on that server (dummy credentials, nothing
  beyond 127.0.0.1) and `$VAZEH_ROTATE_BYTES` small (`VAZEH_TEST_ROTATE_BYTES`,
  default 4 KiB), so finished WARC files are sealed, uploaded, dropped locally
  and read back by ranged GETs while the test runs. A test about the local file
  layout itself may skip in that mode
  (`skipif(os.environ.get("VAZEH_TEST_WARCS") == "s3", reason=...)`); none does yet.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
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


TEST_WARCS = os.environ.get("VAZEH_TEST_WARCS", "file")
TEST_ROTATE_BYTES = os.environ.get("VAZEH_TEST_ROTATE_BYTES", str(4 << 10))


S3_TEST_ENV = {
    # Dummy credentials and no config files: boto3 must never look beyond 127.0.0.1.
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}  # fmt: skip


@pytest.fixture(scope="session")
def s3_bucket(s3_server: str) -> str:
    """One bucket for the session's homes (VAZEH_TEST_WARCS=s3); each test has its own prefix."""
    from vazeh.archive import warcstore

    with pytest.MonkeyPatch.context() as mp:
        for key, value in S3_TEST_ENV.items():
            mp.setenv(key, value)
        name = f"vazeh-tests-{os.getpid()}"
        warcstore.s3_client(s3_server).create_bucket(Bucket=name)
    return name


@pytest.fixture(autouse=True)
def _warcs_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if TEST_WARCS != "s3":
        return
    endpoint = request.getfixturevalue("s3_server")
    bucket = request.getfixturevalue("s3_bucket")
    for key, value in S3_TEST_ENV.items():
        monkeypatch.setenv(key, value)
    # A prefix per test: readable, and unique even for ids that differ only in what is cut.
    node = request.node.nodeid
    prefix = re.sub(r"[^A-Za-z0-9._-]+", "-", node)[-80:].strip("-") + "-" + hashlib.sha1(node.encode()).hexdigest()[:8]
    monkeypatch.setenv("VAZEH_S3_ENDPOINT", endpoint)
    monkeypatch.setenv("VAZEH_WARCS", f"s3://{bucket}/{prefix}")
    monkeypatch.setenv("VAZEH_ROTATE_BYTES", TEST_ROTATE_BYTES)


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
