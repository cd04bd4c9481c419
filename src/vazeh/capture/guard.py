"""The address guard: capture never reaches into private networks unless told to.

A URL from a feed or a redirect can point anywhere, including the machine the
archive runs on (127.0.0.1, ::1), its LAN (10/8, 192.168/16, fc00::/7), cloud
metadata services (169.254.169.254) or multicast groups. The guard resolves the
host name and refuses the URL if ANY address it resolves to is not global.

DNS rebinding (a name that resolves to a public address for the check and to a
private one for the connection) is closed by never resolving twice: the
fetcher's connections are opened by `GuardedBackend`, which resolves the name,
checks every address, and connects to one of exactly those addresses. The
request is only written to a socket whose peer was checked; TLS still sends the
host name (SNI) and verifies the certificate against it, because httpcore
passes the origin's host name to `start_tls`, not the address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import typing

import httpcore

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
    # getaddrinfo's order is the system's preference (RFC 6724); keep it, once each.
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def check_host(host: str, port: int, *, allow_private: bool = False) -> list[str]:
    """Resolve `host` and refuse it if any of its addresses is not public."""
    addresses = await resolve(host, port)
    for ip in addresses:
        check_ip(ip, host, allow_private=allow_private)
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only to addresses the guard has checked.

    `connect_tcp` gets the URL's host name; it resolves it once, refuses the
    connection (AddressRefused, before any byte is sent) when any address is off
    limits, and otherwise connects to the checked addresses in order. No second
    lookup happens anywhere, so there is nothing for a rebinding DNS server to
    answer differently.
    """

    def __init__(self, *, allow_private: bool = False, inner: httpcore.AsyncNetworkBackend | None = None):
        self.allow_private = allow_private
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await check_host(host, port, allow_private=self.allow_private)
        except OSError as e:
            raise httpcore.ConnectError(str(e)) from e
        if not addresses:
            raise httpcore.ConnectError(f"{host} resolves to no address")
        error: Exception | None = None
        for ip in addresses:
            try:
                return await self._inner.connect_tcp(
                    ip, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as e:
                error = e
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError(f"capture connects over TCP only, not to the unix socket {path}")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
