"""The fetcher: HTTP exchanges into the archive, politely and defensively.

One `Fetcher` runs one crawl: an httpx.AsyncClient, a pacer (per-host rate,
concurrency across hosts), a robots.txt cache and the address guard. Every
exchange it completes becomes a request + response (or revisit) record pair.

- Redirects are followed by hand so each hop is archived as its own capture,
  and the guard and robots.txt are consulted again for every hop.
- Bytes as served: the request and the response head are stored exactly as
  they crossed the socket (`RecordingStream`), status line, header case, order,
  spacing and non-ASCII bytes included, and the body as framed on the wire:
  still gzip'd if the server compressed it, still chunked if it was sent
  chunked, as warcio's own capture_http and other crawlers keep it.
- Every attempt has deadlines that hold however the server paces its bytes:
  the response head (connect, TLS, status line and headers) must be complete
  within `timeout`, and the whole exchange within `max_seconds` (default four
  times `timeout`). httpx's own timeouts are per read, so a server dripping a
  byte every few seconds would otherwise hold an attempt for as long as it liked.
- A body larger than `max_bytes`, or still arriving at the deadline, is cut and
  its record marked `WARC-Truncated: length` / `time`. A gzip bomb is harmless:
  it is stored compressed and only ever inflated up to a limit.
- Connections go only to addresses the guard has just checked (see
  `GuardedBackend`): the name is resolved once per connection, every address
  checked, and the socket opened to that address, so DNS rebinding between the
  check and the connect has nothing to exploit.
- Timeouts, connection errors and 5xx are retried with exponential backoff.
- An HTML page's resources (stylesheets, images, fonts, scripts, iframes one level
  deep) are fetched after it through this same path and linked to it: see
  `vazeh.capture.resources`. `FetchConfig.resources=False` (`--no-resources`) skips them.
"""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urldefrag, urljoin, urlsplit

import httpcore
import httpx

from vazeh import __version__
from vazeh.archive import Archive, Capture, decode_content, detect_charset
from vazeh.capture.guard import AddressRefused, GuardedBackend, RecordingStream, check_host, check_ip
from vazeh.capture.pacing import HostPacer
from vazeh.capture.resources import DEFAULT_FRESHNESS, PageResources, ResourceCounts
from vazeh.capture.resources import DEFAULT_MAX_BYTES as DEFAULT_RESOURCE_BYTES
from vazeh.capture.resources import DEFAULT_MAX_COUNT as DEFAULT_RESOURCE_COUNT
from vazeh.capture.robots import RobotsCache

log = logging.getLogger(__name__)

USER_AGENT = f"vazeh/{__version__} (+https://github.com/vazeh; Persian news archive)"
ROBOTS_AGENT = "vazeh"
DEFAULT_MAX_BYTES = 10 << 20  # a news article is rarely over 1 MiB; 10 MiB is generous
CHARSET_SAMPLE = 2 << 20  # inflate at most this much of a body to detect its charset
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_CRAWL_DELAY = 60.0  # robots.txt Crawl-delay is honoured up to this
MAX_RETRY_AFTER = 60.0  # a longer Retry-After is a "come back later": the URL fails and is reported

OnCapture = Callable[[Capture], None]


@dataclass
class FetchConfig:
    rate: float = 1.0  # requests per second per host
    concurrency: int = 8  # hosts fetched at the same time
    max_bytes: int = DEFAULT_MAX_BYTES
    # Deadline of one attempt's whole exchange, head and body; a body still arriving
    # then is cut and archived as WARC-Truncated: time. None: 4 x timeout.
    max_seconds: float | None = None
    timeout: float = 30.0  # the response head must be complete within this; also each connect/read
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry; doubled after each
    max_redirects: int = 10
    allow_private: bool = False
    obey_robots: bool = True
    user_agent: str = USER_AGENT
    resources: bool = True  # fetch each HTML page's stylesheets, images, fonts, scripts, iframes
    resource_max_count: int = DEFAULT_RESOURCE_COUNT  # per page
    resource_max_bytes: int = DEFAULT_RESOURCE_BYTES  # per page; checked before each fetch starts
    # A resource captured less than this many seconds ago is linked, not fetched again; 0: always fetch.
    resource_freshness: float = DEFAULT_FRESHNESS


@dataclass
class Fetched:
    """What one exchange gave: the archived capture and, for the caller, the body."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    raw_body: bytes
    capture: Capture | None
    truncated: str | None = None
    ip: str | None = None
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    reason: str = ""
    http_version: str = "HTTP/1.1"
    # As they crossed the socket; None when they could not be recorded (the archive
    # then writes a head of its own from the parsed status and headers).
    http_head: bytes | None = None
    request_head: bytes | None = None
    wire_body: bytes | None = None  # the body as framed on the wire, when that is not raw_body (chunked)

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.headers if k.lower() == lname), None)

    def body(self, limit: int = 32 << 20) -> bytes:
        """The content-decoded body, inflated at most up to `limit` bytes."""
        return decode_content(self.raw_body, self.header("Content-Encoding"), limit)[0]


@dataclass
class CaptureOutcome:
    """The end of one URL's capture: its hops, or why it was skipped or failed."""

    url: str
    hops: list[Fetched] = field(default_factory=list)
    skipped: str | None = None  # "robots.txt" (the site's rules) or "address refused: ..." (the guard)
    error: str | None = None

    stopped_at: str | None = None  # the URL that was skipped or failed (a redirect target, say)
    resources: ResourceCounts = field(default_factory=ResourceCounts)  # the page's resources

    @property
    def final(self) -> Fetched | None:
        return self.hops[-1] if self.hops else None

    @property
    def kind(self) -> str:
        """How this URL ended, one of OUTCOME_KINDS.

        "http_error" is a page whose server answered 4xx or 5xx: the answer is archived
        (it is what the site said), but the page asked for was not there.
        """
        if self.skipped == "robots.txt":
            return "robots"
        if self.skipped:
            return "refused"
        if self.error:
            return "failed"
        final = self.final
        if final is None:
            return "failed"
        if final.status >= 400:
            return "http_error"
        return "captured"

    def release(self) -> None:
        """Drop the bodies (they are in the archive) so a long crawl does not hold them all."""
        for hop in self.hops:
            hop.raw_body = b""
            hop.wire_body = None


# How one URL's capture ended (CaptureOutcome.kind): the page archived; the server's
# 4xx/5xx answer archived instead of the page; the site's robots.txt forbids it; the
# address guard refused the address (private, loopback...); the connection or the
# exchange failed (refused connection, timeout, unreachable robots.txt, redirect loop).
OUTCOME_KINDS = ("captured", "http_error", "robots", "refused", "failed")


@dataclass
class CaptureReport:
    captured: int = 0  # response records written (every hop, a 404's too)
    revisits: int = 0
    redirects: int = 0
    truncated: int = 0
    robots: int = 0
    refused: int = 0  # by the address guard
    failed: int = 0  # connection or exchange failures
    pages_ok: int = 0  # URLs that ended in an archived 1xx-3xx answer
    http_errors: int = 0  # URLs whose final answer was 4xx/5xx (archived, but not the page)
    http_statuses: dict[int, int] = field(default_factory=dict)  # those final statuses, counted
    errors: list[str] = field(default_factory=list)
    resources: ResourceCounts = field(default_factory=ResourceCounts)  # summed over the pages

    @property
    def all_ok(self) -> bool:
        """Every URL ended in its page archived: no HTTP error, robots block, refusal or failure."""
        return not (self.http_errors or self.robots or self.refused or self.failed)

    def add(self, outcome: CaptureOutcome) -> None:
        self.resources.add(outcome.resources)
        kind = outcome.kind
        if kind == "captured":
            self.pages_ok += 1
        elif kind == "http_error":
            status = outcome.final.status if outcome.final else 0
            self.http_errors += 1
            self.http_statuses[status] = self.http_statuses.get(status, 0) + 1
            self.errors.append(f"{outcome.url}: HTTP {status} (the answer is archived, the page was not there)")
        elif kind == "failed" and not outcome.error:
            self.failed += 1
            self.errors.append(f"{outcome.url}: nothing was fetched")
        for hop in outcome.hops:
            if hop.status in REDIRECT_STATUSES:
                self.redirects += 1
            if hop.truncated:
                self.truncated += 1
            if hop.capture is not None:
                if hop.capture.record_type == "revisit":
                    self.revisits += 1
                else:
                    self.captured += 1
        if outcome.skipped == "robots.txt":
            self.robots += 1
        elif outcome.skipped:
            self.refused += 1
        if outcome.error:
            self.failed += 1
        if outcome.skipped or outcome.error:
            self.errors.append(f"{outcome.url}: {outcome.skipped or outcome.error}")


def wire_url(url: str) -> str:
    """The URL as it went out: percent-encoded path and query, an IDN host in punycode.

    WARC-Target-URI must be a URI (WARC 1.1 refers to RFC 3986), and tools that read
    it (pywb among them) break on raw Persian text; the request record's line is
    encoded the same way. Its SURT key equals the raw IRI's, so lookups by either
    spelling find the capture.
    """
    try:
        return str(httpx.URL(url))
    except Exception:  # noqa: BLE001 - a URL httpx could not have fetched is kept as given
        return url


class AttemptTimeout(Exception):
    """An attempt ran past its deadline (the head within `timeout`, the exchange within `max_seconds`)."""


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class Fetcher:
    """One crawl's HTTP client, pacing, robots cache and archive writer. Use `async with`."""

    def __init__(self, archive: Archive, config: FetchConfig | None = None, on_capture: OnCapture | None = None):
        self.archive = archive
        self.config = config or FetchConfig()
        self.on_capture = on_capture
        self.pacer = HostPacer(self.config.rate)
        self.robots = RobotsCache(ROBOTS_AGENT, self._fetch_robots)
        self._limit = asyncio.Semaphore(self.config.concurrency)
        # Archive writes (fsync) and the on_capture callback (extraction, indexing)
        # run on one worker thread, in order, so the event loop keeps fetching.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vazeh-archive")
        self._client: httpx.AsyncClient | None = None
        # Origins whose robots.txt fetch was refused by the guard at connect time, so
        # the URL is reported as refused and not as blocked by robots.txt.
        self._refused: dict[str, AddressRefused] = {}
        # Origins whose robots.txt could not be fetched (connection refused, timeout,
        # 5xx): robots.txt then forbids the host (RFC 9309), but the cause reported is the
        # failure, not the site's rules.
        self._robots_unreachable: dict[str, str] = {}
        self.resources = PageResources(self)

    @property
    def total_seconds(self) -> float:
        """The deadline of one attempt's whole exchange."""
        c = self.config
        return c.max_seconds if c.max_seconds is not None else 4 * c.timeout

    async def __aenter__(self) -> Fetcher:
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(self.config.timeout),
            headers={"User-Agent": self.config.user_agent, "Accept-Encoding": "gzip, deflate"},
            transport=_guarded_transport(self.config.allow_private),
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()
        self._writer.shutdown(wait=True)

    # ------------------------------------------------------------------ public
    async def capture(self, url: str, *, archive_it: bool = True, extra_headers: dict[str, str] | None = None) -> CaptureOutcome:
        """Fetch `url`, following redirects, archiving every hop; then, for an HTML page,
        its resources (unless `config.resources` is off)."""
        # One id for the page's records and its resources' (Browsertrix's WARC-Page-ID).
        page_id = str(uuid.uuid4())
        outcome = await self._follow(
            url, archive_it=archive_it, extra_headers=extra_headers, warc_headers=[("WARC-Page-ID", page_id)]
        )
        if archive_it and self.config.resources and not outcome.error and not outcome.skipped:
            try:
                await self.resources.fetch_for(outcome, page_id)
            except Exception as e:  # noqa: BLE001 - the page is archived; its resources are extras
                log.warning("fetching the resources of %s: %s", url, e)
                outcome.resources.note(f"{url}: {_describe(e)}")
        return outcome

    async def _follow(
        self,
        url: str,
        *,
        archive_it: bool = True,
        extra_headers: dict[str, str] | None = None,
        warc_headers: list[tuple[str, str]] | None = None,
    ) -> CaptureOutcome:
        """Fetch `url`, following redirects, archiving every hop (with `warc_headers` added)."""
        outcome = CaptureOutcome(url)
        current = urldefrag(url.strip())[0]  # a #fragment never reaches the server
        for _ in range(self.config.max_redirects + 1):
            outcome.stopped_at = current
            try:
                _check_scheme(current)
                # Checked here too, though every connection is checked: a refused URL is
                # reported as refused before its robots.txt is asked for.
                await self._check_address(current)
                if self.config.obey_robots:
                    if not await self.robots.allowed(current):
                        refused = self._refused.get(_origin(current))
                        if refused is not None:
                            raise refused
                        unreachable = self._robots_unreachable.get(_origin(current))
                        if unreachable is not None:
                            outcome.error = f"robots.txt could not be fetched, so the site was left alone: {unreachable}"
                            return outcome
                        outcome.skipped = "robots.txt"
                        return outcome
                    delay = self.robots.crawl_delay(current)
                    if delay:
                        self.pacer.slow_down(urlsplit(current).hostname or "", min(delay, MAX_CRAWL_DELAY))
                hop = await self._exchange(
                    current, archive_it=archive_it, extra_headers=extra_headers, warc_headers=warc_headers
                )
            except AddressRefused as e:
                outcome.skipped = f"address refused: {e}"
                return outcome
            except Exception as e:  # noqa: BLE001 - one URL's failure is reported, not raised
                outcome.error = _describe(e)
                return outcome
            outcome.hops.append(hop)
            location = hop.header("Location")
            if hop.status not in REDIRECT_STATUSES or not location:
                outcome.stopped_at = None
                return outcome
            try:
                current = _redirect_target(current, location)
            except ValueError as e:
                outcome.error = str(e)
                return outcome
        outcome.error = f"more than {self.config.max_redirects} redirects"
        return outcome

    async def capture_many(self, urls: Iterable[str], progress: Callable[[CaptureOutcome], None] | None = None) -> CaptureReport:
        report = CaptureReport()

        async def one(u: str) -> None:
            outcome = await self.capture(u)
            report.add(outcome)
            if progress:
                progress(outcome)
            outcome.release()

        await asyncio.gather(*(one(u) for u in dict.fromkeys(urls)))
        return report

    # ------------------------------------------------------------------ one exchange
    async def _exchange(
        self,
        url: str,
        *,
        archive_it: bool,
        extra_headers: dict[str, str] | None,
        warc_headers: list[tuple[str, str]] | None = None,
    ) -> Fetched:
        host = urlsplit(url).hostname or ""
        delay = self.config.backoff
        for attempt in range(self.config.retries + 1):
            try:
                # The host's turn first, then a global slot: URLs queued for a busy host
                # must not hold slots that other hosts could use.
                async with self.pacer.slot(host), self._limit:
                    fetched = await self._attempt(url, extra_headers, last=attempt == self.config.retries)
                break
            except _Retryable as e:
                log.info("retrying %s after %s (attempt %d)", url, e, attempt + 1)
                await asyncio.sleep(max(delay, min(e.retry_after or 0.0, MAX_RETRY_AFTER)))
                delay *= 2
        else:  # pragma: no cover - the last attempt never raises _Retryable
            raise RuntimeError("unreachable")
        # A 304 only answers our own conditional request (watch): it holds no page, so
        # the catalog stays free of empty captures.
        if archive_it and fetched.status != 304:
            fetched.capture = await asyncio.get_running_loop().run_in_executor(
                self._writer, self._archive, fetched, url, warc_headers or []
            )
        return fetched

    async def _check_address(self, url: str) -> None:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        await check_host(parts.hostname or "", port, allow_private=self.config.allow_private)

    async def _attempt(self, url: str, extra_headers: dict[str, str] | None, *, last: bool) -> Fetched:
        assert self._client is not None
        parts = urlsplit(url)
        # The guard checks the address of every new connection (GuardedBackend), so
        # a retry after a DNS change is checked again without a lookup of its own here.
        request = self._client.build_request("GET", url, headers=extra_headers)
        loop = asyncio.get_running_loop()
        total = self.total_seconds
        deadline = loop.time() + total
        head_seconds = min(self.config.timeout, total)
        try:
            async with asyncio.timeout(head_seconds):
                response = await self._client.send(request, stream=True)
        except TimeoutError as e:
            err = AttemptTimeout(
                f"no complete response head from {parts.netloc} within {head_seconds:g} s "
                "(the server is too slow or drips its headers; if it is only slow, raise the timeout, e.g. --timeout)"
            )
            if last:
                raise err from e
            raise _Retryable(_describe(err)) from e
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as e:
            if last:
                raise
            raise _Retryable(_describe(e)) from e
        try:
            ip = _peer_ip(response)
            if ip is not None:
                # GuardedBackend connected to a checked address; this holds should the
                # transport ever be swapped for one that resolves by itself.
                check_ip(ip, parts.hostname or "", allow_private=self.config.allow_private)
            if (response.status_code >= 500 or response.status_code == 429) and not last:
                raise _Retryable(f"HTTP {response.status_code}", _retry_after(response.headers.get("Retry-After")))
            wire = _wire(response)
            head = _final_head(bytes(wire.received), response.status_code) if wire is not None and not wire.overflow else None
            chunked = head is not None and any(k.lower() == b"transfer-encoding" for k, _ in response.headers.raw)
            if wire is not None:
                # Only a chunked body is taken from the wire; the others are what aiter_raw
                # yields, so the recording stops at the head and does not hold them twice.
                head_end = head[1] if head is not None else 0
                wire.keep(head_end + self.config.max_bytes if chunked else head_end)
            full = (lambda: wire.overflow) if chunked and wire is not None else None
            raw, truncated = await self._read_body(response, deadline, last=last, wire_full=full)
            if truncated == "time":
                log.warning("%s: cut at the %g s deadline of the exchange, archived as WARC-Truncated: time", url, total)
        finally:
            await response.aclose()
        http_head = wire_body = None
        if wire is not None and head is not None:
            http_head = bytes(wire.received[head[0] : head[1]])
            if chunked:
                framed = bytes(wire.received[head[1] :])
                end = _chunked_end(framed) if truncated is None else None
                wire_body = framed[:end] if end is not None else framed[: self.config.max_bytes]
        request_head = None
        if wire is not None:
            blank = wire.sent.find(b"\r\n\r\n")
            request_head = bytes(wire.sent[: blank + 4]) if blank >= 0 else None
        if http_head is None:
            log.info("%s: the response head was not recorded as received; archiving it as parsed", url)
        return Fetched(
            url=url,
            status=response.status_code,
            headers=_stored_headers(response),
            raw_body=raw,
            capture=None,
            truncated=truncated,
            ip=ip,
            request_headers=list(request.headers.multi_items()),
            reason=_reason_phrase(response),
            http_version=response.http_version,
            http_head=http_head,
            request_head=request_head,
            wire_body=wire_body,
        )

    async def _read_body(
        self, response: httpx.Response, deadline: float, *, last: bool, wire_full: Callable[[], bool] | None = None
    ) -> tuple[bytes, str | None]:
        chunks: list[bytes] = []
        size = 0
        try:
            # A timer, not a check per chunk: a body that stalls between bytes must be cut
            # at the deadline too, not at the next byte.
            async with asyncio.timeout_at(deadline):
                async for chunk in response.aiter_raw():
                    chunks.append(chunk)
                    size += len(chunk)
                    # A chunked body is stored framed, so its cap is on the framed bytes.
                    if size > self.config.max_bytes or (wire_full is not None and wire_full()):
                        return b"".join(chunks)[: self.config.max_bytes], "length"
        except TimeoutError:
            return b"".join(chunks), "time"
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as e:
            if not last:
                raise _Retryable(_describe(e)) from e
            if not chunks:
                raise
            return b"".join(chunks), "disconnect"
        return b"".join(chunks), None

    def _archive(self, fetched: Fetched, url: str, warc_headers: list[tuple[str, str]] | None = None) -> Capture:
        ctype = fetched.header("Content-Type")
        charset = None
        if fetched.status != 304 and fetched.raw_body:
            sample = decode_content(fetched.raw_body, fetched.header("Content-Encoding"), CHARSET_SAMPLE)[0]
            if _is_text(ctype):
                charset = detect_charset(sample, ctype).name
        extra = [("WARC-Truncated", fetched.truncated)] if fetched.truncated else []
        extra += warc_headers or []
        capture = self.archive.write_exchange(
            url=wire_url(url),
            request_headers=fetched.request_headers,
            status=fetched.status,
            reason=fetched.reason,
            response_headers=fetched.headers,
            body=fetched.wire_body if fetched.wire_body is not None else fetched.raw_body,
            captured_at=datetime.now(UTC),
            ip=fetched.ip,
            charset=charset,
            extra_warc_headers=extra,
            http_version=fetched.http_version,
            http_head=fetched.http_head,
            request_head=fetched.request_head,
        )
        if self.on_capture is not None:
            try:
                self.on_capture(capture)
            except Exception as e:  # noqa: BLE001 - a failing later stage never loses a capture
                log.warning("after capturing %s: %s", url, e)
        return capture

    async def _fetch_robots(self, url: str) -> tuple[int, bytes]:
        """robots.txt through the same guard and pacing, not archived; up to 5 redirects."""
        origin = _origin(url)
        for _ in range(6):
            try:
                hop = await self._exchange(url, archive_it=False, extra_headers=None)
            except AddressRefused as e:
                self._refused[origin] = e
                raise
            except Exception as e:
                self._robots_unreachable[origin] = _describe(e)
                raise
            location = hop.header("Location")
            if hop.status in REDIRECT_STATUSES and location:
                url = _redirect_target(url, location)
                continue
            if hop.status >= 500:
                self._robots_unreachable[origin] = f"robots.txt answered HTTP {hop.status}"
            return hop.status, hop.body(1 << 20)
        return 404, b""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _redirect_target(current: str, location: str) -> str:
    """The URL a Location header points to, or ValueError naming both when it is not a URL."""
    try:
        target = urldefrag(urljoin(current, location.strip()))[0]
        urlsplit(target).port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as e:
        raise ValueError(f"{current} redirects to {location!r}, which is not a valid URL ({e})") from None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        raise ValueError(f"{current} redirects to {location!r}, which has control characters in it")
    return target


def _ssl_context() -> ssl.SSLContext:
    # certifi's roots, as httpx uses by default; no SSL_CERT_FILE from the environment,
    # like the rest of the client, which ignores proxy variables for the guard's sake.
    return httpx.create_ssl_context(trust_env=False)


def _guarded_transport(allow_private: bool) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose every TCP connection goes through `GuardedBackend`.

    httpx does not take a network backend, so its connection pool is rebuilt with
    one; proxies are left out on purpose (they would resolve names themselves).
    """
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    if not isinstance(getattr(transport, "_pool", None), httpcore.AsyncConnectionPool):
        raise RuntimeError(
            f"httpx {httpx.__version__} builds its transport differently than vazeh expects; "
            "capture cannot pin connections to checked addresses (install httpx 0.27 or 0.28)"
        )
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=GuardedBackend(allow_private=allow_private),
    )
    return transport


def _retry_after(value: str | None) -> float | None:
    """Seconds a server asks us to wait (Retry-After: seconds, or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds()) if when.tzinfo else None


def _check_scheme(url: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"{url!r} is not an http(s) URL")


def _peer_ip(response: httpx.Response) -> str | None:
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    addr = stream.get_extra_info("server_addr")
    return str(addr[0]) if addr else None


def _wire(response: httpx.Response) -> RecordingStream | None:
    stream = response.extensions.get("network_stream")
    return stream if isinstance(stream, RecordingStream) else None


# Where a head ends, as h11 (httpx's parser) finds it: the first empty line, CRLF or bare LF.
_BLANK_LINE = re.compile(rb"\n\r?\n")


def _final_head(data: bytes, status: int) -> tuple[int, int] | None:
    """Where the head httpx answered with lies in the received bytes (1xx heads before it skipped).

    None when it is not there whole or its status is not the one httpx parsed, so
    that what is stored as received never disagrees with what the catalog says.
    """
    pos = 0
    while (m := _BLANK_LINE.search(data, pos)) is not None:
        parts = data[pos : m.end()].split(None, 2)
        code = parts[1] if len(parts) > 1 else b""
        if len(code) == 3 and code.startswith(b"1") and code != b"101":
            pos = m.end()
            continue
        return (pos, m.end()) if code == str(status).encode() else None
    return None


def _chunked_end(framed: bytes) -> int | None:
    """The length of the chunked message at the start of `framed`, trailers included.

    h11 stops reading at the last chunk, but a read may have brought bytes past
    it, which are not part of this response. None when the framing cannot be followed.
    """
    pos = 0
    while True:
        eol = framed.find(b"\r\n", pos)
        if eol < 0:
            return None
        try:
            size = int(framed[pos:eol].split(b";", 1)[0].strip(), 16)
        except ValueError:
            return None
        pos = eol + 2
        if size == 0:
            if framed.startswith(b"\n", pos) or framed.startswith(b"\r\n", pos):
                return pos + (1 if framed[pos : pos + 1] == b"\n" else 2)
            m = _BLANK_LINE.search(framed, pos)
            return m.end() if m else None
        pos += size + 2
        if pos > len(framed):
            return None


def _reason_phrase(response: httpx.Response) -> str:
    reason = response.extensions.get("reason_phrase", b"")
    return reason.decode("latin-1") if isinstance(reason, bytes) else str(reason)


def _stored_headers(response: httpx.Response) -> list[tuple[str, str]]:
    # What the catalog and callers see, beside the body de-chunked (raw_body); an
    # archived head that was not recorded is written from these, for that body.
    return [
        (k.decode("latin-1"), v.decode("latin-1"))
        for k, v in response.headers.raw
        if k.lower() != b"transfer-encoding"
    ]


def _is_text(ctype: str | None) -> bool:
    c = (ctype or "").lower()
    return c == "" or c.startswith("text/") or "html" in c or "xml" in c


def _describe(e: BaseException) -> str:
    name = type(e).__name__
    text = str(e)
    return f"{name}: {text}" if text else name


async def capture_urls_async(
    archive: Archive,
    urls: Iterable[str],
    config: FetchConfig | None = None,
    on_capture: OnCapture | None = None,
    progress: Callable[[CaptureOutcome], None] | None = None,
) -> CaptureReport:
    async with Fetcher(archive, config, on_capture) as fetcher:
        return await fetcher.capture_many(urls, progress)


def capture_urls(
    archive: Archive,
    urls: Iterable[str],
    config: FetchConfig | None = None,
    on_capture: OnCapture | None = None,
    progress: Callable[[CaptureOutcome], None] | None = None,
) -> CaptureReport:
    """Capture each URL (and its redirect hops) into `archive`; returns the counts."""
    return asyncio.run(capture_urls_async(archive, urls, config, on_capture, progress))
