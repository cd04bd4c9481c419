"""Small charts drawn on the server as inline SVG: no script, no CDN.

Bars run right to left like the page: the newest day sits at the left end of the
day chart, as a Persian reader's eye ends there.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from markupsafe import Markup, escape

from vazeh.web.fmt import fa_digits, fa_number, jalali_date


def _nice_max(value: int) -> int:
    if value <= 5:
        return max(value, 1)
    step = 10 ** (len(str(value)) - 1)
    return ((value + step - 1) // step) * step


def day_chart(days: list[tuple[str, int]], *, width: int = 600, height: int = 200) -> Markup:
    """Articles per day as vertical bars; each bar has a tooltip with the Jalali date."""
    if not days:
        return Markup("")
    top = _nice_max(max(c for _, c in days))
    pad_top, pad_bottom, pad_side = 16, 28, 40
    plot_w, plot_h = width - 2 * pad_side, height - pad_top - pad_bottom
    slot = plot_w / len(days)
    bars = []
    for i, (day, count) in enumerate(days):
        h = plot_h * count / top
        # Oldest at the right edge, newest at the left (right-to-left time).
        x = width - pad_side - (i + 1) * slot
        y = pad_top + plot_h - h
        label = f"{jalali_date(day + 'T12:00:00+03:30')}: {fa_number(count)}"
        bars.append(
            f'<rect x="{x + 0.5:.1f}" y="{y:.1f}" width="{max(slot - 1, 0.5):.1f}" height="{h:.1f}" '
            f'class="bar"><title>{escape(label)}</title></rect>'
        )
    axis_y = pad_top + plot_h
    first, last = days[0][0], days[-1][0]
    svg = (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="شمار خبرها در هر روز" xmlns="http://www.w3.org/2000/svg">'
        f'<line x1="{pad_side}" y1="{axis_y}" x2="{width - pad_side}" y2="{axis_y}" class="axis"/>'
        f'<text x="{width - pad_side}" y="{height - 6}" text-anchor="start" class="tick">'
        f"{escape(jalali_date(first + 'T12:00:00+03:30'))}</text>"
        f'<text x="{pad_side}" y="{height - 6}" text-anchor="end" class="tick">'
        f"{escape(jalali_date(last + 'T12:00:00+03:30'))}</text>"
        f'<text x="{width - 4}" y="{pad_top + 8}" text-anchor="start" class="tick">{fa_digits(top)}</text>'
        + "".join(bars)
        + "</svg>"
    )
    return Markup(svg)


def source_chart(sources: list[tuple[str, int]], *, width: int = 480, bar_h: int = 30, limit: int = 12) -> Markup:
    """Articles per source as horizontal bars growing from the right."""
    rows = sources[:limit]
    if not rows:
        return Markup("")
    top = max(c for _, c in rows) or 1
    label_w = 170
    plot_w = width - label_w - 70
    height = bar_h * len(rows) + 8
    parts = []
    for i, (name, count) in enumerate(rows):
        y = 4 + i * bar_h
        w = plot_w * count / top
        x_right = width - label_w
        label = name if len(name) <= 16 else name[:15] + "…"
        parts.append(
            f'<text x="{width - 4}" y="{y + bar_h * 0.7:.1f}" text-anchor="start" class="label">{escape(label)}</text>'
            f'<rect x="{x_right - w:.1f}" y="{y + 3}" width="{max(w, 1):.1f}" height="{bar_h - 6}" class="bar">'
            f"<title>{escape(name)}: {fa_number(count)}</title></rect>"
            f'<text x="{x_right - w - 6:.1f}" y="{y + bar_h * 0.7:.1f}" text-anchor="start" class="tick">'
            f"{fa_number(count)}</text>"
        )
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="شمار خبرها به تفکیک منبع" '
        f'xmlns="http://www.w3.org/2000/svg">' + "".join(parts) + "</svg>"
    )


# --- attention over time ---------------------------------------------------------------
# Five colours that stay apart for the common colour-vision deficiencies (Okabe-Ito).
SERIES_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00")
# The viewBox is a phone's width, so 14 units of type render at 13-14 CSS px on a
# 390 px screen (the CSS caps the chart's width, so a desktop does not inflate it much).
PHONE_W = 320


@dataclass(frozen=True)
class Bar:
    label: str  # the period, as a reader says it: `مرداد ۱۴۰۲`
    value: float  # what the bar's height shows (a count or a share)
    text: str  # the tooltip's figure: `۱۲ خبر (۳٫۵٪)`
    href: str | None = None


def _x_ticks(bars: list[Bar], x_of, y: float, most: int = 3) -> str:
    """The first, middle and last period's names under the axis: few enough to read."""
    n = len(bars)
    picks = sorted({0, n - 1, (n - 1) // 2}) if n > 2 else list(range(n))
    out = []
    for i in picks[:most]:
        x = x_of(i)
        # The oldest period sits at the right edge, the newest at the left.
        anchor = "start" if i == 0 else ("end" if i == n - 1 else "middle")
        out.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="tick">{escape(bars[i].label)}</text>')
    return "".join(out)


def period_chart(bars: list[Bar], *, title: str, colour: str = SERIES_COLOURS[0], top: float | None = None,
                 percent: bool = False, height: int = 170) -> Markup:
    """One series as vertical bars, oldest at the right; every bar (and the full
    height above it, so a thumb can hit a thin one) is a link to its period."""
    if not bars:
        return Markup("")
    width = PHONE_W
    pad_top, pad_bottom, pad_right, pad_left = 18, 26, 6, 6
    plot_h = height - pad_top - pad_bottom
    top = top or max(b.value for b in bars) or 1
    slot = (width - pad_left - pad_right) / len(bars)

    def x_of(i: int) -> float:
        return width - pad_right - (i + 0.5) * slot

    parts = []
    fill = f'" fill="{colour}" class="abar"/>'
    base = pad_top + plot_h
    for b, (bar_x, bar_w, hit) in zip(bars, _slots(len(bars), height), strict=True):
        h = plot_h * b.value / top if top else 0
        tip = f"<title>{_esc(b.label)}: {_esc(b.text)}</title>"
        bar = f'{bar_x}{base - h:.2f}{bar_w}{max(h, 0):.2f}{fill}'
        if b.href:
            parts.append(f'<a href="{escape(b.href)}">{tip}{hit}{bar}</a>')
        else:
            parts.append(f"<g>{tip}{bar}</g>")
    top_text = (fa_digits(f"{top * 100:.1f}").replace(".", "٫") + "٪") if percent else fa_number(int(round(top)))
    svg = (
        f'<svg class="attn-chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<line x1="{pad_left}" y1="{pad_top}" x2="{width - pad_right}" y2="{pad_top}" class="grid"/>'
        f'<text x="{width - pad_right}" y="{pad_top - 5}" text-anchor="start" class="tick">{top_text}</text>'
        + "".join(parts)
        + f'<line x1="{pad_left}" y1="{base}" x2="{width - pad_right}" y2="{base}" class="axis"/>'
        + _x_ticks(bars, x_of, height - 7)
        + "</svg>"
    )
    return Markup(svg)


@functools.lru_cache(maxsize=256)
def _slots(n: int, height: int) -> tuple[tuple[str, str, str], ...]:
    """For each of n bars of a period chart: the bar's markup up to its y, between y and
    its height, and its hit area. Where a bar stands depends only on how many there are,
    so chart after chart of the same length shares them; only heights are formatted anew."""
    width = PHONE_W
    pad_top, pad_bottom, pad_right, pad_left = 18, 26, 6, 6
    plot_h = height - pad_top - pad_bottom
    slot = (width - pad_left - pad_right) / n
    # A few periods would make slabs, not bars: cap the width and centre the bar.
    bw = min(max(slot * 0.85, 0.6), 24.0)
    out = []
    for i in range(n):
        x = width - pad_right - (i + 1) * slot
        out.append((
            f'<rect x="{x + (slot - bw) / 2:.2f}" y="',
            f'" width="{bw:.2f}" height="',
            f'<rect x="{x:.2f}" y="{pad_top}" width="{slot:.2f}" height="{plot_h}" class="hit"/>',
        ))
    return tuple(out)


def _esc(text: str) -> str:
    # Period labels and tooltip figures repeat chart after chart. Only plain str goes
    # through the cache: a Markup equals the str of its text, but is not escaped.
    return _esc_str(text) if type(text) is str else str(escape(text))


@functools.lru_cache(maxsize=8192)
def _esc_str(text: str) -> str:
    return str(escape(text))


def compare_chart(series: list[tuple[str, list[Bar]]], *, title: str, percent: bool = False,
                  height: int = 200) -> Markup:
    """Several series as lines on one scale, with a legend; each point links to its
    query's results in that period."""
    series = [(name, bars) for name, bars in series if bars][: len(SERIES_COLOURS)]
    if not series:
        return Markup("")
    width = PHONE_W
    n = len(series[0][1])
    legend_h = 20 * len(series)
    pad_top, pad_bottom, pad_side = 18 + legend_h, 26, 6
    plot_w, plot_h = width - 2 * pad_side, height + legend_h - pad_top - pad_bottom
    top = max((b.value for _, bars in series for b in bars), default=0) or 1
    slot = plot_w / n

    def x_of(i: int) -> float:
        return width - pad_side - (i + 0.5) * slot

    def y_of(v: float) -> float:
        return pad_top + plot_h - plot_h * v / top

    parts = []
    for k, (name, bars) in enumerate(series):
        colour = SERIES_COLOURS[k]
        ly = 14 + 20 * k
        label = name if len(name) <= 34 else name[:33] + "…"
        parts.append(f'<rect x="{width - pad_side - 14}" y="{ly - 10}" width="14" height="10" fill="{colour}"/>'
                     f'<text x="{width - pad_side - 20}" y="{ly}" text-anchor="start" class="label">{escape(label)}</text>')
        points = " ".join(f"{x_of(i):.1f},{y_of(b.value):.1f}" for i, b in enumerate(bars))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2" class="line"/>')
        # Points only where a thumb can tell them apart; the lines carry the rest.
        if n <= 120:
            for i, b in enumerate(bars):
                dot = (f'<circle cx="{x_of(i):.1f}" cy="{y_of(b.value):.1f}" r="{min(4, max(slot / 3, 1.5)):.1f}" '
                       f'fill="{colour}"><title>{escape(name)} · {escape(b.label)}: {escape(b.text)}</title></circle>')
                parts.append(f'<a href="{escape(b.href)}">{dot}</a>' if b.href else dot)
    axis_y = pad_top + plot_h
    top_text = (fa_digits(f"{top * 100:.1f}").replace(".", "٫") + "٪") if percent else fa_number(int(round(top)))
    total_h = height + legend_h
    return Markup(
        f'<svg class="attn-chart" viewBox="0 0 {width} {total_h}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">'
        + "".join(parts)
        + f'<line x1="{pad_side}" y1="{pad_top}" x2="{width - pad_side}" y2="{pad_top}" class="grid"/>'
        f'<text x="{width - pad_side}" y="{pad_top - 5}" text-anchor="start" class="tick">{top_text}</text>'
        f'<line x1="{pad_side}" y1="{axis_y}" x2="{width - pad_side}" y2="{axis_y}" class="axis"/>'
        + _x_ticks(series[0][1], x_of, total_h - 7)
        + "</svg>"
    )
