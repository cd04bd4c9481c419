"""The calendar of a URL's captures, as the Wayback Machine draws it: for each
Jalali year the captures per month, and for each month its days with how many
captures each holds; a day links to its captures on the replay origin.

`/calendar?url=...`; server-rendered, no script, like every room page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from persiantools.jdatetime import JalaliDate

from vazeh.archive import Capture
from vazeh.persian import JALALI_MONTHS, to_persian_digits
from vazeh.web.fmt import TEHRAN, jalali

router = APIRouter()

WEEK_HEAD = ("ش", "ی", "د", "س", "چ", "پ", "ج")  # a Persian week starts on Saturday


@dataclass
class Day:
    day: int
    captures: list[Capture] = field(default_factory=list)


@dataclass
class Month:
    year: int
    month: int
    name: str
    lead: int  # empty cells before day 1 in a Saturday-first week
    days: list[Day]

    @property
    def count(self) -> int:
        return sum(len(d.captures) for d in self.days)


@dataclass
class Year:
    year: int
    months: list[Month]

    @property
    def count(self) -> int:
        return sum(m.count for m in self.months)


def calendar_of(captures: list[Capture]) -> list[Year]:
    """Captures by Jalali year, month and day (Tehran time), newest year first."""
    by_day: dict[tuple[int, int, int], list[Capture]] = defaultdict(list)
    for c in captures:
        j = JalaliDate(c.captured_at.astimezone(TEHRAN).date())
        by_day[(j.year, j.month, j.day)].append(c)
    years = sorted({y for y, _, _ in by_day}, reverse=True)
    out = []
    for y in years:
        months = []
        for m in range(1, 13):
            first = JalaliDate(y, m, 1).to_gregorian()
            lead = (first.weekday() - 5) % 7  # weekday(): Monday 0, so Saturday is 5
            days = [Day(d, by_day.get((y, m, d), [])) for d in range(1, JalaliDate.days_in_month(m, y) + 1)]
            months.append(Month(y, m, JALALI_MONTHS[m - 1], lead, days))
        out.append(Year(y, months))
    return out


@router.get("/calendar", include_in_schema=False)
def calendar_page(request: Request, url: str = Query(..., min_length=1, max_length=8000)) -> Response:
    from vazeh.web.replay import archived_url, header_url, replay_base

    url = archived_url(url, "")
    caps = request.app.state.room.shelf().archive.captures(url)
    templates = request.app.state.templates
    if not caps:
        return templates.TemplateResponse(request, "not_archived.html", {"url": url}, status_code=404)
    base = replay_base(request)
    return templates.TemplateResponse(request, "calendar.html", {
        "url": url, "years": calendar_of(caps), "total": len(caps), "week": WEEK_HEAD,
        "first": jalali(caps[0].captured_at), "last": jalali(caps[-1].captured_at),
        "href": lambda c: f"{base}/web/{c.timestamp14}/{header_url(c.url)}",
        "fa": to_persian_digits,
    })
