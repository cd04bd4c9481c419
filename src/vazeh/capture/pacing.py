"""Per-host pacing: one request per host at a time, at most `rate` per second.

Hosts are independent, so a crawl of many sites runs concurrently while each
site sees a polite, steady trickle.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class HostPacer:
    """Serializes requests per host and spaces their starts by 1/rate seconds."""

    def __init__(self, rate: float = 1.0):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._locks: dict[str, asyncio.Lock] = {}
        self._next: dict[str, float] = {}
        self._slower: dict[str, float] = {}

    def slow_down(self, host: str, seconds: float) -> None:
        """Space this host's requests at least `seconds` apart (robots.txt Crawl-delay)."""
        if seconds > self.interval:
            self._slower[host] = seconds

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(host, asyncio.Lock())
        async with lock:
            delay = self._next.get(host, 0.0) - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                yield
            finally:
                self._next[host] = time.monotonic() + self._slower.get(host, self.interval)
