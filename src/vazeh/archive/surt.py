"""SURT keys: the sort-friendly form of a URL that CDX indexes use.

`https://www.Mehrnews.com/news/3867397/x?b=2&a=1` becomes
`com,mehrnews)/news/3867397/x?a=1&b=2`: scheme and `www.` dropped, host
reversed and lowercased, query arguments sorted, so that the same page
reached by slightly different URLs shares one key.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit


def surt(url: str) -> str:
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    labels = host.split(".") if host else []
    key = ",".join(reversed(labels))
    port = parts.port
    if port and not (
        (parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)
    ):
        key += f":{port}"
    # Percent-encoding differs between sites and tools for the same Persian path:
    # decode then re-encode so both spellings share one key.
    path = quote(unquote(parts.path or "/"), safe="/:@!$&'()*+,;=-._~").lower()
    key += ")" + path
    if parts.query:
        pairs = sorted(parse_qsl(parts.query, keep_blank_values=True))
        key += "?" + urlencode(pairs).lower()
    return key
