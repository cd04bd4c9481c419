"""`vazeh extract` on a saved page and `vazeh reextract` over an archive."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from vazeh.archive import open_archive
from vazeh.cli import app
from vazeh.extract import EXTRACTOR_VERSION
from vazeh.extract.model import ArticleStore

FIXTURES = Path(__file__).parent / "fixtures"
JSON_KEYS = {
    "url", "canonical_url", "site", "source", "news_id", "title", "kicker", "lead", "body", "published",
    "published_jalali", "modified", "category", "tags", "author", "images", "language", "warnings", "is_article",
}
runner = CliRunner()


def test_extract_prints_one_json_object() -> None:
    page = FIXTURES / "tasnim.html"
    url = "https://www.tasnimnews.com/fa/news/1401/01/31/2700001/x"
    result = runner.invoke(app, ["extract", str(page), "--url", url, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == JSON_KEYS
    assert data["source"] == "تسنیم"
    assert data["news_id"] == "2700001"
    assert data["published"] == "2022-04-20T12:30:00+04:30"
    assert data["published_jalali"] == "چهارشنبه ۳۱ فروردین ۱۴۰۱ - ۱۲:۳۰"
    assert data["body"][1] == "گل‌های بومی"
    assert data["is_article"] is True


def test_extract_human_readable() -> None:
    result = runner.invoke(app, ["extract", str(FIXTURES / "isna.html")])
    assert result.exit_code == 0
    assert "برگزاری المپیاد ریاضی دانش‌آموزی در تبریز" in result.stdout


def test_extract_reads_standard_input() -> None:
    result = runner.invoke(app, ["extract", "-", "--json"], input=(FIXTURES / "yjc.html").read_bytes())
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "بارش برف راه‌های کوهستانی را بست"


def test_extract_missing_file_is_a_clear_error() -> None:
    result = runner.invoke(app, ["extract", "/no/such/page.html"])
    assert result.exit_code == 1
    assert "no such file" in result.output


def _capture(archive, name: str, url: str) -> None:  # noqa: ANN001
    archive.write_exchange(
        url=url,
        status=200,
        reason="OK",
        response_headers=[("Content-Type", "text/html; charset=utf-8")],
        body=(FIXTURES / name).read_bytes(),
        captured_at=datetime(2024, 5, 2, 8, 0, tzinfo=UTC),
    )


def test_reextract_runs_over_the_archive_and_then_only_on_version_change(home: Path) -> None:
    archive = open_archive(home)
    with archive.transaction():
        _capture(archive, "nastooh_mehr.html", "https://www.mehrnews.com/news/5912345/x")
        _capture(archive, "pangea_dari.html", "https://www.darivoa.com/a/x/7600001.html")
        _capture(archive, "list_page.html", "https://www.mehrnews.com/service/politics")
    archive.close()

    result = runner.invoke(app, ["reextract", "--home", str(home)])
    assert result.exit_code == 0, result.output
    assert "3 pages extracted (2 articles, 1 other pages)" in result.stdout

    archive = open_archive(home)
    store = ArticleStore(archive.db)
    assert store.count() == 2 and store.count(articles_only=False) == 3
    sources = {s.article.source for s in store.latest()}
    assert sources == {"مهر", "صدای امریکا"}
    assert {s.extractor_version for s in store.changed_since(0)} == {EXTRACTOR_VERSION}
    archive.close()

    again = runner.invoke(app, ["reextract", "--home", str(home)])
    assert "0 pages extracted" in again.stdout
    forced = runner.invoke(app, ["reextract", "--home", str(home), "--force"])
    assert "3 pages extracted" in forced.stdout
