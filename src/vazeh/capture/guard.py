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

The streams it returns are `RecordingStream`s: they keep the bytes of the
current exchange as they crossed the socket (after TLS), so the archive stores
the request and the response head as sent and served, not as httpx parsed them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
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
                stream = await self._inner.connect_tcp(
                    ip, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
                return RecordingStream(stream)
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


# Kept until the fetcher has taken the head: more than any head httpcore accepts
# (h11 stops at 100 KiB per head) plus a read of body bytes, with 1xx heads before it.
HEAD_RECORD_LIMIT = 1 << 20


class RecordingStream(httpcore.AsyncNetworkStream):
    """A network stream that keeps the bytes of the exchange under way, as they crossed the wire.

    One connection carries one exchange at a time (HTTP/1.1; capture does not
    offer HTTP/2), so a write after reads starts a new exchange on a kept-alive
    connection and the recording starts afresh. Received bytes are kept up to
    `limit`; the fetcher lowers it once it has the head (to 0, or to the body
    cap when the body must be stored as framed on the wire, i.e. chunked).
    """

    def __init__(self, inner: httpcore.AsyncNetworkStream):
        self._inner = inner
        self.sent = bytearray()
        self.received = bytearray()
        self.limit = HEAD_RECORD_LIMIT
        self.overflow = False  # bytes were dropped: the recording is not the whole exchange
        self._reading = False

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data = await self._inner.read(max_bytes, timeout)
        self._reading = True
        room = self.limit - len(self.received)
        if len(data) > room:
            self.overflow = True
        if room > 0:
            self.received += data[:room]
        return data

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if self._reading:
            self.sent.clear()
            self.received.clear()
            self.limit = HEAD_RECORD_LIMIT
            self.overflow = False
            self._reading = False
        self.sent += buffer
        await self._inner.write(buffer, timeout)

    def keep(self, limit: int) -> None:
        """Keep at most `limit` received bytes from now on (those kept already stay)."""
        self.limit = max(limit, 0)
        if len(self.received) > self.limit:
            del self.received[self.limit :]

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        # The handshake is not part of the exchange; what is recorded is the plaintext.
        return RecordingStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)
