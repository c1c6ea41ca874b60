"""Horizontal bar charts drawn on the server as inline SVG: no script, no chart library.

The template draws the SVG from :class:`BarChart` geometry and repeats the figures in a
data table, so the chart is decoration for sighted readers and the table is the data
for everyone (screen readers, no-CSS browsers, copy and paste).
"""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 300
"""Pixels left of the bars for the labels (long stream names are cut with an ellipsis)."""
BAR_AREA = 380
VALUE_WIDTH = 110
ROW_HEIGHT = 26
MAX_LABEL = 36


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str
    """The value as shown beside the bar and in the table (``"1,200 t/a"``)."""
    y: int
    width: float
    short_label: str


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    unit: str
    bars: tuple[Bar, ...]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_area: int = BAR_AREA
    row_height: int = ROW_HEIGHT


def bar_chart(
    title: str, description: str, unit: str, data: list[tuple[str, float, str]]
) -> BarChart | None:
    """A chart of ``(label, value, text)`` bars, largest first; ``None`` without data."""
    data = [item for item in data if item[1] > 0]
    if not data:
        return None
    data.sort(key=lambda item: -item[1])
    largest = data[0][1]
    bars = tuple(
        Bar(
            label=label,
            value=value,
            text=text,
            y=index * ROW_HEIGHT,
            width=max(1.0, round(BAR_AREA * value / largest, 1)),
            short_label=label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…",
        )
        for index, (label, value, text) in enumerate(data)
    )
    return BarChart(
        title=title,
        description=description,
        unit=unit,
        bars=bars,
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=len(bars) * ROW_HEIGHT,
    )
