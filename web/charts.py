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
