"""Limitation: when a debt can no longer be claimed in court (legal-reference.md §13).

- Limitation Act 1980 s19 (arrears of rent: former tenancy arrears, garage rent,
  service charges reserved as rent) and s5 (simple contract debts: rechargeable
  repairs): no action after six years from the date each sum fell due. Each sum has its
  own clock.
- s29(5), s30: a payment by the debtor, or an acknowledgment in writing signed by them,
  starts the clock again for everything still in time; s29(7): nothing revives a sum
  once it is barred.
- Money received is taken against the oldest sums first, so what is still owed is the
  latest sums charged.

Limitation bars a court claim only: a barred sum may still be asked for (§13). Court
costs are a judgment debt, under other rules (s24; CPR 83.2), and are not counted here.

Pure: dates and amounts in, the position out. The loader reads the lines of the few
accounts old enough to matter (arrears/loader.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from arrears.rules import add_years

LIMITATION_YEARS = 6
# The kinds of debt whose sums the clock applies to (payments.models.AccountKind).
LIMITATION_KINDS = frozenset(
    {"former_tenancy_arrears", "rechargeable_repairs", "garage", "service_charges"}
)
# Ledger credits that are the debtor's own payment (or paid on their behalf from their
# benefit): part payments under s29(5). Housing Benefit, Discretionary Housing Payments
# and the council's own adjustments are not the debtor's payment.
DEBTOR_PAYMENTS = frozenset({"payment", "universal_credit", "dwp_deduction"})
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class LimitationPosition:
    """How much of a balance is statute-barred on a date, and what is next to be."""

    barred: Decimal = ZERO
    barred_on: date | None = None  # when the latest of the barred sums became barred
    next_barred_on: date | None = None  # when the next sum in time becomes barred
    next_barred: Decimal = ZERO  # how much becomes barred then


NOT_BARRED = LimitationPosition()


def barred_from(fell_due: date, restarts: Sequence[date], today: date) -> date:
    """The day a sum that fell due on `fell_due` is barred from.

    Each payment or written acknowledgment made while the sum is in time starts its six
    years again (s29(5)); one made after it is barred does not (s29(7)). Treated as
    barred from the sixth anniversary, a day before the last day a claim could be issued
    (the day it fell due is not counted), so the engine never recommends a claim on the
    last day by mistake.
    """
    expires = add_years(fell_due, LIMITATION_YEARS)
    for day in restarts:  # oldest first
        if day <= fell_due or day > today:
            continue
        if day >= expires:
            break
        expires = add_years(day, LIMITATION_YEARS)
    return expires


def limitation_position(
    *,
    balance: Decimal,
    charges: Iterable[tuple[date, Decimal]],
    restarts: Iterable[date],
    today: date,
) -> LimitationPosition:
    """The part of `balance` that is barred on `today`.

    `charges`: the sums debited to the account, with the dates they fell due (any
    order); `restarts`: the dates of the debtor's payments and signed acknowledgments.
    """
    if balance <= 0:
        return NOT_BARRED
    ordered_restarts = sorted(set(restarts))
    barred = ZERO
    barred_on: date | None = None
    upcoming: dict[date, Decimal] = {}
    left = balance
    # What is owed is the latest charges: walk back from the newest until it is covered.
    for fell_due, amount in sorted(charges, key=lambda charge: charge[0], reverse=True):
        if left <= 0:
            break
        if amount <= 0 or fell_due > today:
            continue
        owed = min(amount, left)
        left -= owed
        expires = barred_from(fell_due, ordered_restarts, today)
        if expires <= today:
            barred += owed
            barred_on = max(barred_on, expires) if barred_on else expires
        else:
            upcoming[expires] = upcoming.get(expires, ZERO) + owed
    next_on = min(upcoming) if upcoming else None
    return LimitationPosition(
        barred=barred,
        barred_on=barred_on,
        next_barred_on=next_on,
        next_barred=upcoming[next_on] if next_on else ZERO,
    )
