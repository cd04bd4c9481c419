"""Persian word forms for search: a light, conservative stemmer.

``stem(token)`` takes one normalized token (``vazeh.persian.tokenize`` output: folded letters,
no ZWNJ) and returns the form search treats as its stem. A form listed in ``SINGULARS`` (an
Arabic broken plural, or an ات plural whose singular the cut cannot spell) becomes its singular:
اخبار → خبر, مسائل → مسئله, اعضای → عضو, حملات → حمله. Otherwise it strips, from the outside in:

1. a clitic: ``شان`` (possessive / object: کشورشان); ``مان`` / ``تان`` after a stem of three
   letters or more (کشورمان, کتابمان, شهرتان, دوستانمان → دوستان → دوست), unless the word
   before ``ان`` is one that takes the plural ان: an Arabic participle in م (معلمان, متهمان,
   مترجمان, مهاجمان, محکومان), a word in ``ام`` (امامان, پیشگامان), a word listed in
   ``_PLURAL_BEFORE_AN`` (مردمان, خانمان, چشمان, حاکمان, درختان, انگشتان) or a word in ست
   (دوستان, استان: the ان rule's own); ``ام`` / ``اش`` after a word in ه (خانهام, نامهاش:
   the ZWNJ of خانه‌ام lost), that word four letters or more (اتهام, الهام, ابهام, سهام keep
   their ه and ام); ``م ت ش`` only right after ``های`` (``کتابهایش``): after any other letter
   they are far more often the word's own letters (مردم, دولت, گزارش, ارزش, اتهام);
2. the indefinite ``ی`` of ``هایی``, and the ezafe ``ی`` written after ``ا`` / ``و``
   (``متروی``, ``شورای``, ``نیروی``). A final ی after a consonant is left alone: it is mostly
   the adjective or abstract-noun suffix (ایرانی, رهبری, ماهی), and cutting it joins words that
   differ (ایرانی → ایران);
3. one plural: ``ها`` / ``های``; ``ات`` (تحقیقات, اطلاعات), and a seven-letter ``مفاعلات``
   gets back the ``ه`` of its singular (مطالعات → مطالعه, مذاکرات → مذاکره, معاملات →
   معامله); ``ان`` where it can be a plural:
   ``گان`` → ``ه`` (نمایندگان → نماینده), ``یان`` → the word with its vowel (دانشجویان →
   دانشجو, ایرانیان → ایرانی), and ان after a consonant only with a stem of four letters or more
   (درختان, مسافران, کودکان), never after ``ست`` (استان, زمستان), ``ب`` (خیابان, نگهبان) or ``و``
   (جوان, کاروان);
4. the comparative ``تر`` / superlative ``ترین`` (stem of three letters or more);

and then cuts the result again until nothing is cut, so that a stem is its own stem: the planner
asks the stem of the query word, so امتحانات (cut once: امتحان) must reach امتح, the stem of
امتحان, or a search for امتحان would miss it.

Each rule keeps a minimum stem length, and ``PROTECTED`` lists words that look inflected and are
not (تهران, مهران, ایران, باران, ساختمان, گفتمان, کامپیوتر, تنها...). Why so careful: the index
keeps every exact token, and a stem only adds matches. A cut that lands on a non-word (موسوی →
موسو, ملتمان → ملتم) costs nothing; a cut that lands on another word (مهران → مهر, باران →
بار, ارزش → ارز, مردمان → مرد, حملات → حمل) makes one word find the other, so those are what
the rules and the lists prevent.

Why a list for the ه of ات plurals: without a lexicon the cut cannot tell مطالعات (مطالعه) from
تحقیقات (تحقیق). Giving such a token both candidate stems (the stems field and the planner would
then carry two per word) was not chosen: the wrong candidate is exactly the cut that lands on
another word (مطالبات → مطالب, حملات → حمل, خاطرات → خاطر, نظریات → نظری), which the list
avoids. The one shape that almost always had a ه (the مفاعله verbal noun: seven letters, م
first, ا third, ending ات) is a rule; the common others (حمله, مقاله, جلسه, نظریه...) and the ت
singulars whose cut lands elsewhere (خدمت, حالت, حرکت: خدم, حال, حرک) are listed in
``SINGULARS``. The broken plurals are listed only where the singular is no other common word:
ابعاد (بعد «after»), اسرار (سر «head»), حقوق (حق), اعمال, اکراد (کرد «did»), اولیا (ولی «but»)
and the like are left alone.

The ZWNJ / space forms (``کتاب‌های``, ``بزرگ ترین``, ``خانه‌مان``) reach here as separate tokens;
the suffix tokens a query word may end with are ``SUFFIX_TOKENS`` (the planner drops them from
the word's stem form). Lucene's PersianStemmer and hazm's Stemmer strip more (every final ی, ان,
ات, م, ت, ش) with a length check only; they were read to compare behaviour, none of their code
is here.
"""

from __future__ import annotations

from vazeh.persian.analysis import tokenize

__all__ = ["PROTECTED", "SINGULARS", "SUFFIX_TOKENS", "stem", "stem_many"]


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
    # مان / تان that belong to the word, where the clitic cut would land on another word
    گفتمان شادمان پشیمان کاپیتان بوتان پرسمان چیدمان یادمان
    # ام after ه that is the word's own: English names in -ham
    تاتنهام وستهام فولهام بکهام گراهام ابراهام ناتینگهام
    # ات
    ملاقات اثبات صادرات واردات سوغات مساوات زکات صلوات ادوات فرات قنات سادات
    # ات words that are no plural, whose cut lands on another word (عملی, مالی, مطبوع, مقرر, شکل)
    عملیات مالیات مطبوعات مقررات شکلات روبات مشکات
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


def _pairs(text: str) -> dict[str, str]:
    # "form=singular" items, normalized like every token (مسائل → مسایل, رؤسا → روسا).
    out: dict[str, str] = {}
    for line in text.splitlines():
        for item in line.split("#")[0].split():
            form, singular = (tokenize(part) for part in item.split("="))
            if len(form) != 1 or len(singular) != 1:
                raise ValueError(f"SINGULARS: {item!r} is not one token = one token")
            out[form[0]] = singular[0]
    return out


# Plurals whose singular no cut can spell. Only where the singular is no other common word:
# left out are ابعاد (بعد «after»), اسرار (سر «head»), حقوق (حق), اعمال («applying»), اکراد
# (کرد «did»), اولیا (ولی «but»), جرایم (جرم, جریمه), اسباب (اسباب‌بازی), مقاصد (مقصد
# «destination»), موازین (میزان «amount»), مجاری («Hungarian»), مساکن, اشکال, اقسام, احوال,
# and ملل (ملت), whose frozen سازمان ملل would make ملت find every story on the UN.
SINGULARS = _pairs(
    """
    # ات of a word in ه (the مفاعلات shape is a rule) and of a word in ت
    حملات=حمله محلات=محله جملات=جمله کلمات=کلمه جلسات=جلسه طبقات=طبقه درجات=درجه ضربات=ضربه
    لحظات=لحظه قطعات=قطعه دفعات=دفعه صفحات=صفحه شبهات=شبهه حشرات=حشره جبهات=جبهه مقالات=مقاله
    ادارات=اداره اشارات=اشاره مصوبات=مصوبه موسسات=موسسه مؤسسات=مؤسسه نشریات=نشریه نظریات=نظریه
    فرضیات=فرضیه روحیات=روحیه تجربیات=تجربه شایعات=شایعه خاطرات=خاطره مقدمات=مقدمه نکات=نکته
    کارخانجات=کارخانه آیات=آیه مجلات=مجله جزوات=جزوه
    حرکات=حرکت خسارات=خسارت ساعات=ساعت خدمات=خدمت جهات=جهت عبارات=عبارت زحمات=زحمت ثروات=ثروت
    حالات=حالت شکایات=شکایت روایات=روایت حکایات=حکایت ولایات=ولایت جنایات=جنایت حاجات=حاجت
    خصوصیات=خصوصیت مناسبات=مناسبت مساعدات=مساعدت ایالات=ایالت
    # Arabic broken plurals of news text
    اخبار=خبر مسائل=مسئله اعضا=عضو مراکز=مرکز موارد=مورد افراد=فرد اقوام=قوم ادیان=دین اسناد=سند
    احزاب=حزب مناطق=منطقه شرایط=شرط قوانین=قانون مدارس=مدرسه اشخاص=شخص آثار=اثر اموال=مال
    اهداف=هدف اوضاع=وضع اطفال=طفل اقشار=قشر امور=امر ارقام=رقم اسامی=اسم اصول=اصل افکار=فکر
    انواع=نوع اوقات=وقت دلایل=دلیل حوادث=حادثه سوابق=سابقه علل=علت عوامل=عامل قبایل=قبیله
    قرون=قرن کتب=کتاب مدارک=مدرک مراحل=مرحله مساجد=مسجد مشاغل=شغل منابع=منبع مواد=ماده
    مواضع=موضع موانع=مانع نتایج=نتیجه وقایع=واقعه وزرا=وزیر اساتید=استاد اسرا=اسیر شهدا=شهید
    فقرا=فقیر عقاید=عقیده فواید=فایده وسایل=وسیله ذخایر=ذخیره جزایر=جزیره مجالس=مجلس معادن=معدن
    مفاهیم=مفهوم منازل=منزل مواقع=موقع خطوط=خط حروف=حرف حقایق=حقیقت ادوار=دوره ارواح=روح
    اشعار=شعر اطراف=طرف اعداد=عدد اعیاد=عید اماکن=مکان بنادر=بندر تجارب=تجربه جوانب=جانب
    سلاطین=سلطان شعب=شعبه صنایع=صنعت ضوابط=ضابطه طرق=طریق ظروف=ظرف عناصر=عنصر عواقب=عاقبت
    فنون=فن قواعد=قاعده مبانی=مبنا مجامع=مجمع محافل=محفل مخازن=مخزن مذاهب=مذهب مراتب=مرتبه
    مطالب=مطلب نقاط=نقطه نواحی=ناحیه وجوه=وجه وظایف=وظیفه
    اشیا=شیء اشیاء=شیء احکام=حکم ارکان=رکن القاب=لقب اوامر=امر جراید=جریده حکام=حاکم
    رؤسا=رئیس روابط=رابطه سطوح=سطح سفرا=سفیر صفوف=صف ضرایب=ضریب طلاب=طلبه علایم=علامت
    عناوین=عنوان فقها=فقیه فصول=فصل قضات=قاضی قلوب=قلب مباحث=مبحث متون=متن
    محاکم=محکمه مراجع=مرجع مزارع=مزرعه مصادیق=مصداق معابد=معبد مقادیر=مقدار مناصب=منصب
    میادین=میدان اجزا=جزء اجزاء=جزء شرکا=شریک شعرا=شاعر تجار=تاجر ائمه=امام آرا=رای عشایر=عشیره
    اصناف=صنف اهالی=اهل ادله=دلیل اطبا=طبیب
    # Arabic sound plurals in ین of news text (a suffix ین is no rule: بین, زمین, دین, چنین,
    # همین, ماشین, نخستین are words); left out: مسلمین (مسلم «certain»), مبلغین (مبلغ «amount»)
    مسئولین=مسئول مامورین=مامور معلمین=معلم مهاجرین=مهاجر منتقدین=منتقد متخصصین=متخصص
    متهمین=متهم مجرمین=مجرم معترضین=معترض مخالفین=مخالف موافقین=موافق مشترکین=مشترک
    حاضرین=حاضر ناظرین=ناظر زائرین=زائر مسافرین=مسافر شاغلین=شاغل متخلفین=متخلف
    معاونین=معاون مشمولین=مشمول محققین=محقق مفسرین=مفسر مدرسین=مدرس مصدومین=مصدوم
    مجروحین=مجروح مقتولین=مقتول مظنونین=مظنون متجاوزین=متجاوز منتخبین=منتخب مدعوین=مدعو
    مومنین=مومن معلولین=معلول مهندسین=مهندس مخاطبین=مخاطب مالکین=مالک ساکنین=ساکن
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


# Words in م or ت whose plural in ان reads like a clitic مان / تان after another word
# (مردمان is no مرد + مان); the Arabic participles in م are a shape (_takes_an).
_PLURAL_BEFORE_AN = _words("مردم خانم همدم همرزم چشم یتیم حکیم ندیم کریم حاکم عالم ظالم خادم ناظم درخت انگشت")


def _takes_an(word: str) -> bool:
    """Whether `word` + ان is more likely its plural than the word before مان / تان + that
    clitic: مترجمان, not مترج + مان; کشورمان, not کشورم + ان."""
    if word in _PLURAL_BEFORE_AN or word.endswith("ست"):  # دوستان, استان: the ان rule's
        return True
    if word.endswith("ام") and len(word) >= 4:  # پیشگامان, گمنامان, امامان, غلامان
        return True
    if word[-1] != "م":
        return False
    n = len(word)
    if word[0] == "م":  # مفعِّل, مفعول, متفعّل, مفاعل, مستفعل: معلم, محکوم, مترجم, مهاجم, مستخدم
        return (
            n == 4
            or (n == 5 and (word[1] == "ت" or word[2] == "ا" or word[3] == "و"))
            or (n == 6 and word.startswith(("مت", "مست")))
        )
    return False  # the فاعل ones are listed: سالمان is سال + مان far more than سالم + ان


def _clitic(w: str) -> str:
    if w.endswith(("هایمان", "هایتان", "هایشان")) and len(w) >= 8:
        return w[:-3]
    if w.endswith("شان") and len(w) >= 6:
        return w[:-3]
    if w.endswith(("مان", "تان")) and len(w) >= 6 and not _takes_an(w[:-2]):
        return w[:-3]  # کشورمان, شهرتان, دوستانمان
    if len(w) >= 6 and w[-1] in "مشت" and w[:-1].endswith("های"):
        return w[:-1]  # not after ها alone: اتهام, ابهام, الهام, سهام end so
    if len(w) >= 6 and w.endswith(("هام", "هاش")):
        return w[:-2]  # خانهام, نامهاش: a word in ه, its ZWNJ lost
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
        if len(w) == 7 and w[0] == "م" and w[2] == "ا" and w[4] != "ه":
            return w[:-2] + "ه"  # مفاعلات: مطالعات → مطالعه, مذاکرات → مذاکره
        return w[:-2]
    if not w.endswith("ان") or len(w) < 5:
        return w
    base = w[:-2]
    if base.endswith("گ") and len(base) >= 4 and not base.endswith("بزرگ"):  # بزرگان: بزرگ
        return base[:-1] + "ه"  # نمایندگان → نماینده
    if base.endswith("ی") and len(base) >= 3:
        # دانشجویان, آقایان → the vowel-final word; ایرانیان → ایرانی
        return base[:-1] if base[-2] in "او" and len(base) >= 4 else base
    if base.endswith("دوست") or base in _PLURAL_BEFORE_AN:
        return base  # دوستان: friends, the one common plural after ست; چشمان
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


def _settle(w: str) -> str:
    """Cut a cut word again until nothing is cut, so that a stem is its own stem: امتحانات →
    امتحان → امتح, the stem a query for امتحان asks (one pass leaves it one cut short)."""
    for _ in range(3):  # each pass only shortens the word; two are the most real forms take
        if w in _SAME:
            return w
        known = _CHANGED.get(w)  # the cut of a common form is mostly a common word, seen before
        if known is not None:
            return known
        s = _stem(w)
        if s == w:
            return w
        w = s
    return w


def _stem(w: str) -> str:
    if len(w) < _MIN_TOKEN or w in PROTECTED or not w.isalpha():
        return w
    singular = SINGULARS.get(w)
    if singular is not None:
        return singular
    for step in (_clitic, _ezafe, _plural, _degree):
        cut = step(w)
        if cut != w:
            if cut in _FUNCTION_WORDS:
                return w
            if cut in PROTECTED:
                return cut
            singular = SINGULARS.get(cut)
            if singular is not None:
                return singular  # اعضای → اعضا, مسائلشان → مسائل: listed, no cut spells it
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
        if s != token:
            s = _settle(s)
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
