"""Digits: Persian (۰–۹), Arabic-Indic (٠–٩) and ASCII (0–9)."""

from __future__ import annotations

__all__ = ["PERSIAN_DIGITS", "to_ascii_digits", "to_persian_digits"]

PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"

_TO_ASCII = str.maketrans(PERSIAN_DIGITS + _ARABIC_INDIC, "0123456789" * 2)
_TO_PERSIAN = str.maketrans("0123456789" + _ARABIC_INDIC, PERSIAN_DIGITS * 2)


def to_ascii_digits(text: str) -> str:
    """Persian and Arabic-Indic digits to ASCII; everything else untouched.

    >>> to_ascii_digits("۱۳۹۵/۱۰/۱۴ ٢٠١٧")
    '1395/10/14 2017'
    """
    return text.translate(_TO_ASCII)


def to_persian_digits(text: str | int) -> str:
    """ASCII and Arabic-Indic digits to Persian; everything else (separators too) untouched.

    >>> to_persian_digits("11:13")
    '۱۱:۱۳'
    """
    return str(text).translate(_TO_PERSIAN)
