"""Pages that try to break the extractor: they come back quickly, with warnings, never a crash."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vazeh.extract import extract_article

ZWNJ = "\u200c"
STORY = (
    "<p>شورای شهر دیروز طرح تازه‌ای برای گسترش پیاده‌روهای مرکز شهر تصویب کرد و اجرای آن از ماه آینده آغاز می‌شود.</p>"
    "<p>به گفته رئیس شورا، هزینه این طرح از محل درآمدهای عوارض نوسازی تأمین خواهد شد و نیازی به وام نیست.</p>"
    "<p>شهروندان می‌توانند نظرهای خود را تا پایان هفته در سامانه شهرداری ثبت کنند.</p>"
)


def page(body: str, head: str = "") -> str:
    return (
        "<!DOCTYPE html><html lang='fa'><head><meta charset='utf-8'>"
        "<meta property='og:type' content='article'><title>طرح پیاده‌راه مرکز شهر</title>" + head + "</head>"
        "<body><h1>طرح پیاده‌راه مرکز شهر</h1><div class='article-body'>" + body + "</div></body></html>"
    )


@pytest.mark.parametrize("data", [b"", b"   \n\t ", b"\x00" * 100])
def test_empty_pages(data: bytes) -> None:
    art = extract_article(data)
    assert not art.is_article and art.body == [] and art.warnings


def test_binary_junk() -> None:
    junk = os.urandom(200_000)
    art = extract_article(junk, url="http://example.com/x.bin")
    assert not art.is_article
    assert art.warnings


def test_png_served_as_html() -> None:
    art = extract_article(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 50)
    assert not art.is_article and "binary" in art.warnings[0]


def test_no_body_at_all() -> None:
    art = extract_article(b"<html><head><title>only a head</title></head></html>")
    assert not art.is_article
    assert art.title == "only a head"


def test_only_text_no_markup() -> None:
    art = extract_article("سلام دنیا، این یک متن ساده بدون هیچ برچسبی است.".encode())
    assert art.body == [] or all(isinstance(p, str) for p in art.body)


def test_broken_html_still_yields_the_story() -> None:
    broken = page("<p>شورای شهر دیروز طرح تازه‌ای برای گسترش پیاده‌روهای مرکز شهر تصویب کرد <b>و <i>اجرای آن</b> از ماه آینده"
                  " آغاز می‌شود.<p>به گفته رئیس شورا، هزینه این طرح از محل درآمدهای عوارض نوسازی تأمین خواهد شد"
                  " و نیازی به وام نیست.</div></div></span><p>شهروندان می‌توانند نظرهای خود را تا پایان هفته در "
                  "سامانه شهرداری ثبت کنند.<table><tr><td>") .replace("</body></html>", "")
    art = extract_article(broken.encode())
    assert art.is_article
    assert len(art.body) == 3
    assert art.body[0].startswith("شورای شهر") and "اجرای آن از ماه آینده" in art.body[0]


def test_css_and_scripts_inside_the_body_are_not_text() -> None:
    body = (
        "<style>.jwplayer{ display: inline-block; } .item p{color:red}</style>" + STORY[:120]
        + "<script>var player = jwplayer('x'); player.setup({file: 'a.mp4'});</script>"
        + "<script type='application/ld+json'>{\"@type\": \"VideoObject\"}</script>"
        + "<noscript><img src='x.gif'>لطفا جاوااسکریپت را فعال کنید</noscript>" + STORY[120:]
    )
    art = extract_article(page(body).encode())
    text = "\n".join(art.body)
    for leak in ("jwplayer", "display", "{", "VideoObject", "جاوااسکریپت"):
        assert leak not in text
    assert len(art.body) == 3


def test_hidden_elements_are_not_text() -> None:
    body = STORY + "<div style='display: none'>متن پنهان برای موتورهای جستجو</div><p hidden>متن پنهان دیگر</p>"
    art = extract_article(page(body).encode())
    assert "پنهان" not in "\n".join(art.body)


@pytest.mark.timeout(60)
def test_deeply_nested_markup() -> None:
    deep = "<div>" * 100_000 + "متنی در عمق بسیار زیاد" + "</div>" * 100_000
    art = extract_article(page(STORY + deep).encode())
    assert any("nested" in w for w in art.warnings)
    assert art.body[:3] == extract_article(page(STORY).encode()).body


@pytest.mark.timeout(60)
def test_deeply_nested_unclosed_inline_markup() -> None:
    art = extract_article(page(STORY + "<span><b>" * 60_000 + "پایان").encode())
    assert art.body[0].startswith("شورای شهر")


@pytest.mark.timeout(120)
def test_ten_megabyte_page() -> None:
    filler = "<div class='item'><a href='/x'>پیوند</a> " + "متن پرکننده " * 20 + "</div>"
    big = page(STORY, head="") .replace("</body>", filler * (10_000_000 // len(filler.encode())) + "</body>")
    assert len(big.encode()) > 10_000_000
    art = extract_article(big.encode())
    assert isinstance(art.body, list)


@pytest.mark.timeout(60)
def test_huge_attribute_and_unterminated_comment() -> None:
    art = extract_article(b'<html><body><div title="' + b"a" * 5_000_000 + b'"><!-- never closed ' + b"x" * 1000)
    assert art.body == [] or isinstance(art.body[0], str)


def test_json_ld_garbage_is_skipped_with_a_warning() -> None:
    head = "<script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"headline\": </script>"
    art = extract_article(page(STORY, head).encode())
    assert art.is_article and len(art.body) == 3
    assert any("JSON-LD" in w for w in art.warnings)


def test_json_ld_graph_and_arrays() -> None:
    head = (
        "<script type='application/ld+json'>[{\"@context\": \"https://schema.org\", \"@graph\": ["
        "{\"@type\": \"WebPage\"}, {\"@type\": [\"NewsArticle\"], \"headline\": \"طرح پیاده‌راه مرکز شهر\","
        " \"datePublished\": \"2023-01-10T07:00:00Z\", \"dateModified\": \"2023-01-10T08:00:00Z\"}]}]</script>"
    )
    art = extract_article(page(STORY, head).encode())
    assert art.published == "2023-01-10T10:30:00+03:30"
    assert art.modified == "2023-01-10T11:30:00+03:30"


def test_zwnj_and_letters_are_kept_exactly() -> None:
    text = "می‌شود كتاب ي ۱۲۳ 123 بی‌‌نهایت"  # Arabic kaf/yeh, both digit kinds, a doubled ZWNJ
    art = extract_article(page(f"<p>{text} و این جمله برای طولانی‌تر شدن متن است تا پاراگراف واقعی باشد.</p>" + STORY).encode())
    assert art.body[0].startswith(text)
    assert "‌‌" in art.body[0]


def test_whitespace_collapses_but_zero_width_marks_stay() -> None:
    body = "<p>الف&nbsp;&nbsp;ب\u2003ج\n\tد&#8204;ه\u200fو\u200dز و این جمله برای طولانی‌تر شدن متن است تا پاراگراف باشد.</p>" + STORY
    art = extract_article(page(body).encode())
    assert art.body[0].startswith("الف ب ج د\u200cه\u200fو\u200dز")


TAGS = ["div", "p", "span", "a", "br", "h1", "script", "style", "table", "td", "li", "ul", "figure", "meta", "b"]


@st.composite
def tag_soup(draw: st.DrawFn) -> bytes:
    parts = draw(
        st.lists(
            st.one_of(
                st.sampled_from([f"<{t}>" for t in TAGS] + [f"</{t}>" for t in TAGS]),
                st.sampled_from(["<p class='lead'>", "<div class='item-text' itemprop='articleBody'>", "<!--", "-->",
                                 "<meta property='og:type' content='article'>", "&#x200c;", "&nbsp;", "&#0;", "<",
                                 "<script type='application/ld+json'>{\"@type\":", "]]>", "<![CDATA["]),
                st.text(alphabet="ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی \u200c\n،.:0123456789", max_size=40),
            ),
            max_size=60,
        )
    )
    return "".join(parts).encode(draw(st.sampled_from(["utf-8", "utf-16-le"])), errors="ignore")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tag_soup())
def test_tag_soup_never_crashes(html: bytes) -> None:
    art = extract_article(html, url="http://127.0.0.1:8000/news/1/x")
    assert isinstance(art.body, list) and all(p and p == " ".join(p.split()) for p in art.body)
    assert not any("extraction failed" in w for w in art.warnings)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000))
def test_random_bytes_never_crash(data: bytes) -> None:
    art = extract_article(data)
    assert not any("extraction failed" in w for w in art.warnings)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "filler",
    ["<a href='/x'>پیوند</a> ", "خط<br>", "<p>پاراگراف کوتاه</p>", "<span><b>متن</b></span>"],
    ids=["links", "line-breaks", "paragraphs", "inline"],
)
def test_ten_megabytes_of_one_element_kind(filler: str) -> None:
    html = ("<html><body><div>" + filler * (10_000_000 // len(filler.encode())) + "</div></body></html>").encode()
    art = extract_article(html)
    assert not art.is_article
    assert any("bytes" in w for w in art.warnings)


@pytest.mark.timeout(60)
def test_story_behind_megabytes_of_inline_script_and_images() -> None:
    head = "<script>var blob = '" + "x" * 6_000_000 + "';</script><style>" + "a{}" * 500_000 + "</style>"
    body = STORY + "<img src='data:image/png;base64," + "QUJD" * 1_000_000 + "'>"
    art = extract_article(page(body, head).encode())
    assert art.is_article and len(art.body) == 3


def test_inline_picture_does_not_split_a_sentence() -> None:
    body = "<p>شهردار گفت <img src='/icons/quote.png' width='12'> این طرح تا پایان سال به پایان می‌رسد و هزینه‌ای برای شهروندان ندارد.</p>" + STORY
    art = extract_article(page(body).encode())
    assert art.body[0] == "شهردار گفت این طرح تا پایان سال به پایان می‌رسد و هزینه‌ای برای شهروندان ندارد."


def test_css_scripts_share_box_and_comments_fixture() -> None:
    from pathlib import Path

    html = (Path(__file__).parent / "fixtures" / "css_in_body.html").read_bytes()
    art = extract_article(html)
    assert art.is_article
    assert art.body == [
        "مراسم افتتاحیه جشنواره فیلم کوتاه امشب از ساعت ۱۹ در تالار وحدت برگزار می‌شود و از شبکه چهار پخش خواهد شد.",
        "دبیر جشنواره گفت امسال بیش از هزار و دویست فیلم به دبیرخانه رسیده که صد و ده اثر به بخش مسابقه راه یافته‌اند.",
    ]
