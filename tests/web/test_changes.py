"""The newsroom's memory as a reader sees it: changes, badges, versions, diffs, who was first.

A small archive of its own (the shared sample is counted by other tests): one story
edited twice within a minute (headline, lead and body), one deleted from its site,
and one Mehr story with a Khabaronline copy that credits Mehr. Verdict rows are
inserted the way the revisit scheduler writes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import add_story

from vazeh.archive import open_archive
from vazeh.extract.model import Article, ArticleStore
from vazeh.index import SearchIndex
from vazeh.web import WebConfig, create_app
from vazeh.web.changes import ensure, jalali_seconds, parse_jalali_day

# A fixed moment (Tehran 1403/04/10 14:30 = 2024-06-30 11:00 UTC) keeps the Jalali filters exact.
T0 = datetime(2024, 6, 30, 11, 0, 0, tzinfo=UTC)

BRIDGE_V1 = Article(
    url="http://ava.example/news/501/bridge", source="آوا", site="ava.example", news_id="501",
    title="بازگشایی پل تاریخی شهر", lead="پل تاریخی شهر پس از دو سال مرمت باز شد.",
    body=["مرمت پل با همکاری میراث فرهنگی انجام شد.", "هزینهٔ مرمت از بودجهٔ استانی پرداخت شد."],
    published=T0.isoformat(), category=["فرهنگی"],
)
BRIDGE_V2 = Article(**{**BRIDGE_V1.__dict__, "title": "بازگشایی رسمی پل تاریخی شهر",
                       "lead": "پل تاریخی شهر پس از سه سال مرمت باز شد."})
BRIDGE_V3 = Article(**{**BRIDGE_V2.__dict__, "body": [
    "مرمت پل با همکاری میراث فرهنگی و شهرداری انجام شد.", "هزینهٔ مرمت از بودجهٔ استانی پرداخت شد."]})
GONE = Article(
    url="http://peyk.example/fa/news/9/gone", source="پیک", site="peyk.example", news_id="9",
    title="خبری که از سایت برداشته شد", lead="این خبر چند ساعت پس از انتشار برداشته شد.",
    body=["متن کوتاه خبر برداشته‌شده برای آزمون."], published=(T0 - timedelta(days=3)).isoformat(),
    category=["سیاسی"],
)
QUAKE_BODY = [
    "زمین‌لرزه‌ای به بزرگی چهار و هشت دهم ریشتر بامداد امروز حوالی شهر بم را لرزاند.",
    "به گفتهٔ مدیر بحران استان این زمین‌لرزه خسارت جانی نداشته و گروه‌های ارزیاب به منطقه رفته‌اند.",
    "مردم منطقه ساعاتی را بیرون از خانه‌ها گذراندند و مدرسه‌ها امروز تعطیل است.",
]
QUAKE_MEHR = Article(
    url="https://www.mehrnews.com/news/6000001/quake", source="مهر", site="mehrnews.com", news_id="6000001",
    title="زمین‌لرزه در حوالی بم", lead="زمین‌لرزه‌ای حوالی بم را لرزاند.", body=QUAKE_BODY,
    published=(T0 - timedelta(days=1, hours=2)).isoformat(), category=["حوادث"],
)
QUAKE_KHABARONLINE = Article(
    url="https://www.khabaronline.ir/news/1900001/quake", source="مهر", site="khabaronline.ir", news_id="1900001",
    title="زمین‌لرزه بم را لرزاند", lead="زمین‌لرزه‌ای حوالی بم را لرزاند.", body=QUAKE_BODY,
    published=(T0 - timedelta(days=1, hours=1)).isoformat(), category=["حوادث"],
)


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def memory(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, int]]]:
    home = tmp_path / "home"
    archive = open_archive(home)
    store = ArticleStore(archive.db)
    ids: dict[str, int] = {}
    # Two edits in the same minute: the versions list must tell them apart by their seconds.
    ids["v1"] = add_story(archive, store, BRIDGE_V1, when=T0 + timedelta(seconds=5)).article_id
    ids["v2"] = add_story(archive, store, BRIDGE_V2, when=T0 + timedelta(seconds=35)).article_id
    ids["v3"] = add_story(archive, store, BRIDGE_V3, when=T0 + timedelta(seconds=50)).article_id
    ids["gone"] = add_story(archive, store, GONE, when=T0 - timedelta(days=3)).article_id
    # The copy was captured first, but Mehr published first: publication time decides.
    ids["copy"] = add_story(archive, store, QUAKE_KHABARONLINE, when=T0 - timedelta(days=1, minutes=30)).article_id
    ids["mehr"] = add_story(archive, store, QUAKE_MEHR, when=T0 - timedelta(days=1)).article_id
    surt = store.get(ids["v1"]).surt
    gone_surt = store.get(ids["gone"]).surt
    ensure(archive.db)
    rows = [
        (surt, BRIDGE_V1.url, (T0 + timedelta(seconds=35)).strftime("%Y-%m-%dT%H:%M:%SZ"), "edited", ids["v1"],
         ids["v2"], 200, "title", 4),
        (surt, BRIDGE_V1.url, (T0 + timedelta(seconds=50)).strftime("%Y-%m-%dT%H:%M:%SZ"), "edited", ids["v2"],
         ids["v3"], 200, "body", 2),
        (surt, BRIDGE_V1.url, (T0 + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"), "unchanged", None,
         None, 200, None, 0),
        (gone_surt, GONE.url, (T0 - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"), "deleted", ids["gone"],
         None, 404, "404", 0),
    ]
    archive.db.executemany(
        "INSERT INTO revisit_verdicts(surt, url, checked_at, verdict, previous_article_id, article_id, status,"
        " reason, change_size) VALUES (?,?,?,?,?,?,?,?,?)", rows)
    archive.db.commit()
    with SearchIndex.open(home) as index:
        index.sync(store)
    archive.close()
    app = create_app(home, config=WebConfig(allow_private=True))
    with TestClient(app) as c:
        yield c, ids


def test_jalali_days_and_seconds():
    assert parse_jalali_day("۱۴۰۳/۰۴/۱۰").isoformat() == "2024-06-30"
    assert parse_jalali_day("1403-4-10").isoformat() == "2024-06-30"
    assert parse_jalali_day("") is None
    with pytest.raises(ValueError):
        parse_jalali_day("فردا")
    assert jalali_seconds(T0 + timedelta(seconds=5)).endswith("۱۴:۳۰:۰۵")


def test_changes_page_lists_edits_and_deletions_newest_first_with_sizes(memory):
    client, ids = memory
    r = client.get("/changes")
    assert r.status_code == 200 and '<html lang="fa" dir="rtl">' in r.text
    assert "<script" not in r.text
    page = text_of(r.text)
    assert "تغییرها" in page
    assert page.count("ویرایش ") >= 2 and "حذف از سایت" in page
    assert "۴ واژه تغییر" in page and "۲ واژه تغییر" in page
    assert page.index("۲ واژه تغییر") < page.index("۴ واژه تغییر") < page.index("حذف از سایت")
    assert f'href="/article/{ids["v3"]}/diff?from={ids["v2"]}&amp;to={ids["v3"]}"' in r.text
    assert f'href="/article/{ids["gone"]}"' in r.text
    assert 'href="/changes"' in r.text  # the nav link


def test_changes_filter_by_source_and_jalali_days(memory):
    client, ids = memory
    only_peyk = text_of(client.get("/changes", params={"source": "پیک"}).text)
    assert "خبری که از سایت برداشته شد" in only_peyk and "بازگشایی" not in only_peyk
    # T0 is 1403/04/10 in Tehran; the deletion was two days before.
    that_day = text_of(client.get("/changes", params={"from": "۱۴۰۳/۰۴/۱۰", "to": "۱۴۰۳/۰۴/۱۰"}).text)
    assert "بازگشایی رسمی پل تاریخی شهر" in that_day and "برداشته شد" not in that_day
    before = text_of(client.get("/changes", params={"to": "1403/04/09"}).text)
    assert "برداشته شد" in before and "بازگشایی" not in before
    assert client.get("/changes", params={"from": "دیروز"}).status_code == 400


def test_changes_feeds_and_api(memory):
    client, ids = memory
    rss = client.get("/feeds/changes.rss")
    assert rss.status_code == 200 and rss.headers["content-type"].startswith("application/rss+xml")
    items = ElementTree.fromstring(rss.content).findall("./channel/item")
    assert len(items) == 3
    assert "۲ واژه تغییر" in items[0].findtext("description")
    atom = client.get("/feeds/changes.atom", params={"source": "پیک"})
    entries = ElementTree.fromstring(atom.content).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 1 and entries[0].find("{http://www.w3.org/2005/Atom}category").get("term") == "deleted"
    api = client.get("/api/changes", params={"limit": 2}).json()
    assert [c["verdict"] for c in api["items"]] == ["edited", "edited"]
    assert [c["change_size"] for c in api["items"]] == [2, 4]
    assert api["items"][0]["diff"] == f"/article/{ids['v3']}/diff?from={ids['v2']}&to={ids['v3']}"
    rest = client.get(api["next"]).json()
    assert [c["verdict"] for c in rest["items"]] == ["deleted"] and rest["next_cursor"] is None
    assert client.get("/api/changes", params={"from": "1403/04/10"}).json()["items"][-1]["change_size"] == 4
    assert client.get("/api/changes", params={"cursor": "bogus"}).status_code == 400


def test_article_badges(memory):
    client, ids = memory
    edited = text_of(client.get(f"/article/{ids['v3']}").text)
    assert "ویرایش‌شده ۲ بار" in edited
    gone = text_of(client.get(f"/article/{ids['gone']}").text)
    assert "حذف‌شده از سایت در " + jalali_seconds(T0 - timedelta(days=2)) in gone
    assert "ویرایش‌شده" not in text_of(client.get(f"/article/{ids['mehr']}").text)


def test_versions_show_seconds_and_change_sizes(memory):
    client, ids = memory
    r = client.get(f"/article/{ids['v3']}")
    page = text_of(r.text)
    first, second = jalali_seconds(T0 + timedelta(seconds=5)), jalali_seconds(T0 + timedelta(seconds=35))
    assert first != second and first[:-3] == second[:-3]  # the same minute, told apart by seconds
    assert first in page and second in page
    assert "۴ واژه تغییر" in page and "۲ واژه تغییر" in page
    versions = client.get(f"/api/articles/{ids['v3']}/versions").json()
    assert [v["article_id"] for v in versions] == [ids["v1"], ids["v2"], ids["v3"]]
    assert [v["change_size"] for v in versions] == [None, 4, 2]
    assert versions[1]["captured_jalali"] == second


def test_any_two_versions_compared_unified_and_side_by_side(memory):
    client, ids = memory
    r = client.get(f"/article/{ids['v3']}/diff", params={"from": ids["v1"], "to": ids["v3"]})
    assert r.status_code == 200 and "<script" not in r.text
    assert "<ins>رسمی</ins>" in r.text  # the headline
    assert "<del>دو</del> <ins>سه</ins>" in r.text  # the lead
    assert "<ins>و شهرداری</ins>" in r.text  # the body
    page = text_of(r.text)
    assert "تیتر" in page and "لید" in page
    assert "۴ واژه افزوده، ۱ واژه حذف" in page
    # The form picks any two versions and a view, without script.
    assert 'name="from"' in r.text and 'name="to"' in r.text and 'value="side"' in r.text
    side = client.get(f"/article/{ids['v3']}/diff", params={"from": ids["v1"], "to": ids["v2"], "view": "side"})
    assert 'class="diff-side"' in side.text
    lead = side.text[side.text.index('id="field-lead"'):]
    old = lead[lead.index('class="diff diff-old"'):lead.index('class="diff diff-new"')]
    assert "<del>دو</del>" in old and "<ins>" not in old
    # Defaults: from the previous version to this one.
    default = client.get(f"/article/{ids['v2']}/diff")
    assert "<ins>رسمی</ins>" in default.text and "و شهرداری" not in default.text
    api = client.get(f"/api/articles/{ids['v3']}/diff", params={"from": ids["v1"]}).json()
    assert (api["from_id"], api["to_id"], api["change_size"]) == (ids["v1"], ids["v3"], 5)
    assert {f["field"]: f["inserted"] for f in api["fields"]} == {"kicker": 0, "title": 1, "lead": 1, "body": 2}
    assert client.get(f"/article/{ids['v3']}/diff", params={"from": ids["gone"]}).status_code == 404
    # The older address still works.
    old_addr = client.get(f"/article/{ids['v2']}/diff/{ids['v1']}")
    assert old_addr.status_code == 200 and "<ins>رسمی</ins>" in old_addr.text


def test_group_shows_outlet_credited_agency_and_who_was_first(memory):
    client, ids = memory
    r = client.get(f"/article/{ids['copy']}")
    others = r.text[r.text.index('class="others"'):]
    assert f'href="/article/{ids["mehr"]}"' in others
    assert "نخستین انتشار" in text_of(others)
    group = client.get(f"/article/{ids['copy']}/group")
    assert group.status_code == 200
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", group.text, re.S)[1:]
    assert len(rows) == 2
    mehr_row, copy_row = (text_of(x) for x in rows)
    # Mehr published first though the copy was captured first.
    assert "مهر" in mehr_row and "نخستین انتشار" in mehr_row
    assert "خبرآنلاین" in copy_row and "مهر" in copy_row and "نخستین انتشار" not in copy_row
    # On Mehr's own page, the copy is listed under the outlet that published it, crediting Mehr.
    mehr_page = client.get(f"/article/{ids['mehr']}").text
    others = text_of(mehr_page[mehr_page.index('class="others"'):])
    assert "خبرآنلاین" in others and "به نقل از مهر" in others
    assert "همین نسخه: نخستین انتشار" in others
    lone = client.get(f"/article/{ids['gone']}/group")
    assert lone.status_code == 200 and "پیدا نشد" in text_of(lone.text)
