"""Attention over time in the reading room: the page, its chart links, CSV and JSON,
the API, the search page's chart and the home page's chart of days with stories."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote_plus, urlsplit

from fastapi.testclient import TestClient
from tests.web.conftest import add_story

from vazeh.archive import open_archive
from vazeh.extract.model import Article, ArticleStore
from vazeh.index import SearchIndex
from vazeh.web import create_app


def links(html: str) -> list[str]:
    svgs = re.findall(r'<svg class="attn-chart".*?</svg>', html, re.S)
    return [unquote_plus(h).replace("&amp;", "&") for svg in svgs for h in re.findall(r'<a href="([^"]+)"', svg)]


def test_search_page_chart_links_to_each_period(client: TestClient) -> None:
    html = client.get("/search", params={"q": "سمنان"}).text
    assert 'class="attn-chart"' in html and "<script" not in html.split("<main>")[1]
    hrefs = links(html)
    assert hrefs and all(h.startswith("/search?q=") for h in hrefs)
    # Each bar opens its period's results: the same count the bar shows.
    bars = re.findall(r"<title>([^<]*): ([۰-۹٬]+) خبر", html)
    assert len(bars) == len(hrefs)
    for href, (_label, shown) in zip(hrefs, bars, strict=True):
        q = parse_qs(urlsplit(href).query)["q"][0]
        assert "سمنان date:" in q
        total = client.get("/search.json", params={"q": q}).json()["total"]
        assert str(total).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")) == shown.replace("٬", "")
    assert "/attention?q=" in html


def test_phone_readable_svg(client: TestClient) -> None:
    css = client.get("/static/style.css").text
    size = int(re.search(r"svg\.attn-chart text \{ font: (\d+)px", css).group(1))
    html = client.get("/attention", params=[("q", "سمنان"), ("q", "تیم"), ("by", "day")]).text
    svgs = re.findall(r'<svg class="attn-chart".*?</svg>', html, re.S)
    assert svgs
    for svg in svgs:
        width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
        # On a 390 px phone the chart is about 330 CSS px wide (chromium, the search
        # page); allow a narrower box, 300 px, and the type is still 12 px or more.
        assert size * 300 / width >= 12


def test_attention_page_compares_queries(client: TestClient) -> None:
    r = client.get("/attention", params=[("q", "سمنان"), ("q", "تیم"), ("by", "day")])
    assert r.status_code == 200
    html = r.text
    assert "مقایسه" in html and "#0072b2" in html and "#d55e00" in html  # two colours, a legend
    assert "«<bdi>سمنان</bdi>»" in html and "«<bdi>تیم</bdi>»" in html
    assert any("تیم date:" in h for h in links(html))
    assert "format=csv" in html and "format=json" in html and "/api/attention?" in html
    assert "script-src 'none'" in r.headers["content-security-policy"]
    # Persian labels: no Latin digits in the charts' text.
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", html)
    assert texts and not any(re.search(r"[0-9]", t) for t in texts)
    # Shares instead of counts.
    html = client.get("/attention", params=[("q", "سمنان"), ("measure", "share")]).text
    assert "٪" in html


def test_csv_and_json_downloads(client: TestClient) -> None:
    params = [("q", "سمنان"), ("q", "تیم"), ("by", "week"), ("per_source", "true")]
    data = client.get("/attention", params=[*params, ("format", "json")]).json()
    assert data["by"] == "week" and [s["query"] for s in data["series"]] == ["سمنان", "تیم"]
    assert len(data["totals"]) == len(data["periods"]) == len(data["series"][0]["counts"])
    assert sum(data["series"][0]["counts"]) == 2  # the flood story of two agencies (edits are one story)
    assert set(data["series"][0]["by_source"]) == {"خبرگزاری آوا", "روزنامهٔ پیک"}
    r = client.get("/attention", params=[*params, ("format", "csv")])
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert {r["query"] for r in rows} == {"سمنان", "تیم"}
    assert sum(int(r["count"]) for r in rows if r["query"] == "سمنان" and r["source"] == "") == 2
    assert all(r["start_jalali"].startswith("14") for r in rows)


def test_api(client: TestClient) -> None:
    r = client.get("/api/attention", params=[("q", "سمنان"), ("by", "month")])
    assert r.status_code == 200
    d = r.json()
    p = d["periods"][0]
    assert p["date_filter"].startswith("date:14")
    assert d["series"][0]["shares"][0] == d["series"][0]["counts"][0] / d["totals"][0]
    assert client.get("/api/attention", params={"q": '"unclosed'}).status_code == 400
    assert client.get("/api/attention", params={"q": "سمنان", "by": "year"}).status_code == 400
    assert client.get("/api/attention", params=[("q", str(i)) for i in range(6)]).status_code == 400
    assert "/api/attention" in client.get("/openapi.json").json()["paths"]


def test_errors_and_empty(client: TestClient) -> None:
    assert client.get("/attention").status_code == 200  # the form alone
    r = client.get("/attention", params={"q": '"unclosed'})
    assert r.status_code == 400 and "role=\"alert\"" in r.text
    r = client.get("/attention", params={"q": "ناموجودترین"})
    assert r.status_code == 200 and "هیچ خبری" in r.text
    assert client.get("/attention", params={"q": "سمنان", "from": "1402/13/01"}).status_code == 400
    assert client.get("/attention", params={"format": "csv"}).status_code == 400


def test_home_chart_shows_the_last_days_with_stories(home: Path) -> None:
    """An archive of old pages, months apart: each day with stories gets its bar,
    and the window is not a calendar range ending at the newest story."""
    archive = open_archive(home)
    store = ArticleStore(archive.db)
    days = ["2016-03-01", "2016-11-20", "2017-01-05", "2017-01-09"]
    for i, day in enumerate(days):
        when = datetime.fromisoformat(f"{day}T09:00:00+03:30")
        add_story(archive, store, Article(url=f"http://old.example/{i}", source="روزنامهٔ کهن", title=f"خبر کهن {i}",
                                          lead="متن کوتاه.", body=["متن."], published=when.isoformat()),
                  when=when.astimezone(UTC))
    with SearchIndex.open(home) as index:
        index.sync(store)
    archive.close()
    with TestClient(create_app(home)) as c:
        html = c.get("/").text
        hrefs = links(html)
        assert len(hrefs) == len(days)  # one bar for each day with stories, nothing else
        assert "۴ روزِ آخری که خبر دارند" in html
        first = parse_qs(urlsplit(hrefs[0]).query)["q"][0]
        assert first == "date:1394/12/11"  # 2016-03-01
        assert c.get("/search.json", params={"q": first}).json()["total"] == 1
