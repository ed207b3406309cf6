"""Bar charts drawn on the server as SVG: they need no JavaScript and no chart library.

Why on the server: the dashboard is public and must work on any browser, with scripts off, for
screen readers, in a printout; an SVG in the page does all of that. Each chart is an image with
a title and a description (``role="img"``, ``aria-labelledby``) that says what it shows and
that the figures are in the table beside it: the page prints every chart's data as a table, so
nothing is only in the picture. A withheld bar is not drawn as zero: it is left out and marked
with its text ("<10"), the same text the table shows. Colours and type come from the page's
stylesheet (Digital Agency tokens) through class names, so the chart follows the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 640
ROW = 30  # height of one horizontal bar's row
LABEL_WIDTH = 230  # room for the category labels of a horizontal chart
VALUE_ROOM = 80  # room after the longest bar for its value
PLOT_HEIGHT = 200  # height of a vertical chart's plot area
FONT = 14


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, its value (None when withheld or empty) and the value as text."""

    label: str
    value: float | None
    text: str
    withheld: bool = False


def horizontal_bars(
    chart_id: str, title: str, description: str, bars: Sequence[Bar], *, maximum: float | None
) -> str:
    """Categories top to bottom, bars to the right, each value written at its bar's end.
    ``maximum`` fixes the scale (1.0 for rates), else the largest value sets it."""
    top = _scale_top(bars, maximum)
    height = ROW * len(bars) + 8
    room = WIDTH - LABEL_WIDTH - VALUE_ROOM
    parts = [_open(chart_id, title, description, WIDTH, height)]
    parts.append(f'<line class="kpi-axis" x1="{LABEL_WIDTH}" y1="0" x2="{LABEL_WIDTH}" '
                 f'y2="{height}"/>')  # fmt: skip
    for index, bar in enumerate(bars):
        y = index * ROW + 4
        middle = y + ROW / 2
        parts.append(
            f'<text class="kpi-label" x="{LABEL_WIDTH - 8}" y="{middle:.1f}" '
            f'text-anchor="end" dominant-baseline="middle">{escape(bar.label)}</text>'
        )
        length = 0.0 if bar.value is None or top == 0 else room * bar.value / top
        if length > 0:
            parts.append(
                f'<rect class="kpi-bar" x="{LABEL_WIDTH}" y="{y + 4}" width="{length:.1f}" '
                f'height="{ROW - 8}"/>'
            )
        parts.append(
            f'<text class="kpi-value" x="{LABEL_WIDTH + length + 6:.1f}" y="{middle:.1f}" '
            f'dominant-baseline="middle">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def vertical_bars(
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    *,
    label_every: int = 1,
    marker: tuple[int, str] | None = None,
) -> str:
    """Bars left to right (days, bands), every ``label_every``-th labelled below; values are
    written above the bars when there is room. A withheld bar is a short dashed stub (and its
    text, when values are written), never a bar of zero. ``marker`` draws a dashed line before
    the bar at that index, with its text (the 60-second goal)."""
    top = _scale_top(bars, None)
    left, bottom = 48, 40
    height = PLOT_HEIGHT + bottom + 24
    step = (WIDTH - left - 8) / max(1, len(bars))
    gap = min(6.0, step * 0.2)
    base = 24 + PLOT_HEIGHT
    parts = [_open(chart_id, title, description, WIDTH, height)]
    parts.append(f'<line class="kpi-axis" x1="{left}" y1="{base}" x2="{WIDTH - 8}" y2="{base}"/>')
    parts.append(f'<text class="kpi-label" x="{left - 6}" y="{24}" text-anchor="end" '
                 f'dominant-baseline="middle">{escape(_round_label(top))}</text>')  # fmt: skip
    parts.append(f'<text class="kpi-label" x="{left - 6}" y="{base}" text-anchor="end" '
                 'dominant-baseline="middle">0</text>')  # fmt: skip
    with_values = step >= 40  # room to write each value above its bar
    for index, bar in enumerate(bars):
        x = left + index * step
        tall = 0.0 if bar.value is None or top == 0 else PLOT_HEIGHT * bar.value / top
        if tall > 0:
            parts.append(
                f'<rect class="kpi-bar" x="{x + gap / 2:.1f}" y="{base - tall:.1f}" '
                f'width="{step - gap:.1f}" height="{tall:.1f}"/>'
            )
        if bar.withheld:  # a dashed stub, not a bar of zero
            parts.append(
                f'<rect class="kpi-withheld" x="{x + gap / 2:.1f}" y="{base - 8}" '
                f'width="{step - gap:.1f}" height="8"/>'
            )
        if with_values:  # a long series is read from its table
            parts.append(
                f'<text class="kpi-value kpi-small" x="{x + step / 2:.1f}" '
                f'y="{base - tall - 6:.1f}" text-anchor="middle">{escape(bar.text)}</text>'
            )
        if index % label_every == 0:
            parts.append(
                f'<text class="kpi-label kpi-small" x="{x + step / 2:.1f}" y="{base + 18}" '
                f'text-anchor="middle">{escape(bar.label)}</text>'
            )
    if marker is not None:
        at, text = marker
        x = left + at * step
        parts.append(f'<line class="kpi-marker" x1="{x:.1f}" y1="16" x2="{x:.1f}" y2="{base}"/>')
        parts.append(f'<text class="kpi-label kpi-small" x="{x + 4:.1f}" y="14">'
                     f"{escape(text)}</text>")  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def _open(chart_id: str, title: str, description: str, width: int, height: int) -> str:
    return (
        f'<svg class="kpi-chart" role="img" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-size="{FONT}" '
        'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )


def _scale_top(bars: Sequence[Bar], maximum: float | None) -> float:
    if maximum is not None:
        return maximum
    values = [bar.value for bar in bars if bar.value is not None]
    return max(values, default=0.0)


def _round_label(top: float) -> str:
    return f"{top:,.0f}" if top >= 1 or top == 0 else f"{top:.0%}"
