"""Hostile charset labels and bytes: only web encodings are believed, mixed pages decode
part by part, NULs do not cost the title (issue 12, item 14)."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vazeh.archive.charset import canonical, decode_html, detect_charset
from vazeh.extract import extract_article

TITLE = "نمایشگاه کتاب تهران با حضور ناشران شهرستانی گشایش یافت"
PARAS = [
    "نمایشگاه امسال در مصلای تهران برگزار می‌شود و ناشران شهرستانی غرفه‌های بیشتری دارند.",
    "به گفته دبیر نمایشگاه، فروش کتاب‌های کودک در روز نخست دو برابر سال گذشته بود.",
    "بازدیدکنندگان می‌توانند تا ساعت ده شب از غرفه‌ها دیدن کنند و کتاب بخرند.",
]
# windows-1256 has no Persian yeh: text written in it uses the Arabic one.
PARAS_1256 = [p.replace("ی", "ي") for p in PARAS]


def page(head: str = "", paras: list[str] | None = None) -> str:
    body = "".join(f"<p>{p}</p>" for p in (paras or PARAS))
    return (
        f"<html><head>{head}<meta property='og:type' content='article'><title>{TITLE}</title></head>"
        f"<body><h1>{TITLE}</h1><div class='content'>{body}</div></body></html>"
    )


PYTHON_ONLY = [
    "unicode_escape",
    "unicode-escape",
    "raw_unicode_escape",
    "rot13",
    "rot_13",
    "punycode",
    "idna",
    "base64",
    "hex",
    "zlib",
    "bz2",
    "uu",
    "quopri",
    "utf-7",
    "utf7",
    "undefined",
    "utf-32",
    "cp037",
    "x-user-defined",
    "hz-gb-2312",
    "iso-2022-kr",
]


@pytest.mark.parametrize("label", PYTHON_ONLY)
def test_python_only_codec_in_meta_is_ignored(label: str) -> None:
    html = page(f"<meta charset='{label}'>").encode("utf-8")
    assert detect_charset(html).name == "utf-8"
    art = extract_article(html)
    assert art.title == TITLE and art.body == PARAS
    assert any(repr(label) in w and "not a web encoding" in w for w in art.warnings)


@pytest.mark.parametrize("label", PYTHON_ONLY)
def test_python_only_codec_in_the_header_is_ignored(label: str) -> None:
    html = page().encode("utf-8")
    art = extract_article(html, headers={"Content-Type": f"text/html; charset={label}"})
    assert art.title == TITLE and art.body == PARAS


def test_python_only_codec_on_a_windows_1256_page_falls_back_to_sniffing() -> None:
    html = page("<meta charset='unicode_escape'>", PARAS_1256).replace(TITLE, TITLE.replace("ی", "ي"))
    art = extract_article(html.encode("cp1256"))
    assert art.body == PARAS_1256


def test_every_whatwg_label_names_a_python_codec() -> None:
    from vazeh.archive.charset import WHATWG_LABELS

    for name, labels in WHATWG_LABELS.items():
        codecs.lookup(name)
        for label in labels:
            assert label == label.lower() and canonical(label.upper()) == name
    assert canonical(" Windows-1256 ") == "windows-1256" and canonical('"utf8"') == "utf-8"


def test_utf16_in_a_meta_means_utf8() -> None:
    # HTML: a <meta> the parser could read is not in UTF-16.
    art = extract_article(page("<meta charset='utf-16'>").encode("utf-8"))
    assert art.title == TITLE and art.body == PARAS


def mixed_page(head: str = "<meta charset='utf-8'>") -> bytes:
    """UTF-8, except its second paragraph, pasted in from a windows-1256 page."""
    html = page(head)
    cut = html.index(PARAS[1])
    return html[:cut].encode("utf-8") + PARAS_1256[1].encode("cp1256") + html[cut + len(PARAS[1]) :].encode("utf-8")


def test_utf8_page_with_a_windows_1256_stretch() -> None:
    art = extract_article(mixed_page())
    assert art.title == TITLE
    assert art.body == [PARAS[0], PARAS_1256[1], PARAS[2]]
    assert any("stretches of windows-1256" in w for w in art.warnings)


@pytest.mark.parametrize("head", ["", "<meta charset='windows-1256'>", "<meta charset='iso-8859-1'>"])
def test_mixed_page_under_other_labels(head: str) -> None:
    art = extract_article(mixed_page(head))
    assert art.title == TITLE
    assert art.body == [PARAS[0], PARAS_1256[1], PARAS[2]]


def test_lone_windows_1256_symbols_in_a_utf8_page() -> None:
    # "×" and "–" are one byte each in windows-1256: no UTF-8 character at all.
    html = page().encode("utf-8").replace("گشایش".encode(), "گشایش".encode() + " × –".encode("cp1256"), 1)
    text, cs = decode_html(html)
    assert cs.how == "mixed" and "گشایش × –" in text


WORDS = "کتاب نمایشگاه تهران ناشران کودک فروش غرفه بازدید شب روز امسال دبیر گفته سال گذشته و در با از به".split()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12), st.booleans()),
        min_size=2,
        max_size=8,
    )
)
def test_mixed_pages_decode_part_by_part(chunks: list[tuple[list[str], bool]]) -> None:
    """Any sentences, some written in windows-1256, in a UTF-8 page with more UTF-8 than
    windows-1256 text, come back as written."""
    parts = [(" ".join(ws).replace("ی", "ي") if in_1256 else " ".join(ws), in_1256) for ws, in_1256 in chunks]
    utf8 = sum(len(t) for t, w in parts if not w)
    win = sum(len(t) for t, w in parts if w)
    raw = b"<meta charset='utf-8'>" + "ابتدای صفحه با متن یونیکد ".encode() * 2
    want = "<meta charset='utf-8'>" + "ابتدای صفحه با متن یونیکد " * 2
    if win * 2 > utf8:  # keep UTF-8 the larger share, as in a page with a pasted stretch
        raw += ("متن یونیکد " * win).encode()
        want += "متن یونیکد " * win
    for text, in_1256 in parts:
        raw += b"<p>" + text.encode("cp1256" if in_1256 else "utf-8") + b"</p>"
        want += f"<p>{text}</p>"
    assert decode_html(raw)[0] == want


def test_nul_inside_the_title_keeps_the_title() -> None:
    broken = TITLE.replace(" ", " \x00")
    html = f"<html><head><meta charset='utf-8'><title>{broken}</title></head><body></body></html>"
    art = extract_article(html.encode("utf-8"))
    assert art.title == TITLE
    assert any("NUL" in w for w in art.warnings)


def test_nul_inside_title_and_text_of_an_article() -> None:
    html = page().replace(TITLE, TITLE[:7] + "\x00" + TITLE[7:]).replace(PARAS[0], PARAS[0].replace(" ", "\x00 ", 3))
    art = extract_article(html.encode("utf-8"))
    assert art.title == TITLE
    assert art.body == PARAS


def test_mostly_nul_bytes_are_still_binary() -> None:
    art = extract_article(("<html>" + "\x00" * 400 + "</html>").encode())
    assert not art.is_article and "binary" in art.warnings[0]
