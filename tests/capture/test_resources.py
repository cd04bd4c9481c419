"""Finding a page's resources: HTML and CSS parsing only (no network)."""

from __future__ import annotations

import pytest

from vazeh.capture.resources import (
    FONT,
    ICON,
    IFRAME,
    IMAGE,
    MEDIA,
    POSTER,
    SCRIPT,
    STYLESHEET,
    Resource,
    css_resources,
    html_resources,
    is_css,
    is_html,
    parse_srcset,
)

PAGE = "https://www.example-news.ir/fa/news/5912347/متروی-خط-۱۰"

# Modeled on a Nastooh-style article page (Mehr, IRNA, ISNA run this CMS): a
# theme stylesheet, a preloaded web font, lazy images with data-src, a CDN whose
# resizer puts commas in its paths, a share-button SVG sprite, an aparat iframe.
NASTOOH = """<!doctype html>
<html lang="fa" dir="rtl"><head>
<meta charset="utf-8">
<title>افتتاح خط ۱۰ متروی تهران</title>
<link rel="stylesheet" href="/resources/theme/style.css?v=13">
<link rel="preload" href="/resources/fonts/IRANSansWeb.woff2" as="font" type="font/woff2" crossorigin>
<link rel="preload" href="/resources/theme/hero.jpg" as="image" imagesrcset="/resources/theme/hero-2x.jpg 2x">
<link rel="modulepreload" href="/resources/js/module.js">
<link rel="shortcut icon" href="/favicon.ico">
<link rel="apple-touch-icon" sizes="180x180" href="/resources/theme/apple-touch-icon.png">
<link rel="alternate" type="application/rss+xml" href="/rss">
<link rel="canonical" href="/fa/news/5912347">
<link rel="prefetch" href="/fa/news/5912348">
<style>.jwplayer{display:inline-block;background:url('/resources/theme/play.svg') no-repeat}</style>
<script src="https://cdn.example-news.ir/js/jquery.min.js"></script>
<script>var a = "<img src='/not-a-resource.png'>";</script>
</head>
<body>
<header style="background-image:url(/resources/theme/header-bg.png)"><a href="/"><img src="/resources/theme/logo.png" alt="مهر"></a></header>
<div class="item-img">
  <img class="lazy" src="/resources/theme/placeholder.gif"
       data-src="https://media.example-news.ir/d/2023/10/08/4/metro.jpg"
       data-srcset="https://media.example-news.ir/d/2023/10/08/2/metro.jpg?w=400 400w,
                    https://media.example-news.ir/d/2023/10/08/4/metro.jpg 800w" alt="">
</div>
<div class="item-text">
  <p>متن خبر</p>
  <img data-lazy-src="/d/2023/10/08/3/inline.jpg" alt="">
  <img data-original="/d/2023/10/08/3/old-lazy.jpg" alt="">
  <picture>
    <source type="image/webp" srcset="https://cdn.example-news.ir/img/w_300,h_200,c_fill/metro.webp 1x, https://cdn.example-news.ir/img/w_600,h_400,c_fill/metro.webp 2x">
    <img src="https://cdn.example-news.ir/img/w_300,h_200,c_fill/metro.jpg" alt="">
  </picture>
  <div class="video"><video poster="/d/2023/10/08/poster.jpg" preload="none"><source src="/d/2023/10/08/clip.mp4" type="video/mp4"></video></div>
  <iframe src="https://www.aparat.com/video/video/embed/videohash/abc123/vt/frame" allowfullscreen></iframe>
</div>
<ul class="share">
  <li><svg class="icon"><use xlink:href="/resources/theme/sprite.svg#telegram"></use></svg></li>
  <li><svg class="icon"><use href="/resources/theme/sprite.svg#whatsapp"></use></svg></li>
  <li><svg><use href="#local-symbol"></use></svg></li>
</ul>
<a href="javascript:void(0)" onclick="print()"><img src="javascript:void(0)"></a>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<img src="blob:https://www.example-news.ir/1234">
<img src="about:blank">
<img src="  /resources/theme/spaced.png  ">
<img src="/resources/theme/logo.png#again">
<noscript><img src="/d/2023/10/08/4/metro-noscript.jpg"></noscript>
<table background="/resources/old/table-bg.gif"><tr><td>قدیمی</td></tr></table>
</body></html>
"""


def urls(resources: list[Resource], kind: str | None = None) -> list[str]:
    return [r.url for r in resources if kind is None or r.kind == kind]


@pytest.fixture(scope="module")
def nastooh() -> list[Resource]:
    return html_resources(NASTOOH.encode("utf-8"), PAGE, "text/html; charset=utf-8")


def test_stylesheets_fonts_scripts_and_icons(nastooh):
    base = "https://www.example-news.ir"
    assert urls(nastooh, STYLESHEET) == [f"{base}/resources/theme/style.css?v=13"]
    assert urls(nastooh, FONT) == [f"{base}/resources/fonts/IRANSansWeb.woff2"]
    assert urls(nastooh, SCRIPT) == [f"{base}/resources/js/module.js", "https://cdn.example-news.ir/js/jquery.min.js"]
    assert urls(nastooh, ICON) == [f"{base}/favicon.ico", f"{base}/resources/theme/apple-touch-icon.png"]


def test_links_that_are_not_resources_are_left_out(nastooh):
    found = urls(nastooh)
    assert not [u for u in found if u.endswith(("/rss", "/5912347", "/5912348"))]
    assert not [u for u in found if "not-a-resource" in u]  # inside a script's text


def test_lazy_images_and_srcset(nastooh):
    images = urls(nastooh, IMAGE)
    for url in [
        "https://www.example-news.ir/resources/theme/placeholder.gif",
        "https://media.example-news.ir/d/2023/10/08/4/metro.jpg",
        "https://media.example-news.ir/d/2023/10/08/2/metro.jpg?w=400",
        "https://www.example-news.ir/d/2023/10/08/3/inline.jpg",
        "https://www.example-news.ir/d/2023/10/08/3/old-lazy.jpg",
        "https://www.example-news.ir/resources/theme/hero.jpg",
        "https://www.example-news.ir/resources/theme/hero-2x.jpg",
        "https://www.example-news.ir/d/2023/10/08/4/metro-noscript.jpg",
    ]:
        assert url in images, url
    # The same image in src and data-srcset is fetched once.
    assert images.count("https://media.example-news.ir/d/2023/10/08/4/metro.jpg") == 1


def test_srcset_urls_with_commas_in_them(nastooh):
    images = urls(nastooh, IMAGE)
    assert "https://cdn.example-news.ir/img/w_300,h_200,c_fill/metro.webp" in images
    assert "https://cdn.example-news.ir/img/w_600,h_400,c_fill/metro.webp" in images
    assert "https://cdn.example-news.ir/img/w_300,h_200,c_fill/metro.jpg" in images
    assert not [u for u in images if u.endswith(("/w_300", "h_200", "c_fill"))]


def test_inline_css_svg_sprites_and_old_background_attributes(nastooh):
    images = urls(nastooh, IMAGE)
    base = "https://www.example-news.ir"
    assert f"{base}/resources/theme/play.svg" in images  # <style> block
    assert f"{base}/resources/theme/header-bg.png" in images  # style attribute
    assert f"{base}/resources/old/table-bg.gif" in images  # <table background>
    # Both <use> of the sprite: one fetch, without the fragment; a local #symbol is no resource.
    assert images.count(f"{base}/resources/theme/sprite.svg") == 1


def test_video_poster_media_and_iframe(nastooh):
    assert urls(nastooh, POSTER) == ["https://www.example-news.ir/d/2023/10/08/poster.jpg"]
    assert urls(nastooh, MEDIA) == ["https://www.example-news.ir/d/2023/10/08/clip.mp4"]
    assert urls(nastooh, IFRAME) == ["https://www.aparat.com/video/video/embed/videohash/abc123/vt/frame"]
    assert IFRAME not in {r.kind for r in html_resources(NASTOOH, PAGE, iframes=False)}


def test_no_data_javascript_blob_about_urls_no_fragments_no_duplicates(nastooh):
    found = urls(nastooh)
    assert all(u.startswith(("http://", "https://")) for u in found)
    assert not [u for u in found if "#" in u]
    assert len(found) == len(set(found))
    assert "https://www.example-news.ir/resources/theme/spaced.png" in found


def test_fetch_order_puts_styles_first_and_media_last(nastooh):
    kinds = [r.kind for r in nastooh]
    assert kinds[0] == STYLESHEET
    assert kinds[-1] == MEDIA
    assert kinds.index(FONT) < kinds.index(IMAGE)


def test_base_href_resolves_relative_urls():
    html = '<html><head><base href="https://static.example.ir/v2/"></head><body><img src="a.png"><img src="/b.png"></body></html>'
    assert urls(html_resources(html, "https://www.example.ir/news/1")) == [
        "https://static.example.ir/v2/a.png",
        "https://static.example.ir/b.png",
    ]


def test_a_javascript_base_is_ignored():
    html = '<base href="javascript:alert(1)"><img src="a.png">'
    assert urls(html_resources(html, "https://www.example.ir/news/1")) == ["https://www.example.ir/news/a.png"]


def test_windows_1256_page_with_a_persian_file_name():
    html = '<html><head><meta charset="windows-1256"><title>خبر</title></head><body><img src="/عکس/1.jpg"></body></html>'
    found = html_resources(html.encode("cp1256"), "http://www.example.ir/", "text/html")
    assert urls(found) == ["http://www.example.ir/عکس/1.jpg"]


def test_the_page_itself_is_not_its_own_resource():
    html = '<iframe src="/news/1#comments"></iframe><img src="/news/1">'
    assert html_resources(html, "https://www.example.ir/news/1") == []


def test_hostile_markup_does_not_break_the_parser():
    html = "<img src=" + "a" * 10_000 + "><img src='http://[::1'><img src='http://h:99999/x'><img src='/\x01x'>" + "<div>" * 3000
    found = html_resources(html, "https://www.example.ir/")
    assert urls(found) == []
    assert html_resources(b"", "https://www.example.ir/") == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a.jpg", ["a.jpg"]),
        ("a.jpg 1x, b.jpg 2x", ["a.jpg", "b.jpg"]),
        ("a.jpg 1x,b.jpg 2x", ["a.jpg", "b.jpg"]),
        ("/w_300,h_200/a.jpg 300w, /w_600,h_400/a.jpg 600w", ["/w_300,h_200/a.jpg", "/w_600,h_400/a.jpg"]),
        ("a.jpg,b.jpg", ["a.jpg,b.jpg"]),  # no whitespace: one URL, as browsers read it
        ("a.jpg, b.jpg", ["a.jpg", "b.jpg"]),  # a URL ending in a comma has no descriptors
        (",, a.jpg 1x ,, b.jpg", ["a.jpg", "b.jpg"]),
        ("a.jpg (foo, bar) 1x, b.jpg", ["a.jpg", "b.jpg"]),
        ("  \n a.jpg\t400w,\n b.jpg 800w  ", ["a.jpg", "b.jpg"]),
        ("", []),
    ],
)
def test_parse_srcset(value, expected):
    assert parse_srcset(value) == expected


CSS = """
@charset "utf-8";
@import url("fonts.css");
@import 'print.css' print;
@import url(/theme/grid.css) screen and (min-width: 768px);
/* url(commented-out.png) @import "commented.css"; */
@font-face {
  font-family: "Vazirmatn";
  src: url("../fonts/Vazirmatn.woff2") format("woff2"), url(../fonts/Vazirmatn.woff) format("woff");
}
body { background: #fff url( 'img/bg.png' ) repeat-x; }
.logo { background-image: -webkit-image-set("img/logo.png" 1x, url(img/logo-2x.png) 2x); }
.icon { mask: url(#mask); filter: url("data:image/svg+xml;utf8,<svg/>"); }
.esc { background: url("img/a\\20 b.png"); }
.dup { background: url(img/bg.png); }
"""


def test_css_imports_fonts_and_images():
    found = css_resources(CSS, "https://www.example.ir/theme/css/main.css")
    assert urls(found, STYLESHEET) == [
        "https://www.example.ir/theme/css/fonts.css",
        "https://www.example.ir/theme/css/print.css",
        "https://www.example.ir/theme/grid.css",
    ]
    assert urls(found, FONT) == [
        "https://www.example.ir/theme/fonts/Vazirmatn.woff2",
        "https://www.example.ir/theme/fonts/Vazirmatn.woff",
    ]
    images = urls(found, IMAGE)
    assert images == [
        "https://www.example.ir/theme/css/img/bg.png",
        "https://www.example.ir/theme/css/img/logo-2x.png",
        "https://www.example.ir/theme/css/img/a b.png",
        "https://www.example.ir/theme/css/img/logo.png",
    ]
    assert not [u for u in urls(found) if "comment" in u]


def test_css_of_an_unterminated_comment_or_garbage():
    assert css_resources("a{b:url(x.png)} /* never closed url(y.png)", "http://h/") == [Resource("http://h/x.png", IMAGE)]
    assert css_resources("url(" * 5000, "http://h/") == []


def test_content_type_checks():
    assert is_html("text/html", b"")
    assert is_html("application/xhtml+xml", b"")
    assert is_html(None, b"  <!DOCTYPE html><html>")
    assert not is_html("image/png", b"<html>")
    assert is_css("text/css", IMAGE)
    assert is_css("text/plain", STYLESHEET)
    assert not is_css("text/html", STYLESHEET)
