"""What /docs lists: every endpoint of the room, in Persian, with its parameters'
types, defaults and an example.

The operations of the OpenAPI schema are read from `app.openapi()` (so a new
endpoint appears by itself); their descriptions in the schema are English, for
programs, so the Persian words come from the tables below. An endpoint or a
parameter missing from them shows the schema's English text, which the
Latin-script test of the room (tests/web/test_persian_everywhere.py) catches.
Replay, TimeMap, TimeGate and the room's own pages are not in the schema and are
written out by hand in OTHER.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from vazeh.persian import to_persian_digits

# Path -> (Persian summary, example request). Example values are Persian where the
# parameter is read as Persian text.
SUMMARIES: dict[str, tuple[str, str]] = {
    "/feeds/newest.{fmt}": ("تازه‌ترین خبرها به شکل RSS یا Atom", "/feeds/newest.rss"),
    "/feeds/source/{name}.{fmt}": ("تازه‌ترین خبرهای یک منبع", "/feeds/source/خبرگزاری آوا.atom"),
    "/feeds/category/{trail}.{fmt}": ("تازه‌ترین خبرهای یک دسته", "/feeds/category/استان‌ها/سمنان.rss"),
    "/feeds/search.{fmt}": ("تازه‌ترین خبرهایی که با یک جست‌وجو می‌خوانند", "/feeds/search.rss?q=سیل سمنان"),
    "/feeds/changes.{fmt}": ("خبرهای ویرایش‌شده و پاک‌شده به شکل RSS یا Atom", "/feeds/changes.atom?from=۱۴۰۲/۰۵/۰۱"),
    "/cdx": ("پرس‌وجوی نسخه‌ها به زبان سرور CDX (پارامترها و پاسخ‌های pywb)",
             "/cdx?url=ava.example&matchType=domain&limit=10"),
    "/wayback/available": ("نزدیک‌ترین نسخهٔ یک نشانی، به زبان API دسترس‌پذیری Wayback Machine",
                           "/wayback/available?url=ava.example&timestamp=20240101"),
    "/api/articles": ("تازه‌ترین خبرها، صفحه به صفحه (با جابه‌جایی یا نشانگر)", "/api/articles?source=خبرگزاری آوا&limit=5"),
    "/api/articles.{fmt}": ("همهٔ خبرهای یک گزینش به شکل NDJSON یا CSV", "/api/articles.csv?q=سیل&limit=100"),
    "/api/articles/{article_id}": ("یک خبر", "/api/articles/1"),
    "/api/search": ("جست‌وجو در بایگانی", "/api/search?q=تهران منبع:مهر تاریخ:۱۴۰۲/۰۵"),
    "/api/captures": ("همهٔ نسخه‌های یک نشانی، از قدیمی به تازه", "/api/captures?url=http://ava.example/news/2002/second"),
    "/api/changes": ("خبرهای ویرایش‌شده و پاک‌شده، تازه‌ترین بررسی نخست", "/api/changes?source=خبرگزاری آوا&limit=20"),
    "/api/articles/{article_id}/versions": ("همهٔ نسخه‌های استخراج‌شدهٔ یک خبر، از قدیمی به تازه، با اندازهٔ تغییرها",
                                            "/api/articles/2/versions"),
    "/api/articles/{article_id}/diff": ("تفاوت واژه‌به‌واژهٔ دو نسخهٔ یک خبر (عنوان، لید و متن)", "/api/articles/2/diff?from=1"),
    "/api/attention": ("توجه در گذر زمان: شمار خبرهایی که با هر جست‌وجو می‌خوانند، در هر روز، هفته یا ماه",
                       "/api/attention?q=سیل&q=زلزله&by=month"),
    "/api/save": ("ذخیرهٔ صفحه هم‌اکنون (رمز مدیر لازم است)", 'POST /api/save {"url": "https://www.isna.ir/news/123"}'),
}

# (path or "*", parameter) -> Persian description. "*" is the meaning a name has
# wherever it appears.
PARAMS: dict[tuple[str, str], str] = {
    ("*", "fmt"): "قالب پاسخ: rss یا atom",
    ("/api/articles.{fmt}", "fmt"): "قالب: ndjson (هر سطر یک شیء JSON) یا csv",
    ("*", "name"): "نام منبع، مانند خبرگزاری آوا",
    ("*", "trail"): "مسیر دسته، بخش‌ها با / جدا، مانند استان‌ها/سمنان",
    ("*", "q"): "جست‌وجو به زبان جست‌وجوی بایگانی، مانند سیل منبع:مهر",
    ("*", "source"): "فقط همین منبع، مانند مهر",
    ("*", "category"): "مسیر دسته، بخش‌ها با « > » یا / جدا",
    ("*", "from"): "از این روز خورشیدی، مانند ۱۴۰۲/۰۵/۰۱",
    ("*", "to"): "تا این روز خورشیدی (خود روز هم)",
    ("/api/articles/{article_id}/diff", "from"): "شمارهٔ نسخهٔ قدیمی‌تر (پیش‌فرض: نسخهٔ پیشین)",
    ("/api/articles/{article_id}/diff", "to"): "شمارهٔ نسخهٔ تازه‌تر (پیش‌فرض: همین خبر)",
    ("*", "limit"): "بیشترین شمار ردیف‌ها",
    ("/api/attention", "q"): "تا پنج جست‌وجو به زبان جست‌وجوی بایگانی؛ برای هر کدام q را جدا بیاورید",
    ("/api/attention", "by"): "دوره: day (روز)، week (هفته) یا month (ماه خورشیدی)",
    ("/api/attention", "from"): "نخستین روز (خورشیدی یا میلادی، مانند ۱۴۰۲/۰۱/۰۱)",
    ("/api/attention", "to"): "واپسین روز، خود روز هم (مانند ۱۴۰۲/۱۲ برای همهٔ اسفند)",
    ("*", "per_source"): "شمار هر منبع هم بیاید (بیست منبع بزرگ‌تر)",
    ("*", "offset"): "چند ردیف نخست را کنار بگذار",
    ("*", "cursor"): "next_cursor صفحهٔ پیشین؛ صفحه‌ها با رسیدن خبرهای تازه به هم نمی‌ریزند",
    ("*", "body"): "متن کامل هر خبر هم بیاید",
    ("*", "article_id"): "شمارهٔ خبر",
    ("*", "sort"): "ترتیب: relevance (مرتبط‌ترین) یا newest (تازه‌ترین)",
    ("*", "page"): "شمارهٔ صفحه",
    ("*", "per_page"): "شمار نتیجه‌ها در هر صفحه",
    ("*", "url"): "نشانی صفحه؛ بی http:// هم می‌شود",
    ("*", "authorization"): "Bearer و سپس رمز مدیر",
    ("*", "x-vazeh-token"): "رمز مدیر (به جای Authorization)",
    ("*", "timestamp"): "زمان دلخواه، ۱ تا ۱۴ رقم (سال، ماه، روز، ساعت…)",
    ("*", "callback"): "نام تابع برای پاسخ JSONP",
    # /cdx: pywb's names and meanings.
    ("/cdx", "url"): "نشانی؛ *.host برای همهٔ زیردامنه‌ها و prefix* برای همهٔ نشانی‌های زیر یک پیشوند",
    ("/cdx", "matchType"): "گسترهٔ جست‌وجو: exact (همین نشانی)، prefix (پیشوند)، host (همین میزبان) یا domain (با زیردامنه‌ها)",
    ("/cdx", "from"): "از این زمان (۱ تا ۱۴ رقم، مانند ۲۰۲۴ یا ۲۰۲۴۰۱۳۱)",
    ("/cdx", "to"): "تا این زمان (۱ تا ۱۴ رقم)",
    ("/cdx", "limit"): "بیشترین شمار سطرها؛ عدد منفی یعنی از پایان",
    ("/cdx", "sort"): "reverse (تازه‌ترین نخست) یا closest (نزدیک‌ترین به closest)",
    ("/cdx", "reverse"): "true یعنی تازه‌ترین نخست",
    ("/cdx", "closest"): "زمانی که نسخه‌های نزدیک به آن نخست می‌آیند (با sort=closest)",
    ("/cdx", "output"): "json یعنی هر سطر یک شیء JSON؛ بی آن، سطرهای CDX با فاصله",
    ("/cdx", "fl"): "فیلدهای هر سطر، با ویرگول جدا، مانند urlkey,timestamp,url",
    ("/cdx", "filter"): "پالایش: [!]field:text (دربرداشتن)، [!]=field:text (برابری)، [!]~field:regex؛ چند بار می‌شود آورد",
    ("/cdx", "content_type"): "فقط این نوع محتوا، مانند text/html",
    ("/cdx", "resolveRevisits"): "true یعنی نسخهٔ تکراری با اطلاعات نسخهٔ اصلی بیاید",
    ("/cdx", "collapseTime"): "از نسخه‌هایی که در این شمار رقم نخست زمان یکی‌اند فقط یکی (مانند ۸ برای هر روز یکی)",
    ("/cdx", "page"): "شمارهٔ صفحه (با pageSize)",
    ("/cdx", "pageSize"): "اندازهٔ هر صفحه",
    ("/cdx", "showNumPages"): "true یعنی فقط شمار صفحه‌ها را بگو",
    ("/cdx", "allowFuzzy"): "false یعنی اگر چیزی نیافت، نشانی‌های نزدیک را نیاورد (پیش‌فرض: می‌آورد)",
}

# /cdx reads its parameters raw, as pywb does, so the schema has no defaults to show.
DEFAULTS: dict[tuple[str, str], str] = {
    ("/cdx", "matchType"): "exact", ("/cdx", "output"): "text", ("/cdx", "reverse"): "false",
    ("/cdx", "fl"): "urlkey timestamp url mime status digest length offset filename",
    ("/cdx", "resolveRevisits"): "false", ("/cdx", "allowFuzzy"): "true", ("/cdx", "showNumPages"): "false",
    ("/cdx", "limit"): "بی مرز",
}

# `quoted` runs first (a value with spaces), then any run of printable ASCII with a letter.
_LATIN = re.compile(r"`([^`]+)`|[!-~]*[A-Za-z][!-~]*")


def marked(text: str) -> Markup:
    """Persian text from the tables above, its Latin tokens (values, names, headers) set as
    code so they keep their own direction and read as something to type."""
    out, last = [], 0
    for m in _LATIN.finditer(text):
        out.append(escape(text[last : m.start()]))
        out.append(Markup('<code dir="ltr">{}</code>').format(m.group(1) or m.group()))
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


_TYPES = {"string": "متن", "integer": "عدد درست", "number": "عدد", "boolean": "بله/خیر (true یا false)",
          "array": "فهرست (چند بار می‌شود آورد)"}
_WHERE = {"path": "در نشانی", "query": "پس از ؟", "header": "سرآیند", "body": "بدنه"}


@dataclass
class Param:
    name: str
    where: str
    type: str | Markup
    required: bool
    default: str | None
    limits: str | Markup
    description: str | Markup


@dataclass
class Endpoint:
    method: str
    path: str
    summary: str | Markup
    example: str
    anchor: str
    params: list[Param] = field(default_factory=list)
    note: str = ""


def _n(value: object) -> str:
    return to_persian_digits(str(value))


def _schema_type(schema: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The parameter's type in Persian, and the schema that carries its limits."""
    for alt in schema.get("anyOf", []):
        if alt.get("type") != "null":
            return _schema_type(alt)[0], alt
    kind = schema.get("type", "string")
    return _TYPES.get(kind, kind), schema


def _limits(schema: dict[str, Any]) -> str:
    parts = []
    if "minimum" in schema and "maximum" in schema:
        parts.append(f"از {_n(schema['minimum'])} تا {_n(schema['maximum'])}")
    elif "maximum" in schema:
        parts.append(f"تا {_n(schema['maximum'])}")
    elif "minimum" in schema:
        parts.append(f"دست‌کم {_n(schema['minimum'])}")
    if "maxLength" in schema:
        parts.append(f"تا {_n(schema['maxLength'])} نویسه")
    if "pattern" in schema:
        choices = schema["pattern"].strip("^$()").split("|")
        parts.append("یکی از: " + "، ".join(choices))
    return "؛ ".join(parts)


def _default(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def _anchor(path: str) -> str:
    return "op-" + "".join(c if c.isalnum() else "-" for c in path).strip("-").lower()


def from_openapi(spec: dict[str, Any]) -> list[Endpoint]:
    endpoints = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            known = SUMMARIES.get(path)
            # An endpoint the tables do not know yet shows the schema's English, unmarked.
            summary: str | Markup = marked(known[0]) if known else op.get("summary", "")
            example = known[1] if known else path
            params = []
            for p in op.get("parameters", []):
                schema = p.get("schema", {})
                kind, limits_schema = _schema_type(schema)
                english = p.get("description") or schema.get("description", "")
                persian = PARAMS.get((path, p["name"])) or PARAMS.get(("*", p["name"]))
                default = _default(schema.get("default")) or DEFAULTS.get((path, p["name"]))
                params.append(Param(p["name"], _WHERE.get(p.get("in", ""), p.get("in", "")), marked(kind),
                                    bool(p.get("required")), default, marked(_limits(limits_schema)),
                                    marked(persian) if persian else english))
            if "requestBody" in op:
                params.append(Param("url", _WHERE["body"], marked("JSON"), True, None, "",
                                    marked('نشانی http یا https صفحه، در بدنهٔ JSON مانند {"url":"…"}')))
            anchor = "cdx" if path == "/cdx" else _anchor(path)
            endpoints.append(Endpoint(method.upper(), path, summary, example, anchor, params))
    return endpoints


def _p(name: str, where: str, kind: str, description: str, *, required: bool = False,
       default: str | None = None, limits: str = "") -> Param:
    return Param(name, _WHERE[where], marked(_TYPES.get(kind, kind)), required, default, marked(limits),
                 marked(description))


TIMESTAMP = _p("timestamp", "path", "string", "زمان دلخواه به وقت جهانی، ۴ تا ۱۴ رقم: سال، ماه، روز، ساعت، دقیقه، ثانیه",
               required=True, limits="مانند ۲۰۲۴۰۱۳۱۱۲۰۰۰۰")
URL = _p("url", "path", "string", "نشانی صفحهٔ بایگانی‌شده، با http:// یا بی آن", required=True)

# The endpoints outside the OpenAPI schema: Memento replay and the room's pages.
OTHER: list[Endpoint] = [
    Endpoint("GET", "/web/{timestamp}/{url}", "پخش نسخهٔ بایگانی‌شده نزدیک به یک زمان (Memento). اگر نزدیک‌ترین نسخه "
             "زمان دیگری داشته باشد، به نشانی همان نسخه فرستاده می‌شوید.",
             "/web/20240131/http://ava.example/news/2002/second", "replay", [TIMESTAMP, URL]),
    Endpoint("GET", "/web/{timestamp}id_/{url}", "همان نسخه، بایت‌به‌بایت همان‌گونه که برداشته شد: بی نوار بالای صفحه "
             "و بی بازنویسی نشانی‌ها (برای برنامه‌ها و مقایسه با pywb).",
             "/web/20240131id_/http://ava.example/news/2002/second", "replay-id",
             [TIMESTAMP, URL, _p("id_", "path", "string", "پسوند زمان؛ im_ و js_ و cs_ هم پذیرفته‌اند", default="بی پسوند")]),
    Endpoint("GET", "/web/{url}", "دروازهٔ زمان (TimeGate): نسخهٔ نزدیک به زمانی که سرآیند Accept-Datetime می‌خواهد؛ "
             "بی آن، تازه‌ترین نسخه.",
             "/web/http://ava.example/news/2002/second", "timegate",
             [URL, _p("Accept-Datetime", "header", "string", "زمان دلخواه به قالب تاریخ HTTP",
                      default="تازه‌ترین", limits="مانند `Tue, 14 Mar 2023 10:00:00 GMT`")]),
    Endpoint("GET", "/timemap/link/{url}", "نقشهٔ زمان (TimeMap): فهرست همهٔ نسخه‌های یک نشانی به قالب application/link-format.",
             "/timemap/link/http://ava.example/news/2002/second", "timemap", [URL]),
    Endpoint("GET", "/calendar", "تقویم نسخه‌های یک نشانی، روز به روز به تاریخ خورشیدی.",
             "/calendar?url=http://ava.example/news/2002/second", "calendar",
             [_p("url", "query", "string", "نشانی صفحه", required=True, limits="تا ۸۰۰۰ نویسه")]),
    Endpoint("GET", "/captures", "فهرست نسخه‌های یک نشانی در تالار.", "/captures?url=ava.example/news/2002/second",
             "captures", [_p("url", "query", "string", "نشانی صفحه", required=True)]),
    Endpoint("GET", "/search.{fmt}", "همان نتیجه‌های صفحهٔ جست‌وجو به شکل JSON یا CSV.", "/search.json?q=سیل سمنان",
             "search-twin",
             [_p("fmt", "path", "string", "قالب", required=True, limits="یکی از: json، csv"),
              _p("q", "query", "string", "جست‌وجو به زبان جست‌وجوی بایگانی", required=True, limits="تا ۱۰۰۰ نویسه"),
              _p("sort", "query", "string", "ترتیب", default="relevance", limits="یکی از: relevance، newest"),
              _p("page", "query", "integer", "شمارهٔ صفحه", default="1", limits="از ۱ تا ۵۰۰")]),
]

for _endpoint in OTHER:
    _endpoint.summary = marked(str(_endpoint.summary))


def endpoints(spec: dict[str, Any]) -> list[Endpoint]:
    return from_openapi(spec) + OTHER
