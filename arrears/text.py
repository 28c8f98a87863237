"""Dates and money as the engine's reasons print them, fast enough for every case a night.

The engine writes a few sentences per case for tens of thousands of cases; these two
helpers are on that path. `money_text` gives exactly core.money.format_money's text for
amounts already in whole pence (every amount the engine prints is), without rounding
them again; `long_date` remembers the few hundred dates a night prints.
"""

from datetime import date
from decimal import Decimal
from functools import lru_cache


def money_text(amount: Decimal) -> str:
    """£1,432.50 and -£12.00, for an amount already in pence."""
    return f"-£{-amount:,.2f}" if amount < 0 else f"£{amount:,.2f}"


@lru_cache(maxsize=4096)
def long_date(day: date) -> str:
    """3 March 2027."""
    return f"{day:%-d %B %Y}"
