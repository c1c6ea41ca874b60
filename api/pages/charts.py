"""Horizontal bar charts drawn on the server as inline SVG: no script, no chart library.

The template draws the SVG from :class:`BarChart` geometry and repeats the figures in a
data table, so the chart is decoration for sighted readers and the table is the data
for everyone (screen readers, no-CSS browsers, copy and paste).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

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
    headings: tuple[str, str] | None = None
    """The data table's column headings (default: stream or country, recoverable mass)."""


def bar_chart(
    title: str,
    description: str,
    unit: str,
    data: list[tuple[str, float, str]],
    *,
    ordered: bool = False,
    headings: tuple[str, str] | None = None,
) -> BarChart | None:
    """A chart of ``(label, value, text)`` bars, largest first (``ordered``: in the order
    given, such as years); ``None`` without data."""
    data = [item for item in data if item[1] > 0]
    if not data:
        return None
    if not ordered:
        data.sort(key=lambda item: -item[1])
    largest = max(item[1] for item in data)
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
        headings=headings,
    )


def history_chart(versions: list[dict[str, Any]]) -> BarChart | None:
    """A stream's quantity in each reporting year (``GET /streams/{identifier}``'s
    ``history``), oldest first; ``None`` unless two versions in one unit have a quantity."""
    from catalogue.matching.explain import number

    given = [v for v in versions if v.get("quantity") is not None and v.get("year") is not None]
    units = {v.get("unit") for v in given}
    if len(given) < 2 or len(units) != 1:
        return None
    unit = units.pop() or ""
    return bar_chart(
        "Quantity by reporting year",
        f"The quantity reported for each year, in {unit}.",
        unit,
        [
            (str(v["year"]), float(v["quantity"]), f"{number(Decimal(str(v['quantity'])))} {unit}")
            for v in given
        ],
        ordered=True,
        headings=("Reporting year", "Quantity"),
    )
