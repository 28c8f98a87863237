"""A server-rendered horizontal bar chart: one bar per patch or officer, with its target.

Geometry only; templates/performance/_bar_chart.html draws it with the app-chart
classes (no style attributes, so the Content Security Policy holds) and gives the same
figures as a table.
"""

from dataclasses import dataclass
from decimal import Decimal

LABEL_WIDTH = 200
PLOT_WIDTH = 380
VALUE_WIDTH = 80
BAR_HEIGHT = 22
ROW_HEIGHT = 34
TOP = 8
BOTTOM = 28


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None
    target: Decimal | None
    y: float
    text_y: float
    width: float
    target_x: float | None


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_bottom: int
    bars: list[Bar]
    ticks: list[tuple[float, str]]
    bar_height: int


def bar_chart(items: list[tuple[str, Decimal | None, Decimal | None]]) -> BarChart | None:
    """Percentages as bars from 0 to at least 100%; None when there is nothing to draw."""
    if not items:
        return None
    values = [v for _, v, _ in items if v is not None] + [t for _, _, t in items if t is not None]
    top = max([Decimal(100), *values])
    top = ((top + 9) // 10) * 10

    def x(value: Decimal) -> float:
        return round(LABEL_WIDTH + PLOT_WIDTH * float(value / top), 1)

    bars = []
    for index, (label, value, target) in enumerate(items):
        y = TOP + index * ROW_HEIGHT
        bars.append(
            Bar(
                label=label,
                value=value,
                target=target,
                y=y,
                text_y=y + BAR_HEIGHT / 2,
                width=round(x(value) - LABEL_WIDTH, 1) if value else 0,
                target_x=x(target) if target is not None else None,
            )
        )
    plot_bottom = TOP + len(items) * ROW_HEIGHT
    step = Decimal(25) if top <= 100 else Decimal(50)
    ticks = []
    tick = Decimal(0)
    while tick <= top:
        ticks.append((x(tick), f"{tick:.0f}%"))
        tick += step
    return BarChart(
        width=LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH,
        height=plot_bottom + BOTTOM,
        plot_left=LABEL_WIDTH,
        plot_right=LABEL_WIDTH + PLOT_WIDTH,
        plot_bottom=plot_bottom,
        bars=bars,
        ticks=ticks,
        bar_height=BAR_HEIGHT,
    )
