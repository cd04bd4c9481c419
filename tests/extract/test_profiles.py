"""Each site profile on a page modeled on that outlet's real layout (original text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vazeh.extract import extract_article
from vazeh.extract.profiles import load_profiles

FIXTURES = Path(__file__).parent / "fixtures"
ZWNJ = "\u200c"

CASES = {
    "nastooh_mehr.html": dict(
        url="https://www.mehrnews.com/news/5912345/بازگشایی-کتابخانه",
        source="مهر",
        site="mehrnews.com",
        news_id="5912345",
        title="بازگشایی کتابخانه مرکزی شهر پس از نوسازی",
        kicker="با حضور شهردار",
        lead="کتابخانه مرکزی شهر پس از دو سال نوسازی با ظرفیتی دو برابر دوباره به روی مردم باز شد.",
        published="2023-10-01T10:00:00+03:30",
        published_jalali="یکشنبه ۹ مهر ۱۴۰۲ - ۱۰:۰۰",
        category=["فرهنگ و هنر", "کتاب"],
        tags=["کتابخانه", "کتاب"],
        body=[
            "به گزارش خبرگزاری مهر، کتابخانه مرکزی که ساختمانش از دهه پنجاه به‌جا مانده بود، امروز با تالارهای تازه و سامانه امانت خودکار بازگشایی شد.",
            "مدیر کتابخانه گفت: «مخزن کتاب‌های کودک و نوجوان سه برابر شده و بخش نابینایان هم کتاب‌های گویای تازه‌ای دارد.»",
            "ساعت‌های کار",
            "کتابخانه از شنبه تا پنج‌شنبه، از ساعت ۸ صبح تا ۸ شب باز است.",
            "روزهای جمعه فقط بخش کودک باز می‌ماند.",
        ],
    ),
    "nastooh_irna.html": dict(
        url="https://www.irna.ir/news/85100001/پل",
        source="ایرنا",
        site="irna.ir",
        news_id="85100001",
        kicker="با هزینه ۸۰ میلیارد ریال",
        title="افتتاح پل عابر پیاده در بلوار کشاورز",
        published="2023-06-11T08:15:00+03:30",
        category=["جامعه", "شهری"],
        tags=["پل عابر پیاده"],
        body=[
            "به گزارش ایرنا، این پل که ساخت آن از پاییز گذشته آغاز شده بود، دو سوی بلوار را در نزدیکی بیمارستان به هم وصل می‌کند.",
            "معاون فنی منطقه گفت که آسانسورها برای سالمندان و افراد دارای معلولیت پیش‌بینی شده است.",
        ],
    ),
    "nastooh_hamshahri.html": dict(
        url="https://www.hamshahrionline.ir/news/600001/نهال",
        source="همشهری آنلاین",
        site="hamshahrionline.ir",
        news_id="600001",
        kicker=None,
        lead="به مناسبت هفته منابع طبیعی ده هزار نهال بومی در کمربند سبز جنوب پایتخت کاشته می‌شود.",
        published="2021-03-06T08:00:00+03:30",
        author="الهام رضوی",
        body_len=2,
    ),
    "isna.html": dict(
        url="https://www.isna.ir/news/98032010555/المپیاد",
        source="ایسنا",
        news_id="98032010555",
        title="برگزاری المپیاد ریاضی دانش‌آموزی در تبریز",
        kicker=None,
        lead="مرحله استانی المپیاد ریاضی با حضور چهارصد دانش‌آموز در تبریز برگزار شد.",
        published="2019-06-10T09:40:00+04:30",
        modified="2019-06-10T10:30:00+04:30",
        category=["آموزش، پژوهش"],
        tags=["المپیاد", "ریاضي"],
        author="نگار صادقی‌فر",
        body_len=2,
    ),
    "tasnim.html": dict(
        url="https://www.tasnimnews.com/fa/news/1401/01/31/2700001/نمایشگاه-گل",
        source="تسنیم",
        news_id="2700001",
        title="نمایشگاه گل و گیاه در اصفهان گشایش یافت",
        lead="بیست و دومین نمایشگاه گل و گیاه با حضور صد و بیست غرفه در اصفهان آغاز به کار کرد.",
        published="2022-04-20T12:30:00+04:30",
        category=["استانها", "اصفهان"],
        tags=["نمایشگاه گل", "اصفهان"],
        body=[
            "به گزارش خبرگزاری تسنیم از اصفهان، این نمایشگاه تا پایان هفته هر روز از ساعت ۱۶ تا ۲۲ باز است.",
            "گل‌های بومی",
            "بخش ویژه امسال به گل‌های بومی زاگرس اختصاص دارد.",
        ],
    ),
    "fars.html": dict(
        url="https://www.farsnews.ir/news/14010204000332/وام-ودیعه",
        source="فارس",
        news_id="14010204000332",
        kicker="معاون وزیر راه خبر داد",
        title="آغاز ثبت‌نام وام ودیعه مسکن از هفته آینده",
        published="2022-04-24T07:30:00+04:30",
        category=["اقتصادی", "مسکن"],
        tags=["مسکن", "وام ودیعه"],
        body_len=2,
    ),
    "yjc.html": dict(
        url="https://www.yjc.ir/fa/news/7900123/برف",
        source="باشگاه خبرنگاران جوان",
        news_id="7900123",
        title="بارش برف راه‌های کوهستانی را بست",
        kicker=None,
        lead="راه ارتباطی سه روستای شمالی اردبیل به دلیل برف سنگین بسته شد.",
        # YJC writes a Jalali date into article:published_time.
        published="2022-01-02T08:45:00+03:30",
        category=["استان‌ها", "اردبیل"],
        tags=["برف", "اردبیل"],
        body_len=2,
    ),
    "varzesh3.html": dict(
        url="https://www.varzesh3.com/news/1900123/والیبال",
        source="ورزش سه",
        news_id="1900123",
        kicker="در آستانه مسابقات قهرمانی آسیا؛",
        title="پیروزی تیم والیبال در دیدار تدارکاتی",
        # No offset in the page's meta: local Tehran time is meant.
        published="2023-08-15T18:20:11+03:30",
        category=[],
        tags=["والیبال", "تیم ملی"],
        body=[
            'به گزارش "ورزش سه"، این دیدار در سالن شماره یک مجموعه ورزشی برگزار شد و ملی‌پوشان پس از واگذاری ست نخست، سه ست بعدی را بردند.',
            "ترکیب تیم",
            "پاسور: امیر نادری",
            "قدرتی: سینا کاظمی‌پور",
        ],
    ),
    "bbc.html": dict(
        url="https://www.bbc.com/persian/articles/c1234567890o",
        source="بی‌بی‌سی فارسی",
        news_id="c1234567890o",
        title="دانشمندان گونه تازه‌ای از قورباغه را شناسایی کردند",
        published="2024-03-05T13:30:00+03:30",
        author="سارا کمالی",
        body=[
            "پژوهشگران در جنگل‌های بارانی گونه‌ای از قورباغه را یافته‌اند که پیش از این ناشناخته بود.",
            "این قورباغه کمتر از دو سانتیمتر طول دارد و رنگش با فصل تغییر می‌کند.",
            "به گفته پژوهشگران، شمار این گونه اندک است و باید از زیستگاهش محافظت شود.",
        ],
    ),
    "pangea_dari.html": dict(
        url="https://www.darivoa.com/a/fruit-market/7600001.html",
        source="صدای امریکا",
        language="prs",
        news_id="7600001",
        title="بازگشایی دوباره بازار میوه در جلال‌آباد",
        lead=None,
        kicker=None,
        published="2024-05-02T10:45:00+04:30",
        published_jalali="پنج‌شنبه ۱۳ اردیبهشت ۱۴۰۳ - ۱۰:۴۵",
        category=["افغانستان"],
        author="فرید احمدی",
        body_len=3,
    ),
    "pangea_farda.html": dict(
        url="https://www.radiofarda.com/a/fruit-market/33000001.html",
        source="رادیو فردا",
        language="fa",
        news_id="33000001",
        published="2024-05-02T09:45:00+03:30",
        category=["ایران"],
        body_len=3,
    ),
    "pangea_voa.html": dict(
        url="https://ir.voanews.com/a/fruit-market/7600002.html",
        source="صدای آمریکا",
        language="fa",
        news_id="7600002",
        published="2024-05-02T09:45:00+03:30",
        body_len=3,
    ),
}


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize("name", sorted(CASES))
def test_profile_page(name: str) -> None:
    expected = dict(CASES[name])
    url = expected.pop("url")
    art = extract_article(read(name), url=url)
    assert art.is_article
    body_len = expected.pop("body_len", None)
    if body_len is not None:
        assert len(art.body) == body_len, art.body
    for key, value in expected.items():
        assert getattr(art, key) == value, key
    text = "\n".join([art.title or "", *art.body])
    # Furniture never reaches the story.
    for junk in ("انتهای پیام", "اخبار مرتبط", "لینک کوتاه", "شریک سازید", "ویدیو: گزارش", "تبلیغ", "نمایی از تالار"):
        assert junk not in text
    assert ZWNJ in text


@pytest.mark.parametrize("name", sorted(CASES))
def test_profile_recognised_without_the_real_domain(name: str) -> None:
    """Served from a mirror (the sample site, a replay), the markup still picks the profile."""
    expected = CASES[name]
    art = extract_article(read(name), url="http://127.0.0.1:8000/some/path/page.html")
    assert art.is_article
    assert art.source == expected["source"]
    assert art.title and art.body
    if "published" in expected:
        assert art.published == expected["published"]


def test_republished_story_keeps_the_agency_that_wrote_it() -> None:
    art = extract_article(read("nastooh_republished.html"), url="https://www.khabaronline.ir/news/1500001/x")
    assert art.site == "khabaronline.ir"
    assert art.source == "ایسنا"


def test_sent_from_trailer_names_the_source() -> None:
    page = (
        "<html><head><meta property='og:site_name' content='خبرآنلاین'><meta property='og:type' content='article'>"
        "</head><body><h1 class='title'>خبری از جای دیگر درباره باران</h1>"
        "<div class='item-text' itemprop='articleBody'><p>باران دیشب در بیشتر شهرهای استان باریدن گرفت و تا صبح ادامه داشت.</p>"
        "<p>[ارسال شده از: مهر]</p></div></body></html>"
    ).encode()
    assert extract_article(page).source == "مهر"


def test_list_page_is_not_an_article() -> None:
    art = extract_article(read("list_page.html"), url="https://www.mehrnews.com/service/politics")
    assert not art.is_article
    assert art.body == []
    assert art.source == "مهر"


def test_profiles_file_is_complete() -> None:
    profiles = load_profiles()
    names = set(profiles.by_name)
    for outlet in ("mehr", "irna", "isna", "tasnim", "fars", "khabaronline", "hamshahri", "yjc", "varzesh3",
                   "bbcpersian", "voa_persian", "voa_dari", "radiofarda"):
        assert outlet in names
        p = profiles.by_name[outlet]
        assert p.source and p.language and (p.domains and p.site_names)
    assert "nastooh" not in names and "pangea" not in names  # bases, not outlets


def test_profile_extends_and_rejects_cycles() -> None:
    with pytest.raises(ValueError, match="circular"):
        load_profiles("[profile.a]\nextends='b'\n[profile.b]\nextends='a'\n")
    p = load_profiles("[profile.base]\nabstract=true\ntitle=['h2']\n[profile.x]\nextends='base'\nsource='x'\n")
    assert p.by_name["x"].title == ("h2",) and "base" not in p.by_name


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("tasnim.html", "تسنیم"),
        ("yjc.html", "باشگاه خبرنگاران جوان"),
        ("varzesh3.html", "ورزش سه"),
        ("bbc.html", "بی‌بی‌سی فارسی"),
        ("pangea_dari.html", "صدای امریکا"),  # Pangea markup plus lang="prs": VOA Dari
    ],
)
def test_profile_recognised_by_markup_alone(name: str, source: str) -> None:
    """No domain, no site name (a saved copy with its head stripped): the markup decides."""
    import re

    html = re.sub(rb"<meta[^>]*og:site_name[^>]*>", b"", read(name))
    html = re.sub(rb"<script type=.application/ld\+json.>.*?</script>", b"", html, flags=re.S)
    art = extract_article(html)
    assert art.source == source
    assert any("markup" in w or "signature" in w for w in art.warnings)
