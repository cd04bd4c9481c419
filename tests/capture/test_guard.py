"""The address guard: private, loopback, link-local, multicast... refused, at every hop."""

from __future__ import annotations

import pytest

from vazeh.capture import FetchConfig, capture_urls, guard, refusal


@pytest.mark.parametrize(
    "ip, why",
    [
        ("127.0.0.1", "loopback"),
        ("10.20.30.40", "private"),
        ("192.168.1.1", "private"),
        ("172.16.0.1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata service
        ("224.0.0.251", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fd12:3456::1", "private"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:10.0.0.1", "private"),
        ("2002:7f00:1::1", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("100.64.0.1", "not globally routable"),  # carrier-grade NAT
    ],
)
def test_non_public_addresses_are_refused(ip, why):
    assert refusal(ip) == why


@pytest.mark.parametrize("ip", ["8.8.8.8", "185.143.232.1", "2001:4860:4860::8888"])
def test_public_addresses_pass(ip):
    assert refusal(ip) is None


def test_capture_from_loopback_is_refused_without_allow_private(archive, site):
    report = capture_urls(archive, [site.base_url + "/news/1"], FetchConfig(rate=100))
    assert report.refused == 1 and report.captured == 0
    assert "127.0.0.1" in report.errors[0] and "loopback" in report.errors[0]
    assert archive.count() == 0


def test_localhost_by_name_is_refused_after_resolution(archive, site):
    url = site.base_url.replace("127.0.0.1", "localhost") + "/news/1"
    report = capture_urls(archive, [url], FetchConfig(rate=100))
    assert report.refused == 1 and archive.count() == 0


def _only_127_0_0_1_is_public(monkeypatch):
    real = guard.refusal
    monkeypatch.setattr(guard, "refusal", lambda ip: None if str(ip) == "127.0.0.1" else real(ip))


def test_every_redirect_hop_is_checked_again(archive, site, monkeypatch):
    _only_127_0_0_1_is_public(monkeypatch)
    port = site.server_address[1]
    url = site.base_url + f"/redirect/1?to=http://127.0.0.2:{port}/news/1"
    report = capture_urls(archive, [url], FetchConfig(rate=100))
    assert report.refused == 1
    assert "127.0.0.2" in report.errors[0]
    # The first hop was allowed and archived; the refused target never was.
    assert [c.status for c in archive.iter_captures()] == [301]


def test_the_connection_goes_to_the_address_the_guard_checked(archive, site, monkeypatch):
    # No system resolver knows rebind.invalid: the capture can only succeed if the
    # socket is opened to the address the guard's own lookup returned and checked.
    lookups = []

    async def checked(host, port):
        lookups.append(host)
        return ["127.0.0.1"]

    monkeypatch.setattr(guard, "resolve", checked)
    port = site.server_address[1]
    url = f"http://rebind.invalid:{port}/news/1"
    report = capture_urls(archive, [url], FetchConfig(rate=100, allow_private=True, obey_robots=False))
    assert report.captured == 1, report.errors
    [cap] = archive.captures(url)
    record = archive.read_record(cap)
    assert record.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
    assert set(lookups) == {"rebind.invalid"}


def test_dns_rebinding_connects_to_the_checked_address_not_the_new_one(archive, site, monkeypatch):
    # The check is told 127.0.0.2 (counted as public here); the system resolver says
    # localhost is 127.0.0.1, where the site listens. The connection must go to
    # 127.0.0.2, where nothing listens, and never reach the site.
    _only_127_0_0_2_is_public(monkeypatch)

    async def public(host, port):
        return ["127.0.0.2"]

    monkeypatch.setattr(guard, "resolve", public)
    url = site.base_url.replace("127.0.0.1", "localhost") + "/news/1"
    report = capture_urls(archive, [url], FetchConfig(rate=100, obey_robots=False, retries=0))
    assert report.failed == 1 and report.captured == 0
    assert "ConnectError" in report.errors[0]
    assert archive.count() == 0


def _only_127_0_0_2_is_public(monkeypatch):
    real = guard.refusal
    monkeypatch.setattr(guard, "refusal", lambda ip: None if str(ip) == "127.0.0.2" else real(ip))


def test_disguised_loopback_spellings_are_refused(archive, site):
    port = site.server_address[1]
    urls = [f"http://2130706433:{port}/", f"http://0x7f000001:{port}/", f"http://[::ffff:127.0.0.1]:{port}/"]
    report = capture_urls(archive, urls, FetchConfig(rate=100))
    assert report.refused == 3 and archive.count() == 0
