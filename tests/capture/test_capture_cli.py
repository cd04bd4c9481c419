"""The capture commands as a user types them."""

from __future__ import annotations

from typer.testing import CliRunner

from vazeh.cli import app

runner = CliRunner()


def vazeh(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_init_capture_captures_record(home, site):
    assert vazeh("init").exit_code == 0
    url = site.base_url + "/news/1"
    result = vazeh("capture", url, site.base_url + "/news/3", "--allow-private", "--rate", "100", "--no-extract")
    assert result.exit_code == 0, result.output
    assert "captured 2" in result.output
    listing = vazeh("captures", url)
    assert listing.exit_code == 0 and "200" in listing.output and "sha1:" in listing.output
    shown = vazeh("record", url, "--at", "20300101")
    assert shown.exit_code == 0
    assert "HTTP 200" in shown.output and "بارش نخستین برف پاییزی" in shown.output
    # The windows-1256 page prints as Persian text, decoded with its detected charset.
    assert "مترو" in vazeh("record", site.base_url + "/news/3").output


def test_capture_refuses_loopback_without_allow_private(home, site):
    result = vazeh("capture", site.base_url + "/news/1", "--no-extract")
    assert result.exit_code == 1
    assert "refused 1" in result.output


def test_capture_from_file(home, site, tmp_path):
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# today's list\n{site.base_url}/news/1\n\n{site.base_url}/news/2\n")
    result = vazeh("capture", "--from", str(urls), "--allow-private", "--rate", "100", "--no-extract")
    assert result.exit_code == 0 and "captured 2" in result.output


def test_watch_once_with_a_sources_file(home, site, tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text('[[source]]\nid = "t"\nname_fa = "آزمایشی"\nfeeds = ["/rss.xml"]\nsitemaps = ["/sitemap.xml"]\n', encoding="utf-8")
    args = ["watch", "--once", "--sources", str(sources), "--base-url", site.base_url, "--allow-private", "--rate", "100", "--no-extract"]
    result = vazeh(*args)
    assert result.exit_code == 0, result.output
    assert "new URLs 4" in result.output
    assert "new URLs 0" in vazeh(*args).output


def test_import_reports_problems_with_exit_code(home, tmp_path):
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    result = vazeh("import", str(bad), "--no-extract")
    assert result.exit_code == 1
    assert "bad.warc.gz at offset 0" in result.output


def test_unknown_url_and_bad_time_are_clear_errors(home):
    assert vazeh("captures", "https://nowhere.example/").exit_code == 1
    result = vazeh("record", "https://nowhere.example/", "--at", "yesterday")
    assert result.exit_code == 1 and "--at" in result.output
