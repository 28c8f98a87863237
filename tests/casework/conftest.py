"""Cases to work on, built the way the ledger builds them: charges posted, money received."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import Case, Patch
from core.money import weeks_of
from payments.models import Account, TransactionSource
from payments.services import charge_post, payment_post
from tests.factories import (
    AccountFactory,
    CaseFactory,
    PropertyFactory,
    TenancyFactory,
    TenantFactory,
)

# A Monday: rent weeks start on Mondays.
TODAY = date(2026, 11, 23)


@pytest.fixture
def today():
    """Freeze the clock at 10am on TODAY (London) for views that read it."""
    with time_machine.travel(
        datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False
    ):
        yield TODAY


def make_case(
    patch: Patch,
    *,
    owed: str = "450.00",
    weekly: str = "100.00",
    first_name: str = "Jane",
    last_name: str = "Smith",
    joint: tuple[str, str] | None = None,
    weeks_of_history: int = 0,
    **case_fields,
) -> Case:
    """A case on `patch` whose rent account owes `owed`, with a ledger that proves it.

    With weeks_of_history, the ledger has that many weekly charges and payments before
    the final charge that leaves `owed`.
    """
    tenancy = TenancyFactory(property=PropertyFactory(patch=patch))
    TenantFactory(tenancy=tenancy, first_name=first_name, last_name=last_name, is_lead=True)
    if joint:
        TenantFactory(tenancy=tenancy, first_name=joint[0], last_name=joint[1], is_lead=False)
    owed_d, weekly_d = Decimal(owed), Decimal(weekly)
    defaults = dict(
        balance=owed_d,
        rent_arrears=owed_d,
        weekly_charge=weekly_d,
        weekly_net_rent=weekly_d,
        weeks_in_arrears=weeks_of(owed_d, weekly_d) or Decimal("0.0"),
    )
    case = CaseFactory(tenancy=tenancy, **{**defaults, **case_fields})
    account = AccountFactory(case=case, weekly_charge=weekly_d, balance=Decimal("0.00"))
    start = TODAY - timedelta(weeks=weeks_of_history + 1)
    for week in range(weeks_of_history):
        day = start + timedelta(weeks=week)
        charge_post(
            account=account,
            amount=weekly_d,
            effective_date=day,
            source_reference=f"RENT-{account.pk}-{week}",
            description="Rent",
            today=TODAY,
        )
        payment_post(
            account=account,
            amount=weekly_d,
            effective_date=day + timedelta(days=2),
            method="direct_debit",
            source=TransactionSource.PAYMENT_FILE,
            source_reference=f"DD-{account.pk}-{week}",
            today=TODAY,
        )
    if owed_d > 0:
        charge_post(
            account=account,
            amount=owed_d,
            effective_date=TODAY - timedelta(days=7),
            source_reference=f"OWED-{account.pk}",
            description="Rent",
            today=TODAY,
        )
    return case


def rent_account(case: Case) -> Account:
    return case.accounts.get(rent_lawfully_due=True)


@pytest.fixture
def alices_case(team) -> Case:
    return make_case(team.patch_a, first_name="Jane", last_name="Smith", joint=("John", "Smith"))


@pytest.fixture
def bobs_case(team) -> Case:
    return make_case(team.patch_b, first_name="Omar", last_name="Baker")
