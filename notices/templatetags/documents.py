"""Filters for document templates, whose contexts hold ISO date strings (notices/contexts.py)."""

from datetime import date, datetime

from django import template

register = template.Library()


def _as_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return date.fromisoformat(value[:10])
    return None


@register.filter
def longdate(value) -> str:
    """3 March 2027."""
    day = _as_date(value)
    return f"{day.day} {day:%B %Y}" if day else ""


@register.filter
def weekdaydate(value) -> str:
    """Wednesday 3 March 2027."""
    day = _as_date(value)
    return f"{day:%A} {day.day} {day:%B %Y}" if day else ""


@register.filter
def shortdate(value) -> str:
    """03/03/2027, for tables."""
    day = _as_date(value)
    return f"{day:%d/%m/%Y}" if day else ""


@register.filter
def joinand(values) -> str:
    """8, 10 and 11."""
    items = [str(v) for v in values or []]
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
