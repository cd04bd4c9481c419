"""The one place in vazeh that knows Persian: search analysis, Jalali dates, digits.

Stored text is never changed here; these functions serve the index, queries, parsing and
display. See docs/persian.md for the equivalence table and the matching rule.
"""

from vazeh.persian.analysis import ZWNJ, joined_pairs, normalize, spellings_match, tokenize
from vazeh.persian.digits import to_ascii_digits, to_persian_digits

__all__ = [
    "ZWNJ",
    "joined_pairs",
    "normalize",
    "spellings_match",
    "to_ascii_digits",
    "to_persian_digits",
    "tokenize",
]
