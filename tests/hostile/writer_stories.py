"""Stories for the several-writers tests: each one findable by a word no other story has."""

from __future__ import annotations

LETTERS = "ابپتثجچحخد"


def word(writer: int, n: int) -> str:
    """A made-up word unique to one story: digits spelled with letters."""
    return "واژه" + "".join(LETTERS[int(d)] for d in f"{writer}{n:04d}")


def page(writer: int, n: int) -> bytes:
    w = word(writer, n)
    return (
        f"<html><head><meta charset='utf-8'><title>گزارش {w} از نویسنده</title></head><body><article>"
        f"<h1>گزارش {w} از نویسنده</h1>"
        f"<p>متن این خبر دربارهٔ {w} است و چند جملهٔ دیگر دارد تا صفحه یک خبر کامل باشد.</p>"
        "<p>بند دوم خبر دربارهٔ باران و برف در شهرهای کشور و راه‌های بسته است.</p>"
        "</article></body></html>"
    ).encode()


def url(writer: int, n: int) -> str:
    return f"https://news{writer}.example.ir/news/{n}"
