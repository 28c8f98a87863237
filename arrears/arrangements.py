"""Arrangement monitoring: what should have been paid since an arrangement started,
against what was, with a tolerance in days and in money.

An arrangement is current rent plus an instalment towards the arrears (glossary). Rent
counts as it falls due, so a rent-free week expects only the instalment (legal-reference
§16 convention 3). A payment is not late until the policy's grace, in working days, has
passed, so a bank holiday never breaks an arrangement. Hackney compared the whole balance
with no grace and no money tolerance and broke arrangements over pennies and weekends
(peer-hackney.md §3, §9); this does neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from arrears.policy import Policy
from arrears.rules import add_months
from arrears.text import long_date, money_text
from core.dates import add_working_days

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")
CYCLE_DAYS = {"weekly": 7, "fortnightly": 14, "four_weekly": 28}
CYCLE_WEEKS = {
    "weekly": Decimal(1),
    "fortnightly": Decimal(2),
    "four_weekly": Decimal(4),
    "monthly": Decimal(52) / Decimal(12),
}
FREQUENCY_WORDS = {
    "weekly": "weekly",
    "fortnightly": "fortnightly",
    "four_weekly": "every four weeks",
    "monthly": "monthly",
}


@dataclass(frozen=True)
class ArrangementTerms:
    id: int
    account_id: int
    kind: str
    court_case_id: int | None
    frequency: str
    instalment: Decimal
    includes_current_rent: bool
    starts_on: date
    lump_sum: Decimal | None
    lump_sum_due_on: date | None
    starting_balance: Decimal
    tolerance_days: int | None
    tolerance_amount: Decimal | None
    state: str

    @property
    def is_court_ordered(self) -> bool:
        return self.kind == "court_ordered"


@lru_cache(maxsize=4096)
def working_days_after(day: date, count: int) -> date:
    """core.dates.add_working_days, remembered: a night asks it thousands of times."""
    return add_working_days(day, count)


@lru_cache(maxsize=256)
def payment_cutoff(today: date, grace_working_days: int) -> date:
    """The latest due date whose grace has run out by `today`.

    A payment due on day X is late on `today` only if today is after X plus the grace in
    working days (weekends and English bank holidays do not count).
    """
    cutoff = today - timedelta(days=1)
    while working_days_after(cutoff, grace_working_days) >= today:
        cutoff -= timedelta(days=1)
    return cutoff


def instalment_date(starts_on: date, frequency: str, number: int) -> date:
    """The date instalment `number` (0 is the first) falls due."""
    if frequency == "monthly":
        return add_months(starts_on, number)
    return starts_on + timedelta(days=CYCLE_DAYS[frequency] * number)


def instalments_due(*, starts_on: date, frequency: str, cutoff: date) -> int:
    """How many instalments have fallen due on or before `cutoff`."""
    if cutoff < starts_on:
        return 0
    if frequency == "monthly":
        months = (cutoff.year - starts_on.year) * 12 + cutoff.month - starts_on.month
        return months + (1 if add_months(starts_on, months) <= cutoff else 0)
    return (cutoff - starts_on).days // CYCLE_DAYS[frequency] + 1


def next_instalment_on(*, starts_on: date, frequency: str, after: date) -> date:
    """The first instalment date after `after`."""
    number = instalments_due(starts_on=starts_on, frequency=frequency, cutoff=after)
    return instalment_date(starts_on, frequency, number)


@dataclass(frozen=True)
class ArrangementStatus:
    state: str
    expected: Decimal
    actual: Decimal
    description: str

    @property
    def shortfall(self) -> Decimal:
        return max(ZERO, self.expected - self.actual)


def expected_paid(
    *, terms: ArrangementTerms, rent_due: Decimal, cutoff: date
) -> tuple[Decimal, int]:
    """What should have been paid by the cutoff, and how many instalments that includes.

    Rent as it fell due (if the arrangement includes current rent), any lump sum whose
    date has passed, and each instalment due, never more in total towards the arrears
    than the arrears the arrangement was made for.
    """
    count = instalments_due(starts_on=terms.starts_on, frequency=terms.frequency, cutoff=cutoff)
    towards_arrears = terms.instalment * count
    if terms.lump_sum and terms.lump_sum_due_on and terms.lump_sum_due_on <= cutoff:
        towards_arrears += terms.lump_sum
    towards_arrears = min(towards_arrears, max(terms.starting_balance, ZERO))
    rent = rent_due if terms.includes_current_rent else ZERO
    return rent + towards_arrears, count


def arrangement_status(
    *,
    terms: ArrangementTerms,
    rent_due: Decimal,
    paid: Decimal,
    balance: Decimal,
    net_weekly_rent: Decimal,
    today: date,
    policy: Policy,
) -> ArrangementStatus:
    """The arrangement's state today: completed, live, kept, missed or broken.

    Completed: the debt is cleared. Live: nothing has fallen due beyond the grace yet.
    Kept: paid at least what was expected, less the money tolerance. Broken: short by at
    least the policy's number of whole payments (instalment plus the rent for its period),
    so a single late payment is only missed and the tenant has time to put it right
    (PAP ¶11). Otherwise missed.
    """
    grace = (
        terms.tolerance_days
        if terms.tolerance_days is not None
        else policy.arrangement_tolerance_days
    )
    tolerance = (
        terms.tolerance_amount
        if terms.tolerance_amount is not None
        else policy.arrangement_tolerance_amount
    )
    cutoff = payment_cutoff(today, grace)
    expected, count = expected_paid(terms=terms, rent_due=rent_due, cutoff=cutoff)
    since = f"since {long_date(terms.starts_on)}"
    if balance <= 0:
        return ArrangementStatus(
            "completed",
            expected,
            paid,
            f"The arrears are cleared: paid {money_text(paid)} {since}.",
        )
    if expected <= 0 and count == 0:
        return ArrangementStatus(
            "live",
            expected,
            paid,
            f"The first payment falls due on {long_date(terms.starts_on)}.",
        )
    shortfall = expected - paid
    if shortfall <= tolerance:
        ahead = f", {money_text(-shortfall)} ahead" if shortfall < 0 else ""
        return ArrangementStatus(
            "kept",
            expected,
            paid,
            f"Paid {money_text(paid)} of {money_text(expected)} expected {since}{ahead}.",
        )
    per_payment = terms.instalment
    if terms.includes_current_rent:
        per_payment += net_weekly_rent * CYCLE_WEEKS[terms.frequency]
    per_payment = per_payment.quantize(PENNY, ROUND_HALF_UP)
    broken_at = (per_payment * policy.broken_after_missed_payments).quantize(PENNY, ROUND_HALF_UP)
    state = "broken" if per_payment > 0 and shortfall >= broken_at else "missed"
    detail = (
        f"Paid {money_text(paid)} of {money_text(expected)} expected {since}: "
        f"{money_text(shortfall)} short"
    )
    if state == "broken":
        detail += (
            f", at least {policy.broken_after_missed_payments.normalize()} payments of "
            f"{money_text(per_payment)} {FREQUENCY_WORDS[terms.frequency]}."
        )
    else:
        detail += f", more than the {money_text(tolerance)} tolerance."
    return ArrangementStatus(state, expected, paid, detail)
