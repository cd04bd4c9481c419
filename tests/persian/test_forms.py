"""The light stemmer (vazeh.persian.forms): real word forms and words that must not be cut."""

from __future__ import annotations

import pytest

from vazeh.persian import tokenize
from vazeh.persian.forms import PROTECTED, SINGULARS, SUFFIX_TOKENS, stem, stem_many


def _one(word: str) -> str:
    toks = tokenize(word)
    assert len(toks) == 1, toks
    return toks[0]


# (a form as written, its stem as written); both are normalized before comparing.
FORMS = [
    # plural ها / های / هایی, joined
    ("گنجشکها", "گنجشک"),
    ("گنجشکهای", "گنجشک"),
    ("انارهای", "انار"),
    ("کتابهایی", "کتاب"),
    ("خانهها", "خانه"),
    ("راههای", "راه"),
    ("گلها", "گل"),
    ("روزها", "روز"),
    ("کشورهای", "کشور"),
    ("ایرانیها", "ایرانی"),
    # plural ان
    ("درختان", "درخت"),
    ("مسافران", "مسافر"),
    ("کودکان", "کودک"),
    ("دوستان", "دوست"),
    ("معلمان", "معلم"),
    ("بزرگان", "بزرگ"),
    ("نمایندگان", "نماینده"),
    ("ستارگان", "ستاره"),
    ("دانشجویان", "دانشجو"),
    ("آقایان", "آقا"),
    ("ایرانیان", "ایرانی"),
    ("جوانان", "جوان"),
    ("قهرمانان", "قهرمان"),
    # plural ات
    ("تحقیقات", "تحقیق"),
    ("اطلاعات", "اطلاع"),
    ("انتخابات", "انتخاب"),
    ("مشکلات", "مشکل"),
    ("اقدامات", "اقدام"),
    ("اعتراضات", "اعتراض"),
    # ات of a word in ه: the مفاعلات shape gets its ه back, the others are listed
    ("مطالعات", "مطالعه"),
    ("مذاکرات", "مذاکره"),
    ("معاملات", "معامله"),
    ("مکاتبات", "مکاتبه"),
    ("ملاحظات", "ملاحظه"),
    ("مشاهدات", "مشاهده"),
    ("محاسبات", "محاسبه"),
    ("مبادلات", "مبادله"),
    ("مطالبات", "مطالبه"),  # not مطالب
    ("مسابقات", "مسابقه"),
    ("حملات", "حمله"),  # not حمل
    ("محلات", "محله"),  # not محل
    ("مقالات", "مقاله"),
    ("جلسات", "جلسه"),
    ("کلمات", "کلمه"),
    ("نظریات", "نظریه"),  # not نظری
    ("خاطرات", "خاطره"),  # not خاطر
    ("مذاکراتشان", "مذاکره"),
    # ات of a word in ت, listed (the cut lands on خدم, حال, مناسب)
    ("خدمات", "خدمت"),
    ("حالات", "حالت"),
    ("حرکات", "حرکت"),
    ("مناسبات", "مناسبت"),
    ("ایالات", "ایالت"),  # ایالات متحده
    ("مجلات", "مجله"),
    # a cut again until nothing is cut: the stem of امتحانات is the stem of امتحان
    ("امتحانات", "امتح"),
    ("امتحان", "امتح"),
    # Arabic broken plurals, listed
    ("اخبار", "خبر"),
    ("مسائل", "مسئله"),
    ("اعضا", "عضو"),
    ("اعضای", "عضو"),
    ("مراکز", "مرکز"),
    ("موارد", "مورد"),
    ("افراد", "فرد"),
    ("اقوام", "قوم"),
    ("ادیان", "دین"),
    ("اسناد", "سند"),
    ("احزاب", "حزب"),
    ("مناطق", "منطقه"),
    ("شرایط", "شرط"),
    ("قوانین", "قانون"),
    ("مدارس", "مدرسه"),
    ("رؤسای", "رئیس"),
    ("وزرای", "وزیر"),
    ("فقها", "فقیه"),  # not فق (ها)
    ("قضات", "قاضی"),  # not قض (ات)
    ("اخبارشان", "خبر"),
    # Arabic sound plurals in ین, listed
    ("مسئولین", "مسئول"),
    ("مأمورین", "مأمور"),
    ("متخصصین", "متخصص"),
    ("معترضین", "معترض"),
    ("مسئولینمان", "مسئول"),
    ("مهاجرینشان", "مهاجر"),
    # ezafe ی after a vowel
    ("متروی", "مترو"),
    ("شورای", "شورا"),
    ("نیروی", "نیرو"),
    ("دانشجوی", "دانشجو"),
    ("آرزوی", "آرزو"),
    ("فضای", "فضا"),
    ("انتهای", "انتها"),
    # comparative, superlative
    ("بزرگتر", "بزرگ"),
    ("بزرگترین", "بزرگ"),
    ("مهمترین", "مهم"),
    ("جدیدتر", "جدید"),
    ("ارزانترین", "ارزان"),
    # clitics
    ("کشورشان", "کشور"),
    ("خودشان", "خود"),
    ("کتابهایم", "کتاب"),
    ("کتابهایت", "کتاب"),
    ("کتابهایش", "کتاب"),
    ("کتابهایمان", "کتاب"),
    ("کتابهایتان", "کتاب"),
    ("کتابهایشان", "کتاب"),
    ("مسافرانشان", "مسافر"),
    # مان / تان after a consonant or a vowel: the clitic, unless the word takes the plural ان
    ("کشورمان", "کشور"),
    ("کتابمان", "کتاب"),
    ("شهرتان", "شهر"),  # not شهرت
    ("کارتان", "کار"),  # not کارت
    ("دوستانمان", "دوست"),
    ("معلمانتان", "معلم"),
    ("خودمان", "خود"),
    ("مادرمان", "مادر"),
    ("دولتتان", "دولت"),
    ("زندگیمان", "زندگی"),
    ("خانهمان", "خانه"),
    ("مدرسهمان", "مدرسه"),
    ("اذیتمان", "اذیت"),
    ("مردمان", "مردم"),  # not مرد
    ("متهمان", "متهم"),
    ("مترجمان", "مترجم"),
    ("مهاجمان", "مهاجم"),
    ("محکومان", "محکوم"),
    ("حاکمان", "حاکم"),
    ("چشمان", "چشم"),
    ("امامان", "امام"),
    ("پیشگامان", "پیشگام"),
    ("انگشتان", "انگشت"),
    # ام / اش after a word in ه, its ZWNJ lost
    ("خانهام", "خانه"),
    ("خانهاش", "خانه"),
    ("نامهاش", "نامه"),
    ("کردهام", "کرده"),
    # three parts joined, then a plural
    ("همتیمیها", "همتیمی"),
    # Arabic letters and harakat reach the stemmer folded
    ("كتابهاي", "کتاب"),
]

# Words that look inflected and are not: a cut would make them find another word.
NOT_CUT = [
    # the list
    "مهران", "تهران", "ایران", "دوران", "باران",
    # ان that is no plural
    "آسمان", "میدان", "جوان", "ارزان", "زمستان", "خیابان", "سازمان", "ساختمان", "زمان", "زبان",
    "پایان", "جهان", "درمان", "فرمان", "قهرمان", "استان", "داستان", "کردستان", "افغانستان",
    "کاروان", "نگهبان", "انسان", "بحران", "کرمان", "اصفهان", "خراسان", "مازندران", "جریان",
    "نمایان", "بنیان", "میان", "رایگان", "گروگان", "سرگردان", "زاهدان", "تومان",
    # ات that is no plural, or whose cut lands on another word
    "ذات", "ملاقات", "صادرات", "واردات", "اثبات", "حیات", "نجات", "صفات", "عملیات", "مالیات",
    "مقررات", "مطبوعات", "شکلات",
    # ی that is no ezafe (after a consonant: adjectives, abstract nouns, fish, ship)
    "ماهی", "کشتی", "ایرانی", "رهبری", "تهرانی", "گروهی", "آمریکایی", "برای", "پهلوی", "لغوی",
    # ها that belongs to the word, and ها/هام endings that are no plural or clitic
    "تنها", "تنهایی", "اتهام", "ابهام", "الهام", "سهام",
    # م ت ش that belong to the word
    "مردم", "دولت", "ملت", "گزارش", "ارزش", "آموزش", "دانش", "تیم", "اسلام",
    # مان / تان / ام that belong to the word
    "گفتمان", "پرسمان", "چیدمان", "یادمان", "شادمان", "پشیمان", "ایمان", "پیمان", "همان",
    "کاپیتان", "کتان", "بهتان", "تاتنهام", "وستهام", "گراهام",
    # تر that belongs to the word
    "دختر", "دفتر", "دکتر", "کبوتر", "کیلومتر", "کامپیوتر", "فیلتر", "تئاتر", "منچستر", "بهتر",
    "کمتر", "اینتر", "توییتر",
    # ین that belongs to the word
    "بین", "زمین", "دین", "چنین", "همین", "ماشین", "نخستین", "آخرین", "مسلمین", "تضمین", "تامین",
    # short words
    "ها", "ان", "تر", "شان", "رای", "پای", "چای", "روی", "کتاب", "نام",
]


@pytest.mark.parametrize(("form", "expected"), FORMS)
def test_form_to_stem(form: str, expected: str) -> None:
    assert stem(_one(form)) == _one(expected)


@pytest.mark.parametrize("word", NOT_CUT)
def test_word_not_cut(word: str) -> None:
    token = _one(word)
    assert stem(token) == token


@pytest.mark.parametrize(
    ("form", "protected"),
    [("ایرانهای", "ایران"), ("بارانها", "باران"), ("دورانهای", "دوران"), ("تهرانها", "تهران"),
     ("ساختمانشان", "ساختمان"), ("سازمانهای", "سازمان")],
)
def test_a_protected_word_keeps_its_own_forms(form: str, protected: str) -> None:
    """A form of a protected word stops at the word: ایرانهای is ایران, never ایر."""
    assert stem(_one(form)) == _one(protected)


def test_stems_are_stable() -> None:
    """A stem is its own stem, so a query for the stem finds every form of it."""
    for form, _ in FORMS:
        s = stem(_one(form))
        assert stem(s) == s, (form, s)


@pytest.mark.parametrize(
    "word",
    ["امتحان", "پارلمان", "اطمینان", "مطالعه", "حمله", "دوستان", "خبر", "کشور", "ستاره", "نماینده",
     "دانشجو", "ایرانی", "تبلیغات", "محصولات", "شورا", "بزرگ"],
)
def test_a_stem_is_its_own_stem_whatever_was_cut(word: str) -> None:
    """The planner asks stem(word) of the stems field, where each token of a story holds its own
    stem: the two must agree, or a query for امتحان misses امتحانات (cut once: امتحان, while
    the query asks امتح)."""
    token = _one(word)
    for suffix in ("ها", "های", "هایی", "هایشان", "شان", "ات", "ترین"):
        form = token + suffix
        s = stem(form)
        assert stem(s) == s, (form, s, stem(s))


def test_no_stem_is_a_function_word() -> None:
    # اینتر (Inter) must not become این, which is in nearly every story
    for word in ("اینتر", "انها", "بهتر", "کمتر", "اینها"):
        assert stem(_one(word)) not in {"این", "ان", "به", "کم"}


@pytest.mark.parametrize(
    ("form", "not_this"),
    [("مردمان", "مرد"), ("حملات", "حمل"), ("شهرتان", "شهرت"), ("کارتان", "کارت"), ("خدمات", "خدم"),
     ("مطالبات", "مطالب"), ("گفتمان", "گفت"), ("خاطرات", "خاطر"), ("نظریات", "نظری")],
)
def test_a_form_never_lands_on_another_word(form: str, not_this: str) -> None:
    assert stem(_one(form)) != _one(not_this)


def test_singulars_are_their_own_stems() -> None:
    """A listed plural's singular is a stem (the query for خبر asks the stem خبر), no listed form
    is protected, and no singular is a function word."""
    assert SINGULARS["اخبار"] == "خبر"
    assert not set(SINGULARS) & PROTECTED
    for form, singular in SINGULARS.items():
        assert stem(singular) == singular, (form, singular)
        assert singular not in {"این", "ان", "از", "به", "در", "که", "را", "اما", "برای"}, form


def test_non_letters_are_kept() -> None:
    for token in ("1395", "2.5", "tehran", "covid19", "ها2"):
        assert stem(token) == token


def test_stem_many_lists_only_changed_tokens() -> None:
    assert stem_many({"کتابها", "کتاب", "تهران", "درختان"}) == {"کتابها": "کتاب", "درختان": "درخت"}


def test_lists_are_normalized() -> None:
    assert "اسمان" in PROTECTED  # آسمان, folded as tokens are
    assert {"ها", "های", "ترین", "ای", "ی", "شان"} <= SUFFIX_TOKENS
