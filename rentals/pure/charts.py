"""Server-rendered SVG charts for pages and PDFs. Pure functions, no Django.

Every function returns one `<svg>` element as a string:
- `role="img"` with a `<title>` and a `<desc>` that gives the data in words, so a screen reader
  (and anyone reading the PDF text) gets the figures without seeing the bars;
- a `viewBox` and `width="100%"`, so it scales down to a 360 px phone screen;
- colours with at least 3:1 contrast against white (WCAG 1.4.11) and text in near black;
- no external fonts or resources ("DejaVu Sans", then the system sans-serif).

Texts are passed in by the caller, already translated; numbers are formatted by the caller's
`fmt` (e.g. a Babel formatter for the reader's locale). All text is escaped here.
"""

import hashlib
import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape

Number = int | float | Decimal
Formatter = Callable[[Number], str]

FONT = "DejaVu Sans, Verdana, sans-serif"
TEXT = "#1a1a1a"
MUTED = "#4d4d4d"  # 8.5:1 on white
GRID = "#c8c8c8"
# Dark enough for 3:1 against white and distinct from each other for common colour blindness.
PALETTE = ("#1f5f99", "#b35900", "#2e7d32", "#6a3d9a", "#8c2d04", "#00708a", "#555555")
NEGATIVE = "#b3261e"  # a negative value (e.g. a negative saving): red, and below the zero line


def _plain(value: Number) -> str:
    """Fallback number format: at most two decimals, no thousands separator."""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return f"{number.quantize(Decimal('0.01')).normalize():f}"


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _n(value: float) -> str:
    """A coordinate: short and stable (no 12.000000001 in the markup)."""
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


def _chart_id(kind: str, *parts: object) -> str:
    # Deterministic and unique per content: several charts can share one page or PDF.
    digest = hashlib.sha1(repr((kind, parts)).encode(), usedforsecurity=False).hexdigest()[:10]
    return f"chart-{kind}-{digest}"


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart" '
        f'font-family="{_e(FONT)}" style="max-width:{width}px;height:auto">',
        f'<title id="{chart_id}-title">{_e(title)}</title>',
        f'<desc id="{chart_id}-desc">{_e(desc)}</desc>',
    ]


def _heading(title: str, width: int) -> str:
    return (
        f'<text x="{width / 2:g}" y="24" text-anchor="middle" font-size="20" '
        f'font-weight="bold" fill="{TEXT}">{_e(title)}</text>'
    )


def _empty(chart_id: str, title: str, empty_text: str, width: int, height: int) -> str:
    parts = _open(chart_id, title, empty_text, width, height)
    parts.append(_heading(title, width))
    parts.append(
        f'<text x="{width / 2:g}" y="{height / 2:g}" text-anchor="middle" font-size="16" '
        f'fill="{MUTED}" class="empty">{_e(empty_text)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _words(labels: Sequence[str], values: Sequence[Number], unit: str, fmt: Formatter) -> str:
    unit_part = f" {unit}" if unit else ""
    return "; ".join(
        f"{label}: {fmt(value)}{unit_part}" for label, value in zip(labels, values, strict=True)
    )


def _font_for(slot: float, text: str, biggest: float = 17) -> float:
    # Shrink a label until it fits its slot (DejaVu Sans is about 0.6 em wide per character).
    return max(9.0, min(biggest, slot / (0.62 * max(len(text), 1))))


def _nice_step(span: float) -> float:
    """A round step for 3–6 grid lines over span."""
    if span <= 0:
        return 1.0
    raw = span / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


class _Scale:
    """Maps values to y within the plot; the zero line sits between the extremes."""

    def __init__(self, low: float, high: float, top: float, bottom: float):
        low, high = min(low, 0.0), max(high, 0.0)
        if low == high:
            high = 1.0
        step = _nice_step(high - low)
        self.low = math.floor(low / step) * step
        self.high = math.ceil(high / step) * step
        self.step = step
        self.top, self.bottom = top, bottom

    def y(self, value: float) -> float:
        ratio = (value - self.low) / (self.high - self.low)
        return self.bottom - ratio * (self.bottom - self.top)

    def ticks(self) -> list[float]:
        count = round((self.high - self.low) / self.step)
        return [self.low + i * self.step for i in range(count + 1)]


def _axes(scale: _Scale, left: float, right: float, fmt: Formatter, unit: str) -> list[str]:
    parts = []
    for tick in scale.ticks():
        y = scale.y(tick)
        parts.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_n(left - 6)}" y="{_n(y + 5)}" text-anchor="end" font-size="15" '
            f'fill="{MUTED}">{_e(fmt(tick))}</text>'
        )
    zero = scale.y(0)
    parts.append(
        f'<line class="zero" x1="{_n(left)}" y1="{_n(zero)}" x2="{_n(right)}" y2="{_n(zero)}" '
        f'stroke="{TEXT}" stroke-width="1.5"/>'
    )
    if unit:
        parts.append(
            f'<text x="{_n(left - 6)}" y="{_n(scale.top - 12)}" text-anchor="end" '
            f'font-size="15" fill="{MUTED}">{_e(unit)}</text>'
        )
    return parts


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    values: Sequence[Number],
    unit: str,
    width: int = 640,
    height: int = 320,
    fmt: Formatter = _plain,
    tick_fmt: Formatter | None = None,
    desc: str | None = None,
    empty_text: str = "—",
    color: str = PALETTE[0],
) -> str:
    """Vertical bars, one per value; negative values hang below the zero line in red.

    `fmt` formats the values, `tick_fmt` the axis (default: `fmt`); `desc` replaces the
    generated description ("label: value unit; …"); `empty_text` is shown (and read) when
    there are no values. Sizes are in viewBox units: at the default width a PDF column of
    17 cm makes 16 units about 12 pt.
    """
    if len(labels) != len(values):
        raise ValueError("labels and values must have the same length")
    chart_id = _chart_id("bar", title, tuple(labels), tuple(str(v) for v in values), unit)
    if not values:
        return _empty(chart_id, title, empty_text, width, height)
    numbers = [float(v) for v in values]
    left, right, top, bottom = 84.0, width - 16.0, 60.0, height - 40.0
    scale = _Scale(min(numbers), max(numbers), top, bottom)
    parts = _open(chart_id, title, desc or _words(labels, values, unit, fmt), width, height)
    parts.append(_heading(title, width))
    parts.extend(_axes(scale, left, right, tick_fmt or fmt, unit))
    slot = (right - left) / len(numbers)
    bar_width = slot * 0.62
    zero = scale.y(0)
    for i, (label, value, number) in enumerate(zip(labels, values, numbers, strict=True)):
        x = left + i * slot + (slot - bar_width) / 2
        y_value = scale.y(number)
        y, h = min(zero, y_value), abs(zero - y_value)
        fill = NEGATIVE if number < 0 else color
        text = fmt(value)
        parts.append(
            f'<rect class="bar" x="{_n(x)}" y="{_n(y)}" width="{_n(bar_width)}" '
            f'height="{_n(h)}" fill="{fill}" data-value="{_e(value)}">'
            f"<title>{_e(label)}: {_e(text)} {_e(unit)}</title></rect>"
        )
        centre = x + bar_width / 2
        # The value above a positive bar, below a negative one.
        value_y = y - 6 if number >= 0 else y + h + 16
        parts.append(
            f'<text x="{_n(centre)}" y="{_n(value_y)}" text-anchor="middle" '
            f'font-size="{_n(_font_for(slot, text))}" fill="{TEXT}">{_e(text)}</text>'
        )
        parts.append(
            f'<text x="{_n(centre)}" y="{_n(height - 16)}" text-anchor="middle" '
            f'font-size="{_n(_font_for(slot, label))}" fill="{TEXT}">{_e(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _check_series(labels: Sequence[str], series: Sequence[tuple[str, Sequence[Number]]]) -> None:
    for name, values in series:
        if len(values) != len(labels):
            raise ValueError(f"series {name!r} does not have one value per label")


def _series_words(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    unit: str,
    fmt: Formatter,
) -> str:
    unit_part = f" {unit}" if unit else ""
    return "; ".join(
        f"{label}: " + ", ".join(f"{name} {fmt(values[i])}{unit_part}" for name, values in series)
        for i, label in enumerate(labels)
    )


def _legend(series: Sequence[tuple[str, Sequence[Number]]], left: float) -> list[str]:
    """Under the title: a colour swatch and the name of each series."""
    parts, x = [], left
    for s, (name, _values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        parts.append(
            f'<rect x="{_n(x)}" y="36" width="16" height="16" fill="{colour}"/>'
            f'<text x="{_n(x + 22)}" y="50" font-size="16" fill="{TEXT}">{_e(name)}</text>'
        )
        x += 22 + 0.62 * 16 * len(name) + 24
    return parts


def stacked_bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    unit: str,
    width: int = 640,
    height: int = 340,
    fmt: Formatter = _plain,
    tick_fmt: Formatter | None = None,
    desc: str | None = None,
    empty_text: str = "—",
) -> str:
    """Stacked bars: for each label, one segment per series (e.g. collected + still open =
    billed). Positive segments stack up from zero, negative ones down. A legend names the
    series."""
    _check_series(labels, series)
    chart_id = _chart_id(
        "stacked",
        title,
        tuple(labels),
        tuple((n, tuple(str(v) for v in vs)) for n, vs in series),
        unit,
    )
    if not labels or not series:
        return _empty(chart_id, title, empty_text, width, height)
    count = len(labels)
    ups = [sum(max(float(vs[i]), 0.0) for _, vs in series) for i in range(count)]
    downs = [sum(min(float(vs[i]), 0.0) for _, vs in series) for i in range(count)]
    left, right, top, bottom = 84.0, width - 16.0, 80.0, height - 40.0
    scale = _Scale(min(downs), max(ups), top, bottom)
    parts = _open(chart_id, title, desc or _series_words(labels, series, unit, fmt), width, height)
    parts.append(_heading(title, width))
    parts.extend(_legend(series, left))
    parts.extend(_axes(scale, left, right, tick_fmt or fmt, unit))
    slot = (right - left) / count
    bar_width = slot * 0.62
    for i, label in enumerate(labels):
        bx = left + i * slot + (slot - bar_width) / 2
        up = down = 0.0
        for s, (name, values) in enumerate(series):
            number = float(values[i])
            if number >= 0:
                y0, y1 = scale.y(up + number), scale.y(up)
                up += number
            else:
                y0, y1 = scale.y(down), scale.y(down + number)
                down += number
            parts.append(
                f'<rect class="segment" x="{_n(bx)}" y="{_n(y0)}" width="{_n(bar_width)}" '
                f'height="{_n(y1 - y0)}" fill="{PALETTE[s % len(PALETTE)]}" '
                f'data-series="{_e(name)}" data-value="{_e(values[i])}" '
                f'stroke="#ffffff" stroke-width="0.5">'
                f"<title>{_e(label)}, {_e(name)}: {_e(fmt(values[i]))} {_e(unit)}</title></rect>"
            )
        parts.append(
            f'<text x="{_n(bx + bar_width / 2)}" y="{_n(height - 16)}" text-anchor="middle" '
            f'font-size="{_n(_font_for(slot, label))}" fill="{TEXT}">{_e(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def grouped_bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    unit: str,
    width: int = 640,
    height: int = 340,
    fmt: Formatter = _plain,
    tick_fmt: Formatter | None = None,
    desc: str | None = None,
    empty_text: str = "—",
) -> str:
    """Bars side by side: for each label, one bar per series (e.g. charged and collected in a
    month, which need not add up). Negative values hang below the zero line. A legend names
    the series."""
    _check_series(labels, series)
    chart_id = _chart_id(
        "grouped",
        title,
        tuple(labels),
        tuple((n, tuple(str(v) for v in vs)) for n, vs in series),
        unit,
    )
    if not labels or not series:
        return _empty(chart_id, title, empty_text, width, height)
    numbers = [float(v) for _, values in series for v in values]
    left, right, top, bottom = 84.0, width - 16.0, 80.0, height - 40.0
    scale = _Scale(min(numbers), max(numbers), top, bottom)
    parts = _open(chart_id, title, desc or _series_words(labels, series, unit, fmt), width, height)
    parts.append(_heading(title, width))
    parts.extend(_legend(series, left))
    parts.extend(_axes(scale, left, right, tick_fmt or fmt, unit))
    slot = (right - left) / len(labels)
    group = slot * 0.8
    bar_width = group / len(series)
    zero = scale.y(0)
    for i, label in enumerate(labels):
        gx = left + i * slot + (slot - group) / 2
        for s, (name, values) in enumerate(series):
            y_value = scale.y(float(values[i]))
            parts.append(
                f'<rect class="bar" x="{_n(gx + s * bar_width)}" y="{_n(min(zero, y_value))}" '
                f'width="{_n(bar_width)}" height="{_n(abs(zero - y_value))}" '
                f'fill="{PALETTE[s % len(PALETTE)]}" data-series="{_e(name)}" '
                f'data-value="{_e(values[i])}">'
                f"<title>{_e(label)}, {_e(name)}: {_e(fmt(values[i]))} {_e(unit)}</title></rect>"
            )
        parts.append(
            f'<text x="{_n(gx + group / 2)}" y="{_n(height - 16)}" text-anchor="middle" '
            f'font-size="{_n(_font_for(slot, label))}" fill="{TEXT}">{_e(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def status_bars(
    *,
    title: str,
    items: Sequence[tuple[str, Number]],
    unit: str = "",
    width: int = 640,
    fmt: Formatter = _plain,
    desc: str | None = None,
    empty_text: str = "—",
) -> str:
    """Horizontal bars with the label on the left and the value at the end, e.g. appliances by
    status. Easier to read on a phone than a donut; the height grows with the items."""
    row = 34
    height = 44 + max(len(items), 1) * row + 8
    labels = [label for label, _ in items]
    values = [value for _, value in items]
    chart_id = _chart_id("status", title, tuple(labels), tuple(str(v) for v in values), unit)
    if not items:
        return _empty(chart_id, title, empty_text, width, max(height, 120))
    numbers = [max(float(v), 0.0) for v in values]
    top_value = max(numbers) or 1.0
    label_width = min(width * 0.4, 12 + 0.62 * 16 * max(len(label) for label in labels))
    left, right = label_width, width - 90.0
    parts = _open(chart_id, title, desc or _words(labels, values, unit, fmt), width, height)
    parts.append(_heading(title, width))
    unit_part = f" {unit}" if unit else ""
    for i, (label, value, number) in enumerate(zip(labels, values, numbers, strict=True)):
        y = 44 + i * row
        bar = (right - left) * number / top_value
        parts.append(
            f'<text x="{_n(left - 8)}" y="{_n(y + 20)}" text-anchor="end" '
            f'font-size="{_n(_font_for(label_width - 12, label, 16))}" fill="{TEXT}">'
            f"{_e(label)}</text>"
        )
        parts.append(
            f'<rect class="bar" x="{_n(left)}" y="{_n(y + 4)}" width="{_n(bar)}" height="24" '
            f'fill="{PALETTE[i % len(PALETTE)]}" data-value="{_e(value)}"/>'
        )
        parts.append(
            f'<text x="{_n(left + bar + 6)}" y="{_n(y + 21)}" font-size="16" fill="{TEXT}">'
            f"{_e(fmt(value))}{_e(unit_part)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def donut_chart(
    *,
    title: str,
    items: Sequence[tuple[str, Number]],
    unit: str = "",
    width: int = 640,
    height: int = 300,
    fmt: Formatter = _plain,
    desc: str | None = None,
    empty_text: str = "—",
) -> str:
    """A donut of shares with a legend beside it that repeats every value in text."""
    labels = [label for label, _ in items]
    values = [value for _, value in items]
    chart_id = _chart_id("donut", title, tuple(labels), tuple(str(v) for v in values), unit)
    numbers = [max(float(v), 0.0) for v in values]
    whole = sum(numbers)
    if not items or whole <= 0:
        return _empty(chart_id, title, empty_text, width, height)
    parts = _open(chart_id, title, desc or _words(labels, values, unit, fmt), width, height)
    parts.append(_heading(title, width))
    radius, thickness = (height - 60) / 2, 38.0
    cx, cy = 20 + radius, 40 + radius
    mid = radius - thickness / 2
    angle = -math.pi / 2  # start at twelve o'clock
    unit_part = f" {unit}" if unit else ""
    for i, (label, value, number) in enumerate(zip(labels, values, numbers, strict=True)):
        colour = PALETTE[i % len(PALETTE)]
        share = number / whole
        if share >= 0.9999:
            parts.append(
                f'<circle class="slice" cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(mid)}" fill="none" '
                f'stroke="{colour}" stroke-width="{_n(thickness)}"/>'
            )
        elif share > 0:
            end = angle + share * 2 * math.pi
            large = 1 if share > 0.5 else 0
            x0, y0 = cx + mid * math.cos(angle), cy + mid * math.sin(angle)
            x1, y1 = cx + mid * math.cos(end), cy + mid * math.sin(end)
            parts.append(
                f'<path class="slice" d="M{_n(x0)} {_n(y0)} A{_n(mid)} {_n(mid)} 0 {large} 1 '
                f'{_n(x1)} {_n(y1)}" fill="none" stroke="{colour}" '
                f'stroke-width="{_n(thickness)}"/>'
            )
            angle = end
        legend_y = 50 + i * 28
        legend_x = cx + radius + 30
        parts.append(
            f'<rect x="{_n(legend_x)}" y="{_n(legend_y)}" width="16" height="16" '
            f'fill="{colour}"/><text x="{_n(legend_x + 24)}" y="{_n(legend_y + 14)}" '
            f'font-size="16" fill="{TEXT}">{_e(label)}: {_e(fmt(value))}{_e(unit_part)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
