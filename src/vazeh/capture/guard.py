"""The address guard: capture never reaches into private networks unless told to.

A URL from a feed or a redirect can point anywhere, including the machine the
archive runs on (127.0.0.1, ::1), its LAN (10/8, 192.168/16, fc00::/7), cloud
metadata services (169.254.169.254) or multicast groups. The guard resolves the
host name and refuses the URL if ANY address it resolves to is not global.

DNS rebinding (a name that resolves to a public address for the check and to a
private one for the connection) is closed by a second check: after httpx has
connected, the fetcher reads the peer address of the actual socket and drops the
response, unread and unarchived, when that address is refused. So the check
that decides is made on the address really connected to, at every redirect hop.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(Exception):
    """The URL's host resolves to an address capture must not connect to."""


def refusal(ip: str | IPAddress) -> str | None:
    """Why an address is refused (e.g. "loopback"), or None when it is public."""
    addr = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    if isinstance(addr, ipaddress.IPv6Address):
        # ::ffff:127.0.0.1 and friends are the IPv4 address in disguise.
        mapped = addr.ipv4_mapped or addr.sixtofour
        if mapped is not None:
            why = refusal(mapped)
            if why:
                return why
        if addr.teredo is not None:
            return "teredo tunnel"
    for why, flag in (
        ("unspecified", addr.is_unspecified),
        ("loopback", addr.is_loopback),
        ("link-local", addr.is_link_local),
        ("multicast", addr.is_multicast),
        ("private", addr.is_private),
        ("reserved", addr.is_reserved),
    ):
        if flag:
            return why
    if not addr.is_global:
        return "not globally routable"
    return None


def check_ip(ip: str, host: str, *, allow_private: bool = False) -> None:
    """Raise AddressRefused when `ip` (an address `host` resolved to) is off limits."""
    if allow_private:
        return
    why = refusal(ip.split("%", 1)[0])
    if why:
        raise AddressRefused(
            f"{host} resolves to {ip} ({why}); refusing to capture from it "
            "(use --allow-private only for servers you run yourself)"
        )


async def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (a literal IP resolves to itself)."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise OSError(f"cannot resolve {host}: {e.strerror or e}") from e
    return sorted({info[4][0] for info in infos})


async def check_host(host: str, port: int, *, allow_private: bool = False) -> list[str]:
    """Resolve `host` and refuse it if any of its addresses is not public."""
    addresses = await resolve(host, port)
    for ip in addresses:
        check_ip(ip, host, allow_private=allow_private)
    return addresses
