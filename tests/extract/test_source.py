"""Whose story it is: the agency a story credits, not a word that happens to be a name."""

from __future__ import annotations

import pytest

from vazeh.extract.profiles import default_profiles
from vazeh.extract.source import credited_source, site_source

AGENCIES = default_profiles().agencies


@pytest.mark.parametrize(
    ("first", "source"),
    [
        ("به گزارش خبرگزاری مهر، شورای شهر امروز تشکیل جلسه داد.", "مهر"),
        ("به گزارش خبرنگار مهر، شورای شهر امروز تشکیل جلسه داد.", "مهر"),
        ("به گزارش ایرنا، شورای شهر امروز تشکیل جلسه داد.", "ایرنا"),
        ("به گزارش ايرنا، شورای شهر امروز تشکیل جلسه داد.", "ایرنا"),  # Arabic yeh, as old pages write it
        ("به گزارش خبرگزاری تسنیم از اصفهان، نمایشگاه گشایش یافت.", "تسنیم"),
        ("به گزارش گروه استان‌های باشگاه خبرنگاران جوان از شهرکرد، جلسه برگزار شد.", "باشگاه خبرنگاران جوان"),
        ('به گزارش "ورزش سه"، تیم میزبان برنده شد.', "ورزش سه"),
        ("به گزارش خبرنگار ایسنا از فارس، باران بارید.", "ایسنا"),
        ("به گزارش مرکز آمار در مهر ماه امسال تورم کاهش یافت.", None),
        ("به گزارش خبرنگار ما از استان فارس، باران بارید.", None),
        ("شورای شهر امروز تشکیل جلسه داد و مهر تأیید بر طرح زد.", None),
    ],
)
def test_credit_in_the_first_lines(first: str, source: str | None) -> None:
    assert credited_source([first, "پاراگراف دوم خبر."], AGENCIES) == source


def test_credit_in_a_trailer_or_source_line() -> None:
    assert credited_source(["متن خبر.", "[ارسال شده از: ایسنا]"], AGENCIES) == "ایسنا"
    assert credited_source(["متن خبر.", "منبع: خبرگزاری فارس"], AGENCIES) == "فارس"


def test_site_name_to_source() -> None:
    assert site_source("خبرگزاری آریا - اخبار روز") == "آریا"
    assert site_source("پایگاه خبری نمونه | اخبار") == "پایگاه خبری نمونه"
    assert site_source(None) is None


@pytest.mark.parametrize(
    ("bylines", "source"),
    [
        (["خبرگزاری فرانس پرس"], "فرانس پرس"),  # an agency vazeh has no entry for
        (["خبرگزاري مهر"], "مهر"),  # a known one, Arabic yeh
        (["ایسنا"], "ایسنا"),
        (["امیرعلی عوض‌پور"], None),  # a reporter credits no agency
        (["مریم توکلی", "خبرگزاری تسنیم"], "تسنیم"),  # the metadata's organisation after a person's byline
        (["خبرگزاری"], None),
    ],
)
def test_credit_in_a_byline_or_the_metadata(bylines: list[str], source: str | None) -> None:
    from vazeh.extract.source import byline_source

    assert byline_source(bylines, AGENCIES) == source


def test_a_byline_naming_the_site_itself_credits_no_other_agency() -> None:
    from vazeh.extract.source import byline_source

    # VOA Dari's JSON-LD author is its own «صدای امریکا», which the agency list spells «صدای آمریکا»
    assert byline_source(["صدای امریکا"], AGENCIES, own=("صدای امریکا",)) is None
    assert byline_source(["خبرگزاری مهر"], AGENCIES, own=("مهر",)) is None
    assert byline_source(["خبرگزاری مهر"], AGENCIES, own=("ایسنا",)) == "مهر"


def test_a_story_without_a_credit_line_takes_its_bylines_agency() -> None:
    from vazeh.extract.extractor import extract_article

    body = "".join(f"<p>{p}</p>" for p in (
        "نیروهای امدادی از بامداد امروز در منطقه حاضر شدند و راه‌های روستایی را بازگشایی کردند.",
        "فرماندار گفت که تا عصر امروز همه راه‌های ارتباطی منطقه باز خواهد شد و کمک‌ها می‌رسد.",
        "به گفته او بیش از دویست خانوار از بارش‌های اخیر آسیب دیده‌اند و اسکان موقت یافته‌اند.",
    ))
    page = ('<!doctype html><html lang="fa"><head><meta charset="utf-8"><title>بازگشایی راه‌ها</title>'
            '<meta property="og:type" content="article"></head><body><article><h1>بازگشایی راه‌های روستایی</h1>'
            f'<div class="byline">{{}}</div><div itemprop="articleBody">{body}</div></article></body></html>')
    credited = extract_article(page.format("خبرگزاری فرانس پرس").encode(), url="https://news.example/a/1.html")
    assert credited.source == "فرانس پرس" and credited.author == "خبرگزاری فرانس پرس"
    person = extract_article(page.format("مریم توکلی").encode(), url="https://news.example/a/2.html")
    assert person.source != "فرانس پرس" and person.author == "مریم توکلی"
