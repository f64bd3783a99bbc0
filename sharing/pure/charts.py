"""Server-rendered SVG charts of energy sharing (pure: no Django; texts come in translated).

Each chart is an `<svg role="img">` with a title and a description that says in words what
the chart shows, so it reads without sight, in pages and in PDFs alike.
"""

from collections.abc import Sequence
from html import escape


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def heat_map(
    *,
    chart_id: str,
    title: str,
    description: str,
    rows: Sequence[str],
    values: Sequence[Sequence[float | None]],
    hour_label: str,
) -> str:
    """A day × hour grid; each value is a share in [0, 1] (None: no consumption that hour),
    darker for a larger share."""
    cell_w, cell_h, left, top = 14, 12, 34, 28
    width = left + 24 * cell_w + 8
    height = top + len(rows) * cell_h + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" id="{_e(chart_id)}" '
        'style="width:100%;height:auto" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{_e(chart_id)}-t {_e(chart_id)}-d">',
        f'<title id="{_e(chart_id)}-t">{_e(title)}</title>',
        f'<desc id="{_e(chart_id)}-d">{_e(description)}</desc>',
        f'<text x="{left}" y="12" font-size="10">{_e(hour_label)}</text>',
    ]
    for hour in range(0, 24, 3):
        parts.append(
            f'<text x="{left + hour * cell_w + 2}" y="{top - 4}" font-size="8">{hour}</text>'
        )
    for r, (label, row) in enumerate(zip(rows, values, strict=True)):
        y = top + r * cell_h
        parts.append(f'<text x="2" y="{y + cell_h - 3}" font-size="8">{_e(label)}</text>')
        for hour, value in enumerate(row):
            x = left + hour * cell_w
            if value is None:
                fill = "#f2f2f2"
            else:
                share = min(max(value, 0.0), 1.0)
                # From pale yellow to dark green: readable in grey scale too (lightness falls).
                light = 92 - share * 62
                fill = f"hsl({55 + share * 65:.0f},70%,{light:.0f}%)"
            label_text = "–" if value is None else f"{value * 100:.0f} %"
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 1}" height="{cell_h - 1}" '
                f'fill="{fill}"><title>{_e(label)} {hour}:00 {label_text}</title></rect>'
            )
    parts.append("</svg>")
    return "".join(parts)


def daily_bars(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float]]],
    unit: str,
) -> str:
    """Grouped bars per day: series are (name, colour, values)."""
    width, height, left, bottom, top = 640, 220, 44, 24, 34
    biggest = max((v for _n_, _c, values in series for v in values), default=0) or 1.0
    plot_h = height - top - bottom
    slot = (width - left - 8) / max(len(labels), 1)
    bar = max(slot / (len(series) + 1), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" id="{_e(chart_id)}" '
        'style="width:100%;height:auto" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{_e(chart_id)}-t {_e(chart_id)}-d">',
        f'<title id="{_e(chart_id)}-t">{_e(title)}</title>',
        f'<desc id="{_e(chart_id)}-d">{_e(description)}</desc>',
    ]
    for k, (name, colour, _values) in enumerate(series):
        x = left + k * 150
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="15" font-size="11">{_e(name)}</text>')
    for step in range(5):
        value = biggest * step / 4
        y = top + plot_h - plot_h * step / 4
        parts.append(
            f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="9" text-anchor="end">'
            f"{_n(value)}</text>"
        )
    parts.append(f'<text x="2" y="{top - 4}" font-size="9">{_e(unit)}</text>')
    for i, label in enumerate(labels):
        x0 = left + i * slot
        for k, (_name, colour, values) in enumerate(series):
            h = plot_h * values[i] / biggest
            parts.append(
                f'<rect x="{x0 + k * bar:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{_e(label)}: {_n(values[i])} '
                f"{_e(unit)}</title></rect>"
            )
        if i % 5 == 0:
            parts.append(f'<text x="{x0:.1f}" y="{height - 8}" font-size="9">{_e(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
