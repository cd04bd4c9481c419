"""Layouts of sites with no profile (issue 16): the generic path alone must read them.

Each fixture is written for these tests in the layout of a kind of page seen in the
wild: a video page, a press release, a WordPress template that says lang="en", an old
CMS with only `<meta name="Date">`, a story dated only by its dateline, and a Nastooh
photo page.
"""

from __future__ import annotations

from pathlib import Path

from vazeh.extract import extract_article
from vazeh.extract.model import Article

FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str, url: str) -> Article:
    return extract_article((FIXTURES / name).read_bytes(), url=url)


# ---------------------------------------------------------------- video page
def test_video_description_above_the_article_text_is_the_first_paragraph() -> None:
    art = read("generic_video.html", "https://tv.ostan-nemoone.ir/video/3307/قطار-برقی")
    assert art.is_article
    assert art.title == "نخستین قطار برقی مسیر تبریز به ارومیه آزمایش شد"
    assert art.body[0].startswith("در این ویدئو حرکت آزمایشی نخستین قطار برقی")
    assert art.body[1].startswith("قطار برقی مسیر تبریز به ارومیه پس از شش سال")
    assert len(art.body) == 4
    # The duration under the player and the share bar are not story text.
    assert not any("مدت" in p or "اشتراک" in p for p in art.body)
    assert art.lead is None
    assert art.news_id == "3307"


def test_prose_above_the_body_is_not_taken_on_a_page_that_is_not_a_video() -> None:
    html = (FIXTURES / "generic_video.html").read_text(encoding="utf-8")
    html = html.replace('content="video.other"', 'content="article"').replace('"VideoObject"', '"NewsArticle"')
    html = html.replace("<video", "<img").replace("</video>", "")
    art = extract_article(html.encode(), url="https://tv.ostan-nemoone.ir/news/3307/x")
    assert art.body[0].startswith("قطار برقی مسیر تبریز به ارومیه پس از شش سال")
    assert len(art.body) == 3


# ---------------------------------------------------------------- press release
def test_press_release_reference_line_and_dateline_leave_the_body() -> None:
    art = read("generic_press_release.html", "https://www.doe-nemoone.ir/fa/press/IP-02-1417")
    assert art.is_article
    assert art.title == "شکار پرندگان مهاجر در تالاب‌های شمال ممنوع شد"
    assert "IP/02/1417" not in art.body
    assert "رشت، ۲۴ آبان ۱۴۰۲" not in art.body
    assert art.body[0].startswith("بر پایه این تصمیم، محیط‌بانان دو استان")
    assert len(art.body) == 4


def test_press_release_h2_summary_is_the_lead() -> None:
    art = read("generic_press_release.html", "https://www.doe-nemoone.ir/fa/press/IP-02-1417")
    assert art.lead == (
        "سازمان حفاظت محیط زیست شکار همه گونه‌های پرندگان مهاجر را در تالاب‌های گیلان و مازندران"
        " تا پایان زمستان ممنوع کرد."
    )
    assert art.lead not in art.body


def test_press_release_is_dated_by_its_dateline() -> None:
    art = read("generic_press_release.html", "https://www.doe-nemoone.ir/fa/press/IP-02-1417")
    assert art.published == "2023-11-15T00:00:00+03:30"
    assert any("رشت، ۲۴ آبان ۱۴۰۲" in w for w in art.warnings)


def test_a_section_heading_under_the_headline_is_not_a_lead() -> None:
    html = (FIXTURES / "generic_press_release.html").read_text(encoding="utf-8")
    start, end = html.index("<h2>"), html.index("</h2>")
    html = html[:start] + "<h2>تصمیم تازه</h2>" + html[end + len("</h2>"):]
    art = extract_article(html.encode(), url="https://www.doe-nemoone.ir/fa/press/IP-02-1417")
    assert art.lead is None
    assert art.body[0] == "تصمیم تازه"


def test_a_place_and_date_line_further_down_stays_in_the_story() -> None:
    html = (FIXTURES / "generic_press_release.html").read_text(encoding="utf-8")
    html = html.replace("<p>رشت، ۲۴ آبان ۱۴۰۲</p>", "")
    html = html.replace("<p>سازمان از مردم", "<p>ساری، ۲۰ آبان ۱۴۰۲</p><p>سازمان از مردم")
    art = extract_article(html.encode(), url="https://www.doe-nemoone.ir/fa/press/IP-02-1417")
    assert "ساری، ۲۰ آبان ۱۴۰۲" in art.body


# ---------------------------------------------------------------- declared language
def test_persian_story_under_a_lang_en_template_is_persian() -> None:
    art = read("generic_lang_en.html", "https://roznegar-nemoone.com/2023/12/09/bookshops/")
    assert art.is_article
    assert art.language == "fa"
    assert art.published == "2023-12-09T23:15:00+03:30"


def test_lang_en_with_a_dari_locale_or_an_afghan_host_is_dari_in_kabul_time() -> None:
    html = (FIXTURES / "generic_lang_en.html").read_text(encoding="utf-8")
    by_locale = extract_article(
        html.replace('content="en_US"', 'content="fa_AF"').encode(), url="https://roznegar-nemoone.com/p/812"
    )
    assert by_locale.language == "prs"
    assert by_locale.published == "2023-12-10T00:15:00+04:30"  # 19:45 UTC in Kabul
    by_host = extract_article(html.encode(), url="https://roznegar-nemoone.af/p/812")
    assert by_host.language == "prs"


def test_declared_dari_is_still_dari() -> None:
    html = (FIXTURES / "generic_lang_en.html").read_text(encoding="utf-8").replace('lang="en-US"', 'lang="prs"')
    html = html.replace('<meta property="og:locale" content="en_US">', "")
    assert extract_article(html.encode(), url="https://roznegar-nemoone.com/p/812").language == "prs"


def test_an_english_page_keeps_its_english() -> None:
    paras = "".join(
        f"<p>The city council approved the new tram line on Tuesday, number {i}, after a long debate.</p>"
        for i in range(3)
    )
    html = "<html lang='en'><head><title>Tram line approved</title></head><body><h1>Tram line approved</h1>"
    html += f"<div class='post'>{paras}<p>یک جمله فارسی کوتاه در میان متن.</p></div></body></html>"
    assert extract_article(html.encode(), url="https://example.com/news/1").language == "en"


def test_pashto_and_arabic_under_lang_en_are_told_by_their_letters() -> None:
    def page(sentence: str) -> str:
        paras = "".join(f"<p>{sentence}</p>" for _ in range(3))
        return f"<html lang='en'><head><title>x</title></head><body><div class='post'>{paras}</div></body></html>"

    pashto = "د کابل ښار د اوبو رسولو نوې پروژه پیل شوه او ډېرو کورنیو ته به پاکې اوبه ورسېږي."
    arabic = "أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في المدينة بطاقة استيعابية كبيرة."
    assert extract_article(page(pashto).encode(), url="https://example.af/news/1").language == "ps"
    assert extract_article(page(arabic).encode(), url="https://example.com/news/1").language == "ar"


# ---------------------------------------------------------------- dates
def test_date_only_in_meta_name_date() -> None:
    art = read("generic_meta_date.html", "http://www.shahrestan-nemoone.ir/ShowNews.aspx?Code=5521")
    assert art.is_article
    assert art.published == "2023-10-26T09:40:00+03:30"
    assert "no publication date found" not in art.warnings


def test_meta_name_date_comes_after_the_pages_other_dates() -> None:
    # Nastooh fills meta name="date" with the time the page was rendered: a <time>
    # element (or article:published_time) is the story's date.
    html = (FIXTURES / "generic_meta_date.html").read_text(encoding="utf-8")
    html = html.replace("<div class=\"newsText\">", '<time datetime="2023-10-25T18:00:00+03:30"></time><div class="newsText">')
    art = extract_article(html.encode(), url="http://www.shahrestan-nemoone.ir/ShowNews.aspx?Code=5521")
    assert art.published == "2023-10-25T18:00:00+03:30"


def test_date_only_in_the_dateline_above_the_headline() -> None:
    art = read("generic_dateline.html", "https://khorasan-nemoone.ir/story/saffron-harvest")
    assert art.is_article
    assert art.published == "2023-10-18T17:20:00+03:30"
    assert art.body[0].startswith("برداشت گل زعفران از مزرعه‌های شهرستان")
    assert len(art.body) == 3
    assert any("page text" in w for w in art.warnings)


def test_the_headers_today_line_is_not_a_dateline() -> None:
    # Old sites print today's date at the top of the content column, inside the box
    # that holds the headline and the story.
    html = (FIXTURES / "generic_dateline.html").read_text(encoding="utf-8")
    html = html.replace('<p class="place"><strong>تربت حیدریه - ۲۶ مهر ۱۴۰۲، ساعت ۱۷:۲۰</strong></p>',
                        "<p>امروز، پنج‌شنبه ۲۷ مهر ۱۴۰۲</p>")
    art = extract_article(html.encode(), url="https://khorasan-nemoone.ir/story/saffron-harvest")
    assert art.is_article
    assert art.published is None
    assert "no publication date found" in art.warnings


# ---------------------------------------------------------------- Nastooh photo page
def test_nastooh_photo_page_keeps_its_news_id() -> None:
    art = read("nastooh_photo.html", "https://gilannama-nemoone.ir/photo/84512/جشن-برداشت-برنج")
    assert art.is_article
    assert art.news_id == "84512"
    assert art.lead and art.lead.startswith("آیین سنتی جشن برداشت برنج")
    assert [i.caption for i in art.images] == ["کوبیدن خوشه‌های برنج به شیوه قدیمی", "گروه موسیقی محلی در میدان روستا"]


def test_nastooh_code_gives_the_id_when_the_address_does_not() -> None:
    art = read("nastooh_photo.html", "https://gilannama-nemoone.ir/x/Tq7w")
    assert art.news_id == "84512"
    # Also for an outlet with a profile whose id patterns only know /news/{id}.
    mehr = read("nastooh_photo.html", "https://www.mehrnews.com/photo/x/Tq7w")
    assert mehr.news_id == "84512"
