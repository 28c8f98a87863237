"""Money claims for former tenancy arrears, rechargeable repairs and garage rent."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from court.models import MoneyClaim
from court.services import money_claim_issue, money_claim_judgment, money_claim_prepare
from tests.court.conftest import court_costs_balance
from tests.factories import AccountFactory
from tests.notices.conftest import TODAY, household

pytestmark = pytest.mark.django_db


def former_debt(team, amount="850.00"):
    case = household(patch=team.patch_a)
    account = AccountFactory(
        case=case,
        kind="former_tenancy_arrears",
        rent_lawfully_due=False,
        balance=Decimal(amount),
        weekly_charge=Decimal("0.00"),
        opened_on=date(2025, 6, 1),
    )
    return case, account


def test_a_money_claim_is_prepared_with_the_fee_for_its_band_and_issued(team, settings):
    settings.MONEY_CLAIM_INTEREST_PERCENT = 0
    case, account = former_debt(team)

    claim = money_claim_prepare(
        account=account,
        actor=team.alice,
        today=TODAY,
        steps_taken="Letters on 1 and 15 September; traced to a new address; no reply.",
    )
    money_claim_issue(
        claim=claim,
        actor=team.alice,
        today=TODAY,
        claim_number="m1",
        court_name="",
        issued_on=TODAY,
    )

    claim.refresh_from_db()
    assert (claim.amount, claim.interest, claim.fee, claim.status) == (
        Decimal("850.00"),
        Decimal("0.00"),
        Decimal("70.00"),
        "issued",
    )
    assert claim.court_name == "County Court Business Centre"
    assert court_costs_balance(case) == Decimal("70.00")


def test_interest_is_claimed_only_when_the_policy_sets_a_rate(team, settings):
    settings.MONEY_CLAIM_INTEREST_PERCENT = 8
    _case, account = former_debt(team, "1000.00")

    claim = money_claim_prepare(
        account=account,
        actor=team.alice,
        today=TODAY,
        steps_taken="Letters; no reply.",
        interest_from=date(2025, 11, 23),
    )

    assert claim.interest == Decimal("80.00")  # 8% of £1,000 for a year
    assert claim.fee == Decimal("80.00")  # £1,080 falls in the £1,000 to £1,500 band


def test_a_money_claim_is_refused_for_rent_which_has_the_possession_route(team):
    case = household(patch=team.patch_a)

    with pytest.raises(ValidationError, match="not rent"):
        money_claim_prepare(
            account=case.accounts.get(), actor=team.alice, today=TODAY, steps_taken="x"
        )

    assert not MoneyClaim.objects.exists()


def test_judgment_costs_beyond_the_fee_are_posted_to_court_costs(team, settings):
    settings.MONEY_CLAIM_INTEREST_PERCENT = 0
    case, account = former_debt(team)
    claim = money_claim_prepare(
        account=account, actor=team.alice, today=TODAY, steps_taken="Letters; no reply."
    )
    money_claim_issue(
        claim=claim,
        actor=team.alice,
        today=TODAY,
        claim_number="M1",
        court_name="CCBC",
        issued_on=TODAY,
    )

    money_claim_judgment(
        claim=claim,
        actor=team.alice,
        today=TODAY,
        judgment_on=TODAY,
        amount=Decimal("850.00"),
        costs=Decimal("150.00"),
    )

    assert court_costs_balance(case) == Decimal("150.00")
    assert MoneyClaim.objects.get().status == "judgment"
