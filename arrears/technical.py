"""Technical arrears: arrears that exist only because rent is paid in arrears.

Housing Benefit is paid for the period just gone and Universal Credit monthly in
arrears, so a tenant whose benefit or own payments arrive regularly and in full still
shows a balance between payment dates. That is not real debt and must never be
escalated (glossary; legal-reference.md §11: net arrears = balance - benefit in
transit). The engine recognises it from the account's own payment pattern.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from arrears.arrangements import working_days_after
from arrears.policy import Policy
from arrears.rules import add_months
from arrears.text import long_date, money_text

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")

CYCLE_LABELS = {
    "weekly": "every week",
    "fortnightly": "every fortnight",
    "four_weekly": "every four weeks",
    "monthly": "every month",
}
# Weeks of rent one payment covers; monthly is weekly x 52 / 12 (legal-reference.md §16).
CYCLE_WEEKS = {
    "weekly": Decimal(1),
    "fortnightly": Decimal(2),
    "four_weekly": Decimal(4),
    "monthly": Decimal(52) / Decimal(12),
}
STREAM_LABELS = {"payments": "Payments", "housing_benefit": "Housing Benefit"}


@dataclass(frozen=True)
class PaymentPattern:
    """How one stream of money (the tenant's or UC payments, or Housing Benefit) arrives."""

    stream: str
    cycle: str
    last_on: date
    amount: Decimal
    next_due: date


def payment_cycle(dates: Sequence[date]) -> str | None:
    """The cycle of payments on these dates (newest first), or None if irregular.

    Every gap 6-8 days: weekly; 13-15: fortnightly; exactly 28 days each time:
    four-weekly; 26-35 days: monthly (calendar months, so a month-end payer on 31 January
    and 28 February is still monthly, and so is a payment moved by a weekend or a bank
    holiday).
    """
    if len(dates) < 2:
        return None
    gaps = [(newer - older).days for newer, older in pairwise(dates)]
    shortest, longest = min(gaps), max(gaps)
    if shortest >= 6 and longest <= 8:
        return "weekly"
    if shortest >= 13 and longest <= 15:
        return "fortnightly"
    if shortest == longest == 28:
        return "four_weekly"
    if shortest >= 26 and longest <= 35:
        return "monthly"
    return None


def next_payment_due(cycle: str, dates: Sequence[date]) -> date:
    """When the next payment in the cycle is expected; monthly keeps the usual day of the
    month, so a month-end payer is next expected at the next month's end."""
    last = dates[0]
    if cycle == "monthly":
        anchor = max(day.day for day in dates)
        return add_months(last, 1, anchor_day=anchor)
    return last + timedelta(days={"weekly": 7, "fortnightly": 14, "four_weekly": 28}[cycle])


def payment_pattern(stream: str, receipts: Sequence[tuple[date, Decimal]]) -> PaymentPattern | None:
    """The regular pattern of a stream of receipts (date and amount, newest first)."""
    dates = [day for day, _ in receipts]
    cycle = payment_cycle(dates)
    if cycle is None:
        return None
    return PaymentPattern(
        stream=stream,
        cycle=cycle,
        last_on=dates[0],
        amount=receipts[0][1],
        next_due=next_payment_due(cycle, dates),
    )


@dataclass(frozen=True)
class TechnicalArrears:
    amount: Decimal
    reasoning: str
    in_transit: Decimal


NONE = TechnicalArrears(ZERO, "", ZERO)


def technical_arrears(
    *,
    arrears: Decimal,
    weekly_charge: Decimal,
    hb_weekly: Decimal,
    charge_weeks_per_year: int,
    patterns: Sequence[PaymentPattern],
    charges_since: Callable[[date], Decimal],
    today: date,
    policy: Policy,
) -> TechnicalArrears:
    """How much of `arrears` is only benefit or payments in transit, and why.

    For each regular stream that is up to date (its next payment not later than the
    policy's grace allows) and paying its share in full (within the policy's tolerance),
    the rent charged since the stream's last payment, less the days that stream is paid
    in arrears (policy: lag days per cycle), is in transit. Technical arrears are the
    arrears up to that amount; anything more is real arrears. A stream that has stopped
    or is paying short carries no allowance, and the reasoning says so.
    """
    if arrears <= 0 or weekly_charge <= 0:
        return NONE
    hb_share = min(Decimal(1), hb_weekly / weekly_charge) if hb_weekly > 0 else ZERO
    year_factor = Decimal(charge_weeks_per_year) / Decimal(52)
    tolerance = Decimal(1) - policy.payment_tolerance_percent / Decimal(100)
    in_transit = ZERO
    sentences: list[str] = []
    for pattern in patterns:
        share = hb_share if pattern.stream == "housing_benefit" else Decimal(1) - hb_share
        if share <= 0:
            continue
        name = STREAM_LABELS[pattern.stream]
        expected = (weekly_charge * share * CYCLE_WEEKS[pattern.cycle] * year_factor).quantize(
            PENNY, ROUND_HALF_UP
        )
        latest_on_time = working_days_after(pattern.next_due, policy.technical_grace_days)
        if today > latest_on_time:
            sentences.append(
                f"{name} of about {money_text(pattern.amount)} {CYCLE_LABELS[pattern.cycle]} "
                f"were due again by {long_date(pattern.next_due)} and have not arrived, so "
                "none of the arrears is counted as in transit."
            )
            continue
        if pattern.amount < expected * tolerance:
            sentences.append(
                f"{name} of {money_text(pattern.amount)} {CYCLE_LABELS[pattern.cycle]} "
                f"(last on {long_date(pattern.last_on)}) are less than the "
                f"{money_text(expected)} the rent needs, so they are not counted."
            )
            continue
        lag = policy.technical_lag_days[pattern.cycle]
        since = pattern.last_on - timedelta(days=lag)
        stream_transit = (share * charges_since(since)).quantize(PENNY, ROUND_HALF_UP)
        in_transit += stream_transit
        paid_in_arrears = f", paid {lag} days in arrears," if lag else ""
        sentences.append(
            f"{name} of {money_text(pattern.amount)} arrive {CYCLE_LABELS[pattern.cycle]}"
            f"{paid_in_arrears} last on {long_date(pattern.last_on)} and next due by "
            f"{long_date(pattern.next_due)}: the {money_text(stream_transit)} of rent charged "
            f"since {long_date(since)} is in transit."
        )
    amount = min(arrears, in_transit).quantize(PENNY, ROUND_HALF_UP)
    if amount > 0:
        real = arrears - amount
        conclusion = (
            f"So {money_text(amount)} of the {money_text(arrears)} arrears is technical"
            + (f" and {money_text(real)} is real arrears." if real > 0 else ": none is real debt.")
        )
        sentences.append(conclusion)
    elif not sentences:
        sentences.append("No regular payment pattern: none of the arrears is technical.")
    return TechnicalArrears(amount, " ".join(sentences), in_transit)
