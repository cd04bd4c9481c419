"""The JSON API, the CDX endpoint and the API docs, used as a program would."""

from __future__ import annotations

import json


def test_articles_newest_first_with_filters(client, sample):
    r = client.get("/api/articles")
    assert r.status_code == 200
    data = r.json()
    assert data["total"] == 4
    titles = [a["title"] for a in data["items"]]
    assert titles[0] == "سیلاب روستاهای شرق سمنان را فرا گرفت"
    assert all(a["href"] == f"/article/{a['id']}" for a in data["items"])
    by_source = client.get("/api/articles", params={"source": "روزنامهٔ پیک"}).json()
    assert [a["id"] for a in by_source["items"]] == [sample.stories["flood_other"].article_id]
    by_cat = client.get("/api/articles", params={"category": "ورزشی > فوتبال"}).json()
    assert [a["id"] for a in by_cat["items"]] == [sample.stories["match"].article_id]
    page2 = client.get("/api/articles", params={"limit": 2, "offset": 2}).json()
    assert len(page2["items"]) == 2 and page2["items"][0]["id"] == data["items"][2]["id"]
    assert client.get("/api/articles", params={"limit": 0}).status_code == 400


def test_one_article_with_its_captures(client, sample):
    flood = sample.stories["flood"]
    r = client.get(f"/api/articles/{flood.article_id}")
    assert r.status_code == 200
    a = r.json()
    assert a["news_id"] == "1001" and a["body"] == flood.article.body
    assert a["category"] == ["استان‌ها", "سمنان"]
    assert a["published_jalali"].endswith("۱۴۰۵ - " + a["published_jalali"].split(" - ")[1])
    assert [c["timestamp"] for c in a["captures"]] == [
        sample.stories["flood_v1"].capture.timestamp14, flood.capture.timestamp14]
    assert a["captures"][0]["raw"].startswith("/web/") and "id_/" in a["captures"][0]["raw"]
    missing = client.get("/api/articles/424242")
    assert missing.status_code == 404 and "424242" in missing.json()["detail"]


def test_search_api_and_its_errors(client, sample):
    r = client.get("/api/search", params={"q": "سمنان", "sort": "newest"})
    assert r.status_code == 200
    data = r.json()
    assert data["total"] == 2 and data["sort"] == "newest"
    hit = data["hits"][0]
    assert "<mark>" in hit["snippet_html"]
    assert dict(data["facets"]["source"]) == {"خبرگزاری آوا": 1, "روزنامهٔ پیک": 1}
    bad = client.get("/api/search", params={"q": "(سیل"})
    assert bad.status_code == 400 and bad.json()["detail"]
    assert client.get("/api/search", params={"q": "x", "sort": "oldest"}).status_code == 400


def test_captures_api(client, sample):
    url = sample.stories["flood"].article.url
    caps = client.get("/api/captures", params={"url": url}).json()
    assert len(caps) == 2 and caps[0]["captured_at"] < caps[1]["captured_at"]
    assert client.get("/api/captures", params={"url": "http://never.example/"}).json() == []


def cdx_lines(client, **params) -> list[str]:
    """Lines of a /cdx answer, as text (the space-separated form) unless output is given."""
    params.setdefault("output", "text")
    r = client.get("/cdx", params=params)
    assert r.status_code == 200, r.text
    return [line for line in r.text.splitlines() if line]


def test_cdx_default_cdxj_lines_and_match_types(client, sample):
    r = client.get("/cdx", params={"url": "ava.example/news/2002/second"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/x-cdxj")
    [line] = r.text.splitlines()
    key, ts, rest = line.split(" ", 2)
    assert key == "example,ava)/news/2002/second" and ts == sample.stories["match"].capture.timestamp14
    fields = json.loads(rest)
    assert list(fields) == ["url", "mime", "status", "digest", "length", "offset", "filename"]
    assert fields["url"] == "http://ava.example/news/2002/second" and fields["mime"] == "text/html"
    assert fields["status"] == "200" and fields["filename"].endswith(".warc.gz")
    text = cdx_lines(client, url="ava.example/news/2002/second")[0].split(" ")
    assert text[:3] == [key, ts, fields["url"]] and len(text) == 9
    assert len(cdx_lines(client, url="ava.example/news/", matchType="prefix")) == 4
    assert len(cdx_lines(client, url="ava.example/news/*")) == 4
    assert len(cdx_lines(client, url="ava.example", matchType="host")) == 7
    assert len(cdx_lines(client, url="example", matchType="domain")) == 8  # every host under .example
    assert len(cdx_lines(client, url="*.ava.example")) == 7
    assert len(cdx_lines(client, url="peyk.example", matchType="domain")) == 1


def test_cdx_time_range_limit_sort_fields_and_json(client, sample):
    v1 = sample.stories["flood_v1"].capture.timestamp14
    url = sample.stories["flood"].article.url
    assert len(cdx_lines(client, url=url)) == 2
    assert [line.split()[1] for line in cdx_lines(client, url=url, to=v1)] == [v1]
    assert len(cdx_lines(client, url=url, **{"from": v1[:8]})) == 2
    assert cdx_lines(client, url=url, limit=1, fl="timestamp") == [v1]
    assert cdx_lines(client, url=url, sort="reverse", limit=1, fl="timestamp") == [
        sample.stories["flood"].capture.timestamp14]
    rows = [json.loads(line) for line in cdx_lines(client, url="ava.example/*", output="json", fl="url,status")]
    assert rows and set(rows[0]) == {"url", "status"}
    only_css = cdx_lines(client, url="ava.example/*", filter="mime:css", fl="url")
    assert only_css == ["http://ava.example/css/site.css"]
    not_html = cdx_lines(client, url="ava.example/*", filter="!mime:html", fl="mime")
    assert "text/html" not in not_html and len(not_html) == 2


def test_cdx_reports_bad_parameters_as_pywb(client):
    for params in ({"url": "x.example", "matchType": "fuzzy"}, {"url": "x.example", "from": "20x"},
                   {"url": "x.example", "filter": "~mime:("}, {"url": "http://[::1"}, {"url": "x.example", "limit": "x"},
                   {"url": "x.example", "output": "xml"}, {"url": "x.example", "collapseTime": "y"}, {"url": ""}, {}):
        r = client.get("/cdx", params=params)
        assert r.status_code == 400, params
        assert r.headers["content-type"].startswith("application/json")
        assert list(r.json()) == ["message"] and r.json()["message"], params
    assert client.get("/cdx").json() == {"message": 'The "url" param is required'}
    # What pywb takes: a field no line has (`-` in text, left out of JSON), a filter on one.
    for params in ({"fl": "nope"}, {"filter": "nofield:x"}, {"from": "00000000000000"}, {"sort": "x"},
                   {"page": "x"}, {"pageSize": "2"}):
        assert client.get("/cdx", params={"url": "x.example", **params}).status_code == 200, params


def test_openapi_and_local_docs_without_a_cdn(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/articles", "/api/articles/{article_id}", "/api/search", "/api/captures", "/cdx", "/api/save"):
        assert path in spec["paths"], path
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/api/search" in docs.text and "cdn" not in docs.text.lower() and "<script" not in docs.text
    assert client.get("/redoc").status_code == 404


def test_cdx_filters_take_pywbs_forms(client, sample):
    everything = cdx_lines(client, url="ava.example/*", fl="mime")
    assert cdx_lines(client, url="ava.example/*", filter="=mime:text/css", fl="mime") == ["text/css"]
    assert cdx_lines(client, url="ava.example/*", filter="=mime:css", fl="mime") == []  # exact, not contains
    assert cdx_lines(client, url="ava.example/*", filter="mime:css", fl="mime") == ["text/css"]
    assert cdx_lines(client, url="ava.example/*", filter="mimetype:css", fl="mime") == ["text/css"]
    # `~` is a regex matched from the start of the value, as pywb does.
    assert cdx_lines(client, url="ava.example/*", filter="~mime:text/c.s", fl="mime") == ["text/css"]
    assert cdx_lines(client, url="ava.example/*", filter="~mime:c.s", fl="mime") == []
    assert len(cdx_lines(client, url="ava.example/*", filter="!~mime:text/c.s", fl="mime")) == len(everything) - 1
    # Without a field the filter is on the whole line (as JSON, pywb's form of a CDXJ line).
    assert cdx_lines(client, url="ava.example/*", filter="site.css", fl="url") == ["http://ava.example/css/site.css"]
    # Literal text is literal: `(` is no regex error outside `~`.
    assert client.get("/cdx", params={"url": "ava.example/*", "filter": "url:("}).status_code == 200


def test_cdx_regex_filters_run_in_linear_time(client, sample):
    """The backtracking regex of issue #12 on Python's re would not finish on this input."""
    from vazeh.web import cdx

    evil = r"~digest:^(\w|\w\w)*!"
    f = cdx.parse_filter(evil)
    assert f.test("A" * 5000) is False  # RE2; Python's re needs about 1.6**5000 steps for this
    r = client.get("/cdx", params={"url": "ava.example/*", "filter": evil})
    assert r.status_code == 200 and r.text == ""
    for bad in (r"~url:(a)\1", r"~url:(?=a)", "~url:a{1000}{1000}", "~url:" + "a" * 2000):
        r = client.get("/cdx", params={"url": "ava.example/*", "filter": bad})
        assert r.status_code == 400 and "filter" in r.text, bad


def test_a_cdx_prefix_with_a_slash_keeps_to_that_path(home, archive):
    """SURT keys drop a trailing slash (as pywb's and the Internet Archive's do), so
    the slash of `/news/*` must stay in the key range, or /newsletter would match."""
    from datetime import UTC, datetime

    from fastapi.testclient import TestClient

    from vazeh.web import WebConfig, create_app

    for url in ("http://p.example/news/1", "http://p.example/news/2/", "http://p.example/newsletter",
                "http://p.example/news"):
        with archive.transaction():
            archive.write_exchange(url=url, status=200, response_headers=[("Content-Type", "text/html")],
                                   body=url.encode(), captured_at=datetime(2026, 1, 1, tzinfo=UTC))
    with TestClient(create_app(home, config=WebConfig())) as c:
        urls = sorted(line.split(" ")[2] for line in cdx_lines(c, url="p.example/news/*"))
        assert urls == ["http://p.example/news/1", "http://p.example/news/2/"]
        assert len(cdx_lines(c, url="p.example/news*")) == 4
        assert len(cdx_lines(c, url="p.example/*")) == 4
        assert len(cdx_lines(c, url="p.example", matchType="prefix")) == 4


def test_cdx_pywb_defaults_limit_closest_and_outputs(client, sample):
    url = sample.stories["flood"].article.url
    v1, v2 = sample.stories["flood_v1"].capture.timestamp14, sample.stories["flood"].capture.timestamp14
    assert cdx_lines(client, url=url, limit=0, fl="timestamp") == [v1, v2]  # 0: no limit, as pywb
    assert cdx_lines(client, url=url, limit=-1, fl="timestamp") == []
    assert cdx_lines(client, url=url, reverse="1", fl="timestamp") == [v2, v1]
    # closest orders by distance without sort=closest; a partial timestamp is its last second.
    assert cdx_lines(client, url=url, closest=v1, fl="timestamp") == [v1, v2]
    assert cdx_lines(client, url=url, closest=v2, limit=1, fl="timestamp") == [v2]
    link = client.get("/cdx", params={"url": url, "output": "link"})
    assert link.headers["content-type"].startswith("application/link-format")
    assert link.text.count('rel="memento"') == 2 and link.text.endswith('GMT"\n') and ",\n<" in link.text
    rows = [json.loads(line) for line in cdx_lines(client, url=url, output="json")]
    assert list(rows[0])[:3] == ["urlkey", "timestamp", "url"]
    assert cdx_lines(client, url=url, showNumPages="true", limit=1, fl="timestamp") == [v1, v2]
    assert cdx_lines(client, url=url, collapseTime=4, fl="timestamp") == [v1]


def test_cdx_revisits_carry_no_status_and_resolve(home, archive):
    from datetime import UTC, datetime

    from fastapi.testclient import TestClient

    from vazeh.web import WebConfig, create_app

    for day in (1, 2):
        with archive.transaction():
            archive.write_exchange(url="http://r.example/", status=200, response_headers=[("Content-Type", "text/html")],
                                   body=b"same", captured_at=datetime(2026, 1, day, tzinfo=UTC))
    with TestClient(create_app(home, config=WebConfig())) as c:
        lines = [json.loads(line) for line in cdx_lines(c, url="r.example/", output="json")]
        assert [r.get("status") for r in lines] == ["200", None] and lines[1]["mime"] == "warc/revisit"
        assert cdx_lines(c, url="r.example/", filter="status:200", fl="timestamp") == ["20260101000000"]
        assert cdx_lines(c, url="r.example/", fl="timestamp,status") == ["20260101000000 200", "20260102000000 -"]
        resolved = [json.loads(line) for line in cdx_lines(c, url="r.example/", output="json", resolveRevisits="1")]
        assert resolved[1]["mime"] == "text/html" and resolved[1]["orig.offset"] == lines[0]["offset"]
        assert resolved[0]["orig.offset"] == "-"


def test_wayback_availability_api(client, sample):
    url = sample.stories["flood"].article.url
    v1, v2 = sample.stories["flood_v1"].capture.timestamp14, sample.stories["flood"].capture.timestamp14
    newest = client.get("/wayback/available", params={"url": url}).json()
    assert newest["url"] == url and "timestamp" not in newest
    closest = newest["archived_snapshots"]["closest"]
    assert closest["available"] is True and closest["timestamp"] == v2 and closest["status"] == "200"
    assert closest["url"].endswith(f"/web/{v2}/{url}")
    older = client.get("/wayback/available", params={"url": url, "timestamp": v1}).json()
    assert older["timestamp"] == v1 and older["archived_snapshots"]["closest"]["timestamp"] == v1
    none = client.get("/wayback/available", params={"url": "http://never.example/"}).json()
    assert none == {"url": "http://never.example/", "archived_snapshots": {}}
    for params in ({}, {"url": "x.example", "timestamp": "20x"}, {"url": "javascript:alert(1)"}):
        r = client.get("/wayback/available", params=params)
        assert r.status_code == 400 and list(r.json()) == ["message"], params


def test_empty_timemap_is_link_format_404(client):
    r = client.get("/timemap/link/http://never.example/")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/link-format")
    assert r.content == b""


def test_availability_skips_errors_and_partial_replay_timestamps_take_the_latest(home, archive):
    from datetime import UTC, datetime

    from fastapi.testclient import TestClient

    from vazeh.web import WebConfig, create_app

    for month, status, body in ((1, 200, b"a"), (3, 200, b"b"), (5, 404, b"c"), (7, 200, b"b")):
        with archive.transaction():
            archive.write_exchange(url="http://v.example/", status=status, response_headers=[("Content-Type", "text/html")],
                                   body=body, captured_at=datetime(2026, month, 1, tzinfo=UTC))
    with TestClient(create_app(home, config=WebConfig())) as c:
        newest = c.get("/wayback/available", params={"url": "v.example/"}).json()["archived_snapshots"]["closest"]
        assert (newest["timestamp"], newest["status"]) == ("20260701000000", "200")  # a revisit of a 200
        near_404 = c.get("/wayback/available", params={"url": "v.example/", "timestamp": "20260501"}).json()
        assert near_404["archived_snapshots"]["closest"]["timestamp"] == "20260701000000"
        # pywb reads /web/2026/ as the end of 2026 and /web/202602/ as the end of February.
        for ts, want in (("2026", "20260701000000"), ("202602", "20260301000000"), ("20260115", "20260101000000")):
            r = c.get(f"/web/{ts}/http://v.example/", follow_redirects=False)
            assert r.status_code == 302 and r.headers["location"].startswith(f"/web/{want}/"), ts
