"""The council's other debts in the income and expenditure conversation and the
arrangement affordability check: what the household already pays Revenues each month
comes out of the same surplus as rent and the arrears instalment (legal-reference.md §12)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import IncomeExpenditure
from integrations.revenues.models import RevenuesDebt, RevenuesDebtKind, RevenuesImport
from payments.arrangements import arrangement_create
from payments.models import Arrangement
from tests.casework.conftest import TODAY, make_case, rent_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(team):
    return make_case(team.patch_a, owed="450.00")


@pytest.fixture
def statement(case, team):
    # £1,000 in; £550 on everything but rent; £400 rent: £450 for rent and arrears.
    return IncomeExpenditure.objects.create(
        case=case,
        taken_on=TODAY - timedelta(days=1),
        recorded_by=team.alice,
        employment_status="part_time",
        income_earnings=Decimal("1000.00"),
        rent=Decimal("400.00"),
        food_housekeeping=Decimal("550.00"),
    )


def _council_tax(case, *, instalment):
    record = RevenuesImport.objects.create(file_name="rev.csv", sha256="1" * 64)
    return RevenuesDebt.objects.create(
        reference="CT1001",
        kind=RevenuesDebtKind.COUNCIL_TAX,
        tenancy=case.tenancy,
        debtor_name="Jane Smith",
        balance=Decimal("900.00"),
        balance_on=TODAY,
        recovery_stage="Liability order",
        instalment=Decimal(instalment) if instalment else None,
        instalment_frequency="monthly" if instalment else "",
        last_import=record,
    )


def _agree(case, statement, team):
    return arrangement_create(
        case=case,
        account=rent_account(case),
        actor=team.alice,
        statement=statement,
        frequency="monthly",
        instalment=Decimal("40.00"),
        starts_on=TODAY + timedelta(days=7),
        today=TODAY,
    )


def test_an_arrangement_that_fits_the_surplus_is_agreed(case, statement, team, today):
    _council_tax(case, instalment=None)

    assert _agree(case, statement, team).instalment == Decimal("40.00")


def test_what_is_paid_to_revenues_comes_out_of_the_same_surplus(case, statement, team, today):
    # £400 rent + £40 instalment fits £450, but not with £50 a month to Revenues too.
    _council_tax(case, instalment="50.00")

    with pytest.raises(ValidationError) as refused:
        _agree(case, statement, team)

    assert (
        "Rent plus this instalment and the £50.00 paid to the council's other debts is "
        "£490.00 a month" in refused.value.messages[0]
    )
    assert not Arrangement.objects.filter(case=case).exists()


def test_the_income_and_expenditure_page_lists_the_councils_other_debts(client, case, team, today):
    _council_tax(case, instalment="50.00")
    client.force_login(team.alice)

    content = client.get(reverse("income_expenditure_record", args=[case.pk])).content.decode()

    block = content[content.index('id="other-council-debts"') :]
    assert (
        "Council Tax CT1001: £900.00 at 23 November 2026"
        " (Liability order; paying £50.00 monthly), £50.00 a month" in block
    )
