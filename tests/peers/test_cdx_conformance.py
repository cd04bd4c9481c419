"""vazeh's /cdx answers as pywb's CDX server over the same WARC files (issue #14 item 2).

Two WARC files written with warcio (responses with several statuses and types,
revisits, `www.` and a subdomain, a path that is a prefix of another, a query
string, https) are imported into a vazeh home; pywb 2.10's `wb-manager` adds the
home's WARC files to a collection and `wayback` serves it on 127.0.0.1, every
outgoing proxy pointed at a closed port. Each query of QUERIES goes to both, and
the answers (status, media type, lines) are compared after normalizing what is
pywb's own bookkeeping: the `source`, `source-coll` and `access` fields and the
link format's `collection` attribute. An error compares by status and by being
`{"message": ...}` JSON.

Queries that match nothing get pywb's general fuzzy answer (lines marked
is_fuzzy), so those are compared too. DIFFERENCES lists the documented
deliberate differences, all on malformed input, and asserts them as they are.

pywb comes from `$VAZEH_PYWB_BIN` (a venv's bin folder), else `.venv-pywb/bin` in
the repository (`scripts/dev.py setup` makes it); without either the tests skip.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.peers.conftest import wayback
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from vazeh.archive import open_archive
from vazeh.capture import import_paths
from vazeh.web import WebConfig, create_app

ROOT = Path(__file__).resolve().parents[2]
COLL = "conf"
PYWB_OWN = ("source", "source-coll", "access")
H = "text/html; charset=utf-8"

# (URL, WARC-Date, status line, Content-Type, body, kind); a revisit's body names its original's.
FIRST = [
    ("http://a.example/", "2024-01-01T00:00:00Z", "200 OK", H, b"<p>one</p>", "response"),
    ("http://a.example/", "2024-02-01T00:00:00Z", "200 OK", H, b"<p>one</p>", "revisit"),
    ("http://a.example/", "2024-03-01T12:00:00Z", "200 OK", H, b"<p>two</p>", "response"),
    ("http://a.example/", "2025-06-15T08:30:00Z", "404 Not Found", H, b"gone", "response"),
    ("http://a.example/news/", "2024-01-05T00:00:00Z", "200 OK", H, b"news", "response"),
    ("http://a.example/news/1", "2024-01-06T00:00:00Z", "200 OK", H, b"n1", "response"),
    ("http://a.example/news/2?x=1", "2024-01-07T00:00:00Z", "200 OK", H, b"n2", "response"),
    ("http://a.example/newsletter", "2024-01-08T00:00:00Z", "200 OK", H, b"nl", "response"),
]
SECOND = [
    ("http://www.a.example/", "2024-01-09T00:00:00Z", "200 OK", H, b"www", "response"),
    ("http://sub.a.example/page", "2024-01-10T00:00:00Z", "301 Moved Permanently", H, b"", "response"),
    ("http://b.example/style.css", "2024-05-05T05:05:05Z", "200 OK", "text/css", b"p{}", "response"),
    ("http://b.example/img.png", "2026-01-01T00:00:00Z", "200 OK", "image/png", b"PNG1", "response"),
    ("http://b.example/img.png", "2026-03-01T00:00:00Z", "200 OK", "image/png", b"PNG2", "response"),
    ("http://b.example/img.png", "2026-04-01T00:00:00Z", "200 OK", "image/png", b"PNG2", "revisit"),
    ("https://c.example/", "2023-07-07T07:07:07Z", "200 OK", H, b"c", "response"),
    ("http://ab.example/", "2024-08-08T08:08:08Z", "500 Internal Server Error", H, b"oops", "response"),
    # A raw IRI as some crawlers write WARC-Target-URI, and the same address percent-encoded.
    ("http://d.example/خبر?id=7", "2024-09-09T09:09:09Z", "200 OK", H, b"iri", "response"),
    ("http://d.example/%D8%AE%D8%A8%D8%B1?id=8", "2024-09-10T09:09:09Z", "200 OK", H, b"pct", "response"),
]

A, IMG = "url=a.example/", "url=b.example/img.png"
QUERIES = [
    # url, matchType and the shorthands
    A, "url=http://a.example/", "url=https://a.example/", "url=www.a.example/", "url=nothing.example/",
    "url=a.example/news/*", "url=a.example/news*", "url=a.example/news/", "url=a.example/news/&matchType=prefix",
    "url=a.example/news&matchType=prefix", "url=a.example&matchType=host", "url=a.example&matchType=domain",
    "url=*.a.example", "url=example&matchType=domain", "url=*.example", "url=b.example/*",
    "url=a.example/news/2?x=1", "url=a.example/news/2?&matchType=prefix",
    # output and fl
    f"{A}&output=cdxj", f"{A}&output=json", f"{A}&output=text", f"{A}&output=link", f"{IMG}&output=link",
    "url=nothing.example/&output=link", f"{A}&fl=timestamp,status", f"{A}&fl=urlkey,timestamp&output=json",
    f"{A}&fl=statuscode,mimetype,original,timestamp&output=text", f"{A}&fl=mime,nope&output=json",
    f"{A}&fields=digest&output=text", f"{A}&output=text&fl=url,url",
    # from / to
    f"{A}&from=2024", f"{A}&to=2024", f"{A}&from=202402&to=2024", f"{A}&from=20240201000000&to=20240301120000",
    f"{A}&from=2025&output=text", f"{A}&to=20240131",
    # limit, sort, reverse, closest
    f"{A}&limit=2", f"{A}&limit=0", f"{A}&limit=-2", f"{A}&sort=reverse", f"{A}&sort=reverse&limit=2",
    f"{A}&reverse=1&limit=1", f"{A}&reverse=true", f"{A}&reverse=0", f"{A}&sort=foo",
    f"{A}&sort=closest&closest=20240215", f"{A}&closest=20240215&limit=3", f"{A}&closest=2024&limit=1",
    f"{A}&closest=20240101000000&sort=reverse&limit=2", f"{A}&sort=closest",
    f"{IMG}&closest=2026&limit=1",
    # filters
    f"{A}&filter=status:200", f"{A}&filter=!status:200", f"{A}&filter==status:404", f"{A}&filter=!=status:200",
    f"{A}&filter=~status:2", f"{A}&filter=~url:.*www", f"{A}&filter=!~mime:text/", f"{A}&filter=statuscode:404",
    f"{A}&filter=mimetype:revisit", f"{A}&filter=original:www", f"{A}&filter=!nope:x",
    f"{A}&filter=2024", f"{A}&filter=~.*404", f"{A}&filter=:", f"{A}&filter=status:200&filter=url:www",
    "url=*.example&filter=~mime:text/c.s", "url=*.example&content_type=image/png",
    # resolveRevisits, collapseTime
    f"{A}&resolveRevisits=true", f"{A}&resolveRevisits=1&output=json", f"{A}&resolveRevisits=true&output=text",
    f"{A}&resolveRevisits=true&filter=mime:text/html", f"{A}&resolveRevisits=true&from=2024020",
    f"{A}&collapseTime=6&output=text", f"{A}&collapseTime=4", f"{A}&collapseTime=0&output=text",
    f"{IMG}&resolveRevisits=true&output=text&fl=timestamp,mime,orig.offset",
    # paging (ignored by a local index) and showNumPages (the range's lines, unprocessed)
    f"{A}&page=1", f"{A}&page=0&pageSize=1", f"{A}&showNumPages=true", f"{A}&showNumPages=true&limit=1",
    # nothing matches: pywb's general fuzzy query (lines marked is_fuzzy), unless allowFuzzy is off
    f"{A}&closest=2024&limit=0", f"{A}&filter=nope:x", f"{A}&filter=nope:x&allowFuzzy=false",
    f"{A}&filter=nope:x&allowFuzzy=0&output=json", "url=a.example/news/1?utm_source=x",
    "url=http://a.example/news/1?utm_source=x&output=json", "url=a.example/news/1?utm_source=x&allowFuzzy=false",
    "url=http://b.example/img.png?v=2", "url=b.example/img.png?v=2", "url=b.example/img.png?v=2&sort=reverse",
    "url=a.example/news/2", "url=a.example/news/?_=123456", "url=a.example/?fbclid=abc&x=1",
    "url=a.example/news/1?utm_a=1&limit=0&fl=timestamp,is_fuzzy&output=text", "url=a.example/nope&matchType=prefix",
    "url=b.example/img.png?v=2&filter=status:404", "url=b.example/style.css?cb=1&resolveRevisits=1",
    # non-ASCII addresses
    "url=d.example/*", "url=d.example/*&output=json", "url=d.example/*&output=text", "url=d.example/*&output=link",
    "url=http://d.example/خبر?id=7", "url=http://d.example/%D8%AE%D8%A8%D8%B1?id=8", "url=d.example/خبر*",
    "url=d.example/*&filter=url:id=7", "url=d.example/*&filter=%D8%AE",
    # errors
    "", "url=", "output=cdxj", f"{A}&output=xml", f"{A}&matchType=foo", f"{A}&matchType=Exact",
]

# Deliberate differences (documented in docs/web.md): pywb's answer -> vazeh's.
DIFFERENCES = {
    f"{A}&limit=x": (500, 400),  # pywb: int() fails; a client's mistake is a 400
    f"{A}&collapseTime=x": (500, 400),
    f"{A}&filter=~url:(": (500, 400),  # a regex that does not compile
    f"{A}&reverse=1&limit=-1": (500, 400),  # pywb: deque(maxlen=-1)
    f"{A}&from=abc": (200, 400),  # pywb compares the letters as text and finds nothing
}

# pywb's site-specific fuzzy rules are not applied: under their prefixes vazeh's
# fallback is the general rule, and pywb's answer may differ.


def _warc(path: Path, records: list[tuple[str, str, str, str, bytes, str]]) -> None:
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        originals: dict[bytes, tuple[str, str, str]] = {}
        for url, date, status, ctype, body, kind in records:
            if kind == "revisit":
                digest, orig_url, orig_date = originals[body]
                rec = writer.create_revisit_record(
                    url, digest, orig_url, orig_date,
                    http_headers=StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1"))
                rec.rec_headers.replace_header("WARC-Date", date)
            else:
                http = StatusAndHeaders(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))],
                                        protocol="HTTP/1.1")
                rec = writer.create_warc_record(url, "response", payload=BytesIO(body), http_headers=http,
                                                warc_headers_dict={"WARC-Date": date})
                originals[body] = (rec.rec_headers.get_header("WARC-Payload-Digest"), url, date)
            writer.write_record(rec)


def _pywb_bin() -> Path:
    own = os.environ.get("VAZEH_PYWB_BIN")
    for folder in ([Path(own)] if own else []) + [ROOT / ".venv-pywb" / ("Scripts" if os.name == "nt" else "bin")]:
        if (folder / "wayback").exists() and (folder / "wb-manager").exists():
            return folder
    pytest.skip("pywb's wayback is not in .venv-pywb/bin (run `python3 scripts/dev.py setup`) "
                "nor in $VAZEH_PYWB_BIN")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cdx-conformance")
    files = [root / "first.warc.gz", root / "second.warc.gz"]
    _warc(files[0], FIRST)
    _warc(files[1], SECOND)
    home = root / "vazeh-data"
    archive = open_archive(home)
    try:
        assert import_paths(archive, files).ok
    finally:
        archive.close()
    return home


@pytest.fixture(scope="module")
def pywb(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    warcs = sorted((home / "warcs").glob("*.warc.gz"))
    assert warcs, "vazeh kept no WARC files of its own"
    with wayback(_pywb_bin(), tmp_path_factory.mktemp("pywb-cdx"), COLL, warcs) as base, httpx.Client(
        base_url=base, timeout=30, trust_env=False
    ) as client:
        yield client


@pytest.fixture(scope="module")
def vazeh(home: Path) -> Iterator[TestClient]:
    with TestClient(create_app(home, config=WebConfig(allow_private=True))) as client:
        yield client


@dataclass
class Answer:
    status: int
    media: str
    lines: list[object]


def normalize(status: int, ctype: str, body: bytes) -> Answer:
    media = ctype.split(";")[0].strip()
    text = body.decode("utf-8")
    if status >= 400:
        data = json.loads(text)
        return Answer(status, media, [sorted(data)])
    lines: list[object] = []
    for line in text.splitlines():
        if media == "text/x-cdxj":
            key, ts, rest = line.split(" ", 2)
            lines.append((key, ts, [(k, v) for k, v in json.loads(rest).items() if k not in PYWB_OWN]))
        elif media == "text/x-ndjson":
            lines.append([(k, v) for k, v in json.loads(line).items() if k not in PYWB_OWN])
        elif media == "application/link-format":
            lines.append(re.sub(r'; collection="[^"]*"', "", line))
        else:
            # pywb's source, source-coll and access values, in a text line without fl.
            lines.append([t for t in line.split(" ") if t not in (f"{COLL}/indexes/index.cdxj", COLL, "allow")])
    return Answer(status, media, lines)


def _ask(client: httpx.Client | TestClient, path: str, query: str) -> Answer:
    r = client.get(f"{path}?{query}" if query else path)
    return normalize(r.status_code, r.headers.get("content-type", ""), r.content)


def test_enough_queries():
    assert len(QUERIES) >= 60 and len(set(QUERIES)) == len(QUERIES)


@pytest.mark.parametrize("query", QUERIES)
def test_cdx_answers_as_pywb(pywb: httpx.Client, vazeh: TestClient, query: str):
    theirs = _ask(pywb, f"/{COLL}/cdx", query)
    ours = _ask(vazeh, "/cdx", query)
    assert theirs.status == ours.status
    assert theirs.media == ours.media
    assert theirs.lines == ours.lines


@pytest.mark.parametrize("query", list(DIFFERENCES))
def test_documented_differences_on_malformed_input(pywb: httpx.Client, vazeh: TestClient, query: str):
    theirs_status, ours_status = DIFFERENCES[query]
    theirs = _ask(pywb, f"/{COLL}/cdx", query)
    ours = _ask(vazeh, "/cdx", query)
    assert (theirs.status, ours.status) == (theirs_status, ours_status)
    assert ours.lines == [["message"]]


def test_timemap_and_partial_timestamps_as_pywb(pywb: httpx.Client, vazeh: TestClient):
    empty = vazeh.get("/timemap/link/http://nothing.example/")
    peer = pywb.get(f"/{COLL}/timemap/link/http://nothing.example/")
    assert (empty.status_code, empty.headers["content-type"].split(";")[0], empty.content) == (
        peer.status_code, peer.headers["content-type"].split(";")[0], peer.content)
    for ts in ("2026", "202603", "2024", "20240215", "2025"):
        for url in ("http://b.example/img.png", "http://a.example/"):
            theirs = pywb.get(f"/{COLL}/{ts}id_/{url}").headers.get("memento-datetime")
            ours = vazeh.get(f"/web/{ts}id_/{url}", follow_redirects=True).headers.get("memento-datetime")
            assert ours == theirs, (ts, url)
