"""What the newsroom's memory says about edits and deletions, read for the reading room.

The revisit scheduler writes one `revisit_verdicts` row each time it looks at a
story again. This module only reads them (and creates the table, so the room works
on an archive the scheduler has not touched yet). Routes and templates call these
functions; no SQL lives elsewhere in the web for changes.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from vazeh.archive.catalog import CatalogConnection
from vazeh.capture.revisit import SCHEMA, changed_verdicts, story_verdicts
from vazeh.persian import to_ascii_digits, to_persian_digits
from vazeh.web.fmt import TEHRAN, parse_when


def ensure(db: CatalogConnection) -> None:
    """The scheduler's tables (vazeh.capture.revisit owns them), made if no revisit ran yet.

    Asked of sqlite_master each time rather than remembered per connection: a closed
    connection's id() is reused by the next one, and the lookup is one indexed read."""
    if not db.has_table("revisit_verdicts"):
        db.executescript(SCHEMA)


# ---------------------------------------------------------------------- times
def jalali_seconds(value: str | datetime | None) -> str:
    """`سه‌شنبه ۱۴ دی ۱۳۹۵ - ۱۱:۱۳:۰۵`: two versions in the same minute must read differently."""
    from vazeh.persian import format_jalali

    dt = parse_when(value)
    if dt is None:
        return ""
    local = dt.astimezone(TEHRAN)
    return format_jalali(local) + to_persian_digits(f":{local.second:02d}")


_JDAY = re.compile(r"^\s*(\d{4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*$")


def parse_jalali_day(text: str | None) -> date | None:
    """A Jalali day as a reader types it (`۱۴۰۲/۰۵/۰۱`, `1402-5-1`), as a Gregorian date.

    Raises ValueError for text that is not such a day, so the page can say so."""
    if text is None or not text.strip():
        return None
    from persiantools.jdatetime import JalaliDate

    m = _JDAY.match(to_ascii_digits(text))
    if not m:
        raise ValueError(text)
    y, mo, d = (int(x) for x in m.groups())
    try:
        return JalaliDate(y, mo, d).to_gregorian()
    except (ValueError, TypeError) as e:
        raise ValueError(text) from e


def _utc_bound(day: date) -> str:
    """The start of a Tehran day as the catalog's UTC text, for comparing with checked_at."""
    return datetime.combine(day, time(), TEHRAN).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


# ---------------------------------------------------------------------- outlets
@lru_cache(maxsize=1)
def _outlet_tables() -> tuple[object, tuple[tuple[str, str], ...]]:
    from vazeh.capture.sources import load_sources
    from vazeh.extract.profiles import default_profiles

    try:
        domains = tuple((d.lower(), s.name) for s in load_sources() for d in s.domains)
    except Exception:  # noqa: BLE001 - a broken sources file must not break the article page
        domains = ()
    return default_profiles(), domains


def outlet_of(url: str | None, site: str | None) -> str | None:
    """The outlet that published a copy (not the agency it credits): the site profile
    whose domain the URL is on, else the watched source with that domain, else the host."""
    from vazeh.extract.profiles import by_domain

    profiles, domains = _outlet_tables()
    for u in (url, f"http://{site}/" if site and "/" not in site and "." in site else None):
        if not u:
            continue
        p = by_domain(profiles, u)  # type: ignore[arg-type]
        if p is not None and p.source:
            return p.source
        try:
            host = (urlsplit(u).hostname or "").lower()
        except ValueError:
            continue
        for d, name in domains:
            if host == d or host.endswith("." + d):
                return name
    if site:
        return site
    try:
        return urlsplit(url or "").hostname or None
    except ValueError:
        return None


# ---------------------------------------------------------------------- changes
VERDICT_LABELS = {"edited": "ویرایش", "deleted": "حذف از سایت", "restored": "بازگشت به سایت",
                  "unchanged": "بدون تغییر"}
REASON_LABELS = {"title": "تیتر", "lead": "لید", "body": "متن", "story missing": "خبر در صفحه نیست",
                 "redirect to home": "تغییر مسیر به صفحهٔ اول"}


@dataclass
class Change:
    id: int
    surt: str
    url: str
    checked_at: str
    verdict: str
    capture_id: int | None
    previous_article_id: int | None
    article_id: int | None
    status: int | None
    reason: str | None
    change_size: int
    title: str | None
    source: str | None
    site: str | None

    @property
    def story_id(self) -> int | None:
        """The article a reader should open: the new version, else the last one kept."""
        return self.article_id or self.previous_article_id

    @property
    def diff_href(self) -> str | None:
        if self.verdict == "edited" and self.article_id and self.previous_article_id:
            return f"/article/{self.article_id}/diff?from={self.previous_article_id}&to={self.article_id}"
        return None

    @property
    def label(self) -> str:
        return VERDICT_LABELS.get(self.verdict, self.verdict)

    @property
    def reason_label(self) -> str:
        r = self.reason or ""
        return REASON_LABELS.get(r, to_persian_digits(r))

    @property
    def when(self) -> str:
        return jalali_seconds(self.checked_at)

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id, "url": self.url, "checked_at": self.checked_at, "checked_jalali": self.when,
            "verdict": self.verdict, "reason": self.reason, "status": self.status,
            "change_size": self.change_size, "article_id": self.article_id,
            "previous_article_id": self.previous_article_id, "capture_id": self.capture_id,
            "title": self.title, "source": self.source, "site": self.site,
            "href": f"/article/{self.story_id}" if self.story_id else None, "diff": self.diff_href,
        }


def encode_cursor(checked_at: str, verdict_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([checked_at, verdict_id]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int]:
    """Raises ValueError for a cursor this module did not give out."""
    try:
        at, vid = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as e:
        raise ValueError("bad cursor") from e
    if not isinstance(at, str) or not isinstance(vid, int):
        raise ValueError("bad cursor")
    return at, vid


def changes(db: CatalogConnection, *, source: str | None = None, from_day: date | None = None,
            to_day: date | None = None, limit: int = 50, cursor: str | None = None,
            ) -> tuple[list[Change], str | None]:
    """Edited and deleted stories, newest check first, and the cursor of the next page.

    `source` is a listing source (the article's credited source or its site); the
    days are Tehran days, both ends included."""
    ensure(db)
    rows = changed_verdicts(
        db, source=source,
        checked_from=_utc_bound(from_day) if from_day is not None else None,
        checked_before=_utc_bound(to_day + timedelta(days=1)) if to_day is not None else None,
        after=decode_cursor(cursor) if cursor else None, limit=limit + 1,
    )
    items = [Change(*r) for r in rows[:limit]]
    nxt = encode_cursor(items[-1].checked_at, items[-1].id) if len(rows) > limit and items else None
    return items, nxt


@dataclass
class StoryChanges:
    edits: int
    deleted_at: str | None  # the latest deletion not followed by a restoration
    sizes: dict[int, int]  # article id -> words changed since the version before it

    @property
    def deleted_jalali(self) -> str:
        return jalali_seconds(self.deleted_at)


def story_changes(db: CatalogConnection, surt: str | None) -> StoryChanges:
    """How often a story was edited, whether it is gone from its site now, and each version's size."""
    if not surt:
        return StoryChanges(0, None, {})
    ensure(db)
    rows = story_verdicts(db, surt)
    edits, deleted_at, sizes = 0, None, {}
    for verdict, checked_at, article_id, size in rows:
        if verdict == "edited":
            edits += 1
            if article_id is not None:
                sizes[article_id] = size
        elif verdict == "deleted":
            deleted_at = checked_at
        elif verdict == "restored":
            deleted_at = None
    return StoryChanges(edits, deleted_at, sizes)


def latest_deletion(db: CatalogConnection, surt: str) -> str | None:
    return story_changes(db, surt).deleted_at
