"""Charts drawn on the server as inline SVG: no JavaScript, no chart library, readable in print.

A chart is a few series over the same weeks (the rep, the team, the org). Values may be missing (a rate
without a denominator that week): the line breaks there instead of inventing a point. Every chart carries a
text equivalent (``<title>`` and ``<desc>``) for screen readers, and the numbers are also printed beside it
by the templates, so colour is never the only carrier of meaning.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Styles by role of the series; CSS (portal.css) colours them through these classes.
STYLES = ("rep", "team", "org")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    style: str = "rep"


def _scale(low: float, high: float, size: float, pad: float, invert: bool) -> Callable[[float], float]:
    span = high - low or 1.0

    def to_px(value: float) -> float:
        share = (value - low) / span
        return pad + (1 - share if invert else share) * (size - 2 * pad)

    return to_px


def _segments(values: Sequence[float | None]) -> list[list[tuple[int, float]]]:
    """Runs of consecutive known values: a missing week breaks the line."""
    runs: list[list[tuple[int, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((index, float(value)))
    return [run for run in runs if run]


def _short(day: date) -> str:
    return f"{day.day} {day:%b}"


def line_chart(
    series: Sequence[Series],
    weeks: Sequence[date],
    *,
    fmt: Callable[[float], str],
    title: str,
    width: int = 320,
    height: int = 132,
) -> SafeString:
    """An SVG line chart of ``series`` over ``weeks`` (oldest first), its y axis labelled with ``fmt``."""
    known = [float(v) for s in series for v in s.values if v is not None]
    label = escape(title)
    if not known or not weeks:
        return mark_safe(
            f'<svg class="chart chart--empty" viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
            f"<title>{label}: no data in these weeks</title>"
            f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" class="chart__note">'
            f"No data in these weeks</text></svg>"
        )
    low, high = min(known), max(known)
    if low == high:
        low, high = low - (abs(low) * 0.1 or 1.0), high + (abs(high) * 0.1 or 1.0)
    if low > 0 and low < (high - low) * 0.5:
        low = 0.0  # start at zero when it costs little height: it keeps proportions honest
    labels = {high: axis_label(fmt(high)), low: axis_label(fmt(low))}
    # Room on the left for the longer axis label (about 6 px a character at the axis' 10 px font).
    left = 10 + 6 * max(len(label) for label in labels.values())
    right, top, bottom = 10, 10, 20
    x_of = _scale(0, max(len(weeks) - 1, 1), width - left - right, 0, invert=False)
    y_of = _scale(low, high, height - top - bottom, 0, invert=True)

    def point(index: int, value: float) -> tuple[float, float]:
        return left + x_of(index), top + y_of(value)

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{label}" '
        f'preserveAspectRatio="xMidYMid meet">',
        f"<title>{label}</title>",
        f"<desc>{escape(_describe(series, weeks, fmt))}</desc>",
    ]
    for value in (high, low):
        y = top + y_of(value)
        parts.append(f'<line class="chart__grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="chart__axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(labels[value])}</text>'
        )
    parts.append(f'<text class="chart__axis" x="{left}" y="{height - 4}" text-anchor="start">{_short(weeks[0])}</text>')
    parts.append(
        f'<text class="chart__axis" x="{width - right}" y="{height - 4}" text-anchor="end">{_short(weeks[-1])}</text>'
    )
    # The rep last, so their line sits on top.
    for line in sorted(series, key=lambda s: s.style == "rep"):
        style = line.style if line.style in STYLES else "rep"
        for run in _segments(line.values):
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in run))
            if len(run) == 1:
                x, y = point(*run[0])
                parts.append(f'<circle class="chart__dot chart__dot--{style}" cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>')
            else:
                parts.append(f'<polyline class="chart__line chart__line--{style}" points="{coords}"/>')
        last = next(((i, v) for i, v in reversed(list(enumerate(line.values))) if v is not None), None)
        if last is not None and style == "rep":
            x, y = point(last[0], float(last[1]))
            parts.append(f'<circle class="chart__dot chart__dot--{style}" cx="{x:.1f}" cy="{y:.1f}" r="3"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def axis_label(text: str) -> str:
    """An axis label without its unit words ("4.5/week" -> "4.5"): the chart's caption names the unit."""
    for suffix in (" per 91 days open", " per deal", "/week", " days"):
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return text


def _describe(series: Sequence[Series], weeks: Sequence[date], fmt: Callable[[float], str]) -> str:
    """One sentence per series: where it started and where it is now, for screen readers."""
    sentences = []
    for line in series:
        points = [(weeks[i], v) for i, v in enumerate(line.values) if v is not None and i < len(weeks)]
        if not points:
            sentences.append(f"{line.name}: no data.")
            continue
        (first_week, first), (last_week, last) = points[0], points[-1]
        sentences.append(
            f"{line.name}: {fmt(first)} in the week of {_short(first_week)}, {fmt(last)} in the week of "
            f"{_short(last_week)}."
        )
    return " ".join(sentences)


def severity_level(severity: float | None) -> int:
    """0 (no gap) to 4 (severe): the heat grid's five shades."""
    if severity is None or severity <= 0:
        return 0
    if severity < 0.25:
        return 1
    if severity < 0.5:
        return 2
    if severity < 0.75:
        return 3
    return 4


SEVERITY_WORDS = {0: "no gap", 1: "mild", 2: "moderate", 3: "marked", 4: "severe"}
