"""Court fees the council pays and posts to the tenant's court-costs account.

Civil Proceedings Fees (Amendment) Order 2025 (SI 2025/351), in force 8 April 2025
(legal-reference.md §9). A fee is looked up for the day it was paid, so a later
uprating is one more row here and never changes what was posted before it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum


class Fee(StrEnum):
    POSSESSION_CLAIM = "possession_claim"
    WARRANT = "warrant"
    MONEY_CLAIM = "money_claim"


LABELS = {
    Fee.POSSESSION_CLAIM: "Court fee: possession claim",
    Fee.WARRANT: "Court fee: warrant of possession",
    Fee.MONEY_CLAIM: "Court fee: money claim",
}

# (from, fee) in date order: the fees of SI 2025/351 (possession claim £404, warrant of
# possession £148). Earlier fees are not listed: nothing is issued before today.
SCHEDULE: dict[Fee, list[tuple[date, Decimal]]] = {
    Fee.POSSESSION_CLAIM: [(date(2025, 4, 8), Decimal("404.00"))],
    Fee.WARRANT: [(date(2025, 4, 8), Decimal("148.00"))],
}

# Money claims: the paper issue fee by the amount claimed, (up to and including, fee);
# above the last band, 5% of the claim. Civil Proceedings Fees Order 2008 Sch 1 fee 1.1
# as last amended; legal-reference.md §20 lists the bands among the figures for Legal
# to confirm before go-live.
MONEY_CLAIM_BANDS: list[tuple[Decimal, Decimal]] = [
    (Decimal("300.00"), Decimal("35.00")),
    (Decimal("500.00"), Decimal("50.00")),
    (Decimal("1000.00"), Decimal("70.00")),
    (Decimal("1500.00"), Decimal("80.00")),
    (Decimal("3000.00"), Decimal("115.00")),
    (Decimal("5000.00"), Decimal("205.00")),
    (Decimal("10000.00"), Decimal("455.00")),
]


def court_fee(fee: Fee, *, on: date) -> Decimal:
    """The fee in force on `on`."""
    found = [amount for start, amount in SCHEDULE[fee] if start <= on]
    if not found:
        raise ValueError(f"No {fee} fee is known for {on:%d %B %Y}.")
    return found[-1]


def money_claim_fee(amount: Decimal) -> Decimal:
    """The issue fee for a money claim of `amount` (paper claim)."""
    for ceiling, fee in MONEY_CLAIM_BANDS:
        if amount <= ceiling:
            return fee
    return (amount * Decimal("0.05")).quantize(Decimal("0.01"))
