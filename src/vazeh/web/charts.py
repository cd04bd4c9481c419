"""Small charts drawn on the server as inline SVG: no script, no CDN.

Bars run right to left like the page: the newest day sits at the left end of the
day chart, as a Persian reader's eye ends there.
"""

from __future__ import annotations

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
