"""Capturing pages: records written, redirects, robots.txt, retries, caps, charsets."""

from __future__ import annotations

import gzip

from warcio.archiveiterator import ArchiveIterator

from vazeh.capture import USER_AGENT, FetchConfig, capture_urls


def test_capture_writes_request_and_response_records(archive, site, config):
    url = site.base_url + "/news/1"
    report = capture_urls(archive, [url], config)
    assert report.captured == 1 and report.failed == 0
    [cap] = archive.captures(url)
    assert cap.status == 200 and cap.mime == "text/html" and cap.charset == "utf-8"
    assert cap.payload_digest.startswith("sha1:")
    response = archive.read_response(cap)
    assert "بارش نخستین برف پاییزی".encode() in response.body
    # The bytes are kept as served: gzip'd on the wire, gzip'd in the archive.
    assert response.header("Content-Encoding") == "gzip"
    assert gzip.decompress(response.raw_body) == response.body
    assert response.header("Transfer-Encoding") is None
    types = []
    with open(archive.warc_dir / cap.warc_file, "rb") as f:
        for rec in ArchiveIterator(f):
            types.append(rec.rec_type)
            if rec.rec_type == "request":
                assert rec.http_headers.get_header("User-Agent") == USER_AGENT
            if rec.rec_type == "response":
                assert rec.rec_headers.get_header("WARC-IP-Address") == "127.0.0.1"
                assert rec.rec_headers.get_header("WARC-Payload-Digest") == cap.payload_digest
    assert types == ["warcinfo", "request", "response"]


def test_same_payload_again_becomes_a_revisit(archive, site, config):
    url = site.base_url + "/news/2"
    capture_urls(archive, [url], config)
    report = capture_urls(archive, [url], config)
    assert report.revisits == 1 and report.captured == 0
    first, second = archive.captures(url)
    assert second.record_type == "revisit" and second.revisit_of == first.id
    assert archive.read_response(second).body == archive.read_response(first).body


def test_each_redirect_hop_is_archived(archive, site, config):
    url = site.base_url + "/redirect/3?to=/news/1"
    report = capture_urls(archive, [url], config)
    assert report.redirects == 3 and report.captured == 4
    hops = [c for c in archive.iter_captures() if "/redirect/" in c.url]
    assert sorted(c.status for c in hops) == [301, 301, 302]
    assert archive.captures(site.base_url + "/news/1")[0].status == 200


def test_robots_txt_is_obeyed(archive, site, config):
    report = capture_urls(archive, [site.base_url + "/private/secret"], config)
    assert report.robots == 1 and report.captured == 0
    assert archive.count() == 0


def test_windows_1256_and_mislabelled_pages_get_their_real_charset(archive, site, config):
    capture_urls(archive, [site.base_url + "/news/3", site.base_url + "/news/4"], config)
    [page3] = archive.captures(site.base_url + "/news/3")
    [page4] = archive.captures(site.base_url + "/news/4")
    assert page3.charset == "windows-1256"
    assert page4.charset == "utf-8"  # served as iso-8859-1, written in UTF-8
    assert "مترو" in archive.read_response(page3).body.decode(page3.charset)


def test_404_is_archived_as_served(archive, site, config):
    report = capture_urls(archive, [site.base_url + "/no/such/page"], config)
    assert report.captured == 1
    assert archive.captures(site.base_url + "/no/such/page")[0].status == 404


def test_5xx_is_retried(archive, site, config):
    url = site.base_url + "/flaky?k=retry-test"
    report = capture_urls(archive, [url], config)
    assert report.failed == 0
    [cap] = archive.captures(url)
    assert cap.status == 200  # two 503s, then the page


def test_5xx_after_all_retries_is_archived(archive, site):
    url = site.base_url + "/flaky?k=no-retry"
    config = FetchConfig(allow_private=True, rate=100, retries=0)
    capture_urls(archive, [url], config)
    assert archive.captures(url)[0].status == 503


def test_oversized_response_is_cut_and_marked(archive, site, config):
    url = site.base_url + "/big?mb=3"
    report = capture_urls(archive, [url], config)
    assert report.truncated == 1
    [cap] = archive.captures(url)
    assert cap.payload_length == config.max_bytes
    assert archive.read_record(cap).rec_headers.get_header("WARC-Truncated") == "length"


def test_gzip_bomb_is_stored_compressed_and_never_fully_inflated(archive, site, config):
    url = site.base_url + "/bomb"
    capture_urls(archive, [url], config)
    [cap] = archive.captures(url)
    assert cap.payload_length < config.max_bytes  # the compressed bytes, as served
    response = archive.read_response(cap)
    assert response.truncated  # inflation stopped at the archive's limit
    assert cap.charset == "utf-8"


def test_slow_page_times_out_and_is_reported(archive, site):
    config = FetchConfig(allow_private=True, rate=100, timeout=0.3, retries=1, backoff=0.01)
    report = capture_urls(archive, [site.base_url + "/slow?s=2"], config)
    assert report.failed == 1 and "Timeout" in report.errors[0]
    assert archive.count() == 0


def test_non_http_urls_are_refused_with_a_reason(archive, config):
    report = capture_urls(archive, ["file:///etc/passwd", "ftp://example.org/x"], config)
    assert report.failed == 2 and all("not an http(s) URL" in e for e in report.errors)


def test_on_capture_sees_each_capture_and_its_failure_is_not_fatal(archive, site, config):
    seen = []

    def callback(capture):
        seen.append(capture.url)
        raise RuntimeError("extraction broke")

    report = capture_urls(archive, [site.base_url + "/news/1", site.base_url + "/"], config, on_capture=callback)
    assert report.captured == 2 and sorted(seen) == sorted([site.base_url + "/news/1", site.base_url + "/"])


def test_retry_after_is_read_in_seconds_or_as_a_date():
    from vazeh.capture.fetcher import _retry_after

    assert _retry_after("7") == 7.0
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
    assert _retry_after("soon") is None and _retry_after(None) is None


def test_redirect_chains_longer_than_the_limit_fail_with_a_reason(archive, site):
    config = FetchConfig(allow_private=True, rate=100, max_redirects=3)
    report = capture_urls(archive, [site.base_url + "/redirect/6?to=/news/1"], config)
    assert report.failed == 1 and "more than 3 redirects" in report.errors[0]
    assert report.redirects == 4  # the hops that were fetched are archived all the same


def test_fragments_are_not_part_of_the_captured_url(archive, site, config):
    capture_urls(archive, [site.base_url + "/news/2#comments"], config)
    assert [c.url for c in archive.iter_captures()] == [site.base_url + "/news/2"]
