"""SVG charts of daily figures, drawn on the server: figures in, SVG text out.

Pure and deterministic: the same figures give the same bytes. Each chart is one
``<svg>`` element, well-formed XML, with its own ``<title>`` and ``aria-label`` for
screen readers and a ``<title>`` per day that browsers show as a tooltip. Text and
axes are drawn in ``currentColor``, so a chart follows the page's light or dark
colours; series colours are the Okabe–Ito palette, told apart with colour blindness.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

# Okabe–Ito, blue first; the grey is kept for what is grouped as "other".
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
OTHER_COLOR = "#999999"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

FONT = 'font-family="system-ui, sans-serif" font-size="12"'
# Room for the y labels (a compact count is at most 6 characters), the x labels and
# a legend row; a character of 12px system-ui text is about 7px wide.
LEFT = 52
RIGHT = 12
TOP = 8
BOTTOM = 24
LEGEND_ROW = 20
CHARACTER_WIDTH = 7
# A y axis with about this many steps reads at a glance.
Y_STEPS = 5
# Bars narrower than this get no gap between them, which would leave nothing visible;
# wider than the widest, a chart of a few days would look like a block.
MIN_GAPPED_BAR = 3
MAX_BAR = 40


@dataclass(frozen=True)
class Series:
    """One layer of a stacked chart: its name in the legend, colour and one value a day."""

    label: str
    color: str
    values: tuple[int, ...]


def grouped(number: int) -> str:
    """``number`` with thousands separators: ``12,345``."""
    return f"{number:,}"


def compact(number: int) -> str:
    """``number`` in at most four significant characters and a suffix: ``950``,
    ``1.2k``, ``34k``, ``5.6M``, ``7.8G``."""
    for divisor, suffix in ((10**9, "G"), (10**6, "M"), (10**3, "k")):
        if abs(number) >= divisor:
            scaled = number / divisor
            text = f"{scaled:.1f}" if abs(scaled) < 10 else f"{scaled:.0f}"
            return text.removesuffix(".0") + suffix
    return str(number)


def human_bytes(count: int) -> str:
    """A byte count in decimal units: ``512 B``, ``1.5 kB``, ``23 MB``, ``4.1 GB``."""
    if count < 1000:
        return f"{count} B"
    value = float(count)
    for unit in ("kB", "MB", "GB", "TB", "PB"):
        value /= 1000
        if value < 1000 or unit == "PB":
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    raise AssertionError("unreachable: the loop returns at PB")


def nice_ticks(top: int, steps: int = Y_STEPS) -> tuple[int, ...]:
    """Round y-axis ticks from 0 to at least ``top``, in steps of 1, 2 or 5 times a
    power of ten, about ``steps`` of them; ``(0, 1)`` when ``top`` is 0."""
    if top <= 0:
        return (0, 1)
    magnitude = 1
    while True:
        step = next((m * magnitude for m in (1, 2, 5) if m * magnitude * steps >= top), None)
        if step is not None:
            break
        magnitude *= 10
    count = -(-top // step)
    return tuple(step * i for i in range(count + 1))


def date_ticks(first: date, last: date) -> tuple[date, ...]:
    """The days between ``first`` and ``last`` (both included) that get a label on a
    time axis: every day for a week or so, then every other day, Mondays, the 1st and
    16th, then the first of every 1, 2, 3, 6 or 12 months: at most about ten."""
    span = (last - first).days + 1
    days = [first + timedelta(days=offset) for offset in range(span)]
    if span <= 10:
        return tuple(days)
    if span <= 20:
        return tuple(days[::2])
    if span <= 70:
        return tuple(day for day in days if day.weekday() == 0)
    if span <= 150:
        return tuple(day for day in days if day.day in (1, 16))
    every = next((months for months in (1, 2, 3, 6) if span / 30.4 / months <= 9), 12)
    return tuple(day for day in days if day.day == 1 and (day.month - 1) % every == 0)


def _tick_labels(ticks: Sequence[date]) -> list[str]:
    """Short labels; the year on the first and wherever it changes."""
    monthly = len(ticks) > 1 and all(tick.day == 1 for tick in ticks) and len({t.month for t in ticks}) == len(ticks)
    labels = []
    for index, tick in enumerate(ticks):
        text = MONTHS[tick.month - 1] if monthly else f"{tick.day} {MONTHS[tick.month - 1]}"
        if index == 0 or tick.year != ticks[index - 1].year:
            text += f" {tick.year}"
        labels.append(text)
    return labels


def _number(value: float) -> str:
    """A coordinate with two decimals at most, so the output is short and stable."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _legend(series: Sequence[Series], width: int) -> tuple[list[str], int]:
    """The legend's elements, laid out in rows that fit ``width``, and its height."""
    elements = []
    x, row = LEFT, 0
    for layer in series:
        item_width = 18 + CHARACTER_WIDTH * len(layer.label) + 16
        if x > LEFT and x + item_width > width - RIGHT:
            x, row = LEFT, row + 1
        y = TOP + row * LEGEND_ROW
        elements.append(
            f'<rect x="{x}" y="{y + 2}" width="12" height="12" fill="{layer.color}"/>'
            f'<text x="{x + 18}" y="{y + 12}" fill="currentColor">{escape(layer.label)}</text>'
        )
        x += item_width
    return elements, (row + 1) * LEGEND_ROW if series else 0


def stacked_bars(*, title: str, first: date, series: Sequence[Series], unit: str,
                 width: int = 960, plot_height: int = 200) -> str:
    """A chart of one bar a day from ``first``, each stacked from ``series`` (bottom
    first); ``unit`` names what is counted in each day's tooltip (``subscribers``)."""
    span = len(series[0].values) if series else 0
    legend, legend_height = _legend(series, width)
    plot_top = TOP + legend_height + 4
    plot_width = width - LEFT - RIGHT
    height = plot_top + plot_height + BOTTOM
    totals = [sum(layer.values[day] for layer in series) for day in range(span)]
    ticks = nice_ticks(max(totals, default=0))
    scale = plot_height / ticks[-1]
    baseline = plot_top + plot_height
    last = first + timedelta(days=max(span - 1, 0))
    label = f"{title}, {span} day{'s' if span != 1 else ''} from {first.isoformat()} to {last.isoformat()}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{escape(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" {FONT}>',
        f"<title>{escape(label)}</title>",
        *legend,
    ]
    for tick in ticks:
        level = _number(baseline - tick * scale)
        parts.append(
            f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{level}" y2="{level}" stroke="currentColor" '
            f'stroke-opacity="{0.6 if tick == 0 else 0.15}"/>'
            f'<text x="{LEFT - 6}" y="{level}" dy="4" text-anchor="end" fill="currentColor">{compact(tick)}</text>'
        )
    band = plot_width / max(span, 1)
    bar = min(band * 0.8, MAX_BAR) if band >= MIN_GAPPED_BAR else band
    for day in range(span):
        x = LEFT + day * band + (band - bar) / 2
        when = first + timedelta(days=day)
        breakdown = ", ".join(f"{layer.label} {grouped(layer.values[day])}" for layer in series)
        parts.append(f"<g><title>{when.isoformat()}: {grouped(totals[day])} {escape(unit)}"
                     f"{' (' + escape(breakdown) + ')' if totals[day] else ''}</title>")
        y = float(baseline)
        for layer in series:
            value = layer.values[day]
            if value:
                y -= value * scale
                parts.append(f'<rect x="{_number(x)}" y="{_number(y)}" width="{_number(bar)}" '
                             f'height="{_number(value * scale)}" fill="{layer.color}"/>')
        # An invisible column over the whole day, so a day's tooltip shows wherever
        # the pointer is above it, a day of zero included.
        parts.append(f'<rect x="{_number(LEFT + day * band)}" y="{plot_top}" width="{_number(band)}" '
                     f'height="{plot_height}" fill="#000" fill-opacity="0"/></g>')
    if span:
        labelled = date_ticks(first, last)
        for day_tick, text in zip(labelled, _tick_labels(labelled), strict=True):
            centre = _number(LEFT + ((day_tick - first).days + 0.5) * band)
            parts.append(
                f'<line x1="{centre}" x2="{centre}" y1="{baseline}" y2="{baseline + 4}" stroke="currentColor"/>'
                f'<text x="{centre}" y="{baseline + 17}" text-anchor="middle" fill="currentColor">{text}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def sparkline(values: Sequence[int], *, label: str, width: int = 120, height: int = 24) -> str:
    """A small line of ``values`` (one a day) with no axes, for a table row; its
    tooltip and ``aria-label`` say ``label`` and the range of the values."""
    low, high = min(values, default=0), max(values, default=0)
    text = f"{label}: {grouped(low)} to {grouped(high)}" if low != high else f"{label}: {grouped(high)}"
    step = (width - 2) / max(len(values) - 1, 1)
    span = max(high - low, 1)
    points = " ".join(
        f"{_number(1 + index * step)},{_number(height - 2 - (value - low) / span * (height - 4))}"
        for index, value in enumerate(values)
    )
    if len(values) == 1:
        # One day draws no line: a dot stands for it.
        shape = f'<circle cx="{width / 2:g}" cy="{height / 2:g}" r="2" fill="{PALETTE[0]}"/>'
    else:
        shape = f'<polyline points="{points}" fill="none" stroke="{PALETTE[0]}" stroke-width="1.5"/>'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" role="img" aria-label="{escape(text)}" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f"<title>{escape(text)}</title>{shape if values else ''}</svg>")
