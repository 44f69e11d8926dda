"""The geometry of the KPI dashboards' charts, drawn as inline SVG by the templates
(`templates/practicum/_kpi_chart.html`, `_kpi_bars.html`): horizontal bars comparing teams on
one KPI, and lines following KPIs over the simulated days.

Pure: plain values in (labels, Decimal values or None, the caller's formatting of a value),
coordinates out as strings in the chart's own units (its `viewBox`), so a template only places
them. The page has no script and no chart library: the server draws, and CSP stays strict. A
chart is scaled to its container's width by the browser; its text is sized for a chart about
400 units wide, which is a phone's width.

Axes use "nice" ticks, steps of 1, 2, 2.5 or 5 times a power of ten (Heckbert, "Nice numbers for
graph labels", Graphics Gems, 1990), and include zero, so bars start at zero and a loss draws to
the left of it. A missing value (None: an undefined KPI) draws nothing and breaks a line.
Arithmetic is exact (Fraction); coordinates are rounded to 0.1 unit.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

WIDTH = 400
PALETTE = ("#0f5e5c", "#a0611b", "#3b5ba9", "#b3261e", "#6b4c9a", "#1e6b3a", "#50595e", "#c2410c")
"""Series colours, the site's teal first; distinct at a glance and readable on white."""

MAX_DOTS = 400
"""A line chart marks each value with a dot (and its text on hover) up to this many values."""

_STEPS = (Fraction(1), Fraction(2), Fraction(5, 2), Fraction(5), Fraction(10))


def _unit(value) -> str:
    """A coordinate as text rounded to 0.1 (no float on the way)."""
    value = Fraction(value)
    rounded = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return format(rounded.normalize(), "f")


def nice_ticks(low, high, *, count: int = 4) -> list[Fraction]:
    """Tick values spanning [low, high] and zero, `count` intervals or a few more; when `count`
    + 1 intervals end exactly on the span and `count` do not (0 to 5 stars), those."""
    exact = _nice_ticks(low, high, count=count)
    if exact[-1] != max(Fraction(high), Fraction(0)):
        more = _nice_ticks(low, high, count=count + 1)
        if more[-1] == max(Fraction(high), Fraction(0)):
            return more
    return exact


def _nice_ticks(low, high, *, count: int) -> list[Fraction]:
    low, high = min(Fraction(low), Fraction(0)), max(Fraction(high), Fraction(0))
    if low == high:
        high = low + 1
    raw = (high - low) / count
    power = Fraction(1)
    while raw / power >= 10:
        power *= 10
    while raw / power < 1:
        power /= 10
    step = next(candidate * power for candidate in _STEPS if candidate * power >= raw)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    ticks, value = [], first
    while value <= last:
        ticks.append(value)
        value += step
    return ticks


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


@dataclass(frozen=True)
class Tick:
    position: str
    label: str
    anchor: str = "middle"


def _edge_anchored(ticks: list[Tick]) -> tuple[Tick, ...]:
    """Ticks along the x axis, the first label starting at its tick and the last ending at it,
    so that neither runs off the chart."""
    if len(ticks) < 2:
        return tuple(ticks)
    first, last = ticks[0], ticks[-1]
    return (Tick(first.position, first.label, "start"), *ticks[1:-1], Tick(last.position, last.label, "end"))


@dataclass(frozen=True)
class Bar:
    """One team's bar: its label above it, the bar from zero to its value, the value's text."""

    label: str
    value_text: str
    label_y: str
    y: str
    x: str
    width: str
    height: str
    text_x: str
    text_y: str
    text_anchor: str
    inside: bool
    negative: bool
    missing: bool
    highlight: bool


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    zero_x: str
    plot_top: str
    plot_bottom: str
    tick_y: str


def bar_chart(rows: Sequence[tuple[str, Decimal | None]], *, fmt: Callable[[Decimal], str] = str,
              tick_fmt: Callable[[Decimal], str] | None = None, domain: tuple | None = None,
              highlight: str | None = None, width: int = WIDTH) -> BarChart:
    """Horizontal bars, one per (label, value) in the given order, from zero; `domain` (low,
    high) fixes the axis (0–100 for a rate), else it spans the values and zero. `highlight`
    marks the bar with that label (the reader's own team). `fmt` writes a value, `tick_fmt` an
    axis tick (`fmt` by default)."""
    tick_fmt = tick_fmt or fmt
    left, right, top = 8, width - 8, 8
    row_height, bar_height = 34, 14
    values = [Fraction(value) for _label, value in rows if value is not None]
    low, high = domain if domain is not None else (min(values, default=0), max(values, default=1))
    ticks = nice_ticks(low, high)
    start, end = ticks[0], ticks[-1]
    scale = Fraction(right - left) / (end - start)

    def x_of(value):
        return left + (Fraction(value) - start) * scale

    zero = x_of(0)
    bars = []
    for index, (label, value) in enumerate(rows):
        label_y = top + index * row_height + 11
        y = label_y + 5
        if value is None:
            bars.append(Bar(label, "—", _unit(label_y), _unit(y), _unit(zero), "0", str(bar_height), _unit(zero + 4),
                            _unit(y + 11), "start", False, False, True, label == highlight))
            continue
        end_x = x_of(value)
        negative = Fraction(value) < 0
        x, bar_width = (end_x, zero - end_x) if negative else (zero, end_x - zero)
        inside = bar_width > (right - left) * Fraction(3, 5)
        if negative:
            text_x, anchor = (end_x + 4, "start") if inside else (end_x - 4, "end")
        else:
            text_x, anchor = (end_x - 4, "end") if inside else (end_x + 4, "start")
        bars.append(Bar(label, fmt(value), _unit(label_y), _unit(y), _unit(x), _unit(bar_width), str(bar_height),
                        _unit(text_x), _unit(y + 11), anchor, inside, negative, False, label == highlight))
    bottom = top + len(rows) * row_height + 4
    return BarChart(
        width=width, height=bottom + 18, bars=tuple(bars),
        ticks=_edge_anchored([Tick(_unit(x_of(tick)), tick_fmt(_decimal(tick))) for tick in ticks]),
        zero_x=_unit(zero), plot_top=_unit(top), plot_bottom=_unit(bottom), tick_y=_unit(bottom + 14),
    )


@dataclass(frozen=True)
class Dot:
    x: str
    y: str
    text: str


@dataclass(frozen=True)
class Line:
    """One series: its name and colour, its unbroken runs as polyline point lists, its dots."""

    name: str
    colour: str
    segments: tuple[str, ...]
    dots: tuple[Dot, ...]
    last_text: str
    highlight: bool


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    lines: tuple[Line, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    plot_left: str
    plot_right: str
    plot_top: str
    plot_bottom: str
    zero_y: str
    x_label_y: str
    empty: bool
    show_dots: bool


def line_chart(x_labels: Sequence[str], series: Sequence[tuple[str, Sequence[Decimal | None]]], *,
               fmt: Callable[[Decimal], str] = str, tick_fmt: Callable[[Decimal], str] | None = None,
               domain: tuple | None = None, highlight: str | None = None, width: int = WIDTH, height: int = 200,
               max_x_ticks: int = 5) -> LineChart:
    """Lines over the x positions `x_labels` (the days), one per (name, values aligned with
    them); `domain` fixes the y axis, else it spans the values and zero. A None value breaks its
    line; a lone value between two gaps is a dot. At most `max_x_ticks` x labels are shown,
    the first and the last always. `fmt` writes a value, `tick_fmt` a y tick (`fmt` by default)."""
    tick_fmt = tick_fmt or fmt
    left, right, top, bottom = 56, width - 10, 10, height - 24
    values = [Fraction(value) for _name, row in series for value in row if value is not None]
    low, high = domain if domain is not None else (min(values, default=0), max(values, default=1))
    ticks = nice_ticks(low, high)
    start, end = ticks[0], ticks[-1]
    count = len(x_labels)
    x_step = Fraction(right - left) / max(count - 1, 1)

    def x_of(index):
        return left + (x_step * index if count > 1 else Fraction(right - left) / 2)

    def y_of(value):
        return bottom - (Fraction(value) - start) * Fraction(bottom - top) / (end - start)

    lines = []
    for number, (name, row) in enumerate(series):
        segments, current, dots = [], [], []
        for index, value in enumerate(row):
            if value is None:
                if current:
                    segments.append(current)
                current = []
                continue
            point = (_unit(x_of(index)), _unit(y_of(value)))
            current.append(point)
            dots.append(Dot(point[0], point[1], f"{x_labels[index]}: {fmt(value)}"))
        if current:
            segments.append(current)
        last = next((value for value in reversed(row) if value is not None), None)
        lines.append(Line(
            name=name, colour=PALETTE[number % len(PALETTE)],
            segments=tuple(" ".join(f"{x},{y}" for x, y in segment) for segment in segments if len(segment) > 1),
            dots=tuple(dots), last_text="—" if last is None else fmt(last), highlight=name == highlight,
        ))
    shown = _spread(count, max_x_ticks)
    return LineChart(
        width=width, height=height, lines=tuple(lines),
        y_ticks=tuple(Tick(_unit(y_of(tick)), tick_fmt(_decimal(tick))) for tick in ticks),
        x_ticks=_edge_anchored([Tick(_unit(x_of(index)), x_labels[index]) for index in shown]),
        plot_left=str(left), plot_right=str(right), plot_top=str(top), plot_bottom=str(bottom),
        zero_y=_unit(y_of(0)), x_label_y=str(bottom + 16), empty=not values, show_dots=len(values) <= MAX_DOTS,
    )


def _spread(count: int, most: int) -> list[int]:
    """Up to `most` indexes of `count` evenly spread, the first and the last included."""
    if count <= most:
        return list(range(count))
    if most < 2:
        return [count - 1]
    return sorted({round(Fraction(i * (count - 1), most - 1)) for i in range(most)})


__all__ = ["PALETTE", "Bar", "BarChart", "Dot", "Line", "LineChart", "Tick", "bar_chart", "line_chart", "nice_ticks"]
