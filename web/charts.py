"""Bar charts drawn by the server as SVG (no chart library, no CDN): one bar per period, each a link to
the conversations behind it, with its value in a tooltip."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 640, 170, 14, 22, 46


@dataclass(frozen=True)
class Point:
    label: str  # the period, e.g. "06 Dec 14:00"
    value: float | None  # None: nothing to show for that period (no denominator)
    href: str


def bar_chart(title: str, points: Sequence[Point], fmt: Callable[[float], str]) -> Markup:
    values = [p.value for p in points if p.value is not None]
    top = max(values, default=0.0) or 1.0
    inner_w, inner_h = WIDTH - LEFT - 4, HEIGHT - TOP - BOTTOM
    step = inner_w / max(1, len(points))
    # A group, not an image: its bars are links, and an image's content is hidden from assistive technology.
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="group" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" class="axis">{escape(fmt(top))}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + inner_h}" text-anchor="end" class="axis">{escape(fmt(0.0))}</text>',
        f'<line x1="{LEFT}" y1="{TOP + inner_h}" x2="{WIDTH - 4}" y2="{TOP + inner_h}" class="base"/>',
    ]
    for i, point in enumerate(points):
        x = LEFT + i * step + step * 0.12
        shown = "no data" if point.value is None else fmt(point.value)
        height = 0.0 if point.value is None else max(1.0, inner_h * point.value / top)
        parts.append(
            f'<a href="{escape(point.href)}" class="bar" data-value="{escape(shown)}">'
            f"<title>{escape(point.label)}: {escape(shown)}</title>"
            f'<rect x="{x:.1f}" y="{TOP + inner_h - height:.1f}" width="{step * 0.76:.1f}" '
            f'height="{height:.1f}"/></a>'
        )
    for i in (0, len(points) - 1) if points else ():
        anchor = "start" if i == 0 else "end"
        x = LEFT if i == 0 else WIDTH - 4
        parts.append(
            f'<text x="{x}" y="{HEIGHT - 6}" text-anchor="{anchor}" class="axis">{escape(points[i].label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Difference:
    label: str  # the arm, e.g. "B"
    value: float | None  # the arm's figure minus the control's
    low: float | None  # its 95% interval
    high: float | None
    verdict: str  # better | worse | no detectable difference | too few | n/a


def interval_chart(title: str, rows: Sequence[Difference], fmt: Callable[[float], str]) -> Markup:
    """Each arm's difference from the control as a dot with its 95% interval, around a line at zero (no
    difference); coloured by the verdict, with the figures in a tooltip."""
    row_h, width, left, right = 26, WIDTH, 70, 16
    height = TOP + row_h * max(1, len(rows)) + BOTTOM
    spans = [abs(v) for r in rows for v in (r.low, r.high, r.value) if v is not None]
    reach = max(spans, default=0.0) or 1.0
    inner = width - left - right

    def x(value: float) -> float:
        return left + inner * (0.5 + value / (2 * reach))

    parts = [
        f'<svg class="chart intervals" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{x(0):.1f}" y1="{TOP - 4}" x2="{x(0):.1f}" y2="{height - BOTTOM}" class="base"/>',
        f'<text x="{x(-reach):.1f}" y="{height - 6}" class="axis">{escape(fmt(-reach))}</text>',
        f'<text x="{x(0):.1f}" y="{height - 6}" text-anchor="middle" class="axis">no difference</text>',
        f'<text x="{x(reach):.1f}" y="{height - 6}" text-anchor="end" class="axis">{escape(fmt(reach))}</text>',
    ]
    for i, row in enumerate(rows):
        y = TOP + row_h * i + row_h / 2
        parts.append(
            f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" class="axis">{escape(row.label)}</text>'
        )
        if row.value is None or row.low is None or row.high is None:
            parts.append(f'<text x="{x(0) + 6:.1f}" y="{y + 4:.1f}" class="axis">no data</text>')
            continue
        shown = f"{fmt(row.value)} (95% CI {fmt(row.low)} to {fmt(row.high)}): {row.verdict}"
        kind = row.verdict.replace(" ", "-")
        parts.append(
            f'<g class="interval {escape(kind)}" data-verdict="{escape(row.verdict)}">'
            f"<title>{escape(row.label)}: {escape(shown)}</title>"
            f'<line x1="{x(row.low):.1f}" y1="{y:.1f}" x2="{x(row.high):.1f}" y2="{y:.1f}"/>'
            f'<circle cx="{x(row.value):.1f}" cy="{y:.1f}" r="5"/></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
