"""Pages of sites vazeh has no profile for: metadata and the generic finder do the work."""

from __future__ import annotations

from vazeh.extract import extract_article

PARAS = [
    "سازمان هواشناسی از ورود سامانه بارشی تازه به استان‌های غربی کشور از فردا خبر داد و هشدار سطح زرد صادر کرد.",
    "بر اساس این گزارش، بارش باران و برف در ارتفاعات و وزش باد شدید تا پایان هفته ادامه خواهد داشت.",
    "کارشناسان از کوهنوردان خواسته‌اند تا بهبود شرایط جوی از صعود به ارتفاعات بالای سه هزار متر خودداری کنند.",
]
STORY = "".join(f"<p>{p}</p>" for p in PARAS)


def site(body: str, head: str = "", url: str | None = "https://news.example.ir/news/4411/x") -> object:
    html = (
        "<!DOCTYPE html><html lang='fa'><head><meta charset='utf-8'>"
        "<title>هشدار هواشناسی برای استان‌های غربی | پایگاه خبری نمونه</title>" + head + "</head><body>"
        "<header><nav><a href='/'>خانه</a> <a href='/politics'>سیاسی</a> <a href='/sport'>ورزشی</a></nav>"
        "<div class='date'>امروز: سه‌شنبه ۱۲ دی ۱۴۰۲</div></header>" + body +
        "<aside class='sidebar'><h3>پربازدیدها</h3><ul><li><a href='/n/1'>خبر پربازدید اول درباره موضوعی دیگر</a></li>"
        "<li><a href='/n/2'>خبر پربازدید دوم درباره موضوعی دیگر</a></li></ul></aside>"
        "<footer><p>تمامی حقوق این پایگاه محفوظ است.</p></footer></body></html>"
    )
    return extract_article(html.encode(), url=url)


def test_story_found_among_navigation_and_sidebars() -> None:
    art = site(f"<h1>هشدار هواشناسی برای استان‌های غربی</h1><div class='post'>{STORY}</div>")
    assert art.is_article
    assert art.title == "هشدار هواشناسی برای استان‌های غربی"
    assert art.body == PARAS
    assert art.news_id == "4411"
    assert art.site == "news.example.ir"
    assert art.language == "fa"


def test_title_from_the_title_tag_without_the_site_name() -> None:
    art = site(f"<div class='post'>{STORY}</div>")
    assert art.title == "هشدار هواشناسی برای استان‌های غربی"


def test_visible_date_with_time_beats_the_today_widget() -> None:
    body = (
        "<h1>هشدار هواشناسی برای استان‌های غربی</h1>"
        "<span class='news-date'>۱۱ دی ۱۴۰۲ - ۱۸:۳۰</span>" + f"<div class='post'>{STORY}</div>"
    )
    art = site(body)
    assert art.published == "2024-01-01T18:30:00+03:30"
    assert any("page text" in w for w in art.warnings)


def test_no_date_shown_means_none_and_a_warning() -> None:
    art = site(f"<h1>هشدار هواشناسی برای استان‌های غربی</h1><div class='post'>{STORY}</div>")
    assert art.published is None and art.published_jalali is None
    assert "no publication date found" in art.warnings


def test_lead_inside_the_body_stays_in_the_body() -> None:
    body = f"<h1>هشدار هواشناسی برای استان‌های غربی</h1><div class='post'><p class='lead'>{PARAS[0]}</p>"
    body += "".join(f"<p>{p}</p>" for p in PARAS[1:]) + "</div>"
    art = site(body)
    assert art.lead is None
    assert art.body == PARAS


def test_separate_lead_is_not_repeated_in_the_body() -> None:
    lead = "سامانه بارشی تازه از فردا وارد کشور می‌شود."
    body = f"<h1>هشدار هواشناسی برای استان‌های غربی</h1><p class='lead'>{lead}</p><div class='post'>{STORY}</div>"
    art = site(body)
    assert art.lead == lead
    assert art.body == PARAS


def test_related_links_and_end_marker_are_not_story() -> None:
    body = (
        f"<h1>هشدار هواشناسی برای استان‌های غربی</h1><div class='post'>{STORY}"
        "<p>بیشتر بخوانید: <a href='/n/9'>سرما در راه است؛ آماده باشید</a></p>"
        "<p><a href='/n/8'>پیش‌بینی هوای آخر هفته</a></p>"
        "<p>انتهای پیام/</p><p>متنی که پس از پایان خبر آمده است و جزو خبر نیست.</p></div>"
    )
    art = site(body)
    assert art.body == PARAS


def test_credit_line_names_the_source_of_a_republished_story() -> None:
    first = "به گزارش خبرگزاری مهر، " + PARAS[0]
    art = site(f"<h1>هشدار</h1><div class='post'><p>{first}</p>{''.join(f'<p>{p}</p>' for p in PARAS[1:])}</div>")
    assert art.source == "مهر"


def test_site_name_gives_the_source_of_an_unknown_site() -> None:
    head = "<meta property='og:site_name' content='خبرگزاری نمونه - اخبار روز'>"
    art = site(f"<h1>هشدار</h1><div class='post'>{STORY}</div>", head=head)
    assert art.source == "نمونه"


def test_list_page_is_not_an_article() -> None:
    items = "".join(
        f"<li><a href='/news/{i}/x'>عنوان خبر شماره {i} درباره رویدادهای امروز در شهرهای مختلف کشور</a></li>"
        for i in range(30)
    )
    art = site(f"<h1>آخرین اخبار</h1><ul class='news-list'>{items}</ul>", url="https://news.example.ir/archive")
    assert not art.is_article
    assert art.body == []


def test_dari_page_gets_kabul_time() -> None:
    html = (
        "<html lang='prs'><head><meta property='og:type' content='article'>"
        "<meta property='article:published_time' content='2024-03-01T05:00:00Z'></head><body>"
        f"<h1>خبر</h1><div class='post'>{STORY}</div></body></html>"
    )
    art = extract_article(html.encode())
    assert art.language == "prs"
    assert art.published == "2024-03-01T09:30:00+04:30"


def test_body_from_json_ld_when_the_page_shows_none() -> None:
    import json

    for article_body in ("\n".join(PARAS), "".join(f"<p>{p}</p>" for p in PARAS)):
        ld = json.dumps({"@type": "NewsArticle", "headline": "هشدار", "articleBody": article_body}, ensure_ascii=False)
        html = f"<html><head><script type='application/ld+json'>{ld}</script></head><body><h1>هشدار</h1></body></html>"
        art = extract_article(html.encode())
        assert art.body == PARAS
        assert "body taken from JSON-LD articleBody" in art.warnings


def test_relative_date_counts_from_when_the_page_was_served() -> None:
    html = (
        "<html lang='fa'><head><meta property='og:type' content='article'></head><body>"
        f"<h1>هشدار</h1><span class='news-time'>۲ ساعت پیش</span><div class='post'>{STORY}</div></body></html>"
    )
    served = {"Date": "Tue, 02 Jan 2024 10:00:00 GMT"}  # 13:30 in Tehran
    art = extract_article(html.encode(), headers=served)
    assert art.published == "2024-01-02T11:30:00+03:30"
