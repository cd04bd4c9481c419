"""Persian word forms for search: a light, conservative stemmer.

``stem(token)`` takes one normalized token (``vazeh.persian.tokenize`` output: folded letters,
no ZWNJ) and returns the form search treats as its stem. It strips, from the outside in:

1. a clitic: ``شان`` (possessive / object: کشورشان); ``مان تان م ت ش`` only right after
   ``های`` (``کتابهایمان``, ``کتابهایش``): after any other letter they are far more often the
   word's own letters or a plural (مردم, دولت, گزارش, ارزش, معلمان, درختان, اتهام);
2. the indefinite ``ی`` of ``هایی``, and the ezafe ``ی`` written after ``ا`` / ``و``
   (``متروی``, ``شورای``, ``نیروی``). A final ی after a consonant is left alone: it is mostly
   the adjective or abstract-noun suffix (ایرانی, رهبری, ماهی), and cutting it joins words that
   differ (ایرانی → ایران);
3. one plural: ``ها`` / ``های``; ``ات`` (تحقیقات, اطلاعات); ``ان`` where it can be a plural:
   ``گان`` → ``ه`` (نمایندگان → نماینده), ``یان`` → the word with its vowel (دانشجویان →
   دانشجو, ایرانیان → ایرانی), and ان after a consonant only with a stem of four letters or more
   (درختان, مسافران, کودکان), never after ``ست`` (استان, زمستان), ``ب`` (خیابان, نگهبان) or ``و``
   (جوان, کاروان);
4. the comparative ``تر`` / superlative ``ترین`` (stem of three letters or more).

Each rule keeps a minimum stem length, and ``PROTECTED`` lists words that look inflected and are
not (تهران, مهران, ایران, باران, ساختمان, کامپیوتر, تنها...). Why so careful: the index keeps
every exact token, and a stem only adds matches. A cut that lands on a non-word (موسوی →
موسو) costs nothing; a cut that lands on another word (مهران → مهر, باران → بار, ارزش → ارز)
makes one word find the other, so those are what the rules and the list prevent.

The ZWNJ / space forms (``کتاب‌های``, ``بزرگ ترین``) reach here as separate tokens; the suffix
tokens a query word may end with are ``SUFFIX_TOKENS`` (the planner drops them from the word's
stem form). Lucene's PersianStemmer and hazm's Stemmer strip more (every final ی, ان, ات, م,
ت, ش) with a length check only; they were read to compare behaviour, none of their code is here.
"""

from __future__ import annotations

from vazeh.persian.analysis import tokenize

__all__ = ["PROTECTED", "SUFFIX_TOKENS", "stem", "stem_many"]


def _words(text: str) -> frozenset[str]:
    # Normalized like every token (آ → ا, ي → ی...), so the list is written as Persian is.
    return frozenset(t for line in text.splitlines() for t in tokenize(line.split("#")[0]))


# Words that end like an inflection and are not one, where the rules alone would cut them.
PROTECTED = _words(
    """
    # ان: places, names and nouns (most 3-letter stems are already kept by the length rules)
    تهران مهران ایران دوران باران اسمان میدان جوان ارزان زمستان خیابان سازمان ساختمان زمان زبان
    پایان جهان گمان درمان فرمان پیمان قهرمان کرمان لبنان یونان استان داستان انسان امکان مکان نشان
    ایمان قرآن بحران عمران سلمان عثمان رمضان شعبان آبان خراسان اصفهان گیلان زنجان همدان کاشان
    آبادان آذربایجان شمیران سلیمان کامران نریمان میهمان مهمان یکسان ارمغان کهکشان درخشان پریشان
    آتشفشان بدخشان خویشان جریان بنیان نمایان شایان گریان رایگان بازرگان گروگان بایگان ارگان
    سامان آرمان احسان مسلمان گلدان توفان طوفان سودان عمان آلمان تومان زندان دندان پنهان آسان
    گران فراوان کیهان ریحان عرفان رحمان سلطان شیطان رضوان لقمان چوپان بوستان پستان باستان
    کارمان ترکمان زایمان ریسمان دودمان سیمان رمان
    # ات
    ملاقات اثبات صادرات واردات سوغات مساوات زکات صلوات ادوات اوقات فرات قنات سادات
    # ات after a word in ه whose cut lands on another word (حمله → حملات, not حمل)
    حملات محلات مطالبات
    # ی after ا / و that is not an ezafe
    برای پهلوی لغوی شوروی موسوی رضوی علوی معنوی فرانسوی مولوی عضوی دنیوی تقوی نبوی
    # تر / ترین that belong to the word
    دختر دفتر دکتر کبوتر انگشتر متر کیلومتر سانتیمتر میلیمتر پارامتر لیتر تئاتر کامپیوتر
    فیلتر پوستر توییتر هلیکوپتر اسکوتر کاراکتر بستر شتر چتر اختر سنتر پتر والتر
    # ها / های / هایی
    تنها تنهای تنهایی اینها آنها انتها منتها اشتها
    # clubs and names
    سپاهان اینتر مازندران زاهدان سرگردان سانتر تویتر داکتر
    # شان / تان / مان
    ایشان نشان کتان
    """
)

# Suffixes written apart (after ZWNJ or a space): a query word ending in them is also looked up
# without them (گنجشک‌ها → گنجشک).
SUFFIX_TOKENS = _words(
    """
    ها های هایی هایم هایت هایش هایمان هایتان هایشان
    ی ای ام ات اش مان تان شان
    تر ترین تری
    """
)

_MIN_TOKEN = 3  # shorter tokens are never cut
# A cut that ends on one of these is refused: اینتر is no form of این, and a stem that is a
# word in every story would make the word match everything.
_FUNCTION_WORDS = _words("این ان از به در با که را تا بر هم نه یا چه اگر اما برای می نمی هر همه او ما شما")


def _clitic(w: str) -> str:
    if w.endswith(("هایمان", "هایتان", "هایشان")) and len(w) >= 8:
        return w[:-3]
    if w.endswith("شان") and len(w) >= 6:
        return w[:-3]
    # مان and تان after a noun are read as the plural of a word in م or ت (معلمان, متهمان,
    # درختان), which news writes far more than "our" / "your" (کشورمان); after های they are
    # the clitics.
    if len(w) >= 6 and w[-1] in "مشت" and w[:-1].endswith("های"):
        return w[:-1]  # not after ها alone: اتهام, ابهام, الهام, سهام end so
    return w


def _ezafe(w: str) -> str:
    if w.endswith("هایی") and len(w) >= 6:
        return w[:-1]
    if len(w) >= 4 and w[-1] == "ی" and w[-2] in "او" and w not in PROTECTED:
        return w[:-1]
    return w


def _plural(w: str) -> str:
    if w.endswith("های") and len(w) >= 5:
        return w[:-3]
    if w.endswith("ها") and len(w) >= 4:
        return w[:-2]
    if w.endswith("ات") and len(w) >= 5:
        return w[:-2]
    if not w.endswith("ان") or len(w) < 5:
        return w
    base = w[:-2]
    if base.endswith("گ") and len(base) >= 4 and not base.endswith("بزرگ"):  # بزرگان: بزرگ
        return base[:-1] + "ه"  # نمایندگان → نماینده
    if base.endswith("ی") and len(base) >= 3:
        # دانشجویان, آقایان → the vowel-final word; ایرانیان → ایرانی
        return base[:-1] if base[-2] in "او" and len(base) >= 4 else base
    if base.endswith("دوست"):
        return base  # دوستان: friends, the one common plural after ست
    if len(base) < 4 or base.endswith(("ست", "ب", "و", "ا")):
        return w
    return base


def _degree(w: str) -> str:
    if w.endswith("ترین") and len(w) - 4 >= 3:
        return w[:-4]
    if w.endswith("تر") and len(w) - 2 >= 3 and w[-3] != "س":  # منچستر, پوستر
        return w[:-2]
    return w


# Tokens known to be their own stem, and the stems of the others: indexing asks for every
# token of every story, and news vocabulary repeats, so a set difference (C speed) leaves only
# the few tokens with a stem, or not seen yet, for Python to look at.
_SAME: set[str] = set()
_CHANGED: dict[str, str] = {}
_CACHE_MAX = 1 << 20


def _stem(w: str) -> str:
    if len(w) < _MIN_TOKEN or w in PROTECTED or not w.isalpha():
        return w
    for step in (_clitic, _ezafe, _plural, _degree):
        cut = step(w)
        if cut != w:
            if cut in _FUNCTION_WORDS:
                return w
            if cut in PROTECTED:
                return cut
            w = cut
    return w


def stem(token: str) -> str:
    """The stem of one normalized token (see the module doc); the token itself when no rule
    applies. Pure and deterministic: index and query time give the same answer."""
    if token in _SAME:
        return token
    s = _CHANGED.get(token)
    if s is None:
        s = _stem(token)
        if len(_SAME) + len(_CHANGED) >= _CACHE_MAX:
            _SAME.clear()  # news vocabulary repeats; an unbounded cache would not
            _CHANGED.clear()
        if s == token:
            _SAME.add(token)
        else:
            _CHANGED[token] = s
    return s


def stem_many(tokens: set[str]) -> dict[str, str]:
    """For index documents: {token: stem} for the tokens of the set whose stem differs."""
    out: dict[str, str] = {}
    for t in tokens.difference(_SAME):
        s = stem(t)
        if s != t:
            out[t] = s
    return out
