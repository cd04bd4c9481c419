"""`watch`: feeds and sitemaps polled with conditional requests, new articles captured."""

from __future__ import annotations

import pytest

from vazeh.capture import Source, SourcesError, load_sources, watch_once
from vazeh.capture.feeds import parse_links
from vazeh.capture.sources import parse_sources


def _test_source(site) -> Source:
    return Source(id="test", name_fa="خبرنامهٔ آزمایشی", feeds=[site.base_url + "/rss.xml"], sitemaps=[site.base_url + "/sitemap.xml"])


def test_one_round_captures_the_announced_articles(archive, site, config):
    report = watch_once(archive, [_test_source(site)], config)
    assert report.source_errors == []
    assert report.feeds == 2
    # rss: /news/1, /news/2, /private/secret (robots.txt); sitemap adds /news/3.
    assert report.new_urls == 4
    assert report.capture.robots == 1
    for n in (1, 2, 3):
        assert archive.captures(f"{site.base_url}/news/{n}"), n
    assert archive.captures(site.base_url + "/rss.xml")  # the feed itself is archived too


def test_second_round_uses_conditional_requests_and_finds_nothing_new(archive, site, config):
    source = _test_source(site)
    watch_once(archive, [source], config)
    before = archive.count()
    report = watch_once(archive, [source], config)
    assert report.not_modified == 2 and report.new_urls == 0
    assert archive.count() == before


def test_a_failing_source_does_not_stop_the_others(archive, site, config):
    broken = Source(id="broken", feeds=[site.base_url + "/no-such-feed.xml"])
    report = watch_once(archive, [broken, _test_source(site)], config)
    assert len(report.source_errors) == 1 and "broken" in report.source_errors[0]
    assert report.new_urls == 4


def test_rss_atom_and_sitemaps_are_parsed():
    rss = b'<rss><channel><item><link>https://a.ir/1</link></item><item><guid>https://a.ir/2</guid></item></channel></rss>'
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" href="https://a.ir/3"/></entry></feed>'
    smap = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc> https://a.ir/4 </loc></url></urlset>'
    index = b'<sitemapindex><sitemap><loc>https://a.ir/s1.xml</loc></sitemap></sitemapindex>'
    assert parse_links(rss).links == ["https://a.ir/1", "https://a.ir/2"]
    assert parse_links(atom).links == ["https://a.ir/3"]
    assert parse_links(smap).kind == "sitemap" and parse_links(smap).links == ["https://a.ir/4"]
    assert parse_links(index).kind == "sitemapindex"
    assert parse_links(b"<rss><channel><item><link>/n/5</link></item></channel></rss>", "https://a.ir/rss").links == [
        "https://a.ir/n/5"
    ]


def test_hostile_feeds_are_harmless():
    xxe = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel><item><link>&x;</link></item></channel></rss>'
    assert parse_links(xxe).links == []
    assert parse_links(b"not xml at all").kind == "unknown"
    assert parse_links(b"").kind == "unknown"


def test_the_default_sources_file_lists_the_major_outlets():
    sources = {s.id: s for s in load_sources()}
    for sid in ("mehr", "irna", "isna", "fars", "tasnim", "khabaronline", "hamshahri", "yjc", "varzesh3", "bbcpersian", "radiofarda"):
        assert sid in sources, sid
        s = sources[sid]
        assert s.name_fa and s.name_en and s.domains and (s.feeds or s.sitemaps)
        assert all(u.startswith("https://") for u in s.feeds + s.sitemaps)


def test_sources_files_may_use_relative_urls_with_a_base():
    data = {"base_url": "http://127.0.0.1:9999", "source": [{"id": "x", "name": "ایکس", "feed": "/rss.xml"}]}
    [s] = parse_sources(data)
    assert s.feeds == ["http://127.0.0.1:9999/rss.xml"] and s.name_fa == "ایکس"
    with pytest.raises(SourcesError, match="relative URL"):
        parse_sources({"source": [{"id": "x", "feeds": ["/rss.xml"]}]})


def test_watch_forever_keeps_polling_and_survives_a_failing_source(archive, site, config):
    import asyncio

    from vazeh.capture import watch_forever_async

    rounds = []
    sources = [Source(id="broken", feeds=[site.base_url + "/gone.xml"], interval=0.01), _test_source(site)]
    sources[1].interval = 0.01
    asyncio.run(
        watch_forever_async(archive, sources, config, on_round=lambda s, r: rounds.append((s.id, r)), rounds=2)
    )
    assert [sid for sid, _ in rounds].count("broken") == 2
    test_rounds = [r for sid, r in rounds if sid == "test"]
    assert [r.new_urls for r in test_rounds] == [4, 0]
    assert all(r.source_errors for sid, r in rounds if sid == "broken")


def test_a_source_with_only_a_domain_has_its_feeds_discovered(archive, site, config):
    from vazeh.capture.feeds import discover_feeds

    source = Source(id="found", domains=[site.base_url])
    report = watch_once(archive, [source], config)
    assert report.source_errors == []
    assert source.feeds == [site.base_url + "/rss.xml"]
    assert source.sitemaps == [site.base_url + "/sitemap.xml"]
    assert report.new_urls == 4
    page = b'<html><head><link rel="alternate" type="application/atom+xml" href="atom.xml"></head></html>'
    assert discover_feeds(page, "https://a.ir/fa/") == ["https://a.ir/fa/atom.xml"]


def test_gzipped_sitemaps_are_read(archive, sample_site, config):
    import gzip

    smap = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.ir/5</loc></url></urlset>'
    assert parse_links(gzip.compress(smap)).links == ["https://a.ir/5"]
    # The sample site serves one, as a gzip file.
    report = watch_once(archive, [Source(id="gz", sitemaps=[sample_site.url("/yjc/sitemap.xml.gz")])], config)
    assert report.source_errors == [] and report.new_urls > 0


def test_sitemap_index_children_come_newest_first():
    index = (
        b"<sitemapindex>"
        b"<sitemap><loc>https://a.ir/2023.xml</loc><lastmod>2023-12-30</lastmod></sitemap>"
        b"<sitemap><loc>https://a.ir/2025.xml</loc><lastmod>2025-01-02T10:00:00+03:30</lastmod></sitemap>"
        b"<sitemap><loc>https://a.ir/tags.xml</loc></sitemap>"
        b"</sitemapindex>"
    )
    assert parse_links(index).links == ["https://a.ir/2025.xml", "https://a.ir/2023.xml", "https://a.ir/tags.xml"]
