"""RSS and Atom feeds, parsed the way a feed reader would."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from urllib.parse import quote

ATOM = "{http://www.w3.org/2005/Atom}"


def rss_items(client, path: str, **params) -> list[ET.Element]:
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/rss+xml")
    channel = ET.fromstring(r.content).find("channel")
    assert channel is not None and channel.findtext("language") == "fa"
    return channel.findall("item")


def test_newest_rss(client, sample):
    items = rss_items(client, "/feeds/newest.rss")
    assert len(items) == 4
    first = items[0]
    assert first.findtext("title") == "سیلاب روستاهای شرق سمنان را فرا گرفت"
    assert first.findtext("link").endswith(f"/article/{sample.stories['flood_other'].article_id}")
    assert first.findtext("source") == "روزنامهٔ پیک"
    assert parsedate_to_datetime(first.findtext("pubDate")).tzinfo is not None
    dates = [parsedate_to_datetime(i.findtext("pubDate")) for i in items]
    assert dates == sorted(dates, reverse=True)


def test_newest_atom(client):
    r = client.get("/feeds/newest.atom")
    assert r.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(r.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 4
    assert entries[0].find(f"{ATOM}author/{ATOM}name").text == "روزنامهٔ پیک"
    assert {c.get("term") for c in entries[0].findall(f"{ATOM}category")} == {"استان‌ها", "سمنان"}


def test_source_category_and_search_feeds(client, sample):
    source = rss_items(client, "/feeds/source/" + quote("روزنامهٔ پیک", safe="") + ".rss")
    assert [i.findtext("title") for i in source] == ["سیلاب روستاهای شرق سمنان را فرا گرفت"]
    cat = rss_items(client, "/feeds/category/" + quote("ورزشی") + "/" + quote("فوتبال") + ".rss")
    assert [i.findtext("title") for i in cat] == ["پیروزی تیم شهرداری در دیدار خانگی"]
    found = rss_items(client, "/feeds/search.rss", q="شهرداری")
    assert [i.findtext("title") for i in found] == ["پیروزی تیم شهرداری در دیدار خانگی"]
    atom = ET.fromstring(client.get("/feeds/search.atom", params={"q": "سمنان"}).content)
    assert len(atom.findall(f"{ATOM}entry")) == 1  # the two outlets' copies are one story


def test_feed_errors(client):
    assert client.get("/feeds/newest.json").status_code == 404
    bad = client.get("/feeds/search.rss", params={"q": "(سیل"})
    assert bad.status_code == 400 and "(سیل" in bad.text
