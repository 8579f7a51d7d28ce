"""Charts drawn on the server as inline SVG: no script, readable by screen readers (title and
description), printable. The template macro ``bar_chart`` in _macros.html draws what this lays out."""
from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 150  # room for an item name of about ten Chinese characters
BAR_AREA = 300
VALUE_WIDTH = 80
ROW_HEIGHT = 30
BAR_HEIGHT = 18
TOP = 8
AXIS = 22  # the axis labels under the bars
MAX_LABEL = 10  # characters shown; the full name is in the bar's own title


@dataclass
class Bar:
    label: str  # the full name
    short_label: str
    value: float | None  # 0..1; None: nothing to measure yet
    text: str  # the value as printed beside the bar
    y: int
    width: float


@dataclass
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_area: int
    bar_height: int
    ticks: list[tuple[float, str]]  # x position, label


def rate_chart(rows: list[tuple[str, float | None]], *, empty_text: str) -> BarChart:
    """Horizontal bars of rates (0..1), one per row, in the order given; ``empty_text`` stands beside a
    row whose rate is None."""
    bars = []
    for i, (label, value) in enumerate(rows):
        clamped = None if value is None else min(max(value, 0.0), 1.0)
        short = label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1] + "…"
        bars.append(Bar(label=label, short_label=short, value=clamped,
                        text=empty_text if clamped is None else percent(clamped), y=TOP + i * ROW_HEIGHT,
                        width=0.0 if clamped is None else round(clamped * BAR_AREA, 1)))
    ticks = [(LABEL_WIDTH + BAR_AREA * f, f"{int(f * 100)}%") for f in (0, 0.25, 0.5, 0.75, 1)]
    return BarChart(bars=bars, width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
                    height=TOP + len(bars) * ROW_HEIGHT + AXIS, label_width=LABEL_WIDTH, bar_area=BAR_AREA,
                    bar_height=BAR_HEIGHT, ticks=ticks)


def percent(value: float) -> str:
    """0.8667 -> 86.7%, 1.0 -> 100%."""
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"
