"""Whose story it is.

A site's own stories carry its name; a republished story credits the agency that
wrote it in its first lines («به گزارش خبرگزاری مهر، …»), in a trailer
(«[ارسال شده از: مهر]») or in a source line («منبع: ایسنا»), else in its byline
or its metadata's author («خبرگزاری فرانس پرس»). The credit wins over the site,
because the archive groups a story by who wrote it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from vazeh.extract.profiles import Agency, fold_letters

# Between «به گزارش» and the agency there may be a reporter or a desk
# («خبرنگار گروه استان‌های …»), never a comma. Only desk words may open that gap,
# so «به گزارش مرکز آمار در مهر ماه» is not a credit to Mehr, and a name right
# after «استان» is the province of Fars, not the agency.
_DESK = "(?:خبرنگار|گروه|سرویس|دبیرخانه|پایگاه|باشگاه|خبرگزاری)"
_REPORT = (
    "به\\s+گزارش\\s+(?:" + _DESK + "[^،,:.\\n]{{0,60}}?\\s)?[\"«“]?(?:خبرگزاری\\s+)?"
    "(?<!استان\\s)({names})(?=[\"»”\\s،,:.)]|$)"
)
_SENT = "\\[\\s*ارسال\\s+شده\\s+از\\s*[:：]\\s*({names})\\s*\\]"
_SOURCE_LINE = "^\\s*(?:منبع|منبع خبر|به نقل از)\\s*[:：]\\s*(?:خبرگزاری\\s+)?({names})\\b"


@lru_cache(maxsize=4)
def _patterns(agencies: tuple[Agency, ...]) -> tuple[dict[str, str], list[re.Pattern[str]]]:
    by_name: dict[str, str] = {}
    for a in agencies:
        for c in a.credits:
            by_name.setdefault(fold_letters(c), a.source)
    # Longest names first, so «خبرگزاری فارس» is not read as the province «فارس» elsewhere.
    names = "|".join(re.escape(n) for n in sorted(by_name, key=len, reverse=True))
    pats = [re.compile(p.format(names=names)) for p in (_SENT, _SOURCE_LINE, _REPORT)]
    return by_name, pats


def credited_source(paragraphs: list[str], agencies: tuple[Agency, ...]) -> str | None:
    """The agency a story credits in its first or last lines, or None."""
    if not agencies or not paragraphs:
        return None
    by_name, (sent, source_line, report) = _patterns(agencies)
    paragraphs = [fold_letters(p) for p in paragraphs[:2]] + [fold_letters(p) for p in paragraphs[-3:]]
    tail = paragraphs[-3:]
    for p in tail:
        m = sent.search(p) or source_line.search(p)
        if m:
            return by_name[m.group(1)]
    for p in paragraphs[:2]:
        m = report.search(p[:300])
        if m:
            return by_name[m.group(1)]
    return None


def byline_source(bylines: list[str], agencies: tuple[Agency, ...], own: tuple[str | None, ...] = ()) -> str | None:
    """The agency a byline (or the metadata's author organisation) credits: a known
    agency by any of its credit names («خبرگزاری مهر», «ایسنا»), or any «خبرگزاری X»
    («خبرگزاری فرانس پرس» on a VOA Dari page: X, as site_source names agencies). A
    person's name credits no one, and neither does the site's own name (`own`: the
    profile's source, the site name), which is no credit to another."""
    by_name, _pats = _patterns(agencies) if agencies else ({}, [])
    own_names = {fold_letters(o) for o in own if o}
    for a in agencies:  # an agency whose credits include the site's own name is the site
        if own_names & {fold_letters(c) for c in (a.source, *a.credits)}:
            own_names.update(fold_letters(c) for c in (a.source, *a.credits))
    for line in bylines:
        name = fold_letters(line or "").strip(" .،,:؛")
        if not name or len(name) > 60:
            continue
        bare = re.sub(r"^خبرگزاری\s+", "", name)
        if name in own_names or bare in own_names:
            continue
        for candidate in (name, bare):
            if candidate in by_name:
                return by_name[candidate]
        if bare != name and bare and len(bare.split()) <= 4:
            return " ".join((line or "").split()[1:]).strip(" .،,:؛") or None
    return None


def site_source(site_name: str | None) -> str | None:
    """A readable source name from a site's own name («خبرگزاری آریا - …» -> «آریا»)."""
    if not site_name:
        return None
    name = re.split(r"\s[-|–—]\s|\s\|", site_name.strip())[0].strip()
    name = re.sub(r"^خبرگزاری\s+", "", name)
    return name or None
