"""View counts: once per reader per half hour, bots skipped, kept across restarts."""

from __future__ import annotations

from fastapi.testclient import TestClient

from vazeh.archive import open_archive
from vazeh.web import create_app
from vazeh.web.views import ViewCounter, is_bot

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def views_on_page(client, article_id: int, ua: str = FIREFOX) -> str:
    html = client.get(f"/article/{article_id}", headers={"User-Agent": ua}).text
    return html.split("تعداد بازدید: <strong>")[1].split("<")[0]


def test_a_reader_counts_once_per_window_and_bots_not_at_all(client, sample):
    aid = sample.stories["match"].article_id
    assert views_on_page(client, aid) == "۱"
    assert views_on_page(client, aid) == "۱"  # the same reader again within 30 minutes
    assert views_on_page(client, aid, ua="Mozilla/5.0 (Android 14; Mobile) Chrome/130.0") == "۲"
    assert views_on_page(client, aid, ua="Googlebot/2.1 (+http://www.google.com/bot.html)") == "۲"
    assert views_on_page(client, aid, ua="curl/8.5.0") == "۲"
    assert client.get(f"/api/articles/{aid}").json()["views"] == 2


def test_every_version_of_a_story_shares_its_count(client, sample):
    views_on_page(client, sample.stories["flood_v1"].article_id)
    assert views_on_page(client, sample.stories["flood"].article_id, ua=FIREFOX + " other") == "۲"


def test_counts_survive_a_restart(sample, config):
    aid = sample.stories["match"].article_id
    with TestClient(create_app(sample.home, config=config)) as c:
        views_on_page(c, aid)
    with TestClient(create_app(sample.home, config=config)) as c:
        assert views_on_page(c, aid, ua=FIREFOX) == "۱"
        assert views_on_page(c, aid, ua=FIREFOX + " x") == "۲"


def test_window_expiry_and_the_stored_client_key(home):
    archive = open_archive(home)
    counter = ViewCounter(archive.db, window_seconds=1800)
    assert counter.record("s", ip="10.0.0.1", user_agent=FIREFOX, now=1000) == 1
    assert counter.record("s", ip="10.0.0.1", user_agent=FIREFOX, now=1000 + 1799) == 1
    assert counter.record("s", ip="10.0.0.1", user_agent=FIREFOX, now=1000 + 1800) == 2
    assert counter.record("s", ip="10.0.0.2", user_agent=FIREFOX, now=1000 + 1800) == 3
    counter.flush()
    assert counter.count("s") == 3  # committed, not counted twice
    assert archive.db.execute("SELECT count FROM web_views WHERE story='s'").fetchone()[0] == 3
    stored = [r[0] for r in archive.db.execute("SELECT client FROM web_view_clients")]
    assert stored and all("10.0.0" not in c and "Firefox" not in c for c in stored)  # hashed, never raw
    archive.close()


def test_bot_patterns():
    assert is_bot("Mozilla/5.0 (compatible; bingbot/2.0)")
    assert is_bot("python-httpx/0.28")
    assert is_bot("")
    assert not is_bot(FIREFOX)


def test_views_are_committed_in_the_background(home):
    import time as _time

    archive = open_archive(home)
    counter = ViewCounter(archive.db, window_seconds=1800)
    counter.record("story", ip="10.0.0.9", user_agent=FIREFOX)
    deadline = _time.monotonic() + 10
    row = None
    while _time.monotonic() < deadline:
        row = archive.db.execute("SELECT count FROM web_views WHERE story='story'").fetchone()
        if row:
            break
        _time.sleep(0.05)
    assert row is not None and row[0] == 1  # stored by the flusher thread without anyone asking
    assert counter.count("story") == 1
    archive.close()


def test_counts_follow_the_catalog_when_its_keys_change_format(home):
    """Counts are kept under story keys; when vazeh.archive.migrate rekeys the
    catalog (recording old -> new in surt_moves), the counts move with the stories."""
    archive = open_archive(home)
    try:
        db = archive.db
        ViewCounter(db)  # today's tables
        db.execute("INSERT INTO web_views(story, count) VALUES('ir,isna)/news/1/', 7), ('ir,isna)/news/1', 2)")
        db.execute("INSERT INTO web_view_clients(story, client, seen_at) VALUES('ir,isna)/news/1/', 'c1', 5)")
        db.execute("INSERT INTO surt_moves(old, new) VALUES('ir,isna)/news/1/', 'ir,isna)/news/1')")
        db.execute("DELETE FROM web_meta WHERE key='views_key_format'")  # counts from before the rekeying
        counter = ViewCounter(db)
        assert counter.count("ir,isna)/news/1") == 9
        assert counter.count("ir,isna)/news/1/") == 0
        assert [r[0] for r in db.execute("SELECT story FROM web_view_clients")] == ["ir,isna)/news/1"]
        assert ViewCounter(db).count("ir,isna)/news/1") == 9  # moved once, not again
    finally:
        archive.close()
