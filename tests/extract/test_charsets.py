"""Pages come out right whatever they are written in and however they are labelled."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from vazeh.extract import extract_article

ZWNJ = "\u200c"
TITLE = "کاهش مصرف آب در باغ‌های انار"
PARAS = [
    "کشاورزان ساوه با آبیاری قطره‌ای مصرف آب باغ‌های انار را تا یک سوم کم کرده‌اند.",
    "کارشناسان جهاد کشاورزی می‌گویند که محصول امسال با وجود کم‌آبی کاهش نیافته است.",
    "طرح تا دو سال دیگر به همه روستاهای شهرستان می‌رسد و هزینه آن را دولت می‌پردازد.",
]


# windows-1256 has no Persian yeh (U+06CC): pages in it write the Arabic yeh, and the
# extractor must hand it back as written, not "fixed".
TITLE_1256 = TITLE.replace("ی", "ي")
PARAS_1256 = [p.replace("ی", "ي") for p in PARAS]


def page(meta: str = "", *, arabic_yeh: bool = False) -> str:
    title, paras = (TITLE_1256, PARAS_1256) if arabic_yeh else (TITLE, PARAS)
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (
        f"<html><head>{meta}<meta property='og:type' content='article'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><div class='content'>{body}</div></body></html>"
    )


def page_1256(meta: str = "") -> bytes:
    return page(meta, arabic_yeh=True).encode("cp1256")


def assert_right(art, *, arabic_yeh: bool = False) -> None:  # noqa: ANN001 - an Article
    assert art.title == (TITLE_1256 if arabic_yeh else TITLE)
    assert art.body == (PARAS_1256 if arabic_yeh else PARAS)
    assert all(ZWNJ in p for p in art.body)


def test_windows_1256_declared_in_meta() -> None:
    # windows-1256 has ZWNJ at 0x9D: it must survive the round trip.
    html = page_1256("<meta http-equiv='Content-Type' content='text/html; charset=windows-1256'>")
    assert_right(extract_article(html), arabic_yeh=True)


def test_windows_1256_declared_in_the_http_header_only() -> None:
    html = page_1256()
    assert_right(extract_article(html, headers={"Content-Type": "text/html; charset=windows-1256"}), arabic_yeh=True)


def test_windows_1256_with_no_label_is_sniffed() -> None:
    art = extract_article(page_1256())
    assert_right(art, arabic_yeh=True)
    assert any("sniffing" in w for w in art.warnings)


@pytest.mark.parametrize("label", ["iso-8859-1", "windows-1252"])
def test_windows_1256_served_with_a_latin_label(label: str) -> None:
    art = extract_article(page_1256(), headers={"content-type": f"text/html; charset={label}"})
    assert_right(art, arabic_yeh=True)
    assert any("declares" in w and "windows-1256" in w for w in art.warnings)


def test_utf8_page_with_a_stale_windows_1256_meta() -> None:
    html = page("<meta charset='windows-1256'>").encode("utf-8")
    assert_right(extract_article(html))


def test_utf8_with_bom() -> None:
    assert_right(extract_article(codecs.BOM_UTF8 + page().encode("utf-8")))


def test_utf16_with_bom() -> None:
    assert_right(extract_article(codecs.BOM_UTF16_LE + page().encode("utf-16-le")))


def test_numeric_character_references() -> None:
    def ncr(s: str, hexa: bool) -> str:
        return "".join((f"&#x{ord(c):x};" if hexa else f"&#{ord(c)};") if ord(c) > 127 else c for c in s)

    assert_right(extract_article(ncr(page(), hexa=True).encode("ascii")))
    assert_right(extract_article(ncr(page(), hexa=False).encode("ascii")))


def test_named_entities_decoded() -> None:
    html = page().replace(PARAS[0], PARAS[0].replace("ساوه", "ساوه&nbsp;&laquo;مرکزی&raquo;&amp;"))
    art = extract_article(html.encode())
    assert "ساوه «مرکزی»&" in art.body[0]


FIXTURES = Path(__file__).parent / "fixtures"
KERMAN_TITLE = "برگزاری مسابقه کتابخوانی در روستاهای کرمان"


@pytest.mark.parametrize(
    ("name", "headers", "arabic_yeh"),
    [
        ("charset_1256.html", None, True),
        ("charset_1256_unlabelled.html", None, True),
        ("charset_1256_unlabelled.html", {"Content-Type": "text/html; charset=ISO-8859-1"}, True),
        ("charset_bom.html", None, False),
        ("charset_ncr.html", None, False),
    ],
)
def test_charset_fixture_pages(name: str, headers: dict | None, arabic_yeh: bool) -> None:
    art = extract_article((FIXTURES / name).read_bytes(), headers=headers)
    title = KERMAN_TITLE.replace("ی", "ي") if arabic_yeh else KERMAN_TITLE
    assert art.title == title
    assert len(art.body) == 2
    assert "‌" in art.body[0] and "‌" in art.body[1]
    assert ("ي" in art.body[0]) == arabic_yeh
