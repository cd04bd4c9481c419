"""Capture tests run against a small site of their own (tests/capture/site) so
they can assert exact counts; the bundled sample site is exercised by the demo test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from vazeh.capture import FetchConfig
from vazeh.sample.server import SampleServer, serve_sample

SITE = Path(__file__).parent / "site"


@pytest.fixture(scope="module")
def site() -> Iterator[SampleServer]:
    server, _ = serve_sample("127.0.0.1", 0, site_dir=SITE)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def config() -> FetchConfig:
    """Fast and local: the test site is ours, so pacing and backoff are short."""
    return FetchConfig(allow_private=True, rate=100.0, backoff=0.01, timeout=5.0, max_bytes=1 << 20)
