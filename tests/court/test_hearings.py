"""A hearing's outcome: orders and their terms, costs, and the night after a hearing
with nothing recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from arrears.models import Recommendation
from arrears.services import nightly_run
from cases.models import Case, CaseEvent, CourtCase
from court.models import Hearing
from court.services import hearing_record
from payments.models import Arrangement
from payments.selectors import accounts_out_of_balance
from tests.court.conftest import HEARD_AT, court_costs_balance, issued_claim, rent_account
from tests.notices.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_a_suspended_order_becomes_the_court_ordered_arrangement_and_its_costs_are_posted(team):
    case, court_case = issued_claim(team)

    hearing = hearing_record(
        court_case=court_case,
        actor=team.alice,
        today=TODAY,
        outcome="suspended",
        terms_instalment=Decimal("5.00"),
        terms_frequency="weekly",
        terms_start=date(2026, 11, 23),
        costs_awarded=Decimal("500.00"),
        money_judgment=Decimal("1052.00"),
        attended_by="Alice Ash",
        tenant_attended=True,
    )

    court_case.refresh_from_db()
    assert (court_case.outcome, court_case.order_date, court_case.terms_instalment) == (
        "suspended",
        date(2026, 11, 16),
        Decimal("5.00"),
    )
    assert court_case.balance_at_order == Decimal("1052.00")
    terms = Arrangement.objects.get(case=case)
    assert (terms.kind, terms.court_case, terms.instalment, terms.frequency, terms.state) == (
        "court_ordered",
        court_case,
        Decimal("5.00"),
        "weekly",
        "live",
    )
    assert terms.account == rent_account(case) and hearing.arrangement == terms
    # The £404 fee charged at issue and £96 more make the £500 awarded.
    assert hearing.costs_line.amount == Decimal("96.00")
    assert court_costs_balance(case) == Decimal("500.00")
    assert not accounts_out_of_balance().exists()
    assert CaseEvent.objects.filter(case=case, verb="court_hearing_recorded").exists()


def test_a_dismissed_claim_takes_the_court_fee_back_off_the_tenants_account(team):
    case, court_case = issued_claim(team)
    assert court_costs_balance(case) == Decimal("404.00")

    hearing_record(court_case=court_case, actor=team.alice, today=TODAY, outcome="dismissed")

    assert court_costs_balance(case) == Decimal("0.00")
    assert not accounts_out_of_balance().exists()


def test_costs_awarded_below_the_fee_charged_take_the_difference_off(team):
    case, court_case = issued_claim(team)

    hearing_record(
        court_case=court_case,
        actor=team.alice,
        today=TODAY,
        outcome="outright",
        possession_date=date(2026, 11, 30),
        costs_awarded=Decimal("300.00"),
    )

    assert court_costs_balance(case) == Decimal("300.00")


def test_an_adjournment_to_a_new_date_keeps_the_claim_open_for_that_hearing(team):
    _case, court_case = issued_claim(team)
    new_date = datetime(2027, 1, 18, 14, 0, tzinfo=UTC)

    hearing_record(
        court_case=court_case,
        actor=team.alice,
        today=TODAY,
        outcome="adjourned_to_date",
        next_hearing_at=new_date,
    )

    court_case.refresh_from_db()
    assert (court_case.outcome, court_case.hearing_at) == ("pending", new_date)
    assert Hearing.objects.get().hearing_at == HEARD_AT


@pytest.mark.parametrize(
    ("outcome", "field"),
    [
        ("outright", "possession_date"),
        ("suspended", "terms_instalment"),
        ("postponed", "terms_frequency"),
        ("adjourned_to_date", "next_hearing_at"),
    ],
)
def test_an_order_without_what_it_says_is_refused_and_nothing_is_written(team, outcome, field):
    _case, court_case = issued_claim(team)

    with pytest.raises(ValidationError) as refused:
        hearing_record(court_case=court_case, actor=team.alice, today=TODAY, outcome=outcome)

    assert field in refused.value.message_dict
    assert not Hearing.objects.exists()
    assert CourtCase.objects.get().outcome == "pending"


def test_the_outcome_of_a_hearing_not_yet_held_cannot_be_recorded(team):
    _case, court_case = issued_claim(team)

    with pytest.raises(ValidationError, match="has not happened yet"):
        hearing_record(
            court_case=court_case,
            actor=team.alice,
            today=TODAY,
            outcome="dismissed",
            hearing_at=datetime(2026, 12, 1, 10, tzinfo=UTC),
        )


def test_a_hearing_with_no_outcome_recorded_is_the_officers_next_action_the_night_after(team):
    case, _court_case = issued_claim(team)
    Case.objects.filter(pk=case.pk).update(figures_on=None)  # not yet worked out by a run

    nightly_run(run_date=date(2026, 11, 15), start_letters=False)
    before = Recommendation.objects.get(case=case).action
    nightly_run(run_date=date(2026, 11, 17), start_letters=False)
    after = Recommendation.objects.get(case=case)

    assert before == "prepare_for_hearing"
    assert after.action == "record_court_outcome"
    case.refresh_from_db()
    assert case.next_action_label.startswith("Record the court")
