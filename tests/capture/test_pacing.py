"""Per-host pacing: requests to one host are spaced; other hosts do not wait."""

from __future__ import annotations

import asyncio
import time

from vazeh.capture import FetchConfig, capture_urls
from vazeh.capture.pacing import HostPacer


def test_requests_to_one_host_are_spaced_by_the_rate():
    starts: dict[str, list[float]] = {"a": [], "b": []}

    async def one(pacer: HostPacer, host: str) -> None:
        async with pacer.slot(host):
            starts[host].append(time.monotonic())

    async def main() -> None:
        pacer = HostPacer(rate=20)  # 50 ms apart
        await asyncio.gather(*(one(pacer, h) for h in ["a", "b"] * 4))

    asyncio.run(main())
    for host, times in starts.items():
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert len(times) == 4 and all(g >= 0.045 for g in gaps), (host, gaps)
    # Hosts are independent: b's first request did not wait for a's queue.
    assert starts["b"][0] < starts["a"][1]


def test_robots_txt_is_fetched_once_per_host(archive, site):
    before = site.hits.get("/robots.txt", 0)
    urls = [f"{site.base_url}/news/{n}?v={i}" for n in (1, 2) for i in range(5)]
    report = capture_urls(archive, urls, FetchConfig(allow_private=True, rate=200))
    assert report.captured == 10
    assert site.hits["/robots.txt"] - before == 1


def test_crawl_delay_slows_a_host_down():
    pacer = HostPacer(rate=100)
    pacer.slow_down("slow.example", 0.2)
    pacer.slow_down("fast.example", 0.001)  # never faster than the configured rate
    starts: list[float] = []

    async def one(host: str) -> None:
        async with pacer.slot(host):
            starts.append(time.monotonic())

    async def main() -> None:
        await one("slow.example")
        await one("slow.example")

    asyncio.run(main())
    assert starts[1] - starts[0] >= 0.19
