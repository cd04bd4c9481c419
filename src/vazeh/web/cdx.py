"""CDX queries over the catalog, with pywb's CDX server parameters.

    url        the URL (or `*.host` / `prefix*` shorthands, as pywb accepts)
    matchType  exact | prefix | host | domain
    from, to   1-14 digit timestamps, inclusive
    limit      at most this many lines (negative: the last ones)
    output     `json` gives one JSON object per line; otherwise CDX text lines
    fl         comma-separated fields to output
    sort       reverse | closest (with `closest=<timestamp>`)
    filter     pywb's forms (repeatable, all must hold): `[!]field:text` the field
               contains text, `[!]=field:text` equals it, `[!]~field:regex` matches
               the regex from its start; without `field:` the whole text line

Text lines are `urlkey timestamp url mime status digest length offset filename`.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import re2

from vazeh.archive import surt

FIELDS = ("urlkey", "timestamp", "url", "mime", "status", "digest", "length", "offset", "filename")
MATCH_TYPES = ("exact", "prefix", "host", "domain")
MAX_LIMIT = 100_000
MAX_FILTERS = 32
MAX_FILTER_LENGTH = 1000
MAX_URL_LENGTH = 8000
# pywb's longer field names, as its CDX server accepts them.
ALT_FIELDS = {"mimetype": "mime", "statuscode": "status", "original": "url"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _re2_options() -> re2.Options:
    options = re2.Options()
    # A bad pattern is the client's mistake, answered with a 400; not for the server's log.
    options.log_errors = False
    # Bounds the memory (and so the compile time) of one pattern.
    options.max_mem = 8 << 20
    return options


_RE2_OPTIONS = _re2_options()


@dataclass
class CdxFilter:
    """One `filter=` of pywb's CDX server. Regexes run on RE2, whose time is linear
    in the text: Python's backtracking engine took seconds on a 7-row archive
    for `digest:^(\\w|\\w\\w)*!`, and hours for a longer one."""

    spec: str
    invert: bool
    field: str  # "" for the whole text line
    test: Callable[[str], bool]

    def __call__(self, r: dict[str, str]) -> bool:
        value = r.get(self.field, "") if self.field else " ".join(r[f] for f in FIELDS)
        return self.test(value) != self.invert


class CdxQueryError(ValueError):
    """A CDX query that cannot be run; the message says which parameter is wrong."""


@dataclass
class CdxQuery:
    url: str
    match_type: str = "exact"
    from_ts: str | None = None
    to_ts: str | None = None
    limit: int | None = None
    output: str = "text"
    fl: list[str] = field(default_factory=lambda: list(FIELDS))
    sort: str | None = None
    closest: str | None = None
    filters: list[CdxFilter] = field(default_factory=list)


def _ts(value: str | None, name: str, *, must_be_a_time: bool = True) -> str | None:
    if value is None or value == "":
        return None
    # Separators are allowed so 2024-01-31 works as well as 20240131.
    digits = re.sub(r"[-:T ]", "", value)
    if not digits.isdigit() or not digits.isascii() or len(digits) > 14:
        raise CdxQueryError(f"{name}={value!r}: give a timestamp of 1 to 14 digits, e.g. 2024 or 20240131")
    if must_be_a_time:
        # The earliest time it names is read as a date; `to` is only compared as text,
        # so `to=99999999999999` (no upper end) stays allowed.
        try:
            _iso(_bound(digits, False))
        except ValueError:
            raise CdxQueryError(
                f"{name}={value!r} is not a date and time (year 0001-9999, month 01-12, day, hour 00-23...)"
            ) from None
    return digits


def parse_filter(spec: str) -> CdxFilter:
    """`[!][=|~][field:]text` as pywb reads it; raises CdxQueryError for an unusable one."""
    if len(spec) > MAX_FILTER_LENGTH:
        raise CdxQueryError(f"filter: at most {MAX_FILTER_LENGTH} characters")
    body = spec
    invert = body.startswith("!")
    if invert:
        body = body[1:]
    mode = "contains"
    if body.startswith("="):
        mode, body = "exact", body[1:]
    elif body.startswith("~"):
        mode, body = "regex", body[1:]
    name, sep, text = body.partition(":")
    name = ALT_FIELDS.get(name, name)
    if not sep:
        name, text = "", body
    elif name not in FIELDS:
        raise CdxQueryError(
            f"filter={spec!r}: write [!]field:text, [!]=field:text or [!]~field:regex with a field from "
            f"{', '.join(FIELDS)}"
        )
    test: Callable[[str], bool]
    if mode == "exact":
        test = text.__eq__
    elif mode == "contains":
        test = lambda value: text in value  # noqa: E731
    else:
        try:
            pattern = re2.compile(text, options=_RE2_OPTIONS)
        except re2.error as e:
            reason = e.args[0].decode("utf-8", "replace") if e.args and isinstance(e.args[0], bytes) else str(e)
            raise CdxQueryError(
                f"filter={spec!r}: not a regular expression this server runs ({reason}); "
                "backreferences and lookarounds are not supported"
            ) from None
        # pywb matches a regex from the start of the value (Python's re.match).
        test = lambda value, p=pattern: p.match(value) is not None  # noqa: E731
    return CdxFilter(spec, invert, name, test)


def check_url(url: str) -> None:
    """Raises CdxQueryError unless url (scheme optional) names a web address."""
    if len(url) > MAX_URL_LENGTH:
        raise CdxQueryError(f"url: at most {MAX_URL_LENGTH} characters")
    if _CONTROL.search(url):
        raise CdxQueryError("url: control characters (CR, LF, NUL...) are not part of a web address")
    full = url if re.match(r"^[a-z][a-z0-9+.-]*://", url, re.I) else "http://" + url
    try:
        parts = urlsplit(full)
        parts.port  # noqa: B018 - raises ValueError for a port that is no number or past 65535
        host = parts.hostname
        surt(full)
    except ValueError as e:
        raise CdxQueryError(f"url={url!r} is not a web address ({e})") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise CdxQueryError(f"url={url!r} is not an http(s) address, e.g. example.com/news/*")


def parse_query(
    url: str,
    *,
    match_type: str | None = None,
    from_: str | None = None,
    to: str | None = None,
    limit: int | None = None,
    output: str | None = None,
    fl: str | None = None,
    sort: str | None = None,
    closest: str | None = None,
    filters: list[str] | None = None,
) -> CdxQuery:
    url = (url or "").strip()
    if not url:
        raise CdxQueryError("url is required, e.g. /cdx?url=example.com/news/*")
    mt = (match_type or "").strip().lower() or None
    if mt is not None and mt not in MATCH_TYPES:
        raise CdxQueryError(f"matchType={match_type!r}: use one of {', '.join(MATCH_TYPES)}")
    if mt is None:
        if url.startswith("*."):
            mt, url = "domain", url[2:]
        elif url.endswith("*"):
            mt, url = "prefix", url[:-1]
        else:
            mt = "exact"
    fields = [f.strip() for f in fl.split(",")] if fl else list(FIELDS)
    unknown = [f for f in fields if f not in FIELDS]
    if unknown:
        raise CdxQueryError(f"fl: unknown field(s) {', '.join(unknown)}; known: {', '.join(FIELDS)}")
    if sort not in (None, "", "reverse", "closest"):
        raise CdxQueryError(f"sort={sort!r}: use reverse or closest")
    if sort == "closest" and not closest:
        raise CdxQueryError("sort=closest needs closest=<timestamp>")
    check_url(url)
    if len(filters or []) > MAX_FILTERS:
        raise CdxQueryError(f"filter: at most {MAX_FILTERS} of them")
    parsed_filters = [parse_filter(f) for f in filters or []]
    if limit is not None and abs(limit) > MAX_LIMIT:
        limit = MAX_LIMIT if limit > 0 else -MAX_LIMIT
    return CdxQuery(
        url=url, match_type=mt, from_ts=_ts(from_, "from"), to_ts=_ts(to, "to", must_be_a_time=False), limit=limit,
        output="json" if (output or "").lower() == "json" else "text", fl=fields, sort=sort or None,
        closest=_ts(closest, "closest"), filters=parsed_filters,
    )


def _key_range(q: CdxQuery) -> tuple[str, str | None]:
    """The SURT range [low, high) a query covers; high None means exactly low."""
    url = q.url if re.match(r"^[a-z][a-z0-9+.-]*://", q.url, re.I) else "http://" + q.url
    key = surt(url)
    if q.match_type == "exact":
        return key, None
    host = key.split(")", 1)[0]
    if q.match_type == "prefix":
        stem = q.url.rstrip("*")
        if key.endswith(")/") and not stem.endswith("/"):
            low = host + ")"  # a bare host: the whole host
        elif stem.endswith("/") and not key.endswith("/"):
            # SURT keys drop a trailing slash, so /news/ keys as /news; the slash the
            # query asked for stays in the range (as pywb does), or /newsletter would match.
            low = key + "/"
        elif stem.endswith("?") and not key.endswith("?"):
            low = key + "?"
        else:
            low = key
        return low, low + "\uffff"
    if q.match_type == "host":
        return host + ")", host + ")\uffff"
    return host, host + "\uffff"  # domain: the host and its subdomains (com,example and com,example,www...)


def _iso(ts14: str) -> str:
    # isoformat, not strftime: strftime writes the year 0001 as "1" on Linux.
    return datetime.strptime(ts14, "%Y%m%d%H%M%S").isoformat(timespec="seconds")


def _bound(ts: str, upper: bool) -> str:
    full = (ts + ("9" if upper else "0") * 14)[:14]
    if upper:
        return full  # compared as text, so an impossible 99th second still sorts last
    full = full[:4] + (full[4:6] if full[4:6] != "00" else "01") + (full[6:8] if full[6:8] != "00" else "01") + full[8:]
    return full


def rows(db: sqlite3.Connection, q: CdxQuery) -> Iterator[dict[str, str]]:
    low, high = _key_range(q)
    sql = (
        "SELECT c.surt, c.captured_at, c.url, c.mime, c.status, c.payload_digest, r.length, r.offset, r.warc_file, "
        "r.type FROM captures c JOIN records r ON r.id=c.record WHERE "
    )
    args: list[object] = []
    if high is None:
        sql += "c.surt=?"
        args.append(low)
    elif q.match_type == "domain":
        sql += "(c.surt=? OR c.surt LIKE ? ESCAPE '\\' OR (c.surt>=? AND c.surt<?))"
        args += [low, _like(low + ",") + "%", low + ")", low + ")\uffff"]
    else:
        sql += "c.surt>=? AND c.surt<?"
        args += [low, high]
    if q.from_ts:
        sql += " AND c.captured_at>=?"
        args.append(_iso(_bound(q.from_ts, False)))
    if q.to_ts:
        # Compare at second precision: the stored text carries microseconds after the seconds.
        sql += " AND substr(c.captured_at,1,19)<=?"
        args.append(_to_iso_text(_bound(q.to_ts, True)))
    desc = q.sort == "reverse" or (q.limit is not None and q.limit < 0)
    sql += " ORDER BY c.surt, c.captured_at" if not desc else " ORDER BY c.surt DESC, c.captured_at DESC"
    results: Iterator[dict[str, str]] = (_line(r) for r in db.execute(sql, args))
    if q.filters:
        results = (r for r in results if all(f(r) for f in q.filters))
    if q.sort == "closest" and q.closest:
        target = _iso(_bound(q.closest, False))
        ordered = sorted(results, key=lambda r: abs(_seconds(_iso(r["timestamp"])) - _seconds(target)))
        results = iter(ordered)
    n = abs(q.limit) if q.limit is not None else None
    for i, r in enumerate(results):
        if n is not None and i >= n:
            return
        yield r


def _to_iso_text(ts14: str) -> str:
    return f"{ts14[0:4]}-{ts14[4:6]}-{ts14[6:8]}T{ts14[8:10]}:{ts14[10:12]}:{ts14[12:14]}"


def _seconds(iso: str) -> float:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp()


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _line(row: sqlite3.Row | tuple) -> dict[str, str]:
    key, captured_at, url, mime, status, digest, length, offset, filename, rtype = tuple(row)
    ts = captured_at[:19].replace("-", "").replace(":", "").replace("T", "")
    if rtype == "revisit":
        mime = "warc/revisit"
    return {
        "urlkey": key,
        "timestamp": ts,
        "url": url,
        "mime": mime or "unk",
        "status": str(status) if status is not None else "-",
        "digest": (digest or "-").removeprefix("sha1:"),
        "length": str(length),
        "offset": str(offset),
        "filename": filename,
    }


def render(lines: Iterator[dict[str, str]], q: CdxQuery) -> Iterator[str]:
    for r in lines:
        if q.output == "json":
            yield json.dumps({f: r[f] for f in q.fl}, ensure_ascii=False) + "\n"
        else:
            yield " ".join(r[f] for f in q.fl) + "\n"
