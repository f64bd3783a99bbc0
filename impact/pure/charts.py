"""A programme's figure over time as an SVG bar chart. Pure, no Django.

The house style of the rental charts (rentals/charts.py): one `<svg>` with `role="img"`, a
`<title>` and a `<desc>` that gives every value in words, a viewBox at 100 % width (fits a
360 px screen), colours with 3:1 contrast on white, no external resources. impact may not
import rentals, so this small module repeats that style rather than sharing the code.

A value of None is a month whose figure is not shown (suppressed: about fewer than 5); it
gets no bar and is named in the description.
"""

import hashlib
from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape

Number = int | float | Decimal
Formatter = Callable[[Number], str]

FONT = "DejaVu Sans, Verdana, sans-serif"
TEXT = "#1a1a1a"
MUTED = "#4d4d4d"
GRID = "#c8c8c8"
BAR = "#1f5f99"


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


def _plain(value: Number) -> str:
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return f"{number.quantize(Decimal('0.01')).normalize():f}"


def _nice_top(biggest: float) -> float:
    if biggest <= 0:
        return 1.0
    step = 10 ** len(str(int(biggest))) / 10
    for factor in (1, 2, 2.5, 5, 10):
        top = step * factor
        if top >= biggest:
            return top
    return biggest


def series_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[Number | None],
    unit: str,
    hidden_text: str,
    empty_text: str,
    fmt: Formatter = _plain,
    width: int = 640,
    height: int = 260,
) -> str:
    """Bars per month; None is a month not shown (`hidden_text`, e.g. "fewer than 5")."""
    if len(labels) != len(values):
        raise ValueError("labels and values differ in length")
    digest = hashlib.sha1(
        repr((title, tuple(labels), tuple(values))).encode(), usedforsecurity=False
    ).hexdigest()[:10]
    chart_id = f"chart-series-{digest}"
    shown = [float(v) for v in values if v is not None]
    words = "; ".join(
        f"{label}: {hidden_text if value is None else fmt(value)} {unit}".strip()
        for label, value in zip(labels, values, strict=True)
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart" '
        f'font-family="{_e(FONT)}" style="max-width:{width}px;height:auto">',
        f'<title id="{chart_id}-title">{_e(title)}</title>',
        f'<desc id="{chart_id}-desc">{_e(words if labels else empty_text)}</desc>',
        f'<text x="{width / 2:g}" y="22" text-anchor="middle" font-size="18" '
        f'font-weight="bold" fill="{TEXT}">{_e(title)}</text>',
    ]
    if not labels:
        parts.append(
            f'<text x="{width / 2:g}" y="{height / 2:g}" text-anchor="middle" font-size="16" '
            f'fill="{MUTED}">{_e(empty_text)}</text></svg>'
        )
        return "".join(parts)
    left, right, top, bottom = 70.0, width - 10.0, 40.0, height - 40.0
    peak = _nice_top(max([0.0, *shown]))
    for i in range(5):
        level = peak * i / 4
        y = bottom - (bottom - top) * i / 4
        parts.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_n(left - 6)}" y="{_n(y + 4)}" text-anchor="end" font-size="12" '
            f'fill="{MUTED}">{_e(fmt(level))}</text>'
        )
    slot = (right - left) / len(labels)
    every = max(1, round(len(labels) / 8))
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + slot * i
        if value is None:
            parts.append(
                f'<text x="{_n(x + slot / 2)}" y="{_n(bottom - 6)}" text-anchor="middle" '
                f'font-size="14" fill="{MUTED}">–</text>'
            )
        else:
            bar = (bottom - top) * max(float(value), 0.0) / peak
            parts.append(
                f'<rect x="{_n(x + slot * 0.15)}" y="{_n(bottom - bar)}" '
                f'width="{_n(slot * 0.7)}" height="{_n(bar)}" fill="{BAR}"/>'
            )
        if i % every == 0:
            parts.append(
                f'<text x="{_n(x + slot / 2)}" y="{_n(bottom + 18)}" text-anchor="middle" '
                f'font-size="12" fill="{TEXT}">{_e(label)}</text>'
            )
    if unit:
        parts.append(
            f'<text x="10" y="{_n(top - 8)}" font-size="12" fill="{MUTED}">{_e(unit)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
