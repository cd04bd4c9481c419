"""The CDX server at /cdx, answering as pywb's CDX server does for a local collection.

Parameters, as pywb 2.10 reads them (tests/peers/test_cdx_conformance.py holds the
two servers to the same answers over the same WARC files):

    url            required; `*.host` and `prefix*` shorthands when matchType is not given
    matchType      exact (default) | prefix | host | domain
    from, to       1-14 digits, padded (from with 10000101000000, to with 29991231235959)
                   and compared with the 14-digit timestamp as text
    limit          default 100000; 0 means no limit; negative gives nothing
    sort           reverse (the last `limit` captures, newest first) | closest
    reverse        1/true: as sort=reverse
    closest        a timestamp (padded up, as pywb) or `now`: captures by distance from
                   it, nearest first; sort=closest is not needed
    output         cdxj (default) | json (one object per line) | text | link
    fl             fields to output, comma-separated; a field a line lacks is `-` in
                   text and left out of cdxj/json (aliases are not read here, as in pywb)
    filter         repeatable, all must hold: `[!]field:text` contains, `[!]=field:text`
                   equals, `[!]~field:regex` matches from the start (RE2, so in linear
                   time); without a field, the whole line as JSON. Aliases: original, u,
                   mimetype, m, statuscode, l, s (length, as in pywb), o, d, t, k, f
    content_type   as filter==mime:<type>, replacing the filters
    resolveRevisits  1/true: a revisit takes its original's mime (and status) and every
                   line gains orig.length, orig.offset, orig.filename
    collapseTime   N: of consecutive lines with the same first N timestamp digits and
                   status, only the first
    page, pageSize   accepted and ignored: a local index has no pages (as in pywb)
    showNumPages   1/true: the key range's lines with none of the above applied (what
                   pywb answers for a local index)
    allowFuzzy     on unless 0/false: when nothing matches, pywb's general fuzzy query
                   (the URL without its query, as a prefix) answers, lines marked is_fuzzy

A revisit line has no status (pywb's indexes leave it out), so `filter=status:200`
skips revisits. Errors are `{"message": ...}` JSON with a 400.

Deliberate differences, both on malformed input: where pywb answers a 500 (limit or
collapseTime not a number, a regex that does not compile, reverse with a negative
limit) vazeh answers a 400, and a from/to/closest that is not 1-14 digits is a 400
where pywb compares it as text. When nothing matches, pywb's general fuzzy rule
answers (allowFuzzy, on by default); its site rules (twitter, facebook...) are
not applied. No `source`, `source-coll` or `access` fields: they describe pywb's
collection layout.
"""

from __future__ import annotations

import json
import posixpath
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import formatdate
from functools import lru_cache
from urllib.parse import quote, urlsplit

import re2
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from warcio.timeutils import timestamp_to_sec

from vazeh.archive import surt
from vazeh.archive.catalog import CatalogConnection

FIELDS = ("urlkey", "timestamp", "url", "mime", "status", "digest", "length", "offset", "filename")
ORIG_FIELDS = ("orig.length", "orig.offset", "orig.filename")
MATCH_TYPES = ("exact", "prefix", "host", "domain")
OUTPUTS = ("cdxj", "json", "text", "link")
DEFAULT_OUTPUT = "cdxj"
DEFAULT_LIMIT = 100_000
# Also the most lines `limit=0` (no limit) gives: one answer stays bounded.
MAX_LIMIT = 100_000
MAX_FILTERS = 32
MAX_FILTER_LENGTH = 1000
MAX_URL_LENGTH = 8000
# pywb's CDXObject.CDX_ALT_FIELDS. Its dict literal names `s` twice, so `s` is length.
ALT_FIELDS = {
    "u": "url", "original": "url", "statuscode": "status", "mimetype": "mime", "m": "mime", "l": "length",
    "s": "length", "o": "offset", "d": "digest", "t": "timestamp", "k": "urlkey", "f": "filename",
}
PAD_DOWN = "10000101000000"
PAD_UP = "29991231235959"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Line = dict[str, str]


def _re2_options() -> re2.Options:
    options = re2.Options()
    # A bad pattern is the client's mistake, answered with a 400; not for the server's log.
    options.log_errors = False
    # Bounds the memory (and so the compile time) of one pattern.
    options.max_mem = 8 << 20
    return options


_RE2_OPTIONS = _re2_options()


def whole_line(r: Line) -> str:
    """The text a field-less filter reads: pywb's str() of a line read from a CDXJ index."""
    return json.dumps(r)


@dataclass
class CdxFilter:
    """One `filter=` of pywb's CDX server. Regexes run on RE2, whose time is linear
    in the text: Python's backtracking engine took seconds on a 7-row archive
    for `digest:^(\\w|\\w\\w)*!`, and hours for a longer one."""

    spec: str
    invert: bool
    field: str  # "" for the whole line
    test: Callable[[str], bool]

    def __call__(self, r: Line) -> bool:
        value = r.get(self.field, "") if self.field else whole_line(r)
        return self.test(value) != self.invert


class CdxQueryError(ValueError):
    """A CDX query that cannot be run; the message says which parameter is wrong."""


@dataclass
class CdxQuery:
    url: str
    match_type: str = "exact"
    from_ts: str | None = None
    to_ts: str | None = None
    limit: int = DEFAULT_LIMIT
    output: str = DEFAULT_OUTPUT
    fl: list[str] | None = None
    reverse: bool = False
    closest: str | None = None
    filters: list[CdxFilter] = field(default_factory=list)
    resolve_revisits: bool = False
    collapse_time: int | None = None
    show_num_pages: bool = False
    allow_fuzzy: bool = True
    # What pywb's fuzzy query keeps of the request: sort=reverse (not reverse=1), a
    # limit only when one was given, the content_type filter.
    sort_reverse: bool = False
    limit_given: bool = False
    type_filters: list[CdxFilter] = field(default_factory=list)


def to_bool(value: str | None) -> bool:
    """pywb's reading of a flag: anything but empty, 0, false, f, off."""
    return bool(value) and value.lower() not in ("0", "false", "f", "off")  # type: ignore[union-attr]


def _ts(value: str | None, name: str) -> str | None:
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 14:
        raise CdxQueryError(f"{name}={value!r}: give a timestamp of 1 to 14 digits, e.g. 2024 or 20240131")
    return value


def _int(value: str | int | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    try:
        return int(value.strip())
    except ValueError:
        raise CdxQueryError(f"{name}={value!r}: give a whole number") from None


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
    if not sep:
        name, text = "", body
    # A field no line has reads as "" (pywb's cdx.get(field, '')): no error.
    name = ALT_FIELDS.get(name, name)
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
    url: str | None,
    *,
    match_type: str | None = None,
    from_: str | None = None,
    to: str | None = None,
    limit: int | str | None = None,
    output: str | None = None,
    fl: str | None = None,
    sort: str | None = None,
    closest: str | None = None,
    filters: list[str] | None = None,
    reverse: str | None = None,
    resolve_revisits: str | None = None,
    collapse_time: str | None = None,
    show_num_pages: str | None = None,
    content_type: str | None = None,
    allow_fuzzy: str | None = None,
) -> CdxQuery:
    out = output or DEFAULT_OUTPUT
    if out not in OUTPUTS:
        raise CdxQueryError(f"output={out} not supported")
    url = (url or "").strip()
    if not url:
        raise CdxQueryError('The "url" param is required')
    mt = match_type or None
    if mt is not None and mt not in MATCH_TYPES:
        raise CdxQueryError(f"Invalid match_type: {mt}")
    if mt is None:
        if url.startswith("*."):
            mt, url = "domain", url[2:]
        elif url.endswith("*"):
            mt, url = "prefix", url[:-1]
        else:
            mt = "exact"
    check_url(url)
    fields = fl.split(",") if fl else None
    if content_type:
        filters = ["=mime:" + content_type]
    if len(filters or []) > MAX_FILTERS:
        raise CdxQueryError(f"filter: at most {MAX_FILTERS} of them")
    parsed_filters = [parse_filter(f) for f in filters or []]
    n = _int(limit, "limit")
    n = DEFAULT_LIMIT if n is None else n
    is_reverse = to_bool(reverse) or sort == "reverse"
    if closest == "now":
        closest = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    near = _ts(closest, "closest")
    if is_reverse and not near and n < 0:
        raise CdxQueryError(f"limit={n}: reverse needs a limit of 0 or more")
    collapse = _int(collapse_time, "collapseTime")
    return CdxQuery(
        url=url, match_type=mt, from_ts=_ts(from_, "from"), to_ts=_ts(to, "to"), limit=n, output=out, fl=fields,
        reverse=is_reverse, closest=near, filters=parsed_filters, resolve_revisits=to_bool(resolve_revisits),
        collapse_time=collapse, show_num_pages=to_bool(show_num_pages),
        allow_fuzzy=allow_fuzzy is None or to_bool(allow_fuzzy), sort_reverse=sort == "reverse",
        limit_given=_int(limit, "limit") is not None, type_filters=parsed_filters if content_type else [],
    )


def _key_range(q: CdxQuery) -> tuple[str, str]:
    """The SURT range [low, high) a query covers, as pywb's calc_search_range."""
    url = q.url if re.match(r"^[a-z][a-z0-9+.-]*://", q.url, re.I) else "http://" + q.url
    key = surt(url)
    if q.match_type == "exact":
        return key, key + "!"
    host = key.split(")/", 1)[0]
    if q.match_type == "prefix":
        if q.url.endswith("/") and not key.endswith("/"):
            key += "/"
        if q.url.endswith("?") and not key.endswith("?"):
            key += "?"
        return key, _next(key)
    if q.match_type == "host":
        return host + ")/", host + "*"
    # domain: a bare TLD (`*.com`) has no `)/` of its own
    low = host + "," if "," not in host else host + ")/"
    return low, host + "-"  # `-` follows `,`: the host's subdomains, not example,ab


def _next(key: str) -> str:
    return key[:-1] + chr(ord(key[-1]) + 1)


def _iso_text(ts14: str) -> str:
    """A 14-digit timestamp as the catalog's captured_at text, for comparing as text."""
    return f"{ts14[0:4]}-{ts14[4:6]}-{ts14[6:8]}T{ts14[8:10]}:{ts14[10:12]}:{ts14[12:14]}"


def _pad(ts: str, pad: str) -> str:
    return ts + pad[len(ts):]


def _select(db: CatalogConnection, q: CdxQuery, *, clamp: bool, desc: bool) -> Iterator[Line]:
    from vazeh.archive.store import capture_index_rows

    low, high = _key_range(q)
    lo = _iso_text(_pad(q.from_ts, PAD_DOWN)) if clamp and q.from_ts else None
    hi = _iso_text(_pad(q.to_ts, PAD_UP)) if clamp and q.to_ts else None
    for row in capture_index_rows(db, low, high, from_text=lo, to_text=hi, desc=desc):
        yield _line(row)


def rows(db: CatalogConnection, q: CdxQuery) -> Iterator[Line]:
    """The lines of a query; when there are none, those of pywb's general fuzzy
    query (marked is_fuzzy), unless allowFuzzy is off."""
    found = False
    for r in _run(db, q):
        found = True
        yield r
    if found or not q.allow_fuzzy:
        return
    fuzzy = _fuzzy_query(q)
    for r in _run(db, fuzzy):
        if _fuzzy_match(q, r):
            r["is_fuzzy"] = "1"
            yield r


FUZZY_LIMIT = 100
# pywb's rules.yaml default_filters.url_normalize: applied in turn to both keys, which
# match when they are equal after any step. Fixed patterns, not a client's, so re.
_URL_NORMALIZE = [(re.compile(a), b) for a, b in (
    (r"[?&](_|cb|uncache)=([\d]+)(?=&|$)", ""),
    (r"[?&]utm_[^=]+=[^&]+(?=&|$)", ""),
    (r"[?&](callback=jsonp)[^&]+(?=&|$)", r"\1"),
    (r"[?&]((?:\w+)=jquery)[\d]+_[\d]+", r"\1"),
    (r"[?&](\w*(bust|ts)\w*=1[\d]{12,15})(?=&|$)", ""),
    (r"[?&](fbclid)=(.*)(?=&|$)", ""),  # pywb: (.*)+, the same text without the backtracking
)]
_NOT_FILE_EXTS = ("asp", "aspx", "jsp", "php", "pl", "exe", "dll")
_QUERYLESS_MIMES = ("application/x-shockwave-flash", "application/dash+xml", "application/x-mpegURL",
                    "application/vnd.apple.mpegurl")


def _fuzzy_query(q: CdxQuery) -> CdxQuery:
    """pywb's catch-all fuzzy rule: the URL up to its query (and the slash before it),
    as a prefix; closest, reverse=1 and the filters dropped, 100 lines unless a limit
    was given. pywb's site rules (twitter, facebook, youtube...) are not applied."""
    url = q.url
    cut = url.find("?")
    if cut > 0:
        url = url[:cut - 1] if url[cut - 1] == "/" else url[:cut]
    return replace(q, url=url, match_type="prefix", filters=list(q.type_filters), closest=None,
                   reverse=q.sort_reverse, limit=q.limit if q.limit_given else FUZZY_LIMIT)


def _fuzzy_match(q: CdxQuery, r: Line) -> bool:
    """pywb's match_general_fuzzy_query: the same URL but for its query, where the
    path names a file (or the type is a stream's), else keys equal once normalized."""
    url_no_query = q.url.split("?", 1)[0]
    ext = posixpath.splitext(url_no_query.rsplit("/", 1)[-1])[1][1:]
    if (ext and ext not in _NOT_FILE_EXTS) or (not ext and r.get("mime") in _QUERYLESS_MIMES):
        if r["url"] == url_no_query or r["url"].startswith(url_no_query + "?"):
            return True
    ours, theirs = _normalized(_key_range(q)[0]), _normalized(r["urlkey"])
    return any(a == b for a, b in zip(ours, theirs, strict=True))


@lru_cache(maxsize=4096)
def _normalized(key: str) -> tuple[str, ...]:
    """The key after each of pywb's url_normalize steps in turn; cached, as the asked
    key is compared with every line of a fuzzy answer."""
    steps = []
    for pattern, repl in _URL_NORMALIZE:
        key = pattern.sub(repl, key)
        steps.append(key)
    return tuple(steps)


def _run(db: CatalogConnection, q: CdxQuery) -> Iterator[Line]:
    """The lines of a query, through pywb's steps in its order: resolveRevisits,
    filters, from/to, collapseTime, then closest, reverse or limit."""
    if q.show_num_pages:
        # pywb answers a local index's showNumPages with the range's lines, unprocessed.
        yield from _take(_select(db, q, clamp=False, desc=False), MAX_LIMIT)
        return
    # Revisits are resolved against originals that may lie outside from/to, and
    # collapsing depends on the order: only a plain reverse may run backwards in SQL.
    simple_reverse = q.reverse and not q.closest and not q.resolve_revisits and q.collapse_time is None
    results: Iterable[Line] = _select(db, q, clamp=not q.resolve_revisits, desc=simple_reverse)
    if q.resolve_revisits:
        results = _resolve_revisits(results)
    if q.filters:
        results = (r for r in results if all(f(r) for f in q.filters))
    if q.resolve_revisits and (q.from_ts or q.to_ts):
        low = _pad(q.from_ts, PAD_DOWN) if q.from_ts else None
        high = _pad(q.to_ts, PAD_UP) if q.to_ts else None
        results = (r for r in results
                   if not (low and r["timestamp"] < low) and not (high and r["timestamp"] > high))
    if q.collapse_time is not None:
        results = _collapse(results, q.collapse_time)
    limit = min(q.limit, MAX_LIMIT)
    if q.closest:
        yield from _closest(results, q.closest, limit)
    elif q.reverse:
        if simple_reverse:
            yield from _take(results, limit or MAX_LIMIT)
        else:
            yield from deque(results, maxlen=limit or MAX_LIMIT).__reversed__()
    else:
        yield from _take(results, limit or MAX_LIMIT)


def _take(results: Iterable[Line], n: int) -> Iterator[Line]:
    for i, r in enumerate(results):
        if i >= n:
            return
        yield r


def _closest(results: Iterable[Line], closest: str, limit: int) -> Iterator[Line]:
    if limit <= 0:
        return  # pywb keeps the `limit` nearest: none
    target = timestamp_to_sec(closest)
    # A stable sort by distance: of two at the same distance the earlier comes first, as in pywb.
    ordered = sorted(results, key=lambda r: abs(target - timestamp_to_sec(r["timestamp"])))
    yield from ordered[:limit]


def _collapse(results: Iterable[Line], digits: int) -> Iterator[Line]:
    last: tuple[str, str] | None = None
    for r in results:
        token = (r["timestamp"][:digits], r.get("status", ""))
        if token != last:
            last = token
            yield r


def _resolve_revisits(results: Iterable[Line]) -> Iterator[Line]:
    originals: dict[str, Line] = {}
    for r in results:
        revisit = r.get("mime") == "warc/revisit" or r.get("filename") == "-"
        digest = r.get("digest")
        original = None
        if digest:
            original = originals.get(digest)
            if original is None and not revisit:
                originals[digest] = r
        if original is not None and revisit:
            r["mime"] = original.get("mime", "")
            if "status" in r:
                r["status"] = original.get("status", "")
            for name in ORIG_FIELDS:
                r[name] = original.get(name.removeprefix("orig."), "-")
        else:
            for name in ORIG_FIELDS:
                r[name] = "-"
        yield r


def _line(row: tuple) -> Line:
    key, captured_at, url, mime, status, digest, length, offset, filename, rtype = tuple(row)
    ts = captured_at[:19].replace("-", "").replace(":", "").replace("T", "")
    if not url.isascii():
        # pywb's CDXObject percent-encodes a non-ASCII URL as it reads the index, and
        # with only `:` and `/` safe, so `?` and `=` are encoded too; filters see that.
        url = quote(url.encode("utf-8"), safe=":/")
    line = {"urlkey": key, "timestamp": ts, "url": url}
    line["mime"] = "warc/revisit" if rtype == "revisit" else (mime or "unk")
    # pywb's indexes leave out a revisit's status, and any field they have no value for.
    if status is not None and rtype != "revisit":
        line["status"] = str(status)
    if digest:
        line["digest"] = digest.removeprefix("sha1:")
    line["length"] = str(length)
    line["offset"] = str(offset)
    line["filename"] = filename
    return line


def _http_date(ts14: str) -> str:
    when = datetime.strptime(ts14, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    return formatdate(when.timestamp(), usegmt=True)


def render(lines: Iterable[Line], q: CdxQuery) -> Iterator[str]:
    fl = q.fl
    if q.output == "link":
        # pywb's make_timemap: one link per capture, joined by ",\n".
        prev: Line | None = None
        for r in lines:
            if prev is not None:
                yield _memento_link(prev) + ",\n"
            prev = r
        if prev is not None:
            yield _memento_link(prev) + "\n"
        return
    for r in lines:
        if q.output == "json":
            yield json.dumps(r if fl is None else {f: r[f] for f in fl if f in r}) + "\n"
        elif q.output == "text":
            yield " ".join(r.values() if fl is None else (r.get(f, "-") for f in fl)) + "\n"
        else:
            rest = {k: v for k, v in r.items() if k not in ("urlkey", "timestamp")}
            body = rest if fl is None else {f: rest[f] for f in fl if f in rest}
            yield f"{r['urlkey']} {r['timestamp']} {json.dumps(body)}\n"


def _memento_link(r: Line) -> str:
    return f'<{r["url"]}>; rel="memento"; datetime="{_http_date(r["timestamp"])}"'


MEDIA_TYPES = {"cdxj": "text/x-cdxj", "json": "text/x-ndjson", "text": "text/plain", "link": "application/link-format"}

router = APIRouter()


def error(message: str, status: int = 400) -> Response:
    """pywb's error answer."""
    return JSONResponse({"message": message}, status_code=status)


_PARAMS = {
    "url": "URL; `*.host` or `prefix*` shorthands", "matchType": "exact | prefix | host | domain",
    "from": "1-14 digits", "to": "1-14 digits", "limit": "default 100000; 0: no limit",
    "sort": "reverse | closest", "reverse": "1: as sort=reverse", "closest": "timestamp or now",
    "output": "cdxj (default) | json | text | link", "fl": "fields, comma-separated",
    "filter": "[!]field:text, [!]=field:text, [!]~field:regex (RE2), or field-less",
    "content_type": "as filter==mime:<type>", "resolveRevisits": "1/true", "collapseTime": "digits of timestamp",
    "page": "ignored (a local index has no pages)", "pageSize": "ignored", "showNumPages": "1/true",
    "allowFuzzy": "on unless 0/false: pywb's general fuzzy query when nothing matches",
}


@router.get("/cdx", tags=["captures"], summary="CDX server query (pywb's parameters and answers)",
            response_class=Response, operation_id="cdx_server",
            # Read from the raw query string, as pywb does, so FastAPI validates none of them.
            openapi_extra={"parameters": [
                {"name": name, "in": "query", "required": name == "url", "description": text,
                 "schema": {"type": "array", "items": {"type": "string"}} if name == "filter" else {"type": "string"}}
                for name, text in _PARAMS.items()]},
            responses={200: {"content": {t: {} for t in MEDIA_TYPES.values()}},
                       400: {"description": "a parameter is wrong; `message` says which"}})
def cdx_query(request: Request) -> Response:
    # Read as pywb does: blank values count as absent, the last of a repeated name wins
    # (but filter repeats).
    params = {k: v for k, v in request.query_params.items() if v != ""}
    filters = [f for f in request.query_params.getlist("filter") if f != ""]
    try:
        query = parse_query(
            params.get("url"), match_type=params.get("matchType"), from_=params.get("from"), to=params.get("to"),
            limit=params.get("limit"), output=params.get("output"), fl=params.get("fields") or params.get("fl"),
            sort=params.get("sort"), closest=params.get("closest"), filters=filters, reverse=params.get("reverse"),
            resolve_revisits=params.get("resolveRevisits"), collapse_time=params.get("collapseTime"),
            show_num_pages=params.get("showNumPages"), content_type=params.get("content_type"),
            allow_fuzzy=params.get("allowFuzzy"),
        )
    except CdxQueryError as e:
        return error(str(e))
    db = request.app.state.room.shelf().archive.db
    lines = list(render(rows(db, query), query))
    return StreamingResponse(iter(lines), media_type=MEDIA_TYPES[query.output])
