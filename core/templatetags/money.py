from decimal import Decimal

from django import template

from core.money import format_money, weeks_of

register = template.Library()


@register.filter(name="money")
def money(value: Decimal | int | str | None) -> str:
    """Print an amount as £1,432.50; blank for no value."""
    try:
        return format_money(value)
    except (TypeError, ValueError):
        return ""


@register.filter(name="weeks")
def weeks(value: Decimal | None, weekly_charge: Decimal | None = None) -> str:
    """Arrears in weeks to one decimal place: `{{ amount|weeks:weekly_charge }}`, or
    `{{ weeks_value|weeks }}` for a figure already in weeks."""
    if weekly_charge is not None:
        value = weeks_of(value, weekly_charge)
    if value is None:
        return ""
    return f"{Decimal(value):.1f}"
