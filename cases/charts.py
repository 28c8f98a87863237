"""A server-rendered SVG line chart of a balance over time.

The geometry is worked out here and drawn by templates/cases/_balance_chart.html with
the `app-chart__*` classes (colour lives in the stylesheet, never in a style attribute,
so the chart passes the Content Security Policy and prints legibly).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.money import format_money

WIDTH = 640
HEIGHT = 260
LEFT = 72  # room for the amounts on the y axis
RIGHT = 12
TOP = 12
BOTTOM = 36  # room for the months on the x axis


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class BalanceChart:
    width: int
    height: int
    line: str  # SVG points for the polyline
    area: str  # SVG points for the polygon under the line, down to zero
    points: list[tuple[float, float, date, Decimal]]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    zero_y: float
    threshold_y: float | None
    threshold_label: str
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int


def _nice_step(span: Decimal) -> Decimal:
    """A round step giving four to eight gridlines: 1, 2 or 5 times a power of ten."""
    if span <= 0:
        return Decimal(100)
    raw = span / 5
    power = Decimal(10) ** (len(str(int(raw))) - 1) if raw >= 1 else Decimal(1)
    for multiple in (1, 2, 5, 10):
        if raw <= power * multiple:
            return power * multiple
    return power * 10


def balance_chart(
    points: list[tuple[date, Decimal]],
    *,
    threshold: Decimal | None = None,
    threshold_label: str = "",
) -> BalanceChart | None:
    """Scale the points into the chart's box; None when there is nothing to draw."""
    if len(points) < 2:
        return None
    values = [value for _, value in points]
    if threshold is not None and threshold > 0:
        values.append(threshold)
    low = min([*values, Decimal(0)])
    high = max([*values, Decimal(0)])
    step = _nice_step(high - low)
    low = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    high = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    if high == low:
        high = low + step
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    first_day, last_day = points[0][0], points[-1][0]
    days = max((last_day - first_day).days, 1)

    def x(day: date) -> float:
        return round(LEFT + plot_w * (day - first_day).days / days, 1)

    def y(value: Decimal) -> float:
        return round(TOP + plot_h * float((high - value) / (high - low)), 1)

    scaled = [(x(day), y(value), day, value) for day, value in points]
    line = " ".join(f"{px},{py}" for px, py, _, _ in scaled)
    zero_y = y(Decimal(0))
    area = f"{scaled[0][0]},{zero_y} {line} {scaled[-1][0]},{zero_y}"
    y_ticks = []
    tick = low
    while tick <= high:
        y_ticks.append(Tick(y(tick), format_money(tick).replace(".00", "")))
        tick += step
    x_ticks = [
        Tick(px, f"{day:%b %Y}")
        for index, (px, _py, day, _v) in enumerate(scaled[:-1])
        if (len(scaled) - 2 - index) % 6 == 0
    ]
    return BalanceChart(
        width=WIDTH,
        height=HEIGHT,
        line=line,
        area=area,
        points=scaled,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        zero_y=zero_y,
        threshold_y=y(threshold) if threshold is not None and threshold > 0 else None,
        threshold_label=threshold_label,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=HEIGHT - BOTTOM,
    )
