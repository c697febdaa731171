"""Chart geometry for the page's inline SVG: scales, ticks and shapes in pixels.

The numbers come from the analyses; this module only places them, and the template
(``templates/charts.html.j2``) draws what it places. Hand-placed SVG instead of matplotlib:
a chart is a few hundred bytes and no second of import time, and the page stays one file
with nothing to fetch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT = 560, 230
LEFT, RIGHT, TOP, BOTTOM = 64, 14, 14, 46
#: one colour per series, ColorBrewer "Set1"-like but darker, legible on white
COLORS = ("#2b6cb0", "#dd6b20", "#2f855a", "#6b46c1")

Fmt = Callable[[float], str]


@dataclass
class Chart:
    """What the template draws: an axis with ticks, bars, lines, marks, labels, a legend."""

    title: str
    caption: str
    ticks: list[tuple[float, str]]
    xlabels: list[tuple[float, str]] = field(default_factory=list)
    bars: list[dict[str, object]] = field(default_factory=list)
    lines: list[dict[str, object]] = field(default_factory=list)
    marks: list[dict[str, object]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    right: int = WIDTH - RIGHT


def ticks(high: float) -> list[float]:
    """Round tick values from 0 to at least ``high``: steps of 1, 2 or 5 × 10^k, at most 6."""
    if high <= 0:
        return [0.0, 1.0]
    raw = high / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [i * step for i in range(math.ceil(high / step - 1e-9) + 1)]


def y_px(value: float, top: float) -> float:
    """The y pixel of ``value`` on an axis from 0 (the plot's bottom) to ``top``."""
    return round(HEIGHT - BOTTOM - value / top * (HEIGHT - BOTTOM - TOP), 1)


def frame(title: str, caption: str, high: float, fmt: Fmt) -> tuple[Chart, float]:
    """An empty chart whose y axis runs from 0 to a round value at least ``high``, ticks
    written by ``fmt``; and that value, the top to place points with :func:`y_px`."""
    values = ticks(high)
    chart = Chart(title, caption, [(y_px(v, values[-1]), fmt(v)) for v in values])
    return chart, values[-1]


def bars(title: str, caption: str, labels: Sequence[str],
         series: Sequence[tuple[str, Sequence[float]]], fmt: Fmt,
         tips: Sequence[Sequence[str]] | None = None, high: float | None = None) -> Chart:
    """Grouped bars: one group per label, one bar per series, on an axis up to ``high``
    (default the tallest bar)."""
    if high is None:
        high = max((v for _, vs in series for v in vs), default=0.0)
    chart, top = frame(title, caption, high, fmt)
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(labels))
    width = slot * 0.8 / max(1, len(series))
    for i, label in enumerate(labels):
        x0 = LEFT + i * slot + slot * 0.1
        chart.xlabels.append((round(x0 + slot * 0.4, 1), label))
        for j, (name, values) in enumerate(series):
            y = y_px(values[i], top)
            tip = tips[j][i] if tips else f"{label}: {fmt(values[i])} {name}"
            chart.bars.append({"x": round(x0 + j * width, 1), "y": y, "w": round(width, 1),
                               "h": round(HEIGHT - BOTTOM - y, 1), "color": COLORS[j],
                               "tip": tip})
    chart.legend = [(name, COLORS[j]) for j, (name, _) in enumerate(series)] if len(series) > 1 else []
    return chart


def line(chart: Chart, name: str, values: Sequence[float], top: float, color: str) -> None:
    """Add a polyline of ``values`` over the chart's width (one x step per value)."""
    xs = _xs(len(values))
    points = " ".join(f"{x},{y_px(v, top)}" for x, v in zip(xs, values))
    chart.lines.append({"points": points, "color": color, "name": name})
    chart.legend.append((name, color))


def _xs(n: int) -> list[float]:
    span = WIDTH - LEFT - RIGHT
    return [round(LEFT + (i + 0.5) * span / max(1, n), 1) for i in range(n)]


def curve(title: str, caption: str, values: Sequence[float], fmt: Fmt, *,
          labels: Sequence[tuple[int, str]] = (), mark: int | None = None,
          mark_text: str = "") -> Chart:
    """A line over positions ``0..n-1``; ``labels`` name some positions on the x axis and
    ``mark`` rings one point (a peak) with ``mark_text`` beside it."""
    chart, top = frame(title, caption, max(values, default=0.0), fmt)
    xs = _xs(len(values))
    chart.lines.append({"points": " ".join(f"{x},{y_px(v, top)}" for x, v in zip(xs, values)),
                        "color": COLORS[0], "name": title})
    chart.xlabels = [(xs[i], text) for i, text in labels]
    if mark is not None and values:
        chart.marks.append({"x": xs[mark], "y": y_px(values[mark], top), "text": mark_text,
                            "anchor": "end" if xs[mark] > WIDTH / 2 else "start"})
    return chart
