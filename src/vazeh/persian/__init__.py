"""The one place in vazeh that knows Persian: search analysis, Jalali dates, digits.

Stored text is never changed here; these functions serve the index, queries, parsing and
display. See docs/persian.md for the equivalence table, the matching rule and the date formats.
"""

from vazeh.persian.analysis import (
    ZWNJ,
    joined_pairs,
    normalize,
    spellings_match,
    token_text,
    token_texts,
    tokenize,
)
from vazeh.persian.dates import (
    JALALI_MONTHS,
    KABUL,
    TEHRAN,
    WEEKDAYS,
    DateParseError,
    format_jalali,
    format_jalali_date,
    jalali_ymd,
    parse_date,
)
from vazeh.persian.digits import to_ascii_digits, to_persian_digits

__all__ = [
    "JALALI_MONTHS",
    "KABUL",
    "TEHRAN",
    "WEEKDAYS",
    "ZWNJ",
    "DateParseError",
    "format_jalali",
    "format_jalali_date",
    "jalali_ymd",
    "joined_pairs",
    "normalize",
    "parse_date",
    "spellings_match",
    "to_ascii_digits",
    "to_persian_digits",
    "token_text",
    "token_texts",
    "tokenize",
]
