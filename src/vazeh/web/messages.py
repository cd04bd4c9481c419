"""What the reading room says to a reader when something cannot be done, in Persian.

The library below the web layer (the query language, capture) speaks English, as
the CLI does; its mistakes carry a code and the fragments they are about
(`QueryError.code` and `.params`, a save result's fields). This module turns those
into Persian sentences.

A query fragment or an address inside a right-to-left sentence would be reordered
by the bidi algorithm (a closing quote jumps to the other end, `-ورزش` shows as
`ورزش-`), so every fragment is isolated: `<bdi>` in HTML, FSI…PDI in plain text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup, escape

from vazeh.persian import to_persian_digits

_FSI, _PDI = "\u2068", "\u2069"


def _fragment(value: object, *, html: bool, ltr: bool = False) -> str:
    """One piece of the reader's query (or an address), isolated from the sentence around it."""
    text = str(value)
    if html:
        # dir=auto reads the fragment's own direction from its first strong letter.
        return f'<bdi dir="{"ltr" if ltr else "auto"}" class="fragment">{escape(text)}</bdi>'
    return f"{_FSI}{text}{_PDI}"


def _example(value: str, *, html: bool) -> str:
    """A query the reader could type instead: the body font, isolated, never monospace."""
    if html:
        return f'<bdi class="example">{escape(value)}</bdi>'
    return f"{_FSI}{value}{_PDI}"


def _n(value: object) -> str:
    return to_persian_digits(str(value))


_CALENDARS = {"jalali": "خورشیدی", "gregorian": "میلادی"}

# Each entry: the reader's Persian sentence, given a fragment maker (f), an example
# maker (ex) and the error's params (p).
_Frag = Callable[..., str]
_QUERY: dict[str, Callable[[_Frag, Callable[[str], str], dict], str]] = {
    "unbalanced_quote": lambda f, ex, p: (
        f"گیومه بسته نشده است: عبارتی که با {f(p.get('fragment', ''))} آغاز می‌شود "
        f"گیومهٔ بسته‌ای ({f(p.get('close', ''))}) ندارد. نمونه: {ex('«انرژی هسته‌ای»')}"
    ),
    "unknown_field": lambda f, ex, p: (
        f"فیلدی به نام {f(p.get('field', ''))} نداریم. فیلدها: "
        f"{ex('عنوان:')}، {ex('منبع:')}، {ex('رسانه:')}، {ex('خبرگزاری:')}، {ex('دسته:')}، {ex('برچسب:')}، "
        f"{ex('تاریخ:')}"
    ),
    "field_needs_value": lambda f, ex, p: (
        f"پس از {f(str(p.get('field', '')) + ':')} مقداری بنویسید، مانند {ex(str(p.get('field', 'منبع')) + ':تهران')}"
    ),
    "empty_parentheses": lambda f, ex, p: f"پرانتز خالی است: واژه‌های جست‌وجو را درون آن بنویسید، مانند {ex('(تهران OR مشهد) باران')}",
    "empty_query": lambda f, ex, p: "جست‌وجو خالی است: یک یا چند واژه بنویسید.",
    "or_needs_sides": lambda f, ex, p: f"{f('OR')} در هر دو سو واژه‌ای لازم دارد، مانند {ex('تهران OR مشهد')}",
    "or_exclusion": lambda f, ex, p: (
        f"واژهٔ کنارگذاشته (با {f('-')}) نمی‌تواند یک سوی {f('OR')} باشد؛ آن را جدا بنویسید، مانند {ex('تهران OR مشهد -ورزش')}"
    ),
    "dash_alone": lambda f, ex, p: f"پس از {f('-')} واژه یا عبارتی را بنویسید که نباید باشد، مانند {ex('-ورزش')}",
    "too_deep": lambda f, ex, p: "پرانتزها بیش از اندازه تودرتو هستند.",
    "unclosed_parenthesis": lambda f, ex, p: f"پرانتز بسته نشده است: یک {f('(')} بی {f(')')} مانده است.",
    "unopened_parenthesis": lambda f, ex, p: f"پرانتز باز نشده است: یک {f(')')} بی {f('(')} آمده است.",
    "empty_phrase": lambda f, ex, p: f"میان گیومه‌ها چیزی نیست: واژه‌ها را میان آن‌ها بنویسید، مانند {ex('«راه‌اندازی»')}",
    "only_exclusions": lambda f, ex, p: (
        f"جست‌وجو فقط واژه‌های کنارگذاشته دارد؛ واژه‌ای هم برای یافتن بنویسید، مانند {ex('تهران -ورزش')}"
    ),
    "too_many_characters": lambda f, ex, p: (
        f"جست‌وجو بیش از اندازه بلند است: {_n(p.get('length', ''))} نویسه، بیشینه {_n(p.get('limit', ''))} نویسه."
    ),
    "too_many_words": lambda f, ex, p: f"جست‌وجو بیش از اندازه بلند است: بیش از {_n(p.get('limit', ''))} واژه.",
    "word_too_long": lambda f, ex, p: (
        f"جست‌وجو بیش از اندازه بلند است: {f(str(p.get('fragment', '')) + '…')} پس از جدا شدن در نشانه‌ها "
        f"{_n(p.get('count', ''))} واژه است و بیشینه {_n(p.get('limit', ''))} واژه."
    ),
    "invalid_character": lambda f, ex, p: (
        f"در جایگاه {_n(p.get('position', ''))} نویسه‌ای نادرست هست ({f(p.get('codepoint', ''), ltr=True)})؛ "
        "جست‌وجو را دوباره بنویسید یا بچسبانید."
    ),
    "bad_date": lambda f, ex, p: (
        f"تاریخ {f(p.get('value', ''))} خوانا نیست: تاریخی خورشیدی یا میلادی بنویسید، مانند "
        f"{ex('تاریخ:۱۳۹۵/۱۰/۰۱')} یا {ex('تاریخ:۲۰۱۷-۰۱-۳۱')}، یا بازه‌ای مانند {ex('تاریخ:۱۳۹۵/۱۰/۰۱..۱۳۹۵/۱۰/۳۰')}"
    ),
    "impossible_date": lambda f, ex, p: (
        f"تاریخ {f(p.get('value', ''))} درست نیست: {f(to_persian_digits(str(p.get('date', ''))))} "
        f"تاریخ {_CALENDARS.get(str(p.get('calendar', '')), '')} درستی نیست."
    ),
    "open_date_range": lambda f, ex, p: (
        f"در بازهٔ تاریخ {f(p.get('value', ''))} دست‌کم یک سو را بنویسید، مانند {ex('تاریخ:۱۳۹۵/۱۰/۰۱..')}"
    ),
    "reversed_date_range": lambda f, ex, p: f"در بازهٔ تاریخ {f(p.get('value', ''))} آغاز پس از پایان است.",
    "no_searchable_words": lambda f, ex, p: "جست‌وجو واژهٔ جست‌وجوپذیری ندارد (فقط نشانه‌گذاری یا نماد).",
    "value_without_letters": lambda f, ex, p: (
        f"{f(str(p.get('field', '')) + ':' + str(p.get('value', '')))} حرف یا رقمی برای یافتن ندارد."
    ),
}
_QUERY_FALLBACK = "این جست‌وجو را نمی‌توان اجرا کرد؛ نوشتن آن را بازبینی کنید."


def _query_message(error: Exception, *, html: bool) -> str:
    code = getattr(error, "code", None)
    params = getattr(error, "params", None) or {}
    sentence = _QUERY.get(code or "")
    if sentence is None:
        return _QUERY_FALLBACK
    return sentence(lambda v, ltr=False: _fragment(v, html=html, ltr=ltr), lambda v: _example(v, html=html), params)


def query_error_html(error: Exception) -> Markup:
    """The Persian sentence for a QueryError, as HTML with every fragment in <bdi>."""
    return Markup(_query_message(error, html=True))


def query_error_text(error: Exception) -> str:
    """The Persian sentence for a QueryError, as plain text with Unicode isolates."""
    return _query_message(error, html=False)


# --- a search with no results --------------------------------------------------
_SUGGESTION_WHY = {
    "form": "با شکل دیگری از واژه",
    "drop": "بدون یک واژه",
    "date": "با تاریخی گسترده‌تر",
    "filter": "بدون یک پالایه",
}


def suggestion_html(query: str, total: int, kind: str, href: str) -> Markup:
    """«آیا منظورتان … بود؟» with the suggested query as a link and its hit count."""
    why = _SUGGESTION_WHY.get(kind, "")
    return Markup(
        f'آیا منظورتان <a href="{escape(href)}">{_example(query, html=True)}</a> بود؟ '
        f"({_n(f'{total:,}'.replace(',', '٬'))} نتیجه{'، ' + why if why else ''})"
    )


# --- save page now ------------------------------------------------------------
SAVE_OFF = "ذخیرهٔ صفحه خاموش است."
SAVE_WRONG_TOKEN = "رمز مدیر را ننوشته‌اید یا درست نیست."


def save_bad_url_html(url: str) -> Markup:
    return Markup(
        f'{_fragment(url, html=True, ltr=True)} نشانی کامل <code dir="ltr">http</code> یا <code dir="ltr">https</code> نیست؛ نشانی را کامل بنویسید، '
        f"مانند {_fragment('https://www.isna.ir/news/123', html=True, ltr=True)}"
    )


_REDIRECTS = re.compile(r"more than (\d+) redirects")


def _capture_reason(why: str) -> str:
    """Why a capture did not happen, from capture's own words (skip reason or error)."""
    w = why.strip()
    low = w.lower()
    if "robots.txt" in low:
        return "پروندهٔ robots.txt این وب‌گاه برداشتن این صفحه را اجازه نمی‌دهد"
    if low.startswith("address refused") or "refused" in low and "address" in low:
        return "این نشانی به شبکه‌ای خصوصی یا محلی می‌رسد و برداشتن از آن مجاز نیست"
    if m := _REDIRECTS.search(low):
        return f"صفحه بیش از {_n(m.group(1))} بار به نشانی دیگری فرستاده شد"
    if "404" in low or "not found" in low:
        return "وب‌گاه گفت این صفحه را ندارد (کد ۴۰۴)"
    if "timeout" in low or "timed out" in low:
        return "وب‌گاه در زمان مقرر پاسخ نداد"
    if "connect" in low or "dns" in low or "name or service" in low:
        return "به وب‌گاه نمی‌شد وصل شد"
    if "nothing was captured" in low or not w:
        return "چیزی برداشته نشد"
    return "برداشتن صفحه ناکام ماند"


def save_failure_html(message: str, hops: list[dict] | None = None) -> Markup:
    """The Persian reason a save failed, from the save result's message and hops.

    The English message stays underneath as a technical detail (in <samp>) for
    whoever reports the problem."""
    reason = _capture_reason(message.split(": ", 1)[1] if "which was not captured: " in message else message)
    parts = [escape(reason) + "."]
    kept = len(hops or [])
    if kept and "redirect" in message:
        parts.append(escape(f"فقط {_n(kept)} گام تغییر مسیرِ پیش از آن بایگانی شد، نه خود صفحه."))
    detail = f' <small class="muted">(<samp dir="ltr">{escape(message)}</samp>)</small>'
    return Markup(" ".join(str(p) for p in parts) + detail)


def skip_reason(reason: str | None) -> str:
    """A capture's skip or failure reason (robots.txt, address refused, 404, failed) in Persian."""
    if not reason:
        return ""
    if reason in ("robots", "robots.txt"):
        return "robots.txt اجازه نداد"
    if reason in ("refused", "guard"):
        return "نشانی پذیرفته نشد"
    if reason in ("404", "not_found"):
        return "پیدا نشد (۴۰۴)"
    if reason in ("failed", "error"):
        return "ناکام ماند"
    return _capture_reason(reason)


# --- the room's own errors ----------------------------------------------------------
def search_unavailable() -> Markup:
    # The reader may be the archive's keeper: name the command that repairs the index.
    return Markup(
        'نمایهٔ جست‌وجو اکنون پاسخ نمی‌دهد. لطفاً کمی بعد دوباره امتحان کنید. نگه‌دارندهٔ بایگانی می‌تواند '
        '<code dir="ltr">vazeh reindex</code> را اجرا کند یا گزارش‌های تالار را ببیند.'
    )


_LIMITS = {
    "less_than_equal": ("le", "باید {} یا کمتر باشد"),
    "less_than": ("lt", "باید کمتر از {} باشد"),
    "greater_than_equal": ("ge", "باید {} یا بیشتر باشد"),
    "greater_than": ("gt", "باید بیشتر از {} باشد"),
    "string_too_long": ("max_length", "بیش از {} نویسه است"),
    "string_too_short": ("min_length", "دست‌کم {} نویسه لازم دارد"),
}
_KINDS = {
    "missing": "لازم است و نیامده",
    "int_parsing": "باید عدد درست باشد",
    "int_from_float": "باید عدد درست باشد",
    "float_parsing": "باید عدد باشد",
    "bool_parsing": "باید true یا false باشد",
    "string_pattern_mismatch": "مقدارش از مقدارهای پذیرفته نیست",
    "literal_error": "مقدارش از مقدارهای پذیرفته نیست",
    "json_invalid": "JSON درستی نیست",
}


def validation_html(errors: list[dict]) -> Markup:
    """FastAPI's validation errors (pydantic's English) as one Persian sentence."""
    parts = []
    for e in errors:
        name = ".".join(str(p) for p in e.get("loc", ())[1:]) or "درخواست"
        kind = str(e.get("type", ""))
        if kind in _LIMITS:
            key, text = _LIMITS[kind]
            said = text.format(_n((e.get("ctx") or {}).get(key, "")))
        else:
            said = _KINDS.get(kind, "درست نیست")
        parts.append(f'پارامتر <code dir="ltr">{escape(name)}</code> {escape(said)}')
    return Markup("پارامترهای این درخواست درست نیستند: " + "؛ ".join(parts) + ".")


def fa_text(value: object) -> str:
    """Latin digits of a Persian sentence in Persian, leaving addresses and code alone."""
    if isinstance(value, Markup):
        return value  # built here, its digits and fragments already set
    text = str(value)
    pieces = re.split(r"(\S*(?:://|/)\S*)", text)
    return "".join(p if i % 2 else to_persian_digits(p) for i, p in enumerate(pieces))
