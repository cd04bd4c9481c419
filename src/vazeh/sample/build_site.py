"""Build the bundled sample news site from `stories.toml` and `sources.toml`.

    python -m vazeh.sample.build_site           # rewrite site/ and expected.json
    python -m vazeh.sample.build_site --check   # exit 1 if the committed files are stale

The committed output (site/ and expected.json) is what the server serves and the
tests read; this script only exists so the pages, the feeds and the gold answers
can never drift apart. Each outlet's page template imitates that outlet's real
markup (class names, metadata, where the date and the breadcrumbs sit, and the
clutter real pages carry inside their article containers); the text is our own.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import html
import json
import re
import shutil
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from persiantools.jdatetime import JalaliDateTime

HERE = Path(__file__).parent
SITE_DIR = HERE / "site"
EXPECTED = HERE / "expected.json"
STORIES = HERE / "stories.toml"
SOURCES = HERE / "sources.toml"

MONTHS = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"]
AFGHAN_MONTHS = ["حمل", "ثور", "جوزا", "سرطان", "اسد", "سنبله", "میزان", "عقرب", "قوس", "جدی", "دلو", "حوت"]
WEEKDAYS = ["دوشنبه", "سه‌شنبه", "چهارشنبه", "پنجشنبه", "جمعه", "شنبه", "یکشنبه"]  # by datetime.weekday()
FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ASCII_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
ZONES = {"prs": "Asia/Kabul"}
DEFAULT_ZONE = "Asia/Tehran"


# --------------------------------------------------------------------------- data
@dataclass
class Outlet:
    id: str
    name_fa: str
    name_en: str
    short_fa: str
    site_name: str
    real_site: str
    layout: str
    language: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(ZONES.get(self.language, DEFAULT_ZONE))


@dataclass
class Story:
    key: str
    outlet: Outlet
    news_id: str
    published: datetime
    title: str
    body: list[str]
    kicker: str | None = None
    lead: str | None = None
    author: str | None = None
    modified: datetime | None = None
    category: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    source: str | None = None
    encoding: str = "utf-8"
    image: str | None = None
    caption: str | None = None
    version: int = 1
    slug: str | None = None  # an edited version keeps the URL of the first

    @property
    def path(self) -> str:
        """The decoded URL path of the article (what a reader sees in the address bar)."""
        o, j = self.outlet.id, jalali(self.published)
        slug = self.slug or slugify(self.title)
        if o == "tasnim":
            return f"/tasnim/fa/news/{j.year}/{j.month:02d}/{j.day:02d}/{self.news_id}/{slug}"
        if o == "yjc":
            return f"/yjc/fa/news/{self.news_id}/{slug}"
        if o == "bbcpersian":
            return f"/bbcpersian/persian/articles/{self.news_id}"
        if o == "radiofarda":
            return f"/radiofarda/a/{ascii_slug(self.key)}/{self.news_id}.html"
        if o == "voadari":
            return f"/voadari/a/{self.news_id}.html"
        return f"/{o}/news/{self.news_id}/{slug}"

    @property
    def url_path(self) -> str:
        return quote(self.path, safe="/")

    @property
    def file(self) -> str:
        """Where the page lives under site/ (the server tries x, x.html, x/index.html)."""
        rel = self.path.lstrip("/")
        return rel if rel.endswith(".html") else rel + ".html"

    @property
    def short_path(self) -> str:
        return f"/{self.outlet.id}/x/{self.news_id[-5:]}"


def load_outlets(path: Path = SOURCES) -> dict[str, Outlet]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    fields = Outlet.__dataclass_fields__
    return {s["id"]: Outlet(**{k: v for k, v in s.items() if k in fields}) for s in data["source"]}


def _story(d: dict, outlets: dict[str, Outlet]) -> Story:
    outlet = outlets[d["outlet"]]
    d = dict(d, outlet=outlet)
    for k in ("published", "modified"):
        if d.get(k):
            d[k] = datetime.fromisoformat(d[k]).replace(tzinfo=outlet.zone)
    return Story(**d)


def load_stories(path: Path = STORIES, outlets: dict[str, Outlet] | None = None) -> tuple[list[Story], list[Story]]:
    """The stories, and their later edited versions."""
    outlets = outlets or load_outlets()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    stories = [_story(d, outlets) for d in data["story"]]
    by_key = {s.key: s for s in stories}
    versions = []
    for v in data.get("version", []):
        base = by_key[v["key"]]
        merged = {k: getattr(base, k) for k in Story.__dataclass_fields__}
        merged.update({k: val for k, val in v.items() if k != "modified"})
        merged["slug"] = slugify(base.title)
        merged["modified"] = datetime.fromisoformat(v["modified"]).replace(tzinfo=base.outlet.zone)
        versions.append(Story(**merged))
    return stories, versions


# --------------------------------------------------------------------------- text
def collapse(text: str) -> str:
    """Whitespace as the gold rules define it (str.isspace, so NBSP too, never ZWNJ)."""
    return " ".join("".join(" " if c.isspace() else c for c in text).split())


def strip_tags(fragment: str) -> str:
    return re.sub(r"<[^>]+>", "", fragment)


def paragraph_texts(entry: str) -> list[str]:
    """What an extractor should output for one body entry of stories.toml."""
    entry = re.sub(r"^(## |- )", "", entry)
    out = []
    for seg in re.split(r"<br\s*/?>", entry):
        text = collapse(html.unescape(strip_tags(seg)))
        if text:
            out.append(text)
    return out


def slugify(title: str) -> str:
    words = re.sub(r"[«»:؛،|()\"'؟?!.]", " ", title).replace("\u200c", " ").split()
    return "-".join(w for w in words[:9] if w != "-")


def ascii_slug(key: str) -> str:
    return key.split("-", 1)[-1]


def fa(s: object) -> str:
    return str(s).translate(FA_DIGITS)


def esc(s: str | None) -> str:
    return html.escape(s or "", quote=True)


def jalali(dt: datetime) -> JalaliDateTime:
    return JalaliDateTime.to_jalali(dt.replace(tzinfo=None))


def utc_z(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_1256_text(text: str) -> str:
    """How an old windows-1256 site writes Persian: Arabic yeh, ASCII digits
    (the code page has neither U+06CC nor the Persian digits)."""
    return text.replace("ی", "ي").translate(ASCII_DIGITS)


def to_ncr(doc: str) -> str:
    return re.sub(r"[^\x00-\x7f]", lambda m: f"&#x{ord(m.group()):X};", doc)


def apply_letters(story: Story) -> Story:
    """The story as its page spells it (windows-1256 pages lose Persian yeh and digits)."""
    if not story.encoding.startswith("windows-1256"):
        return story
    t = to_1256_text
    s = Story(**{k: getattr(story, k) for k in Story.__dataclass_fields__})
    s.title, s.kicker, s.lead = t(s.title), s.kicker and t(s.kicker), s.lead and t(s.lead)
    s.author, s.caption = s.author and t(s.author), s.caption and t(s.caption)
    s.body = [t(p) for p in s.body]
    s.category, s.tags = [t(c) for c in s.category], [t(x) for x in s.tags]
    return s


# --------------------------------------------------------------------------- visible dates
def date_nastooh(dt: datetime, sep: str = "،") -> str:
    j = jalali(dt)
    return fa(f"{j.day} {MONTHS[j.month - 1]} {j.year}{sep} {j.hour:02d}:{j.minute:02d}")


def visible_date(story: Story) -> str:
    dt, o = story.published, story.outlet.id
    j = jalali(dt)
    day, month, year, hm = j.day, MONTHS[j.month - 1], j.year, f"{j.hour:02d}:{j.minute:02d}"
    if o in ("mehr", "irna"):
        return date_nastooh(dt)
    if o == "khabaronline":
        return date_nastooh(dt, " -")
    if o == "hamshahri":
        # written the way old pages did: weekday with a plain space
        return fa(f"{WEEKDAYS[dt.weekday()].replace(chr(0x200C), ' ')} {day} {month} {year} - {hm}")
    if o == "isna":
        return fa(f"{WEEKDAYS[dt.weekday()]} / {day} {month} {year} / {hm}")
    if o == "tasnim":
        # Tasnim's date line spells the months with Arabic yeh
        return fa(f"{day} {month.replace('ی', 'ي')} {year} - {hm}")
    if o == "fars":
        return fa(f"{day:02d} {month} {year} - {hm}")
    if o == "yjc":
        return fa(f"{day} {month} {year} - {hm}")
    if o == "varzesh3":
        return f"{day} {month} {year} ساعت {hm}"
    if o == "bbcpersian":
        return fa(f"{day} {month} {year}")
    if o == "radiofarda":
        return fa(f"{month} {day:02d}, {year}")
    if o == "voadari":
        return fa(f"{AFGHAN_MONTHS[j.month - 1]} {day:02d}, {year}")
    raise ValueError(f"no date style for outlet {o}")


# --------------------------------------------------------------------------- shared chrome
COMMENTS = [
    ("رضا", "امیدوارم این بار طبق برنامه تمام شود و دوباره به سال بعد نکشد."),
    ("مهسا", "ممنون از گزارش خوبتان، کاش جزئیات بیشتری هم منتشر کنید."),
    ("ناشناس", "پس تکلیف شهرهای کوچک‌تر چه می‌شود؟"),
]
MENUS = {
    "nastooh": ["سیاست", "اقتصاد", "جامعه", "فرهنگ و هنر", "ورزش", "بین‌الملل", "استان‌ها", "عکس", "فیلم"],
    "isna": ["سیاسی", "اقتصادی", "اجتماعی", "فرهنگی", "ورزشی", "علمی", "بین‌الملل", "استان‌ها"],
    "tasnim": ["سیاسی", "بین‌الملل", "اقتصادی", "اجتماعی", "فرهنگی", "ورزشی", "استانها", "رسانه‌ها"],
    "fars": ["سیاسی", "اقتصادی", "اجتماعی", "فرهنگی", "ورزشی", "بین‌الملل", "استان‌ها", "چندرسانه‌ای"],
    "yjc": ["سیاسی", "اقتصادی", "اجتماعی", "حوادث", "ورزشی", "فرهنگی", "استان‌ها", "فیلم"],
    "varzesh3": ["فوتبال ایران", "فوتبال جهان", "والیبال", "کشتی", "ورزش‌های رزمی", "سایر ورزش‌ها", "ویدیو"],
    "bbc": ["صفحه اول", "ایران", "افغانستان", "جهان", "اقتصاد", "دانش", "ورزش", "ویدیو"],
    "pangea": ["خبرها", "ایران", "جهان", "اقتصاد", "فرهنگ", "ویدیو", "برنامه‌ها"],
}
SHARE = ["تلگرام", "واتس‌اپ", "توییتر", "فیسبوک", "لینکدین"]


def nav(items: list[str], prefix: str, cls: str) -> str:
    lis = "".join(f'<li><a href="/{prefix}/service/{i + 1}">{esc(x)}</a></li>' for i, x in enumerate(items))
    return f'<ul class="{cls}">{lis}</ul>'


def related_items(story: Story, all_stories: list[Story], n: int = 3) -> list[Story]:
    same = [s for s in all_stories if s.outlet.id == story.outlet.id and s.key != story.key]
    other = [s for s in all_stories if s.outlet.id != story.outlet.id]
    # an outlet with few stories of its own links to its sister sites (same CMS) first
    other.sort(key=lambda s: (s.outlet.layout != story.outlet.layout, s.outlet.language != story.outlet.language))
    return (same + other)[:n]


def link_list(stories: list[Story], li_cls: str = "", a_cls: str = "") -> str:
    return "".join(
        f'<li class="{li_cls}"><a class="{a_cls}" href="{s.url_path}">{esc(s.title)}</a></li>' for s in stories
    )


def body_blocks(body: list[str], p: str = "<p>", h2: str = "<h2>", ul: str = "<ul>") -> list[str]:
    """HTML blocks for the body entries: paragraphs, subheadings, lists."""
    blocks: list[str] = []
    items: list[str] = []
    p_close, h_close = "</p>", "</h2>"
    for entry in body:
        if entry.startswith("- "):
            items.append(f"<li>{entry[2:]}</li>")
            continue
        if items:
            blocks.append(ul + "".join(items) + "</ul>")
            items = []
        if entry.startswith("## "):
            blocks.append(h2 + entry[3:] + h_close)
        else:
            blocks.append(p + entry + p_close)
    if items:
        blocks.append(ul + "".join(items) + "</ul>")
    return blocks


def comments_html(cls: str = "comments") -> str:
    lis = "".join(
        f'<li class="comment"><div class="comment-author">{esc(a)}</div>'
        f'<div class="comment-date">۱ ساعت پیش</div><p class="comment-text">{esc(t)}</p>'
        '<span class="like">۱۲</span> <span class="dislike">۳</span></li>'
        for a, t in COMMENTS
    )
    return (
        f'<section id="comments" class="box {cls}"><h2 class="box-title">نظرات</h2><ul>{lis}</ul>'
        '<form id="comment-form" class="comment-form"><label>نام</label><input name="name">'
        '<label>نظر شما</label><textarea name="body"></textarea><button type="submit">ارسال</button>'
        '<p class="hint">نظرات حاوی توهین منتشر نمی‌شود.</p></form></section>'
    )


def json_ld(data: dict) -> str:
    return '<script type="application/ld+json">' + json.dumps(data, ensure_ascii=False) + "</script>"


def news_article_ld(story: Story, *, kind: str = "NewsArticle", date: str | None = None, author: dict | None = None) -> dict:
    o = story.outlet
    d: dict = {
        "@context": "https://schema.org",
        "@type": kind,
        "@id": story.url_path,
        "headline": story.title,
        "description": story.lead or paragraph_texts(story.body[0])[0],
        "datePublished": date or utc_z(story.published),
        "mainEntityOfPage": story.url_path,
        "inLanguage": o.language,
        "publisher": {"@type": "Organization", "name": o.site_name, "url": f"/{o.id}/"},
        "author": author or {"@type": "Organization", "name": o.site_name},
    }
    if story.modified:
        d["dateModified"] = utc_z(story.modified)
    if story.image:
        d["image"] = {"@type": "ImageObject", "url": story.image}
    if story.tags:
        d["keywords"] = ",".join(story.tags)
    return d


def og_meta(story: Story, og_type: str = "article") -> str:
    o = story.outlet
    parts = [
        f'<meta property="og:type" content="{og_type}">',
        f'<meta property="og:site_name" content="{esc(o.site_name)}">',
        f'<meta property="og:title" content="{esc(story.title)}">',
        f'<meta property="og:url" content="{story.url_path}">',
        f'<meta property="og:description" content="{esc(story.lead or paragraph_texts(story.body[0])[0])}">',
    ]
    if story.image:
        parts.append(f'<meta property="og:image" content="{story.image}">')
    return "\n".join(parts)


def figure(story: Story, cls: str = "item-img", cap_cls: str = "") -> str:
    if not story.image:
        return ""
    cap = f'<figcaption class="{cap_cls}">{esc(story.caption)}</figcaption>' if story.caption else ""
    return f'<figure class="{cls}"><img src="{story.image}" alt="{esc(story.title)}">{cap}</figure>'


JWPLAYER = (
    "<style>.jwplayer{{ display: inline-block; }}</style>"
    '<div id="player-{id}" class="jwplayer-container"></div>'
    '<script>jwplayer("player-{id}").setup({{file: "/media/{id}.mp4", width: "100%", aspectratio: "16:9"}});</script>'
)


# --------------------------------------------------------------------------- layouts
def layout_nastooh(story: Story, ctx: Context) -> str:
    """Mehr, IRNA, Khabaronline, Hamshahri Online: the Nastooh news platform."""
    o = story.outlet
    blocks = body_blocks(story.body, p='<p style="text-align:justify">')
    if o.id == "khabaronline":
        more = ctx.related(story, 1)[0]
        blocks.insert(
            2,
            f'<p><strong>بیشتر بخوانید: </strong><a href="{more.url_path}">{esc(more.title)}</a></p>'
            '<div class="box ads clean"><a href="/ads/1"><img src="/ads/banner-468.gif" alt="تبلیغات"></a></div>',
        )
    else:
        blocks.insert(2, JWPLAYER.format(id=story.news_id))
    crumbs = "".join(
        f'<li class="breadcrumb-item"><a href="/{o.id}/service/{i + 1}">{esc(c)}</a></li>' for i, c in enumerate(story.category)
    )
    kicker = f'<h4 class="kicker">{esc(story.kicker)}</h4>' if story.kicker else '<h4 class="kicker"></h4>'
    charset_meta = {
        "windows-1256": '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">',
        "windows-1256-mislabeled": "",
    }.get(story.encoding, '<meta charset="utf-8">')
    tags = "".join(f'<li><a href="/{o.id}/tag/{quote(t)}" rel="tag">{esc(t)}</a></li>' for t in story.tags)
    extra_meta = ""
    if story.encoding != "windows-1256":
        extra_meta = (
            f'<meta property="article:published_time" content="{utc_z(story.published)}">\n'
            f'<meta property="article:section" content="{esc(" > ".join(story.category))}">\n'
            f'<meta name="keywords" property="article:tag" content="{esc(",".join(story.tags))}">\n'
            + json_ld(news_article_ld(story))
        )
    return f"""<!DOCTYPE html>
<html lang="fa" dir="rtl">
<head>
{charset_meta}
<title>{esc(story.title)} - {esc(o.name_fa)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{esc(story.lead)}">
{og_meta(story)}
{extra_meta}
<link rel="canonical" href="{story.url_path}">
<link rel="shortlink" href="{story.short_path}">
<link rel="alternate" type="application/rss+xml" title="RSS" href="/{o.id}/rss.xml">
<link rel="stylesheet" href="/{o.id}/resources/theme/style.css">
</head>
<body class="rtl pt-news nt-news">
<header class="main-header">
<div class="container">
<a class="logo" href="/{o.id}/">{esc(o.name_fa)}</a>
{nav(MENUS["nastooh"], o.id, "nav-menu")}
<form class="search" action="/{o.id}/search"><input name="q" placeholder="جستجو"><button>جستجو</button></form>
</div>
</header>
<main class="container">
<div class="row">
<div class="col-12 col-sm-8 main-content">
<article class="box item-page" itemscope itemtype="https://schema.org/NewsArticle">
<ol class="breadcrumb"><li class="breadcrumb-item"><a href="/{o.id}/">صفحه اصلی</a></li>{crumbs}</ol>
<div class="item-header">
<div class="item-nav row"><div class="item-date"><span>{visible_date(story)}</span></div>
<div class="item-code"><span>کد خبر {fa(story.news_id)}</span></div></div>
{kicker}
<h1 class="title" itemprop="headline"><a href="{story.url_path}">{esc(story.title)}</a></h1>
<p class="summary introtext" itemprop="description">{esc(story.lead)}</p>
</div>
<div class="item-summary">{figure(story)}</div>
<div class="item-body">
<div class="item-text" itemprop="articleBody">
{chr(10).join(blocks)}
</div>
</div>
<div class="item-footer">
<section class="box tags"><h2 class="box-title">برچسب‌ها</h2><ul>{tags}</ul></section>
<div class="short-link"><label>لینک کوتاه</label><input readonly value="{story.short_path}"></div>
<ul class="share-links">{"".join(f'<li><a href="/share?to={i}">{esc(x)}</a></li>' for i, x in enumerate(SHARE))}</ul>
</div>
</article>
<section class="box related"><header><h2 class="box-title">اخبار مرتبط</h2></header>
<ul>{link_list(ctx.related(story))}</ul></section>
{comments_html()}
</div>
<aside class="col-12 col-sm-4">
<section class="box most-viewed"><h2 class="box-title">پربیننده‌ترین</h2><ol>{link_list(ctx.latest(4))}</ol></section>
<div class="box ads"><a href="/ads/2"><img src="/ads/side.gif" alt="آگهی"></a></div>
</aside>
</div>
</main>
<footer class="main-footer"><div class="container">
<ul class="footer-links"><li><a href="/{o.id}/page/about">درباره ما</a></li><li><a href="/{o.id}/page/contact">تماس با ما</a></li><li><a href="/{o.id}/rss-help">آر اس اس</a></li></ul>
<p class="copyright">کلیه حقوق این سایت متعلق به {esc(o.name_fa)} است. استفاده از مطالب با ذکر منبع آزاد است.</p>
</div></footer>
<script src="/{o.id}/resources/theme/app.js"></script>
</body>
</html>
"""


def layout_isna(story: Story, ctx: Context) -> str:
    blocks = body_blocks(story.body, p='<p style="text-align:justify">')
    blocks.append('<p style="text-align:justify">انتهای پیام</p>')
    meta_charset = "windows-1256" if story.encoding == "utf-8-meta-1256" else "utf-8"
    j = jalali(story.published)
    tags = "".join(f'<li><a href="/isna/tag/{quote(t)}" rel="tag">{esc(t)}</a></li>' for t in story.tags)
    author = (
        '<ul class="author-id list-inline list-unstyled"><li><i class="fa fa-edit"></i> <span>خبرنگار</span> '
        f'<strong>{esc(story.author)}</strong></li> <li><span>دبیر</span> <strong>سعید نادری</strong></li></ul>'
        if story.author
        else ""
    )
    weekday, rest = visible_date(story).split(" / ", 1)
    return f"""<!DOCTYPE html>
<html lang="fa" dir="rtl" class="no-js">
<head>
<meta charset="{meta_charset}" />
<title>{esc(story.title)} - ایسنا</title>
<meta name="description" property="dc.description" content="{esc(story.lead)}" />
{og_meta(story)}
<meta property="article:published_time" content="{utc_z(story.published)}" />
{f'<meta property="article:modified_time" content="{utc_z(story.modified)}" />' if story.modified else ""}
<meta property="article:section" content="{esc(story.category[0] if story.category else "")}" />
<meta name="keywords" property="article:tag" content="{esc(",".join(story.tags))}" />
<meta property="og:locale" content="fa_IR" />
<link rel="canonical" href="{story.url_path}" />
{json_ld(news_article_ld(story))}
</head>
<body class="body-rtl rtl pt-news ptc-news">
<header class="main-header"><div class="container">
<div class="top-menu-bar">{nav(MENUS["isna"], "isna", "top-menu")}</div>
<a class="header-img" href="/isna/"><img src="/isna/resources/theme/isna/img/logo.png" alt="ایسنا"></a>
<div class="top-search"><form action="/isna/search"><input class="custom-search" placeholder="جستجو..."></form></div>
</div></header>
<main class="container">
<div class="row"><div class="col-lg-9 col-md-8">
<article itemscope itemtype="http://schema.org/NewsArticle">
<div class="news-info"><div class="meta-news">
<meta itemprop="datePublished" content="{story.published.strftime("%Y-%m-%d %H:%M:%S")}.000" />
<ul>
<li><i class="fa fa-calendar-o"></i> <span class="title-meta">{weekday} /</span> <span class="text-meta">{rest}</span></li>
<li><i class="fa fa-folder-o"></i> <span class="title-meta">دسته‌بندی: </span> <span class="text-meta" itemprop="articleSection">
{esc("، ".join(story.category))}
</span></li>
<li><i class="fa fa-newspaper-o"></i> <span class="title-meta">کد خبر: </span> <span class="text-meta">{fa(story.news_id)}</span></li>
</ul></div></div>
<div class="full-news-text">
<h1 class="first-title" itemprop="headline">{esc(story.title)}</h1>
<p class="summary" itemprop="description">{esc(story.lead)}</p>
<div itemprop="articleBody" class="item-text">{chr(10).join(blocks)}</div>
</div>
<section class="tags"><i class="fa fa-tags"></i><ul>{tags}</ul></section>
<div class="row"><div class="col-xs-12 col-sm-8 text-left">{author}</div></div>
<div class="short-link"><span>لینک کوتاه: </span><a href="/isna/x/{story.news_id[-5:]}">isna.ir/xd{j.day:02d}</a></div>
<div class="social-links">{" ".join(f'<a class="share" href="/share?to={i}">{esc(x)}</a>' for i, x in enumerate(SHARE))}</div>
</article>
<section class="box related"><h2 class="box-title">اخبار مرتبط</h2><ul>{link_list(ctx.related(story))}</ul></section>
{comments_html("talk")}
</div>
<aside class="col-lg-3 col-md-4"><section class="box coverage"><h2>پربازدیدها</h2><ul>{link_list(ctx.latest(5), "desc")}</ul></section>
<div class="box box ads _bg-gray hidden-xs"><a href="/ads/isna"><img src="/ads/isna.gif" alt=""></a></div></aside>
</div>
</main>
<footer class="footer"><div class="container"><div class="footer-logo">ایسنا</div>
<p>تمامی حقوق مادی و معنوی این سایت متعلق به خبرگزاری دانشجویان ایران (ایسنا) است و استفاده از آن با ذکر منبع بلامانع است.</p></div></footer>
<script src="/isna/resources/theme/isna/js/main.js"></script>
</body>
</html>
"""


def layout_tasnim(story: Story, ctx: Context) -> str:
    o = story.outlet
    blocks = body_blocks(story.body, p='<p style="text-align:justify">')
    more = ctx.related(story, 1)[0]
    blocks.insert(
        min(3, len(blocks)),
        f'<div class="readmore-container"><span class="readmore-title">بیشتر بخوانید</span> '
        f'<a href="{more.url_path}" target="_blank">{esc(more.title)}</a></div>',
    )
    section = story.category[0] if story.category else "خبر"
    hide = f'<div class="hideTag"><a href="/tasnim/fa/service/1"> - اخبار {esc(section)} - </a></div>'
    services = "".join(f'<li class="service"><a href="/tasnim/fa/service/{i + 1}"> {esc(c)} </a></li>' for i, c in enumerate(story.category))
    keywords = "".join(f'<a class="skeyword-item" href="/tasnim/fa/tag/{quote(t)}">{esc(t)}</a>' for t in story.tags)
    share = "".join(f'<a class="social-icon-big" href="/share?to={i}" title="{esc(x)}"></a>' for i, x in enumerate(SHARE))
    return f"""<!DOCTYPE html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8">
<title>{esc(story.title)}- اخبار {esc(section)} - اخبار تسنیم - Tasnim</title>
<meta name="description" content="{esc(story.lead)}" />
{og_meta(story)}
<meta property="og:article:author" content="{esc(o.site_name)}" />
<link rel="canonical" href="{story.url_path}" />
<link rel="shortlink" href="{story.short_path}" />
{json_ld(news_article_ld(story, author={"@type": "Organization", "name": o.site_name}))}
<style>.hideTag{{display:none}}</style>
</head>
<body>
<header><div class="container"><a class="tasnim-logo" href="/tasnim/">خبرگزاری تسنیم</a>
<div class="sub-services">{nav(MENUS["tasnim"], "tasnim/fa", "list-inline")}</div>
<div class="search-dropdown"><form action="/tasnim/fa/search"><div class="input-group input-group-unstyled"><input class="form-control" placeholder="جستجو"></div></form></div>
</div></header>
<main class="container"><div class="row"><div class="col-md-8">
<article class="single-news">
<h1 class="title"> {esc(story.title)} </h1>
<h3 class="lead"> {esc(story.lead)} </h3>
<ul class="list-inline details"><li class="time"> {visible_date(story)} </li>{services}<li class="comments"><a href="#comment-form" title="نظرات"> ۰ <i class="fa fa-comment-o"></i></a></li><li class="print"><i class="fa fa-print"></i></li></ul>
<div class="sharer">{share}</div>
<div class="story" data-readMoreTitle="بیشتر بخوانید">{hide}{"".join(blocks)}<p style="text-align:justify">انتهای پیام/</p></div>
<div class="footer">R{story.news_id[:3]}/P{story.news_id}/S3,27/CT7</div>
<div class="smart-keyword"><span>کلیدواژه‌ها:</span>{keywords}</div>
</article>
<div class="news-container news-box"><h4 class="title">اخبار مرتبط</h4><ul>{link_list(ctx.related(story), "numbered-item")}</ul></div>
{comments_html("comment-box")}
</div>
<div class="col-md-4"><div class="box-item"><h4 class="title">پربیننده‌ترین</h4><ul>{link_list(ctx.latest(5), "bulleted-item")}</ul></div></div>
</div></main>
<footer><div class="container"><p>کلیه حقوق این سایت محفوظ و متعلق به خبرگزاری تسنیم است.</p></div></footer>
</body>
</html>
"""


def layout_fars(story: Story, ctx: Context) -> str:
    blocks = body_blocks(story.body, p="<p>")
    blocks.insert(
        2,
        f'<div id="pos-article-display-{story.news_id[-4:]}"></div>'
        '<script type="text/javascript">(function(){var s=document.createElement("script");'
        's.src="/ads/yn.js";document.body.appendChild(s);})();</script>',
    )
    crumbs = "".join(f'<li class="breadcrumb-item"><a href="/fars/{i + 1}">{esc(c)}</a></li>' for i, c in enumerate(story.category))
    tags = "".join(f'<a class="tag-item" href="/fars/tag/{quote(t)}">{esc(t)}</a>' for t in story.tags)
    local_iso = story.published.isoformat()
    return f"""<!DOCTYPE html>
<html lang="fa" dir="rtl">
<head>
<title>{esc(story.title)} | خبرگزاری فارس</title>
<meta name="description" content="{esc(story.lead)}">
{og_meta(story)}
<meta property="article:published_time" content="{local_iso}">
<link rel="canonical" href="{story.url_path}">
{json_ld(news_article_ld(story, date=local_iso))}
</head>
<body>
<header class="header"><nav class="navbar"><a class="navbar-brand" href="/fars/">خبرگزاری فارس</a>{nav(MENUS["fars"], "fars", "navbar-nav")}</nav></header>
<main class="container"><div class="row"><div class="col-lg-8">
<nav aria-label="breadcrumb"><ol class="breadcrumb"><li class="breadcrumb-item"><a href="/fars/">خانه</a></li>{crumbs}</ol></nav>
<div class="news-box">
<div class="d-flex justify-content-between"><div class="publish-time"><span>{visible_date(story)}</span></div><div class="news-code"><span>کد خبر: {story.news_id}</span></div></div>
<h1 class="title mb-2 d-block text-justify">{esc(story.title)}</h1>
<p class="lead p-2 text-justify">{esc(story.lead)}</p>
<div class="nt-body text-justify" itemprop="articleBody">
{chr(10).join(blocks)}
</div>
<div class="tags"><span>برچسب‌ها:</span>{tags}</div>
<div class="share">{"".join(f'<a class="share-item" href="/share?to={i}">{esc(x)}</a>' for i, x in enumerate(SHARE))}</div>
</div>
<section class="related-news"><h3>خبرهای مرتبط</h3><ul>{link_list(ctx.related(story))}</ul></section>
</div>
<aside class="col-lg-4"><section class="most-visited"><h3>پربازدیدترین‌ها</h3><ul>{link_list(ctx.latest(5))}</ul></section></aside>
</div></main>
<footer class="footer"><p>تمامی حقوق این سایت متعلق به خبرگزاری فارس است.</p></footer>
</body>
</html>
"""


def layout_yjc(story: Story, ctx: Context) -> str:
    j = jalali(story.published)
    meta_date = fa(f"{j.year}/{j.month:02d}/{j.day:02d} - {j.hour:02d}:{j.minute:02d}")
    blocks = body_blocks(story.body, p='<p style="text-align: justify;">')
    blocks.append('<p style="text-align: justify;">انتهای پیام/ی</p>')
    path = ' <span class="bolet_news_path">»</span> '.join(
        f'<a href="/yjc/fa/services/{i + 1}">{esc(c)}</a>' for i, c in enumerate(story.category)
    )
    tags = "".join(f'<a class="tags_item" href="/yjc/fa/tags/{quote(t)}">{esc(t)}</a>' for t in story.tags)
    return f"""<!DOCTYPE html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8">
<title>{esc(story.title)} | خبرگزاری باشگاه خبرنگاران</title>
<meta name="description" content="{esc(story.lead)}">
{og_meta(story)}
<meta property="article:published_time" content="{meta_date}">
<meta property="og:locale" content="fa_IR">
<link rel="canonical" href="{story.url_path}">
{"" if story.encoding == "ncr" else json_ld(news_article_ld(story, date=story.published.isoformat()))}
</head>
<body>
<div class="wrapper"><header class="header_box"><a class="logo_link" href="/yjc/">باشگاه خبرنگاران جوان</a>
<nav class="navigation_header">{nav(MENUS["yjc"], "yjc/fa", "nav_link")}</nav></header>
<div class="container"><div class="row"><div class="col-xs-36 col-sm-24">
<div class="news_toolbar"><div class="news_nav news_id_c"><span class="news_nav_title">کد خبر: </span>{fa(story.news_id)}</div>
<div class="news_path"> گروه : {path} </div>
<div class="news_nav news_pdate_c"><span class="news_nav_title">تاریخ انتشار: </span>{visible_date(story)}</div></div>
<div class="news_body_con">
<div class="rutitr_body">{esc(story.kicker)}</div>
<h1 class="title"><span class="title-news">{esc(story.title)}</span></h1>
<div class="subtitle"><h2>{esc(story.lead)}</h2></div>
<div class="news_size"><span class="news_size_up">+</span><span class="news_size_down">-</span></div>
<div class="body">{"".join(blocks)}</div>
<div class="tags_container"><span>برچسب ها: </span>{tags}</div>
</div>
<div class="linear_news"><span class="title5">اخبار پیشنهادی</span><ul>{link_list(ctx.related(story), "news-item")}</ul></div>
{comments_html("comments_c")}
</div>
<div class="col-xs-36 col-sm-12"><div class="sp_navc"><span class="title5">پربیننده‌ترین</span><ul>{link_list(ctx.latest(5), "news-item", "inner_link")}</ul></div></div>
</div></div>
<footer class="ft"><p>کلیه حقوق این سایت متعلق به باشگاه خبرنگاران جوان می‌باشد.</p></footer></div>
<script>var newsId = {story.news_id};</script>
</body>
</html>
"""


def layout_varzesh3(story: Story, ctx: Context) -> str:
    blocks = body_blocks(story.body, p="<p>")
    blocks.insert(
        1,
        '<div class="news-inline-biz"><div class="ads-yektanet-container" id="pos-article-text-1"></div>'
        '<span class="biz-title">پیشنهاد ویژه</span><a href="/ads/v3">خرید اقساطی گوشی با ۲۴ قسط</a></div>',
    )
    blocks.insert(
        4,
        f'<div class="video-player" data-video-id="{story.news_id[-6:]}"><div class="iframe_container">'
        f'<iframe allowfullscreen="allowfullscreen" src="/varzesh3/video/play/{story.news_id[-6:]}"></iframe></div></div>',
    )
    local = story.published.strftime("%Y-%m-%dT%H:%M:%S") + ".5300000"
    tags = "".join(
        f'<div class="tag team"><a href="/varzesh3/football/team/{i + 1}/{quote(t)}"><img alt="{esc(t)}" width="20" '
        f'src="/varzesh3/files/pictures/team-{i + 1}.png?w=20"> <span>{esc(t)}</span></a></div>'
        for i, t in enumerate(story.tags)
    )
    kicker = f'<h2 class="subhead">{esc(story.kicker)}</h2>' if story.kicker else ""
    return f"""<!DOCTYPE html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8" />
<title>{esc(story.title)} - ورزش سه</title>
<meta name="description" content="{esc(story.lead)}" />
{og_meta(story)}
<meta property="og:article:published_time" content="{local}" />
<meta property="og:locale" content="fa_IR" />
{"".join(f'<meta property="og:article:tag" content="{esc(t)}" />' for t in story.tags)}
<link rel="canonical" href="{story.url_path}" />
{json_ld(news_article_ld(story))}
</head>
<body>
<header class="page-header"><div class="page-header--tiny-bar">{nav(MENUS["varzesh3"], "varzesh3", "menu bordered")}</div>
<a class="page-logo" href="/varzesh3/">ورزش سه</a></header>
<div class="container"><div class="row"><div class="col-md-8">
<article class="news-content">
<div class="news-main-detail"><div class="news-detail-text"><div class="news-info-detail"><div class="news-info">
<span>کد خبر : {story.news_id} | </span> <span> {visible_date(story)} | </span> <span>48.2K بازدید | </span> <span> <span>73</span> نظر </span>
</div></div>
{kicker}
<h1 class="headline">{esc(story.title)}</h1>
<p class="lead"> {esc(story.lead)} </p>
</div>
<div class="news-detail-image"><div class="news-main-image" style="padding-top: 66.67%"><img alt="{esc(story.title)}" width="800" src="/varzesh3/pictures/{story.news_id}.jpg?w=800"></div></div>
</div>
<div class="news-text">
{chr(10).join(blocks)}
</div>
<div class="footer-box"><div class="tagbox news-tag"><div class="tags tags-news">{tags}</div></div></div>
</article>
<div class="news-page--related-box"><h3 class="sidebar--head">اخبار مرتبط</h3><ul>{link_list(ctx.related(story), "", "small-news-link")}</ul></div>
{comments_html("news-comments")}
</div>
<div class="col-md-4"><div class="list-container"><h3 class="sidebar--head">آخرین اخبار</h3><ul>{link_list(ctx.latest(6), "", "small-news-link")}</ul></div></div>
</div></div>
<footer><p>تمامی حقوق مادی و معنوی این سایت متعلق به ورزش سه است.</p></footer>
</body>
</html>
"""


def layout_bbc(story: Story, ctx: Context) -> str:
    blocks = body_blocks(
        story.body, p='<div dir="rtl" class="bbc-19j92fr ebmt73l0"><p class="bbc-hhl7in e17g058b0">', h2='<h2 class="bbc-1o3cqqj e14z7l2e0">'
    )
    blocks = [b.replace("</p>", "</p></div>") if b.startswith("<div") else b for b in blocks]
    if story.image:
        fig = (
            f'<figure class="bbc-1qn0xuy"><div class="bbc-1vdgc6"><img src="{story.image}" alt="" width="640"></div>'
            '<p class="bbc-1uqcsm5 e1chfedi0">منبع تصویر، Getty Images</p>'
            f'<figcaption class="bbc-1j4l8n1"><span class="bbc-m04vo2">توضیح تصویر، </span>{esc(story.caption)}</figcaption></figure>'
        )
        blocks.insert(1, fig)
    j = jalali(story.published)
    topics = "".join(f'<li><a href="/bbcpersian/persian/topics/{quote(t)}">{esc(t)}</a></li>' for t in story.tags)
    ld = news_article_ld(
        story, kind="ReportageNewsArticle", date=story.published.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    )
    byline = (
        f'<div class="bbc-byline"><ul><li><span class="bbc-1s9o2v5">نویسنده,</span><span class="bbc-1k7h8tr">{esc(story.author)}</span></li>'
        '<li><span class="bbc-1s9o2v5">نقش,</span><span class="bbc-1k7h8tr">بی‌بی‌سی فارسی</span></li></ul></div>'
        if story.author
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="fa" dir="rtl" class="no-js">
<head>
<meta charset="utf-8">
<title>{esc(story.title)} - BBC News فارسی</title>
<meta name="description" content="{esc(paragraph_texts(story.body[0])[0])}">
{og_meta(story)}
<meta name="article:author" content="https://www.facebook.com/bbcnews">
<link rel="canonical" href="{story.url_path}">
{json_ld(ld)}
</head>
<body>
<div id="root"><header role="banner" class="bbc-1ff36h2"><a href="/bbcpersian/persian" class="bbc-1ilrbw0">BBC News فارسی</a>
<nav role="navigation">{nav(MENUS["bbc"], "bbcpersian/persian", "bbc-1k9lmrq")}</nav></header>
<div class="bbc-fa0wmp"><main role="main" class="bbc-1kaye5l">
<div class="bbc-1151pbn"><h1 id="content" class="bbc-1wm0qmq e1p3vdyi0" tabindex="-1">{esc(story.title)}</h1></div>
{byline}
<time datetime="{story.published.date().isoformat()}" class="bbc-1dafq0j e1mklfmt0">{visible_date(story)}</time>
<span class="bbc-ur7x8s">به‌روز شده {fa(f"{j.day}")} {MONTHS[j.month - 1]} {fa(j.year)}</span>
{chr(10).join(blocks)}
<section aria-labelledby="related-content-heading" class="bbc-1c3lvw3"><h2 id="related-content-heading">مطالب مرتبط</h2><ul>{link_list(ctx.related(story))}</ul></section>
<aside aria-labelledby="related-topics" class="bbc-1rdm0tl"><h2 id="related-topics">موضوعات مرتبط</h2><ul class="bbc-1y32vyc">{topics}</ul></aside>
</main>
<section class="bbc-1pfktyq" aria-labelledby="Most-Read"><h2 id="Most-Read">پربیننده‌ترین</h2><ol>{link_list(ctx.latest(5))}</ol></section>
</div>
<footer role="contentinfo" class="bbc-1hvx2qh"><p>© ۲۰۲۳ بی بی سی. بی بی سی مسئول محتوای سایت‌های دیگر نیست.</p></footer></div>
<script>window.SIMORGH_DATA={{"pageType":"article","pathname":"{story.url_path}"}}</script>
</body>
</html>
"""


def layout_pangea(story: Story, ctx: Context) -> str:
    """Radio Farda and VOA Dari (and VOA Persian): the Pangea CMS."""
    o = story.outlet
    paras = list(story.body)
    paras[0] = f"<strong>{paras[0]}</strong>"
    blocks = body_blocks(paras)
    more = ctx.related(story, 1)[0]
    blocks.insert(
        2,
        '<div class="wsw__embed"><div class="media-block-wrap"><div class="media-block">'
        f'<a href="{more.url_path}" class="img-wrap img-wrap--size-3"><img src="/{o.id}/gdb/related.jpg" alt=""></a>'
        f'<div class="media-block__content"><a href="{more.url_path}"><h4 class="media-block__title">{esc(more.title)}</h4></a></div>'
        "</div></div></div>",
    )
    lang = "prs" if o.language == "prs" else "fa-IR"
    cat = story.category[0] if story.category else ""
    author = (
        f'<div class="links"><ul class="links__list"><li class="links__item"><a class="links__item-link" href="/{o.id}/author/{quote(story.author)}">{esc(story.author)}</a></li></ul></div>'
        if story.author
        else ""
    )
    pub_utc = story.published.astimezone(UTC)
    cover = ""
    if story.image:
        cover = (
            f'<div class="cover-media"><figure class="media-image js-media-expand"><div class="img-wrap"><div class="thumb thumb16_9">'
            f'<img src="{story.image}" alt="{esc(story.caption)}"></div></div>'
            f'<figcaption><span class="caption">{esc(story.caption)}</span></figcaption></figure></div>'
        )
    share = "".join(f'<li class="share__item"><a href="/share?to={i}"><span class="btn__text">{esc(x)}</span></a></li>' for i, x in enumerate(SHARE[2:]))
    ld = news_article_ld(story, date=pub_utc.strftime("%Y-%m-%d %H:%M:%SZ"))
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="rtl" class="no-js">
<head>
<meta charset="utf-8" />
<title>{esc(story.title)}</title>
<meta name="description" content="{esc(paragraph_texts(story.body[0])[0])}" />
<meta content="{esc(story.title)}" property="og:title" />
<meta content="article" property="og:type" />
<meta content="{story.url_path}" property="og:url" />
<meta content="{esc(o.site_name)}" property="og:site_name" />
<meta content="{esc(paragraph_texts(story.body[0])[0])}" property="og:description" />
{f'<meta content="{story.image}" property="og:image" />' if story.image else ""}
<link rel="canonical" href="{story.url_path}" />
{json_ld(ld)}
</head>
<body class="nav-no-loaded cc_theme pg-article">
<header class="hdr-20"><div class="hdr-20__inner"><a class="main-logo" href="/{o.id}/">{esc(o.name_fa)}</a>
<nav class="main-nav">{nav(MENUS["pangea"], o.id, "main-nav__list")}</nav></div></header>
<div class="container">
<div class="hdr-container"><div class="row"><div class="col-xs-12">
<div class="category js-category"><a href="/{o.id}/z/{len(cat)}">{esc(cat)}</a></div>
<h1 class="title pg-title">{esc(story.title)}</h1>
<div class="publishing-details">{author}
<div class="published"><span class="date"><time pubdate="pubdate" datetime="{pub_utc.strftime("%Y-%m-%dT%H:%M:%S+00:00")}">{visible_date(story)}</time></span></div></div>
<div class="share--box"><ul class="share__list">{share}</ul></div>
</div></div></div>
{cover}
<div class="body-container"><div class="row"><div class="col-xs-12 col-md-10">
<div id="article-content" class="content-floated-wrap fb-quotable"><div class="wsw">
{chr(10).join(blocks)}
</div></div>
</div></div></div>
<div class="media-block-wrap"><h2 class="section-head">مطالب مرتبط</h2><ul>{link_list(ctx.related(story), "col-xs-12", "media-block__title")}</ul></div>
</div>
<footer class="ftr"><p>{esc(o.name_fa)} — همهٔ حقوق محفوظ است.</p></footer>
</body>
</html>
"""


LAYOUTS: dict[str, Callable[[Story, Context], str]] = {
    "nastooh": layout_nastooh,
    "hamshahri": layout_nastooh,
    "isna": layout_isna,
    "tasnim": layout_tasnim,
    "fars": layout_fars,
    "yjc": layout_yjc,
    "varzesh3": layout_varzesh3,
    "bbc": layout_bbc,
    "pangea": layout_pangea,
}


@dataclass
class Context:
    stories: list[Story]

    def related(self, story: Story, n: int = 3) -> list[Story]:
        return related_items(story, self.stories, n)

    def latest(self, n: int) -> list[Story]:
        return sorted(self.stories, key=lambda s: s.published, reverse=True)[:n]


# --------------------------------------------------------------------------- encodings
HTTP_CONTENT_TYPE = {
    "utf-8": "text/html; charset=utf-8",
    "ncr": "text/html; charset=utf-8",
    "windows-1256": "text/html",
    "windows-1256-mislabeled": "text/html; charset=ISO-8859-1",
    "utf-8-meta-1256": "text/html",
    "utf-8-bom": "text/html",
}


def encode_page(doc: str, encoding: str) -> bytes:
    if encoding.startswith("windows-1256"):
        return to_1256_text(doc).encode("cp1256")
    if encoding == "ncr":
        return to_ncr(doc).encode("ascii")
    if encoding == "utf-8-bom":
        return b"\xef\xbb\xbf" + doc.encode("utf-8")
    return doc.encode("utf-8")


def charset_of(encoding: str) -> str:
    return "windows-1256" if encoding.startswith("windows-1256") else "utf-8"


def render_article(story: Story, ctx: Context) -> bytes:
    doc = LAYOUTS[story.outlet.layout](story, ctx)
    if THEME_IN_TEMPLATE.get(story.outlet.layout) is None:
        doc = doc.replace("</head>", f'<link rel="stylesheet" href="{theme_path(story.outlet)}">\n</head>', 1)
    return encode_page(doc, story.encoding)


# --------------------------------------------------------------------------- expected answers
def expected_entry(story: Story) -> dict:
    page = apply_letters(story)
    o = story.outlet
    visible = visible_date(story)
    if story.encoding.startswith("windows-1256"):
        visible = to_1256_text(visible)
    body: list[str] = []
    for entry in page.body:
        body.extend(paragraph_texts(entry))
    return {
        "key": story.key,
        "path": story.path,
        "url_path": story.url_path,
        "file": story.file,
        "is_article": True,
        "outlet": o.id,
        "site": o.real_site,
        "site_name": o.site_name,
        "source": story.source or o.short_fa,
        "news_id": story.news_id,
        "title": page.title,
        "kicker": page.kicker,
        "lead": page.lead,
        "body": body,
        "published": story.published.isoformat(),
        "published_visible": visible,
        "modified": story.modified.isoformat() if story.modified else None,
        "category": page.category,
        "tags": page.tags,
        "author": page.author,
        "images": [{"url": story.image, "caption": page.caption}] if story.image else [],
        "language": o.language,
        "charset": charset_of(story.encoding),
        "encoding": story.encoding,
        "http_content_type": HTTP_CONTENT_TYPE[story.encoding],
    }


# --------------------------------------------------------------------------- feeds and lists
def _x(s: str) -> str:
    return html.escape(s, quote=False)


def rss(title: str, link: str, stories: list[Story], language: str = "fa") -> bytes:
    items = []
    for s in stories:
        cats = "".join(f"<category>{_x(c)}</category>" for c in s.category)
        items.append(
            f"<item><title>{_x(s.title)}</title><link>{s.url_path}</link>"
            f'<guid isPermaLink="false">{s.outlet.id}-{s.news_id}</guid>'
            f"<description>{_x(s.lead or paragraph_texts(s.body[0])[0])}</description>{cats}"
            f"<pubDate>{email.utils.format_datetime(s.published)}</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{_x(title)}</title><link>{link}</link><description>{_x(title)}</description>"
        f"<language>{language}</language>\n" + "\n".join(items) + "\n</channel></rss>\n"
    ).encode()


def atom(stories: list[Story]) -> bytes:
    entries = []
    for s in stories:
        updated = (s.modified or s.published).isoformat()
        entries.append(
            f"<entry><title>{_x(s.title)}</title><link href=\"{s.url_path}\"/>"
            f"<id>tag:vazeh-sample,2024:{s.outlet.id}/{s.news_id}</id>"
            f"<published>{s.published.isoformat()}</published><updated>{updated}</updated>"
            f"<author><name>{_x(s.outlet.name_fa)}</name></author>"
            f"<summary>{_x(s.lead or paragraph_texts(s.body[0])[0])}</summary></entry>"
        )
    newest = max(s.published for s in stories).isoformat()
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fa">'
        '<title>خبرخوان نمونه وضح</title><link href="/"/><link rel="self" href="/atom.xml"/>'
        f"<id>tag:vazeh-sample,2024:all</id><updated>{newest}</updated>\n" + "\n".join(entries) + "\n</feed>\n"
    ).encode()


def news_sitemap(stories: list[Story]) -> bytes:
    urls = []
    for s in stories:
        urls.append(
            f"<url><loc>{s.url_path}</loc><lastmod>{(s.modified or s.published).isoformat()}</lastmod>"
            f"<news:news><news:publication><news:name>{_x(s.outlet.name_fa)}</news:name>"
            f"<news:language>{s.outlet.language}</news:language></news:publication>"
            f"<news:publication_date>{s.published.isoformat()}</news:publication_date>"
            f"<news:title>{_x(s.title)}</news:title></news:news></url>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + "\n".join(urls) + "\n</urlset>\n"
    ).encode()


def sitemap_index(locs: list[str]) -> bytes:
    items = "".join(f"<sitemap><loc>{loc}</loc></sitemap>\n" for loc in locs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + items + "</sitemapindex>\n"
    ).encode()


def listing_page(title: str, site_name: str, groups: list[tuple[str, str, list[Story]]], lang: str = "fa") -> bytes:
    """A home or section page: links and summaries, not an article."""
    sections = []
    for heading, href, stories in groups:
        items = "".join(
            f'<li class="news"><h3><a href="{s.url_path}">{esc(s.title)}</a></h3>'
            f'<p class="lead">{esc(s.lead or paragraph_texts(s.body[0])[0])}</p>'
            f'<span class="date">{esc(visible_date(s))}</span></li>'
            for s in stories
        )
        sections.append(f'<section class="box"><h2><a href="{href}">{esc(heading)}</a></h2><ul>{items}</ul></section>')
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="rtl">
<head>
<meta charset="utf-8">
<title>{esc(title)}</title>
<meta property="og:type" content="website">
<meta property="og:site_name" content="{esc(site_name)}">
<link rel="alternate" type="application/rss+xml" href="/rss.xml">
<link rel="stylesheet" href="/static/sample.css">
<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">
</head>
<body class="list-page">
<header><h1>{esc(title)}</h1></header>
<main>
{chr(10).join(sections)}
</main>
<footer><p>این سایت نمونه‌ای ساختگی برای آزمون‌های وضح است؛ همهٔ خبرها خیالی‌اند.</p></footer>
</body>
</html>
""".encode()


# --------------------------------------------------------------------------- hostile pages
# Pages no feed links to: extraction tests feed them in directly to prove that a
# pathological page gives a clean answer, never a crash or a hang.
NESTED_TITLE = "کتابخانه مرکزی شهر پس از نوسازی بازگشایی شد"
NESTED_BODY = [
    "کتابخانه مرکزی شهر پس از دو سال نوسازی از امروز دوباره به روی مراجعان باز شد و ساعت کار آن تا ۲۲ افزایش یافت.",
    "در ساختمان تازه، سالن مطالعه بانوان، بخش کودک و یک اتاق گفت‌وگو برای نشست‌های کتاب‌خوانی پیش‌بینی شده است.",
]
NESTED_DEPTH = 5000
BROKEN_TITLE = "ثبت‌نام مدارس غیردولتی از هفته آینده آغاز می‌شود"
BROKEN_BODY = [
    "ثبت‌نام دانش‌آموزان در مدارس غیردولتی از شنبه هفته آینده به‌صورت اینترنتی آغاز می‌شود.",
    "والدین باید شهریه را تنها از طریق درگاه رسمی آموزش‌وپرورش پرداخت کنند و از واریز وجه به حساب‌های شخصی خودداری کنند.",
    "مهلت ثبت‌نام تا پایان تیرماه است.",
]


def nested_page() -> bytes:
    """An article buried under thousands of nested elements (parsers have depth limits)."""
    paras = "".join(f"<p>{p}</p>" for p in NESTED_BODY)
    return (
        '<!DOCTYPE html><html lang="fa" dir="rtl"><head><meta charset="utf-8">'
        f"<title>{NESTED_TITLE}</title></head><body><article><h1>{NESTED_TITLE}</h1>"
        + '<div class="wrap">' * NESTED_DEPTH
        + paras
        + "</div>" * NESTED_DEPTH
        + "</article></body></html>\n"
    ).encode()


def broken_page() -> bytes:
    """Unclosed elements, a stray end tag, unquoted attributes, and a file cut off mid-tag."""
    return (
        "<html dir=rtl><head><meta charset=utf-8><title>" + BROKEN_TITLE + "</title>\n"
        "<body><div class=page><div class=news><h1 class=title>" + BROKEN_TITLE + "</h1>\n"
        "</span><div class=item-text><p>" + BROKEN_BODY[0] + "\n"
        "<p>" + BROKEN_BODY[1] + "</b></i>\n"
        "<p>" + BROKEN_BODY[2] + "\n"
        "</table><div class=\"foot"
    ).encode()


NOBODY_PAGE = (
    '<!DOCTYPE html><html lang="fa"><head><meta charset="utf-8"><title>بدون متن</title>'
    '<meta property="og:title" content="صفحه‌ای که بدنه ندارد"></head></html>\n'
).encode()


def hostile_entry(name: str, title: str | None, body: list[str], is_article: bool) -> dict:
    entry: dict = {"path": f"/hostile/{name}", "url_path": f"/hostile/{name}", "file": f"hostile/{name}"}
    entry.update(is_article=is_article, kind="hostile", charset="utf-8", encoding="utf-8")
    if is_article:
        entry.update(title=title, body=body, language="fa", published=None, news_id=None, category=[], tags=[])
    return entry


def hostile_files() -> tuple[dict[str, bytes], list[dict]]:
    files = {
        "hostile/nested.html": nested_page(),
        "hostile/broken.html": broken_page(),
        "hostile/nobody.html": NOBODY_PAGE,
        "hostile/empty.html": b"",
    }
    entries = [
        hostile_entry("nested.html", NESTED_TITLE, NESTED_BODY, True),
        hostile_entry("broken.html", BROKEN_TITLE, BROKEN_BODY, True),
        hostile_entry("nobody.html", None, [], False),
        hostile_entry("empty.html", None, [], False),
    ]
    return files, entries


ROBOTS = b"""User-agent: *
Disallow: /private/

Sitemap: /sitemap.xml
Sitemap: /sitemap_index.xml
"""

PRIVATE = """<!DOCTYPE html>
<html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>بخش خصوصی</title></head>
<body><p>این صفحه در robots.txt ممنوع شده است و هیچ بایگانی‌کننده‌ای نباید آن را بردارد.</p></body></html>
""".encode()


# --------------------------------------------------------------------------- page resources
# What the pages embed, so that a capture archives a styled page and a replay shows
# it as a reader saw it: a shared stylesheet (imported by each outlet's theme, so
# captures meet @import and url()), SVG decorations, small scripts, a video player
# page in an iframe, and pictures. The pictures are not files: `_images.json` lists
# each path the pages use with its size, and the server draws a PNG for it (no
# binary blobs in the repository). No web font: the reading room's Vazirmatn is an
# optional download, so the sample names it and falls back to the system's fonts.
THEME_IN_TEMPLATE = {"nastooh": "/{id}/resources/theme/style.css", "hamshahri": "/{id}/resources/theme/style.css"}
ACCENTS = {
    "mehr": "#0b5aa2", "irna": "#005b4f", "isna": "#1b4f9c", "tasnim": "#b3261e", "fars": "#0d6e3f",
    "khabaronline": "#c2410c", "hamshahri": "#1d4ed8", "yjc": "#7c2d12", "varzesh3": "#15803d",
    "bbcpersian": "#b80000", "radiofarda": "#e35205", "voadari": "#1a3b6e",
}
IMAGE_PATH = re.compile(r'(?:src|poster)="(/[^"?#]+\.(?:jpe?g|png|gif|webp))(?:\?[^"]*)?"', re.I)

SAMPLE_CSS = """@charset "utf-8";
@import url("/static/reset.css");

:root { --accent: #0b5aa2; --ink: #1f2328; --muted: #5b6470; --paper: #fbfaf7; }
body {
  font-family: Vazirmatn, "Noto Naskh Arabic", Tahoma, "DejaVu Sans", sans-serif;
  color: var(--ink); background: var(--paper) url("/static/img/paper.svg");
  line-height: 1.9; margin: 0;
}
header, .main-header, .page-header, .site-header, .header {
  background: var(--accent) url("/static/img/header.svg") repeat-x left bottom;
  color: #fff; padding: .6rem 1rem 1.4rem;
}
header a, .main-header a, .page-header a { color: #fff; }
nav ul, .nav-menu, .menu { display: flex; flex-wrap: wrap; gap: .2rem 1rem; list-style: none; padding: 0; margin: .3rem 0; }
.container, main, .wrapper { max-width: 68rem; margin: 0 auto; padding: 0 1rem; }
article, .item-page, .news-content, .box { background: #fff; border-radius: .4rem; padding: 1rem 1.4rem; margin: 1rem 0;
  box-shadow: 0 1px 3px rgba(0, 0, 0, .08); }
h1 { font-size: 1.7rem; line-height: 1.5; margin: .4rem 0 .8rem; }
h1 a { color: inherit; text-decoration: none; }
.kicker, .subhead, .rutitr, .uptitle { color: var(--accent); font-size: 1rem; margin: 0; }
.summary, .lead, .introtext { color: var(--muted); font-weight: bold; }
img { max-width: 100%; height: auto; }
figure { margin: 1rem 0; }
figcaption, .caption { color: var(--muted); font-size: .9rem; }
a { color: var(--accent); }
.ads, .box.ads { text-align: center; background: #f1efe9 url("/static/img/ad.svg") no-repeat center; min-height: 3rem; }
.breadcrumb { display: flex; gap: .5rem; list-style: none; padding: 0; font-size: .9rem; }
.tags ul, .tags-news { display: flex; flex-wrap: wrap; gap: .4rem; list-style: none; padding: 0; }
.tags li a, .tag a { background: #eef2f7; border-radius: 1rem; padding: .1rem .7rem; text-decoration: none; }
footer, .main-footer { color: var(--muted); font-size: .85rem; text-align: center; padding: 1.5rem 1rem; }
.list-page .news h3 { margin-bottom: 0; }
.iframe_container iframe { width: 100%; aspect-ratio: 16 / 9; border: 0; }
"""

RESET_CSS = """*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
ul, ol { padding-inline-start: 1.4rem; }
input, button { font: inherit; }
"""

PLAYER_CSS = """@import url("/static/reset.css");
html, body { margin: 0; height: 100%; background: #111; }
video { display: block; width: 100%; height: 100%; object-fit: cover; background: #111 url("/static/img/play.svg") no-repeat center; }
"""

SVG_FILES = {
    "static/img/paper.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24">'
    '<rect width="24" height="24" fill="#fbfaf7"/><circle cx="12" cy="12" r="1" fill="#ece8df"/></svg>\n',
    "static/img/header.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="12">'
    '<path d="M0 12 L20 2 L40 12 Z" fill="#ffffff" fill-opacity=".18"/></svg>\n',
    "static/img/ad.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20">'
    '<text x="30" y="15" font-size="12" text-anchor="middle" fill="#b8b2a4">AD</text></svg>\n',
    "static/img/play.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
    '<circle cx="32" cy="32" r="30" fill="#000" fill-opacity=".5"/><path d="M26 20 L46 32 L26 44 Z" fill="#fff"/></svg>\n',
    "static/img/favicon.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32">'
    '<rect width="32" height="32" rx="6" fill="#0b5aa2"/><text x="16" y="23" font-size="18" text-anchor="middle" '
    'fill="#fff">و</text></svg>\n',
}

APP_JS = """// The outlet's theme script: marks the page as scripted, as real theme scripts do first.
document.documentElement.className += " js";
"""


def theme_path(outlet: Outlet) -> str:
    pattern = THEME_IN_TEMPLATE.get(outlet.layout) or "/{id}/static/theme.css"
    return pattern.format(id=outlet.id)


def theme_css(outlet: Outlet) -> bytes:
    accent = ACCENTS.get(outlet.id, "#0b5aa2")
    return (
        f'@import url("/static/sample.css");\n\n'
        f"/* {outlet.name_en}: the outlet's colour over the shared sample style. */\n"
        f":root {{ --accent: {accent}; }}\n"
    ).encode()


def image_size(path: str) -> tuple[int, int]:
    """The size the server draws a picture at: what such a slot holds on the real sites."""
    name = path.rsplit("/", 1)[-1]
    if path.startswith("/ads/"):
        return (468, 60) if "468" in name else (300, 250) if "side" in name else (300, 100)
    if "logo" in name:
        return (160, 48)
    if "team-" in name:
        return (40, 40)
    if "related" in name:
        return (320, 180)
    return (800, 450)


def player_page(video_id: str) -> bytes:
    return f"""<!DOCTYPE html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8">
<title>پخش ویدیو</title>
<meta name="robots" content="noindex">
<link rel="stylesheet" href="/varzesh3/static/player.css">
</head>
<body>
<video controls preload="none" poster="/varzesh3/video/poster/{video_id}.jpg"></video>
</body>
</html>
""".encode()


def resource_files(outlets: dict[str, Outlet], stories: list[Story], pages: dict[str, bytes]) -> tuple[dict[str, bytes], list[dict]]:
    """The stylesheets, scripts, SVGs and player pages the site's pages embed, the
    `_images.json` manifest of the pictures the server draws, and the player pages'
    expected entries."""
    files: dict[str, bytes] = {
        "static/sample.css": SAMPLE_CSS.encode(),
        "static/reset.css": RESET_CSS.encode(),
        "varzesh3/static/player.css": PLAYER_CSS.encode(),
    }
    files.update({path: svg.encode() for path, svg in SVG_FILES.items()})
    for o in outlets.values():
        files[theme_path(o).lstrip("/")] = theme_css(o)
        if o.layout in THEME_IN_TEMPLATE:
            files[f"{o.id}/resources/theme/app.js"] = APP_JS.encode()
    files["isna/resources/theme/isna/js/main.js"] = APP_JS.encode()
    entries = []
    for s in stories:
        if s.outlet.layout == "varzesh3":
            vid = s.news_id[-6:]
            rel = f"varzesh3/video/play/{vid}.html"
            files[rel] = player_page(vid)
            pages[rel] = files[rel]
            entries.append({"path": f"/{rel}", "url_path": f"/varzesh3/video/play/{vid}", "file": rel,
                            "is_article": False, "kind": "embed"})
    images: dict[str, list[int]] = {}
    for data in pages.values():
        for m in IMAGE_PATH.finditer(data.decode("utf-8", "replace")):
            images.setdefault(m.group(1), list(image_size(m.group(1))))
    files["_images.json"] = (json.dumps(dict(sorted(images.items())), indent=1) + "\n").encode()
    return files, entries


# --------------------------------------------------------------------------- the whole site
def render_site() -> tuple[dict[str, bytes], dict]:
    """Every file of site/ (relative path -> bytes) and the expected.json document."""
    outlets = load_outlets()
    stories, versions = load_stories(outlets=outlets)
    ctx = Context(stories)
    newest = sorted(stories, key=lambda s: s.published, reverse=True)
    files: dict[str, bytes] = {}
    pages: list[dict] = []
    headers: dict[str, dict[str, str]] = {}

    for s in stories:
        files[s.file] = render_article(s, ctx)
        pages.append(expected_entry(s))
        if s.encoding != "utf-8" and s.encoding != "ncr":
            headers[s.path] = {"Content-Type": HTTP_CONTENT_TYPE[s.encoding]}

    files["index.html"] = listing_page(
        "خبرخوان نمونه وضح: تازه‌ترین خبرها",
        "خبرخوان نمونه وضح",
        [(o.name_fa, f"/{o.id}/", [s for s in newest if s.outlet.id == o.id][:3]) for o in outlets.values()],
    )
    pages.append({"path": "/", "url_path": "/", "file": "index.html", "is_article": False, "kind": "home"})
    for o in outlets.values():
        own = [s for s in newest if s.outlet.id == o.id]
        files[f"{o.id}/index.html"] = listing_page(
            f"{o.name_fa} - آخرین اخبار", o.site_name, [("آخرین اخبار", f"/{o.id}/", own)], "prs" if o.language == "prs" else "fa"
        )
        pages.append({"path": f"/{o.id}/", "url_path": f"/{o.id}/", "file": f"{o.id}/index.html", "is_article": False, "kind": "section"})
        files[f"{o.id}/rss.xml"] = rss(o.name_fa, f"/{o.id}/", own, o.language)
        files[f"{o.id}/sitemap.xml"] = news_sitemap(own)
    files["private/secret.html"] = PRIVATE
    more, entries = hostile_files()
    files.update(more)
    pages.extend(entries)
    pages.append({"path": "/private/secret.html", "url_path": "/private/secret.html", "file": "private/secret.html", "is_article": False, "kind": "disallowed"})
    files["robots.txt"] = ROBOTS
    files["rss.xml"] = rss("خبرخوان نمونه وضح", "/", newest)
    files["atom.xml"] = atom(newest)
    files["sitemap.xml"] = news_sitemap(newest)
    files["sitemap_index.xml"] = sitemap_index([f"/{o}/sitemap.xml" for o in outlets])
    # big sites serve their sitemaps compressed; one outlet here does too
    files["yjc/sitemap.xml.gz"] = gzip.compress(files["yjc/sitemap.xml"], mtime=0)

    round_rules, round_entries = round2_files(files, stories, ctx)

    version_entries = []
    for v in versions:
        files[f"_versions/{v.file}"] = render_article(v, ctx)
        entry = expected_entry(v)
        entry.update(version=v.version, file=f"_versions/{v.file}", replaces=v.file)
        version_entries.append(entry)

    html_pages = {rel: data for rel, data in files.items() if rel.endswith(".html")}
    more_files, embed_entries = resource_files(outlets, stories, html_pages)
    files.update(more_files)
    pages.extend(embed_entries)
    files["_rounds.json"] = (json.dumps(round_rules, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    files["_headers.json"] = (json.dumps(headers, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
    groups: dict[str, list[str]] = {}
    for s in stories:
        groups.setdefault(" ".join(paragraph_texts(s.body[1])), []).append(s.path)
    expected = {
        "about": "Gold answers for the sample site; written by vazeh.sample.build_site, do not edit by hand.",
        "pages": pages,
        "versions": version_entries,
        "round2": round_entries,
        "near_duplicates": [paths for paths in groups.values() if len(paths) > 1],
    }
    return files, expected


def view_counter(page: bytes, views: int) -> bytes:
    """A page with a view counter at its foot: it changes on every load of a real site,
    so it must never count as an edit."""
    box = f'<div class="views">بازدید: {fa(views)}</div>\n'.encode()
    return page.replace(b"</body>", box + b"</body>", 1)


def round2_files(files: dict[str, bytes], stories: list[Story], ctx: Context) -> tuple[dict, list[dict]]:
    """The site's second round (stories.toml [[round2]]): edited pages under _round2/,
    deleted paths in the round rules; each story's page in round 1 gets its counter."""
    data = tomllib.loads(STORIES.read_text(encoding="utf-8")).get("round2", [])
    by_key = {s.key: s for s in stories}
    deleted = {d["key"] for d in data if d.get("delete")}
    later = Context([s for s in stories if s.key not in deleted])
    rules: dict[str, int] = {}
    entries = []
    for d in data:
        story = by_key[d["key"]]
        if d.get("delete"):
            rules[story.path] = 404
            entries.append({"key": story.key, "path": story.path, "change": "deleted", "status": 404})
            continue
        body = list(story.body)
        if "paragraph" in d:
            body[int(d["paragraph"][0])] = d["paragraph"][1]
        fields = {k: v for k, v in d.items() if k in ("title", "kicker", "lead")}
        edited = replace(story, body=body, slug=slugify(story.title), **fields)
        first, second = d.get("views", [None, None])
        if first is not None:
            files[story.file] = view_counter(files[story.file], first)
        page = render_article(edited, later)
        files[f"_round2/{story.file}"] = view_counter(page, second) if second is not None else page
        changed = sorted({*fields, *(["body"] if "paragraph" in d else [])}, key=["title", "kicker", "lead", "body"].index)
        entries.append({"key": story.key, "path": story.path, "change": "edited", "fields": changed,
                        "file": f"_round2/{story.file}"})
    return {"2": rules}, entries


def expected_bytes(expected: dict) -> bytes:
    return (json.dumps(expected, ensure_ascii=False, indent=1) + "\n").encode()


def stale_files(site_dir: Path = SITE_DIR, expected_path: Path = EXPECTED) -> list[str]:
    """Files whose committed bytes differ from a fresh build (or that should not exist)."""
    files, expected = render_site()
    stale = [rel for rel, data in files.items() if not (site_dir / rel).is_file() or (site_dir / rel).read_bytes() != data]
    on_disk = {p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file()} if site_dir.is_dir() else set()
    stale += sorted(on_disk - set(files))
    if not expected_path.is_file() or expected_path.read_bytes() != expected_bytes(expected):
        stale.append(expected_path.name)
    return stale


def write_site(site_dir: Path = SITE_DIR, expected_path: Path = EXPECTED) -> int:
    files, expected = render_site()
    for rel, data in files.items():
        target = site_dir / rel
        if target.is_file() and target.read_bytes() == data:
            continue  # keep mtimes (the server's Last-Modified) stable across rebuilds
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    keep = set(files)
    for p in sorted(site_dir.rglob("*"), reverse=True):
        rel = p.relative_to(site_dir).as_posix()
        if p.is_file() and rel not in keep:
            p.unlink()
        elif p.is_dir() and not any(p.iterdir()):
            p.rmdir()
    data = expected_bytes(expected)
    if not expected_path.is_file() or expected_path.read_bytes() != data:
        expected_path.write_bytes(data)
    return len(files)


def edited_site(dest: Path, site_dir: Path = SITE_DIR) -> Path:
    """A copy of the site in `dest` with every `_versions/` edit swapped in at its
    article's own path: serve it (serve_sample(site_dir=dest)) to see a story change
    between two captures of the same URL."""
    shutil.copytree(site_dir, dest, dirs_exist_ok=True)
    versions = dest / "_versions"
    for edited in versions.rglob("*"):
        if edited.is_file():
            target = dest / edited.relative_to(versions)
            target.write_bytes(edited.read_bytes())
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the sample news site from stories.toml")
    parser.add_argument("--check", action="store_true", help="only report files that are out of date")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for rel in stale:
            print(f"stale: {rel}")
        return 1 if stale else 0
    n = write_site()
    print(f"wrote {n} files to {SITE_DIR} and {EXPECTED.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
