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
