"""The reading room's pages, read the way a reader's browser would get them."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import quote

from vazeh.web.fmt import jalali, tehran_day


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_every_page_is_persian_and_right_to_left(client):
    for path in ("/", "/sources", "/categories", "/search", "/newest", "/save"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert '<html lang="fa" dir="rtl">' in r.text, path
        assert 'name="viewport"' in r.text, path


def test_home_lists_newest_stories_sources_categories_and_charts(client, sample):
    r = client.get("/")
    page = text_of(r.text)
    # The newest version of the edited story is listed once among the news, newest story
    # first (the side column's newest-captured list names it again, by capture time).
    news = r.text.split('<aside class="side-col">')[0]
    assert news.count(f'href="/article/{sample.stories["flood"].article_id}"') == 1
    assert f'href="/article/{sample.stories["flood_v1"].article_id}"' not in r.text
    assert page.index("سیلاب روستاهای شرق سمنان را فرا گرفت") < page.index("پیروزی تیم شهرداری")
    assert "۴ خبر در بایگانی" in page
    assert 'href="/source/' + quote("خبرگزاری آوا", safe="") + '"' in r.text
    assert 'href="/category/' + quote("استان‌ها", safe="") + '"' in r.text
    # Two server-drawn SVG charts: articles on each day that has any (one linked bar
    # each; tests/web/test_attention.py checks them) and per source (2 bars).
    assert r.text.count("<svg") == 2
    assert r.text.count('class="abar"') == len({tehran_day(s.article.published) for s in sample.stories.values()})
    assert r.text.count('class="bar"') == 2
    assert "<script" not in r.text


def test_article_page_shows_the_story_as_published(client, sample):
    flood = sample.stories["flood"]
    r = client.get(f"/article/{flood.article_id}")
    assert r.status_code == 200
    page = text_of(r.text)
    assert "بارش‌های پاییزی" in page  # kicker
    assert "سیلاب در روستاهای شرق سمنان" in page
    assert "شناسهٔ خبر: ۱۰۰۱" in page
    assert jalali(flood.article.published) in page  # weekday, Jalali date and time in Persian digits
    assert re.search(r"(شنبه|یکشنبه|دوشنبه|سه‌شنبه|چهارشنبه|پنج‌شنبه|جمعه) [۰-۹]+ ", page)
    assert "استان‌ها > سمنان" in page
    assert "هواشناسی برای فردا نیز هشدار زرد صادر کرده است." in page
    assert "منبع: خبرگزاری آوا" in page
    assert f'href="{flood.article.url}"' in r.text
    assert "تعداد بازدید: ۱" in page
    assert f"زمان بایگانی: {jalali(flood.capture.captured_at)}" in page
    assert f'href="/web/{flood.capture.timestamp14}id_/{flood.article.url}"' in r.text


def test_article_page_links_every_capture_and_diffs_words(client, sample):
    flood, v1 = sample.stories["flood"], sample.stories["flood_v1"]
    r = client.get(f"/article/{flood.article_id}")
    assert f'href="/web/{v1.capture.timestamp14}/{flood.article.url}"' in r.text
    assert f'href="/web/{flood.capture.timestamp14}/{flood.article.url}"' in r.text
    assert "<del>چند</del> <ins>پنج</ins>" in r.text
    assert "<ins>هواشناسی برای فردا نیز هشدار زرد صادر کرده است.</ins>" in r.text
    diff = client.get(f"/article/{flood.article_id}/diff/{v1.article_id}")
    assert diff.status_code == 200
    assert "<del>چند</del>" in diff.text and "۱ واژه حذف" in text_of(diff.text)


def test_article_page_shows_the_same_story_from_other_outlets(client, sample):
    r = client.get(f"/article/{sample.stories['flood'].article_id}")
    others = r.text[r.text.index('class="others"'):]
    assert f'href="/article/{sample.stories["flood_other"].article_id}"' in others
    assert "روزنامهٔ پیک" in others
    lone = client.get(f"/article/{sample.stories['match'].article_id}")
    assert 'class="others"' not in lone.text


def test_unknown_article_is_a_persian_404(client):
    r = client.get("/article/999999")
    assert r.status_code == 404
    assert "خبر پیدا نشد" in r.text
    assert client.get("/no/such/page").status_code == 404


def test_source_and_category_pages(client, sample):
    r = client.get("/source/" + quote("خبرگزاری آوا", safe=""))
    assert r.status_code == 200
    page = text_of(r.text)
    assert "خبرهای خبرگزاری آوا" in page and "۳ خبر" in page
    assert "روزنامهٔ پیک" not in page.split("خبرهای خبرگزاری آوا", 1)[1].split("RSS")[0]
    top = client.get("/category/" + quote("استان‌ها"))
    assert top.status_code == 200
    assert 'href="/category/' + quote("استان‌ها", safe="") + "/" + quote("سمنان", safe="") + '"' in top.text
    deep = client.get("/category/" + quote("استان‌ها") + "/" + quote("سمنان"))
    assert "۲ خبر" in text_of(deep.text)
    assert "پیروزی تیم شهرداری" not in deep.text
    assert client.get("/source/" + quote("ناشناس")).status_code == 404


def test_search_shows_hits_facets_as_filters_and_a_feed(client, sample):
    r = client.get("/search", params={"q": "سمنان"})
    assert r.status_code == 200
    page = text_of(r.text)
    assert "۲ نتیجه" in page
    assert "<mark>سمنان</mark>" in r.text
    # The two outlets' copies collapse into one hit that names the other outlet.
    assert "همین خبر در: روزنامهٔ پیک" in page
    assert 'href="/feeds/search.rss?q=' + quote("سمنان") + '"' in r.text
    m = re.search(r'<a href="([^"]+)">روزنامهٔ پیک</a> <span>', r.text)
    assert m, "the source facet links to a filtered search"
    filtered = client.get(m.group(1).replace("&amp;", "&"))
    assert filtered.status_code == 200
    assert "۱ نتیجه" in text_of(filtered.text)
    assert 'class="on"' in filtered.text  # the chosen filter is shown as on (a click takes it off)


def test_search_pagination(client, config, sample):
    config.per_page = 1
    r = client.get("/search", params={"q": "شهرداری OR اسکریپت"})
    assert 'rel="next"' in r.text and "صفحهٔ ۱ از ۲" in text_of(r.text)
    second = client.get("/search", params={"q": "شهرداری OR اسکریپت", "page": 2})
    assert 'rel="prev"' in second.text


def test_a_malformed_query_gets_a_friendly_message(client):
    r = client.get("/search", params={"q": '"سیل'})
    assert r.status_code == 400
    assert 'class="error query-error"' in r.text
    assert "این جست‌وجو اجرا نشد" in r.text
    assert "Traceback" not in r.text


def test_captures_page_lists_every_capture(client, sample):
    flood = sample.stories["flood"]
    r = client.get("/captures", params={"url": flood.article.url})
    assert r.status_code == 200
    assert r.text.count("id_/") == 2
    assert client.get("/captures", params={"url": "http://nowhere.example/"}).status_code == 404


def test_bad_input_gets_a_clear_answer(client):
    r = client.get("/article/not-a-number")
    assert r.status_code == 400 and "درخواست نادرست" in r.text and "article_id" in r.text
    assert client.get("/search", params={"q": "سمنان", "page": 0}).status_code == 400
    assert client.get("/search", params={"q": "x" * 1001}).status_code == 400
    assert client.get("/api/search", params={"q": "سمنان", "per_page": 1000}).json()["detail"]
    weird = client.get("/search", params={"q": "source: ((( «"})
    assert weird.status_code == 400 and "query-error" in weird.text


def test_a_broken_search_index_is_reported_not_crashed(home, config):
    from fastapi.testclient import TestClient

    from vazeh.web import create_app

    (home / "index").write_text("not a folder")  # the index cannot be opened
    with TestClient(create_app(home, config=config)) as c:
        page = c.get("/search", params={"q": "سمنان"})
        assert page.status_code == 503 and "جست‌وجو در دسترس نیست" in page.text and "reindex" in page.text
        assert c.get("/api/search", params={"q": "سمنان"}).status_code == 503
        assert c.get("/").status_code == 200  # everything else still works


def test_an_extracted_url_never_becomes_a_script_link():
    from vazeh.web.fmt import web_href

    assert web_href("javascript:alert(1)") == "#"
    assert web_href(" https://ava.example/x ") == "https://ava.example/x"


def test_reading_room_pages_forbid_scripts_and_replays_keep_their_sandbox(client, sample):
    page = client.get("/")
    assert "script-src 'none'" in page.headers["content-security-policy"]
    assert not page.headers["content-security-policy"].startswith("sandbox")
    ts = sample.stories["match"].capture.timestamp14
    replay = client.get(f"/web/{ts}/http://ava.example/news/2002/second")
    assert replay.headers["content-security-policy"].startswith("sandbox")
    assert len(replay.headers.get_list("content-security-policy")) == 1


def test_the_room_freezes_what_it_loaded_at_startup(sample, config):
    import gc

    from fastapi.testclient import TestClient

    from vazeh.web.app import create_app

    gc.unfreeze()
    with TestClient(create_app(sample.home, config=config)):
        # Started: the warmed room is out of the collector's full passes, which would
        # otherwise stall every request of a worker while they run.
        assert gc.get_freeze_count() > 0
    gc.unfreeze()  # other tests' objects are theirs to collect
