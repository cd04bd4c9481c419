"""The API for bulk use (issue #14): cursor pages, NDJSON and CSV streams, bodies on
request, and the JSON and CSV twins of the reading room's listing pages."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from tests.web.conftest import NOW, add_story

from vazeh.archive import open_archive
from vazeh.extract.model import Article, ArticleStore


def more_stories(home, n: int, *, start: int = 0, days_ago: float = 10, same_second: bool = True) -> list[int]:
    """n stories of one outlet; with same_second, all published in the same second (ties on the sort key)."""
    archive = open_archive(home)
    store = ArticleStore(archive.db)
    ids = []
    try:
        for i in range(start, start + n):
            when = NOW - timedelta(days=days_ago) + (timedelta(0) if same_second else timedelta(minutes=i))
            a = Article(
                url=f"http://bulk.example/news/{i}", source="بولتن انبوه", site="bulk.example", news_id=str(i),
                title=f"خبر انبوه شمارهٔ {i}", lead="پیش‌درآمد", body=[f"بند نخست خبر {i}.", f"بند دوم خبر {i}."],
                published=when.isoformat(timespec="seconds"), category=["انبوه", "آزمایش"],
            )
            ids.append(add_story(archive, store, a, when=when).article_id)
        archive.db.commit()
    finally:
        archive.close()
    return ids


def walk(client, limit: int, between=None, **params) -> list[int]:
    ids: list[int] = []
    cursor = None
    for n in range(1000):
        q = {"limit": limit, **params, **({"cursor": cursor} if cursor else {})}
        data = client.get("/api/articles", params=q).json()
        ids += [a["id"] for a in data["items"]]
        cursor = data.get("next_cursor")
        if cursor is None:
            return ids
        assert data["next"].startswith("/api/articles?") and "cursor=" in data["next"]
        if between is not None and n == 0:
            between()
    raise AssertionError("the cursor never ended")


def test_cursor_pages_concatenate_to_the_listing_while_articles_arrive(client, sample):
    bulk = more_stories(sample.home, 23)  # 23 stories in one second: only the id orders them
    whole = client.get("/api/articles.ndjson").text.splitlines()
    expected = [json.loads(line)["id"] for line in whole]
    assert len(expected) == 27 == len(set(expected))

    def arrive() -> None:
        bulk.extend(more_stories(sample.home, 2, start=100, days_ago=0))  # newer than anything listed
        bulk.extend(more_stories(sample.home, 1, start=200, days_ago=30))  # older than anything listed

    got = walk(client, 5, between=arrive)
    assert len(got) == len(set(got)), "a row came twice"
    new = [i for i in got if i not in expected]
    assert [i for i in got if i in expected] == expected  # nothing missing, nothing moved
    assert new == bulk[-1:]  # the older arrival, at its place at the end; the newer ones were before the cursor
    # With a source and with a category, ties broken by id the same way.
    everything = [json.loads(x)["id"] for x in client.get("/api/articles.ndjson").text.splitlines()]
    in_bulk = [i for i in everything if i in bulk]
    assert len(in_bulk) == 26
    assert walk(client, 4, source="بولتن انبوه") == in_bulk
    assert walk(client, 4, category="انبوه > آزمایش") == in_bulk == walk(client, 3, category="انبوه")


def test_cursor_errors_and_the_old_offset_pages(client, sample):
    assert client.get("/api/articles", params={"cursor": "not-a-cursor"}).status_code == 400
    assert client.get("/api/articles", params={"cursor": "W10"}).status_code == 400  # base64 of []
    first = client.get("/api/articles", params={"limit": 2}).json()
    assert first["offset"] == 0 and first["next_cursor"]
    both = client.get("/api/articles", params={"cursor": first["next_cursor"], "offset": 2})
    assert both.status_code == 400 and "cursor" in both.json()["detail"]
    by_offset = client.get("/api/articles", params={"limit": 2, "offset": 2}).json()
    by_cursor = client.get("/api/articles", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [a["id"] for a in by_offset["items"]] == [a["id"] for a in by_cursor["items"]]
    assert by_cursor["next_cursor"] is None  # 4 articles: the second page of 2 is the last


def test_body_only_on_request(client, sample):
    flood = sample.stories["flood"]
    plain = client.get("/api/articles").json()["items"]
    assert all("body" not in a for a in plain)
    full = client.get("/api/articles", params={"body": 1}).json()["items"]
    assert {a["id"]: a["body"] for a in full}[flood.article_id] == flood.article.body
    assert {k for k in plain[0]} | {"body"} == set(full[0])


def test_ndjson_stream_of_a_whole_selection(client, sample):
    more_stories(sample.home, 30, same_second=False)
    r = client.get("/api/articles.ndjson", params={"source": "بولتن انبوه", "body": "true"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in r.text.splitlines()]
    assert len(rows) == 30 and all(row["source"] == "بولتن انبوه" and len(row["body"]) == 2 for row in rows)
    assert [row["published"] for row in rows] == sorted((row["published"] for row in rows), reverse=True)
    assert len(client.get("/api/articles.ndjson", params={"limit": 7}).text.splitlines()) == 7
    by_cat = client.get("/api/articles.ndjson", params={"category": "ورزشی/فوتبال"}).text.splitlines()
    assert [json.loads(x)["id"] for x in by_cat] == [sample.stories["match"].article_id]


def test_ndjson_stream_of_a_search(client, sample):
    rows = [json.loads(x) for x in client.get("/api/articles.ndjson", params={"q": "سمنان"}).text.splitlines()]
    assert {r["id"] for r in rows} == {sample.stories["flood"].article_id, sample.stories["flood_other"].article_id}
    one = client.get("/api/articles.ndjson", params={"q": "سمنان", "source": "روزنامهٔ پیک"}).text.splitlines()
    assert [json.loads(x)["id"] for x in one] == [sample.stories["flood_other"].article_id]
    bad = client.get("/api/articles.ndjson", params={"q": "(سیل"})
    assert bad.status_code == 400 and bad.json()["detail"]


def test_csv_stream_parses_with_bodies(client, sample):
    r = client.get("/api/articles.csv", params={"body": 1})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert len(rows) == 4
    flood = next(row for row in rows if row["id"] == str(sample.stories["flood"].article_id))
    assert flood["body"].split("\n\n") == sample.stories["flood"].article.body
    assert flood["category"] == "استان‌ها > سمنان"
    assert client.get("/api/articles.xml").status_code in (400, 404, 422)


def html_ids(text: str) -> list[int]:
    return [int(x) for x in re.findall(r'class="title" href="/article/(\d+)"', text)]


@pytest.mark.parametrize("path", ["/newest", "/source/{source}", "/category/استان‌ها", "/search?q=سمنان"])
def test_each_listing_page_has_json_and_csv_twins(client, sample, path):
    path = path.format(source=sample.stories["flood_other"].article.source)
    sep = "&" if "?" in path else "?"
    page = client.get(path)
    assert page.status_code == 200
    shown = html_ids(page.text)
    assert shown
    js = client.get(f"{path}{sep}format=json")
    assert js.status_code == 200 and js.headers["content-type"].startswith("application/json")
    data = js.json()
    key = "article_id" if path.startswith("/search") else "id"
    assert [item[key] for item in data["items"]] == shown
    assert data["total"] >= len(shown) and data["page"] == 1
    table = client.get(f"{path}{sep}format=csv")
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.text.lstrip("\ufeff"))))
    assert [int(row[key]) for row in rows] == shown


def test_twin_suffixes_pages_and_errors(client, sample):
    more_stories(sample.home, 25, same_second=False)
    suffixed, asked = client.get("/newest.json").json(), client.get("/newest?format=json").json()
    assert suffixed.pop("next") == "/newest.json?page=2" and asked.pop("next") == "/newest?format=json&page=2"
    assert suffixed == asked
    assert client.get("/search.csv", params={"q": "سمنان"}).text == client.get(
        "/search", params={"q": "سمنان", "format": "csv"}).text
    first = client.get("/newest.json").json()
    assert first["pages"] == 2 and first["next"] == "/newest.json?page=2"
    second = client.get(first["next"]).json()
    assert second["next"] is None
    assert len(first["items"]) + len(second["items"]) == first["total"] == 29
    missing = client.get("/source/ناپیدا", params={"format": "json"})
    assert missing.status_code == 404 and "detail" in missing.json()
    assert client.get("/search.json", params={"q": "(سیل"}).status_code == 400
    assert client.get("/newest", params={"format": "xml"}).status_code in (400, 422)


def test_openapi_describes_the_bulk_api(client):
    spec = client.get("/openapi.json").json()
    params = {p["name"] for p in spec["paths"]["/api/articles"]["get"]["parameters"]}
    assert {"cursor", "body", "limit", "offset", "source", "category"} <= params
    stream = spec["paths"]["/api/articles.{fmt}"]["get"]
    assert {"application/x-ndjson", "text/csv"} <= set(stream["responses"]["200"]["content"])
    listed = spec["components"]["schemas"]["ArticleList"]["properties"]
    assert {"next_cursor", "next", "items", "total"} <= set(listed)
