"""Server-rendered charts: a horizontal bar per patch or officer with its target, and the
52-week trend line drawn from the daily snapshots.

Geometry only; templates/performance/_bar_chart.html draws it with the app-chart
classes (no style attributes, so the Content Security Policy holds) and gives the same
figures as a table.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
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


# The 52-week trend: a line over the weeks, a gap where a week has no snapshot.

TREND_WIDTH = 660
TREND_HEIGHT = 240
TREND_LEFT = 84  # room for the amounts on the y axis
TREND_RIGHT = 16
TREND_TOP = 12
TREND_BOTTOM = 36


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    segments: list[str]  # SVG points of each unbroken run of weeks
    dots: list[tuple[float, float]]  # a week standing alone between gaps
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    target_y: float | None
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int


def _step(span: Decimal) -> Decimal:
    """A round step for four to eight gridlines: 1, 2 or 5 times a power of ten."""
    if span <= 0:
        return Decimal(1)
    raw = span / 5
    power = Decimal(1)
    while power * 10 <= raw:
        power *= 10
    while power > raw and power > Decimal("0.01"):
        power /= 10
    for multiple in (1, 2, 5, 10):
        if raw <= power * multiple:
            return power * multiple
    return power * 10


def line_chart(
    points: list[tuple[date, Decimal | None]],
    *,
    label: Callable[[Decimal], str],
    target: Decimal | None = None,
    from_zero: bool = True,
) -> LineChart | None:
    """A line through the weeks' values; None when no week has one."""
    values = [v for _, v in points if v is not None]
    if not values:
        return None
    low = min([*values, *([target] if target is not None else [])])
    high = max([*values, *([target] if target is not None else [])])
    if from_zero:
        low = min(low, Decimal(0))
    step = _step(high - low or abs(high) or Decimal(1))
    bottom = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    top = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    if top == bottom:
        top = bottom + step
    plot_right = TREND_WIDTH - TREND_RIGHT
    plot_bottom = TREND_HEIGHT - TREND_BOTTOM
    span_x = max(len(points) - 1, 1)

    def x(index: int) -> float:
        return round(TREND_LEFT + (plot_right - TREND_LEFT) * index / span_x, 1)

    def y(value: Decimal) -> float:
        share = float((value - bottom) / (top - bottom))
        return round(plot_bottom - (plot_bottom - TREND_TOP) * share, 1)

    segments: list[str] = []
    dots: list[tuple[float, float]] = []
    run: list[tuple[float, float]] = []
    for index, (_, value) in enumerate([*points, (None, None)]):
        if value is not None:
            run.append((x(index), y(value)))
            continue
        if len(run) > 1:
            segments.append(" ".join(f"{a},{b}" for a, b in run))
        elif run:
            dots.append(run[0])
        run = []
    y_ticks = []
    tick = bottom
    while tick <= top:
        y_ticks.append(Tick(y(tick), label(tick)))
        tick += step
    x_ticks = []
    seen: set[tuple[int, int]] = set()
    for index, (day, _) in enumerate(points):
        month = (day.year, day.month)
        # The first week of every third month, so the labels do not crowd.
        if month not in seen and day.month % 3 == 1:
            x_ticks.append(Tick(x(index), f"{day:%b %Y}"))
        seen.add(month)
    return LineChart(
        width=TREND_WIDTH,
        height=TREND_HEIGHT,
        segments=segments,
        dots=dots,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        target_y=y(target) if target is not None else None,
        plot_left=TREND_LEFT,
        plot_right=plot_right,
        plot_top=TREND_TOP,
        plot_bottom=plot_bottom,
    )
