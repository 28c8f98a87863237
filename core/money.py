"""Money: one rounding rule for the whole service.

Amounts are Decimal pounds with two places. Anything computed (a weekly figure
turned monthly, a share of a charge) is rounded half-up to the penny here and
nowhere else, so letters, the ledger and the engine agree to the penny.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value: Decimal | int | str) -> Decimal:
    """Round a value to the penny, half up; refuses floats so none slip in."""
    if isinstance(value, float):
        raise TypeError("Money must not be a float; pass a Decimal or a string")
    try:
        return Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not an amount of money") from exc


def format_money(value: Decimal | int | str | None, *, blank: str = "") -> str:
    """£1,432.50 and -£12.00, as officers read them."""
    if value is None or value == "":
        return blank
    amount = to_money(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def weeks_of(amount: Decimal | None, weekly_charge: Decimal | None) -> Decimal | None:
    """Arrears in weeks: amount owed over the current weekly charge, to one decimal place.

    The basis officers and notices use (legal-reference.md §16, engine convention 2).
    None when there is no weekly charge to divide by.
    """
    if amount is None or not weekly_charge:
        return None
    return (Decimal(amount) / Decimal(weekly_charge)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
