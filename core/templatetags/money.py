from decimal import Decimal

from django import template

from core.money import format_money

register = template.Library()


@register.filter(name="money")
def money(value: Decimal | int | str | None) -> str:
    """Print an amount as £1,432.50; blank for no value."""
    try:
        return format_money(value)
    except (TypeError, ValueError):
        return ""


@register.filter(name="weeks")
def weeks(value: Decimal | None) -> str:
    """Arrears in weeks of rent to one decimal place, e.g. 4.5."""
    if value is None:
        return ""
    return f"{Decimal(value):.1f}"
