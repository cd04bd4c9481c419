"""Revisits: a story captured once is captured again on its schedule, and each
result is classified on the extracted Article. The site is the sample site's
pages served on 127.0.0.1 in rounds (round 2 changes them, round 3 puts one back),
and the clock is the `now` each call is given."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from vazeh.archive import open_archive
from vazeh.capture import FetchConfig, capture_urls
from vazeh.capture.revisit import RevisitStore, Verdict, revisit_due
from vazeh.capture.sources import parse_sources
from vazeh.pipeline import Pipeline
from vazeh.sample.build_site import EXPECTED, SITE_DIR
from vazeh.sample.server import serve_sample

CONFIG = FetchConfig(allow_private=True, rate=1000.0, backoff=0.01, retries=0, resources=False)
HOUR = timedelta(hours=1)


def _pages() -> dict[str, dict]:
    entries = json.loads(EXPECTED.read_text(encoding="utf-8"))["pages"]
    return {e["key"]: e for e in entries if e.get("key") and e.get("is_article") and e.get("encoding") == "utf-8"}


def _swap(page: bytes, old: str, new: str) -> bytes:
    assert old.encode() in page, old
    return page.replace(old.encode(), new.encode())


def _cosmetics(page: bytes, views: int, clock: str, related: str) -> bytes:
    """A view counter, the page's own clock and a related-links box: none of them the story."""
    box = (f'<div class="views">بازدید: {views}</div><div class="page-clock">{clock}</div>'
           f'<aside class="related"><h2>اخبار مرتبط</h2><ul><li><a href="/x/{views}">{related}</a></li></ul></aside>')
    return page.replace(b"</body>", box.encode() + b"</body>", 1)


# path -> (story key, round-1 page, round-2 answer); built in `site`
STORIES = ["unchanged", "title", "lead", "body", "cosmetic", "gone404", "gone410", "home", "section",
           "missing", "notarticle", "restored"]


@pytest.fixture()
def site(tmp_path: Path):
    pages = _pages()
    a, b, c, d, e = (pages[k] for k in ("tasnim-water", "mehr-snow", "isna-snow", "irna-saffron", "mehr-metro"))
    read = {k: (SITE_DIR / p["file"]).read_bytes() for k, p in pages.items()}
    root = tmp_path / "site"
    (root / "x" / "news").mkdir(parents=True)
    (root / "index.html").write_text("<html><body><h1>خانه</h1></body></html>", encoding="utf-8")
    (root / "x" / "index.html").write_text("<html><body><h1>بخش</h1></body></html>", encoding="utf-8")
    shutil.copy(SITE_DIR / "robots.txt", root / "robots.txt")
    first = {"unchanged": a, "title": b, "lead": c, "body": d, "cosmetic": e, "gone404": a, "gone410": b,
             "home": c, "section": d, "missing": d, "notarticle": e, "restored": a}
    for name, entry in first.items():
        page = read[entry["key"]]
        if name == "cosmetic":
            page = _cosmetics(page, 12, "۱۰:۰۰", "خبر دیروز")
        (root / "x" / "news" / f"{name}.html").write_bytes(page)
    r2 = root / "_round2" / "x" / "news"
    r2.mkdir(parents=True)
    (r2 / "title.html").write_bytes(_swap(read[b["key"]], b["title"], b["title"] + " (اصلاح شد)"))
    (r2 / "lead.html").write_bytes(_swap(read[c["key"]], c["lead"], c["lead"] + " این خبر به‌روز شد."))
    last = d["body"][-1]
    (r2 / "body.html").write_bytes(_swap(read[d["key"]], last, last.replace(" ", " بسیار ", 1)))
    (r2 / "cosmetic.html").write_bytes(_cosmetics(read[e["key"]], 3517, "۱۴:۲۲", "خبر امروز"))
    (r2 / "missing.html").write_bytes(read[a["key"]])  # another story now lives at this address
    (r2 / "notarticle.html").write_text(
        '<html lang="fa"><head><meta charset="utf-8"><title>خطا</title></head><body><p>این خبر حذف شده است.</p></body></html>',
        encoding="utf-8",
    )
    rules = {"/x/news/gone404": 404, "/x/news/gone410": 410, "/x/news/restored": 404,
             "/x/news/home": {"redirect": "/", "status": 301}, "/x/news/section": {"redirect": "/x/", "status": 302}}
    (root / "_rounds.json").write_text(json.dumps({"2": rules}), encoding="utf-8")
    server, base = serve_sample("127.0.0.1", 0, site_dir=root)
    yield server, base
    server.stop()


@pytest.fixture()
def captured(site, home):
    """Every story captured once in round 1, through the pipeline; t0 is just after."""
    server, base = site
    archive = open_archive(home)
    pipeline = Pipeline(archive=archive, index=False)
    urls = [f"{base}/x/news/{name}" for name in STORIES]
    report = capture_urls(archive, urls, CONFIG, pipeline.on_capture)
    assert report.captured == len(urls), report.errors
    t0 = datetime.now(UTC)
    yield server, base, archive, pipeline, t0
    archive.close()


def _by_name(verdicts: list[Verdict]) -> dict[str, Verdict]:
    return {v.url.rsplit("/", 1)[1]: v for v in verdicts}


def _round2(captured) -> tuple[dict[str, Verdict], object]:
    server, _base, archive, pipeline, t0 = captured
    server.round = 2
    report = revisit_due(archive, None, CONFIG, pipeline.on_capture, now=t0 + HOUR + timedelta(minutes=1))
    assert report.failed == 0, report.errors
    return _by_name(report.verdicts), report


def test_nothing_is_due_before_the_first_step(captured):
    _server, _base, archive, pipeline, t0 = captured
    report = revisit_due(archive, None, CONFIG, pipeline.on_capture, now=t0 + timedelta(minutes=30))
    assert report.due == 0 and not report.verdicts


def test_each_revisit_is_classified(captured):
    verdicts, report = _round2(captured)
    assert report.due == len(STORIES)
    got = {name: (v.verdict, v.reason) for name, v in verdicts.items()}
    assert got == {
        "unchanged": ("unchanged", None),
        "title": ("edited", "title"),
        "lead": ("edited", "lead"),
        "body": ("edited", "body"),
        "cosmetic": ("unchanged", None),  # counter, clock and related box changed; the story did not
        "gone404": ("deleted", "404"),
        "gone410": ("deleted", "410"),
        "home": ("deleted", "redirect to home"),
        "section": ("deleted", "redirect to section"),
        "missing": ("deleted", "story missing"),
        "notarticle": ("deleted", "story missing"),
        "restored": ("deleted", "404"),
    }


def test_an_edit_names_both_articles_and_its_size(captured):
    verdicts, _ = _round2(captured)
    _server, _base, archive, pipeline, _t0 = captured
    edit = verdicts["body"]
    assert edit.change_size == 1  # one word inserted
    assert edit.article_id and edit.previous_article_id and edit.article_id != edit.previous_article_id
    new = pipeline.articles.get(edit.article_id).article
    assert "بسیار" in " ".join(new.body)
    assert verdicts["title"].change_size == 2  # "(اصلاح" and "شد)"
    assert verdicts["unchanged"].article_id is None and verdicts["unchanged"].change_size == 0
    # An unchanged page is archived as a revisit record; a cosmetic change as a new response.
    assert archive.get(verdicts["unchanged"].capture_id).record_type == "revisit"
    assert archive.get(verdicts["cosmetic"].capture_id).record_type == "response"
    assert verdicts["gone404"].status == 404 and archive.get(verdicts["gone404"].capture_id).status == 404
    assert verdicts["home"].status == 200


def test_a_deleted_story_that_comes_back_is_restored(captured):
    _round2(captured)
    server, _base, archive, pipeline, t0 = captured
    server.round = 3  # round 3 has no rules: every page is as in round 1
    report = revisit_due(archive, None, CONFIG, pipeline.on_capture, now=t0 + 6 * HOUR + timedelta(minutes=1))
    verdicts = _by_name(report.verdicts)
    assert verdicts["restored"].verdict == "restored" and verdicts["restored"].article_id
    assert verdicts["gone404"].verdict == "restored"
    # Edited stories went back to their first text: compared with the edit, that is an edit again.
    assert verdicts["title"].verdict == "edited"
    store = RevisitStore(archive)
    try:
        states = dict(store.db.execute("SELECT url, state FROM revisit_schedule").fetchall())
    finally:
        store.close()
    assert all(state == "live" for state in states.values())


def test_a_story_still_gone_is_not_deleted_twice(captured):
    _round2(captured)
    server, _base, archive, pipeline, t0 = captured
    report = revisit_due(archive, None, CONFIG, pipeline.on_capture, now=t0 + 6 * HOUR + timedelta(minutes=1))
    gone = _by_name(report.verdicts)["gone404"]
    assert (gone.verdict, gone.reason) == ("unchanged", "still deleted (404)")


def test_the_schedule_steps_and_skips_what_is_past(captured):
    _server, base, archive, pipeline, t0 = captured
    store = RevisitStore(archive)
    try:
        def row(name: str) -> tuple[int, str | None]:
            return store.db.execute(
                "SELECT step, due_at FROM revisit_schedule WHERE url LIKE ?", (f"%/x/news/{name}",)
            ).fetchone()

        first = datetime.fromisoformat(store.db.execute(
            "SELECT first_captured FROM revisit_schedule WHERE url LIKE '%/unchanged'").fetchone()[0].replace("Z", "+00:00"))
        assert row("unchanged") == (0, (first + HOUR).strftime("%Y-%m-%dT%H:%M:%SZ"))
        revisit_due(archive, None, CONFIG, pipeline.on_capture, now=t0 + 2 * HOUR)
        assert row("unchanged") == (1, (first + 6 * HOUR).strftime("%Y-%m-%dT%H:%M:%SZ"))
        # Down for eight days: one revisit, then on to the 30-day step.
        revisit_due(archive, None, CONFIG, pipeline.on_capture, now=t0 + timedelta(days=8))
        assert row("unchanged") == (4, (first + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        revisit_due(archive, None, CONFIG, pipeline.on_capture, now=t0 + timedelta(days=31))
        assert row("unchanged") == (5, None)  # finished
        assert len(store.verdicts()) == 3 * len(STORIES)
    finally:
        store.close()


def test_per_source_schedule_from_sources_toml(captured):
    _server, base, archive, pipeline, t0 = captured
    sources = parse_sources({"revisit": ["3h"], "source": [
        {"id": "x", "feeds": [f"{base}/x/rss.xml"], "revisit": ["2h", "5h"]},
        {"id": "other", "feeds": [f"{base}/other/rss.xml"]},
    ]})
    assert [s.revisit for s in sources] == [[2 * HOUR, 5 * HOUR], [3 * HOUR]]
    report = revisit_due(archive, sources, CONFIG, pipeline.on_capture, now=t0 + HOUR + timedelta(minutes=1))
    assert report.due == 0  # source x's first step is 2 hours
    report = revisit_due(archive, sources, CONFIG, pipeline.on_capture, now=t0 + 2 * HOUR + timedelta(minutes=1))
    assert report.due == len(STORIES)
    store = RevisitStore(archive)
    try:
        assert {r[0] for r in store.db.execute("SELECT source FROM revisit_schedule")} == {"x"}
    finally:
        store.close()


def test_a_rerun_never_writes_a_second_verdict(captured):
    _server, _base, archive, pipeline, t0 = captured
    now = t0 + HOUR + timedelta(minutes=1)
    revisit_due(archive, None, CONFIG, pipeline.on_capture, now=now)
    again = revisit_due(archive, None, CONFIG, pipeline.on_capture, now=now)
    assert again.due == 0
    store = RevisitStore(archive)
    try:
        # Two runs that read the same due step: only the first verdict is kept.
        story = store.due(t0 + 7 * HOUR)[0]
        v = Verdict(story.surt, story.url, "2030-01-01T00:00:00Z", "unchanged", None, None, None, 200, None, 0)
        assert store.record(story, v, story.step + 1, None, "live") is True
        assert store.record(story, v, story.step + 1, None, "live") is False
        counts = store.db.execute("SELECT surt, COUNT(*) FROM revisit_verdicts GROUP BY surt").fetchall()
        assert {n for _, n in counts} <= {1, 2} and len(store.verdicts(story.surt)) == 2
    finally:
        store.close()


def test_no_verdict_without_a_committed_capture(captured, monkeypatch):
    _server, _base, archive, pipeline, t0 = captured
    before = archive.count()

    def crash(**_kw):
        raise OSError("disk full")

    monkeypatch.setattr(archive, "write_exchange", crash)
    report = revisit_due(archive, None, CONFIG, pipeline.on_capture, now=t0 + 2 * HOUR)
    assert report.failed == len(STORIES) and not report.verdicts
    monkeypatch.undo()
    assert archive.count() == before
    store = RevisitStore(archive)
    try:
        assert store.verdicts() == []
        assert {r[0] for r in store.db.execute("SELECT step FROM revisit_schedule")} == {0}  # still due
    finally:
        store.close()
    report = revisit_due(archive, None, CONFIG, pipeline.on_capture, now=t0 + 2 * HOUR)
    assert len(report.verdicts) == len(STORIES)
    for v in report.verdicts:
        assert archive.get(v.capture_id).surt == v.surt


def test_imported_pages_are_not_scheduled(home):
    archive = open_archive(home)
    try:
        pipeline = Pipeline(archive=archive, index=False)
        page = (SITE_DIR / _pages()["mehr-metro"]["file"]).read_bytes()
        cap = archive.write_exchange(url="https://example.org/news/1", status=200,
                                     response_headers=[("Content-Type", "text/html; charset=utf-8")], body=page,
                                     imported=True)
        pipeline.extract_capture(cap)
        store = RevisitStore(archive)
        assert store.db.execute("SELECT COUNT(*) FROM revisit_schedule").fetchone()[0] == 0
        store.close()
    finally:
        archive.close()


def test_cosmetic_only_changes_compare_equal():
    from vazeh.extract.compare import compare_articles
    from vazeh.extract.model import Article

    old = Article(title="خبر  يك", lead="لید\u200cخبر", body=["پاراگراف ۱", "دوم"])
    new = Article(title="خبر یک", lead="لید خبر", body=["پاراگراف 1", "دوم"], tags=["x"], modified="2030")
    assert compare_articles(old, new) == ([], 0)
    assert compare_articles(old, Article(title="خبر یک", lead="لید خبر", body=["پاراگراف ۲", "دوم"])) == (["body"], 2)
