"""SURT keys: the sort-friendly form of a URL that CDX indexes use.

`https://www.Mehrnews.com/news/3867397/x/?b=2&a=1#top` becomes
`com,mehrnews)/news/3867397/x?a=1&b=2`, the key the Internet Archive's
`surt` package (the reference, and what pywb's `canonicalize` calls) gives, so
vazeh's CDX lines sort and match like other archives' indexes:

- the scheme, userinfo, fragment and default port are dropped; `www.`,
  `www2.`... is dropped from the host, which is lowercased, IDNA-encoded
  (a Persian or other unicode host becomes `xn--...`), freed of empty labels
  and reversed; an IPv4 address in any inet_aton spelling becomes dotted quad;
- the path has `.` and `..` segments resolved and repeated slashes collapsed,
  is percent-decoded until stable and encoded once (so `/%D8%A7` and the raw
  UTF-8 `/ا` share one key), lowercased, and loses a trailing slash (`/x/` and
  `/x` are one page; `/` stays);
- the query is decoded and encoded the same way, lowercased, loses the session
  ids surt strips (`jsessionid=<32>`, `phpsessid=`, `sid=`, `ASPSESSIONID`,
  `cfid&cftoken`), and its arguments are sorted as text; an empty `?` goes.

This is a reimplementation, checked against the package by tests/archive/test_surt.py,
rather than a dependency, for three reasons: the package resolves hosts that
look like IPv4 but are not (`1.2.3.999`) through DNS, and a key must not touch
the network; it raises on some URLs (a port that is no number, a lone
surrogate, blank text) where an archive that stores what it was given needs a
key anyway; and it pulls tldextract and six in for functions this does not use.
Where the package answers, this answers the same.
"""

from __future__ import annotations

import re
import socket
import struct
from urllib.parse import SplitResultBytes, quote_from_bytes, unquote_to_bytes

#: The key format's version. Stores that keep keys (the catalog, and any layer
#: above that keys its own rows by them) compare it with the one they were built
#: with to know when to rekey or rebuild. 1 was vazeh's own format, 2 is surt's.
KEY_FORMAT = 2

# RFC 3986 appendix B, with the scheme limited to scheme characters and a URL of
# a fragment alone allowed, as surt parses.
_SPLIT = re.compile(rb"^(?:([a-zA-Z][a-zA-Z0-9+.-]*):)?(?:(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?)?(?:#(.*))?$", re.S)
_HAS_SCHEME = re.compile(rb"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_REPEATED_SCHEME = re.compile(rb"^(https?://)+")
_TAB_OR_NEWLINE = re.compile(rb"[\n\r\t]")
_WWW = re.compile(rb"www\d*\.")
_DECIMAL_IP = re.compile(rb"[1-9][0-9]*(\.[0-9]+)?(\.[0-9]+)?(\.[0-9]+)?")
_OCTAL_IP = re.compile(rb"0[0-7]*(\.[0-7]+)?(\.[0-7]+)?(\.[0-7]+)?")
# Everything printable in ASCII but `%`, `#` and space stays as it is, as in Google's
# and the Internet Archive's canonicalizers.
_SAFE = b"!\"$&'()*+,-./:;<=>?@[\\]^_`{|}~"
_PATH_SESSION = [
    re.compile(rb"^(.*/)(\((?:[a-z]\([0-9a-z]{24}\))+\)/)([^?]+\.aspx.*)$", re.I | re.S),
    re.compile(rb"^(.*/)(\([0-9a-z]{24}\)/)([^?]+\.aspx.*)$", re.I | re.S),
]
_QUERY_SESSION = [
    re.compile(rb"^(.*)(?:jsessionid=[0-9a-zA-Z]{32})(?:&(.*))?$", re.I | re.S),
    re.compile(rb"^(.*)(?:phpsessid=[0-9a-zA-Z]{32})(?:&(.*))?$", re.I | re.S),
    re.compile(rb"^(.*)(?:sid=[0-9a-zA-Z]{32})(?:&(.*))?$", re.I | re.S),
    re.compile(rb"^(.*)(?:ASPSESSIONID[a-zA-Z]{8}=[a-zA-Z]{24})(?:&(.*))?$", re.I | re.S),
    re.compile(rb"^(.*)(?:cfid=[^&]+&cftoken=[^&]+)(?:&(.*))?$", re.I | re.S),
]
_DEFAULT_PORTS = {b"http": 80, b"https": 443}


def surt(url: str) -> str:
    """The SURT key of `url`, as `surt.surt(url)` gives it; never raises."""
    try:
        raw = url.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (from a broken page or query) would make surt raise;
        # carried through as bytes it comes out percent-encoded like any other.
        raw = url.encode("utf-8", "surrogatepass")
    return _key(raw).decode("utf-8", "surrogatepass")


def _key(url: bytes) -> bytes:
    if not url:
        return b"-"
    if url.startswith(b"filedesc"):
        return url
    url = _TAB_OR_NEWLINE.sub(b"", url.strip())
    if not url:
        return b"-"  # surt fails on blank text; it keys no text as "-"
    if not _HAS_SCHEME.match(url):
        url = b"http://" + url
    url = _REPEATED_SCHEME.sub(lambda m: m.group(1), url)
    m = _SPLIT.match(url)
    assert m is not None  # every group is optional and `.` spans newlines: it matches any bytes
    scheme = m.group(1) or b""
    netloc = (m.group(2) or b"").rstrip(b":")
    path = m.group(3) or None
    query = m.group(4) or None
    parts = SplitResultBytes(scheme, netloc, b"", b"", b"")
    port: bytes | None
    try:
        number = parts.port
        port = b"%d" % number if number else None
    except ValueError:
        # No number, or past 65535: surt raises. Keep the text, so such URLs key
        # apart from the host's real pages.
        port = netloc.rpartition(b"@")[2].rpartition(b":")[2].lower()
    host = parts.hostname or None
    if scheme.startswith(b"http") and host is None and path is not None:
        # `http:////host/path`: the host is the first segment.
        host, _, rest = path.lstrip(b"/").partition(b"/")
        path = b"/" + rest

    if query:
        query = _escape_once(_unescape(query))
    if host:
        host = _unescape(host)
        if not host.isascii():
            try:
                host = host.decode("utf-8", "ignore").encode("idna")
            except ValueError:
                pass  # not valid IDNA (an overlong label...): keyed percent-encoded
        host = host.replace(b"..", b".").strip(b".")
        host = _ipv4(host) or _escape_once(host.lower())
    path = _unescape(path)
    if host:
        path = _normalize_path(path)
    path = _escape_once(path)

    if host:
        host = host.lower()
        if scheme != b"dns":
            www = _WWW.match(host)
            if www:
                host = host[www.end() :]
    if port is not None and port == b"%d" % _DEFAULT_PORTS.get(scheme.lower(), 0):
        port = None
    if path:
        path = _strip_path_session(path.lower())
        if len(path) > 1 and path.endswith(b"/"):
            path = path[:-1]
    if query:
        query = _sort_query(_strip_query_session(query).lower()) or None

    key = b",".join(reversed(host.split(b"."))) if host else b""
    if key:
        if port is not None:
            key += b":" + port
        key += b")"
    else:
        key = scheme + b":"
    if path:
        key += path
    elif query is not None:
        key += b"/"
    if query is not None:
        key += b"?" + query
    return key


def _unescape(s: bytes | None) -> bytes | None:
    """Percent-decoded until nothing changes (`%2541` is `A`), as surt does."""
    if s is None:
        return None
    while True:
        un = unquote_to_bytes(s)
        if un == s:
            return s
        s = un


def _escape_once(s: bytes | None) -> bytes | None:
    return quote_from_bytes(s, safe=_SAFE).encode("ascii") if s else s


def _ipv4(host: bytes) -> bytes | None:
    """The dotted quad for a host in one of inet_aton's spellings (`3232235521`, `010.1`)."""
    if host.isdigit():
        # Masked to 32 bits, as surt does for hosts mangled in old ARC files.
        return socket.inet_ntoa(struct.pack(">L", int(host) & 0xFFFFFFFF)).encode("ascii")
    # fullmatch, not `$`: a decoded `%0a` after the digits makes gethostbyname fail,
    # while inet_aton would forgive it.
    if _DECIMAL_IP.fullmatch(host) or _OCTAL_IP.fullmatch(host):
        # surt asks gethostbyname, which parses such text as inet_aton does and, where
        # that fails (`1.2.3.999`), asks DNS. A key never goes to the network: such a
        # host is a name that does not resolve, as surt finds offline.
        try:
            return socket.inet_ntoa(socket.inet_aton(host.decode("ascii"))).encode("ascii")
        except OSError:
            return None
    return None


def _normalize_path(path: bytes | None) -> bytes:
    if not path:
        return b"/"
    kept: list[bytes] = []
    for segment in path.split(b"/")[1:]:
        if segment == b".":
            continue
        if segment == b"..":
            if kept:
                kept.pop()
            else:
                kept.append(segment)  # above the root: kept, as surt keeps it
            continue
        kept.append(segment)
    if not kept:
        return b"/"
    # Empty segments vanish (`a//b` is `a/b`), but a last empty one is the trailing slash.
    return b"/" + b"".join(s + b"/" for s in kept[:-1] if s) + kept[-1]


def _strip_path_session(path: bytes) -> bytes:
    for pattern in _PATH_SESSION:
        m = pattern.match(path)
        if m:
            path = m.group(1) + m.group(3)
    return path


def _strip_query_session(query: bytes) -> bytes:
    for pattern in _QUERY_SESSION:
        m = pattern.match(query)
        if m:
            query = m.group(1) + (m.group(2) or b"")
    return query


def _sort_query(query: bytes) -> bytes:
    if len(query) <= 1:
        return query
    # Sorted as split text, not parsed pairs: `a` and `a=` stay apart, as in surt.
    args = sorted(tuple(arg.split(b"=", 1)) for arg in query.split(b"&"))
    return b"&".join(b"=".join(arg) for arg in args)
