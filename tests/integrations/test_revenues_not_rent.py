"""Debts seen as one: Council Tax and HB overpayments shown on the case page beside the
housing debts, and never counted as rent lawfully due, so they never move a case up the
possession ladder or support a notice (legal-reference.md §17)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from arrears.services import nightly_run
from cases.models import Case
from integrations.revenues.models import RevenuesDebt, RevenuesDebtKind, RevenuesImport
from notices.checks import notice_policy, notice_refusals
from notices.services import notice_facts
from payments.models import AccountKind
from payments.services import charge_post
from tests.arrears import world
from tests.casework.conftest import TODAY, make_case
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

RUN = TODAY


def _revenues_debt(tenancy, *, reference, kind, balance, stage=""):
    record, _ = RevenuesImport.objects.get_or_create(
        sha256="0" * 64, defaults={"file_name": "test.csv"}
    )
    return RevenuesDebt.objects.create(
        reference=reference,
        kind=kind,
        tenancy=tenancy,
        debtor_name="Jane Smith",
        balance=Decimal(balance),
        balance_on=TODAY - timedelta(days=2),
        recovery_stage=stage,
        last_import=record,
    )


def test_the_case_page_shows_council_tax_and_hb_overpayments_beside_the_housing_debts(
    client, team, today
):
    case = make_case(team.patch_a, owed="450.00")
    garage = AccountFactory(
        case=case, tenancy=case.tenancy, kind=AccountKind.GARAGE, rent_lawfully_due=False
    )
    charge_post(
        account=garage,
        amount=Decimal("60.00"),
        effective_date=TODAY,
        source_reference="garage-1",
        description="Garage rent",
        today=TODAY,
    )
    _revenues_debt(
        case.tenancy,
        reference="CT1001",
        kind=RevenuesDebtKind.COUNCIL_TAX,
        balance="1432.50",
        stage="Liability order",
    )
    _revenues_debt(
        case.tenancy, reference="HB2002", kind=RevenuesDebtKind.HB_OVERPAYMENT, balance="310.00"
    )
    client.force_login(team.alice)

    content = client.get(reverse("case", args=[case.pk])).content.decode()

    table = content[content.index('id="owed-to-council"') :]
    table = table[: table.index("</table>")]
    for text in (
        "Rent lawfully due",
        "Garage rent",
        "Council Tax",
        "CT1001",
        "Liability order",
        "Housing Benefit overpayment",
        "HB2002",
        "Revenues and benefits, at 21 November 2026",
        "£1,432.50",
        "£310.00",
    ):
        assert text in table, text
    # One view of what is owed: £450 rent + £60 garage + £1,432.50 + £310.
    assert "Owed to the council, all debts" in table and "£2,252.50" in table
    # ...but the rent arrears figure at the top is still rent alone.
    figures = content[content.index('id="case-figures"') :]
    assert figures.index("£450.00") < figures.index("Balance, all debts")


def test_another_tenancys_revenues_debts_are_not_shown(client, team, today):
    case = make_case(team.patch_a, owed="450.00")
    other = make_case(team.patch_a, owed="100.00")
    _revenues_debt(
        other.tenancy, reference="CT9", kind=RevenuesDebtKind.COUNCIL_TAX, balance="999.00"
    )
    client.force_login(team.alice)

    content = client.get(reverse("case", args=[case.pk])).content.decode()

    assert "CT9" not in content and "owed-to-council" not in content


def _pre_notice_case(team, *, weeks_unpaid: int):
    """A case at the pre-notice stage with a proportionality assessment: what the ladder
    needs to recommend a NOSP, if the rent arrears reach the notice rung."""
    case, account = world.open_case(
        patch=team.patch_a, stage="pre_notice", stage_changed_on=RUN - timedelta(days=20)
    )
    world.rent_weeks(account, until=RUN, weeks=weeks_unpaid)
    world.assessment(case, on=RUN - timedelta(days=3))
    return case


@pytest.mark.parametrize(
    ("weeks_unpaid", "council_tax", "recommends_notice"),
    [
        (1, "8000.00", False),  # a large Council Tax debt does not make rent arrears
        (6, "0.00", True),  # the same case with six weeks' rent unpaid does get one
    ],
)
def test_a_large_council_tax_debt_never_triggers_a_notice_recommendation(
    team, weeks_unpaid, council_tax, recommends_notice
):
    case = _pre_notice_case(team, weeks_unpaid=weeks_unpaid)
    _revenues_debt(
        case.tenancy, reference="CT1", kind=RevenuesDebtKind.COUNCIL_TAX, balance=council_tax
    )
    _revenues_debt(
        case.tenancy, reference="HB1", kind=RevenuesDebtKind.HB_OVERPAYMENT, balance="2500.00"
    )

    nightly_run(run_date=RUN, start_letters=False)

    case = Case.objects.get(pk=case.pk)
    assert case.rent_arrears == Decimal(weeks_unpaid * 100)
    assert case.balance == Decimal(weeks_unpaid * 100)  # our ledger's debts only
    assert (case.next_action == "serve_nosp") is recommends_notice
    assert case.stage in ("pre_notice", "letter_1", "letter_2", "early_contact", "none")


def test_the_notice_checks_refuse_a_nosp_on_rent_below_the_rung_whatever_council_tax_is_owed(
    team,
):
    case = _pre_notice_case(team, weeks_unpaid=1)
    _revenues_debt(
        case.tenancy, reference="CT1", kind=RevenuesDebtKind.COUNCIL_TAX, balance="8000.00"
    )

    facts = notice_facts(case, today=RUN, service_on=RUN)
    refusals = notice_refusals(
        facts,
        kind=facts.expected_kind,
        grounds=["1"],
        service_on=RUN,
        today=RUN,
        policy=notice_policy(case.tenancy.tenure),
    )

    assert facts.rent_arrears == Decimal("100.00")
    assert any("below the" in r.message for r in refusals), [r.message for r in refusals]
