"""robots.txt, fetched once per host per run and obeyed (RFC 9309).

A missing robots.txt (4xx) allows everything; a server error or an unreachable
robots.txt disallows the whole host for the run, as RFC 9309 asks, because a
site that is failing is not a site to crawl.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 lets crawlers stop at 500 KiB

# Fetches a URL; returns (status, body) or raises for network failures.
RobotsFetch = Callable[[str], Awaitable[tuple[int, bytes]]]


class RobotsCache:
    def __init__(self, agent: str, fetch: RobotsFetch):
        self.agent = agent
        self._fetch = fetch
        self._rules: dict[str, RobotFileParser] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        # One fetch per origin, even when many URLs of a new host arrive at once.
        async with self._locks.setdefault(origin, asyncio.Lock()):
            rules = self._rules.get(origin)
            if rules is None:
                rules = await self._load(origin)
                self._rules[origin] = rules
        return rules.can_fetch(self.agent, url)

    def crawl_delay(self, url: str) -> float | None:
        """The Crawl-delay robots.txt asks of us, once it has been read for this URL's origin."""
        parts = urlsplit(url)
        rules = self._rules.get(f"{parts.scheme}://{parts.netloc}")
        if rules is None:
            return None
        delay = rules.crawl_delay(self.agent)
        return float(delay) if delay is not None else None

    async def sitemaps(self, origin: str) -> list[str]:
        """The `Sitemap:` lines of an origin's robots.txt."""
        await self.allowed(origin + "/")
        rules = self._rules.get(origin)
        return list(rules.site_maps() or []) if rules is not None else []

    async def _load(self, origin: str) -> RobotFileParser:
        rules = RobotFileParser(origin + "/robots.txt")
        try:
            status, body = await self._fetch(origin + "/robots.txt")
        except Exception:  # noqa: BLE001 - unreachable robots.txt: stay away from the host
            rules.disallow_all = True
            return rules
        if status >= 500:
            rules.disallow_all = True
        elif 400 <= status < 500:
            rules.allow_all = True
        elif status == 200:
            text = body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
            rules.parse(text.splitlines())
        else:
            rules.allow_all = True
        return rules
