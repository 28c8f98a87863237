"""Cases with real ledgers, posted through the payments services, for the run's tests."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from cases.models import Case, Hold, ProportionalityAssessment
from payments.models import (
    Account,
    AccountKind,
    Arrangement,
    PaymentMethod,
    TransactionKind,
    TransactionSource,
)
from payments.services import charge_post, payment_post
from tests.factories import AccountFactory, CaseFactory, PropertyFactory, TenancyFactory

_references = itertools.count(1)


def _ref(prefix: str) -> str:
    return f"{prefix}-{next(_references)}"


def open_case(
    *,
    patch,
    tenure: str = "secure",
    weekly: str = "100.00",
    kind: str = AccountKind.RENT,
    stage: str = "none",
    stage_changed_on: date | None = None,
    **tenancy,
) -> tuple[Case, Account]:
    tenancy = TenancyFactory(property=PropertyFactory(patch=patch), tenure=tenure, **tenancy)
    case = CaseFactory(tenancy=tenancy, stage=stage, stage_changed_on=stage_changed_on)
    account = AccountFactory(
        case=case,
        kind=kind,
        rent_lawfully_due=kind == AccountKind.RENT,
        weekly_charge=Decimal(weekly),
    )
    return case, account


def charge(account: Account, day: date, amount: str = "100.00") -> None:
    charge_post(
        account=account,
        amount=Decimal(amount),
        effective_date=day,
        source_reference=_ref("rent"),
        description="Rent",
        today=day,
    )


def pay(
    account: Account,
    day: date,
    amount: str,
    *,
    kind: str = TransactionKind.PAYMENT,
) -> None:
    benefit = kind in (TransactionKind.HOUSING_BENEFIT, TransactionKind.UNIVERSAL_CREDIT)
    payment_post(
        account=account,
        amount=Decimal(amount),
        effective_date=day,
        method=PaymentMethod.BENEFIT if benefit else PaymentMethod.DEBIT_CARD,
        source=TransactionSource.BENEFIT_SCHEDULE if benefit else TransactionSource.PAYMENT_FILE,
        source_reference=_ref("pay"),
        today=day,
        kind=kind,
    )


def mondays(until: date, weeks: int) -> list[date]:
    last = until - timedelta(days=until.weekday())
    return [last - timedelta(weeks=k) for k in reversed(range(weeks))]


def rent_weeks(account: Account, *, until: date, weeks: int, amount: str = "100.00") -> None:
    """Rent charged on each Monday of the last `weeks` weeks (rent-free weeks included)."""
    for monday in mondays(until, weeks):
        charge(account, monday, amount)


def pause(case: Case, *, starts_on: date, until: date) -> Hold:
    return Hold.objects.create(
        case=case,
        kind=Hold.Kind.PAUSE,
        reason="promise_of_payment",
        starts_on=starts_on,
        until=until,
    )


def breathing_space(case: Case, *, starts_on: date, until: date) -> Hold:
    return Hold.objects.create(
        case=case,
        kind=Hold.Kind.BREATHING_SPACE,
        reason="standard",
        starts_on=starts_on,
        until=until,
    )


def assessment(case: Case, *, step: str = "notice", on: date) -> ProportionalityAssessment:
    return ProportionalityAssessment.objects.create(
        case=case, step=step, decision="proceed", assessed_on=on, reasons="Proportionate"
    )


def arrangement(
    case: Case,
    account: Account,
    *,
    starts_on: date,
    instalment: str = "10.00",
    starting_balance: str = "500.00",
    frequency: str = "weekly",
) -> Arrangement:
    return Arrangement.objects.create(
        case=case,
        account=account,
        frequency=frequency,
        instalment=Decimal(instalment),
        starts_on=starts_on,
        starting_balance=Decimal(starting_balance),
        state_changed_on=starts_on,
    )
