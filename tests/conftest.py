"""Fixtures shared by every stage's tests.

- `home`: a fresh archive home folder (also set as $VAZEH_HOME for CLI runs).
- `archive`: an open `Archive` in `home`.
- `sample_site`: the bundled sample news site served on 127.0.0.1 (ephemeral
  port) for the whole test session; `sample_site.base_url`, `sample_site.url("/rss.xml")`.
  Captures from it need `allow_private=True` (CLI: `--allow-private`).
"""

from __future__ import annotations

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
