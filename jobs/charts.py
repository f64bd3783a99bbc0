"""Server-rendered SVG charts (pages and PDFs), with no Django: bars and score lines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from html import escape

PALETTE = ("#1d4f91", "#b3541e", "#2e7d32", "#6a1b9a", "#00838f")


def bars(
    items: Sequence[tuple[str, float]], *, title: str, unit: str = "", limit: float | None = None
) -> str:
    """Horizontal bars, one per item, with the value written beside each; an optional
    dashed limit line."""
    width, label_w, row = 340, 120, 26
    height = row * max(1, len(items)) + 24
    top = max([v for _l, v in items] + [limit or 0, 1])
    scale = (width - label_w - 50) / top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(items):
        y = 8 + i * row
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="11">{escape(label[:22])}</text>'
            f'<rect x="{label_w}" y="{y}" width="{value * scale:.1f}" height="18" '
            f'fill="{PALETTE[0]}"/>'
            f'<text x="{label_w + value * scale + 4:.1f}" y="{y + 14}" font-size="11">'
            f"{value:g}{escape(unit)}</text>"
        )
    if limit:
        x = label_w + limit * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height}" stroke="#b00020" '
            f'stroke-dasharray="4 3"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def score_lines(series: Mapping[str, Sequence[tuple[date, int]]], *, title: str) -> str:
    """Scores 1-5 over time, one line per competence, with a legend in words."""
    width, height, left, bottom = 340, 200, 24, 20
    days = sorted({d for points in series.values() for d, _s in points})
    total_height = height + 20 * len(series)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total_height}" '
        f'width="100%" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for score in range(1, 6):
        y = height - bottom - (score - 1) * (height - bottom - 10) / 4
        parts.append(
            f'<text x="0" y="{y + 4:.1f}" font-size="10">{score}</text>'
            f'<line x1="{left}" y1="{y:.1f}" x2="{width}" y2="{y:.1f}" stroke="#ddd"/>'
        )
    if days:
        first, last = days[0], days[-1]
        span = max(1, (last - first).days)

        def xy(d: date, s: int) -> tuple[float, float]:
            x = left + 8 + (d - first).days / span * (width - left - 16)
            y = height - bottom - (s - 1) * (height - bottom - 10) / 4
            return x, y

        for i, (name, points) in enumerate(series.items()):
            colour = PALETTE[i % len(PALETTE)]
            coords = [xy(d, s) for d, s in sorted(points)]
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
            for x, y in coords:
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
            ly = height + 14 + i * 20
            parts.append(
                f'<rect x="0" y="{ly - 9}" width="12" height="12" fill="{colour}"/>'
                f'<text x="18" y="{ly + 1}" font-size="11">{escape(name)}</text>'
            )
        parts.append(
            f'<text x="{left}" y="{height}" font-size="10">{first.isoformat()}</text>'
            f'<text x="{width}" y="{height}" font-size="10" text-anchor="end">'
            f"{last.isoformat()}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
