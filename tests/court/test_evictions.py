"""The eviction day: what is recorded, and what follows when it goes ahead."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from arrears.models import Recommendation
from arrears.services import nightly_run
from cases.models import Case, CaseEvent, Tenancy, Warrant
from court.models import Eviction
from court.services import (
    eviction_record,
    warrant_appointment,
    warrant_issue,
    warrant_suspension_apply,
)
from payments.models import Account, Arrangement
from payments.selectors import accounts_out_of_balance
from tests.court.conftest import applied_warrant

pytestmark = pytest.mark.django_db

EVICTION_DAY = date(2027, 1, 12)


def booked(team, later):
    """The warrant applied for on 20 December, issued, and the eviction booked."""
    with time_machine.travel(datetime(2026, 12, 20, 12, tzinfo=UTC), tick=False):
        case, warrant = applied_warrant(team, later)
        warrant_issue(warrant=warrant, actor=team.alice, today=later, issued_on=later)
        warrant_appointment(
            warrant=warrant,
            actor=team.alice,
            today=later,
            eviction_date=EVICTION_DAY,
            eviction_time=time(10, 30),
        )
    return case, warrant


@pytest.fixture
def on_the_day(later):
    with time_machine.travel(datetime(2027, 1, 12, 15, tzinfo=UTC), tick=False):
        yield EVICTION_DAY


def test_an_eviction_that_went_ahead_ends_the_tenancy_and_moves_the_rent_balance(
    team, later, on_the_day
):
    case, warrant = booked(team, later)
    owed = case.accounts.get(kind="rent").balance

    eviction = eviction_record(
        warrant=warrant,
        actor=team.alice,
        today=on_the_day,
        attended_on=on_the_day,
        went_ahead=True,
        attended_by="Alice Ash; county court bailiff; locksmith",
        locks_changed=True,
        belongings="Sofa, two boxes of papers",
        belongings_stored_at="Eastbrook depot, bay 4",
        referrals="Housing options (s213B)",
    )

    warrant.refresh_from_db()
    assert warrant.outcome == Warrant.Outcome.EXECUTED
    assert Tenancy.objects.get(pk=case.tenancy_id).end_date == EVICTION_DAY
    rent = Account.objects.get(case=case, kind="rent")
    former = Account.objects.get(case=case, kind="former_tenancy_arrears")
    assert (rent.balance, rent.status, rent.closed_on) == (0, "closed", EVICTION_DAY)
    assert former.balance == owed == eviction.balance_moved
    assert eviction.former_account == former
    lines = list(rent.transactions.filter(kind="adjustment")) + list(former.transactions.all())
    assert sorted(line.amount for line in lines) == [-owed, owed]
    assert not accounts_out_of_balance().exists()
    assert not Arrangement.objects.filter(case=case, state__in=["live", "kept", "missed"]).exists()
    event = CaseEvent.objects.get(case=case, verb="eviction_recorded")
    assert event.payload["went_ahead"] is True and event.actor == team.alice


def test_after_the_eviction_the_case_is_recovered_as_a_former_tenants_debt(team, later, on_the_day):
    case, warrant = booked(team, later)
    eviction_record(
        warrant=warrant,
        actor=team.alice,
        today=on_the_day,
        attended_on=on_the_day,
        went_ahead=True,
        attended_by="Alice Ash",
    )
    Case.objects.filter(pk=case.pk).update(figures_on=None)

    nightly_run(run_date=date(2027, 1, 13), start_letters=False)

    recommendation = Recommendation.objects.get(case=case)
    assert recommendation.action == "contact_former_tenant"


def test_an_eviction_that_did_not_go_ahead_needs_the_reason_and_leaves_the_tenancy(
    team, later, on_the_day
):
    case, warrant = booked(team, later)

    with pytest.raises(ValidationError) as refused:
        eviction_record(
            warrant=warrant,
            actor=team.alice,
            today=on_the_day,
            attended_on=on_the_day,
            went_ahead=False,
            attended_by="Alice Ash",
        )
    assert "reason_not_ahead" in refused.value.message_dict

    eviction_record(
        warrant=warrant,
        actor=team.alice,
        today=on_the_day,
        attended_on=on_the_day,
        went_ahead=False,
        attended_by="Alice Ash",
        reason_not_ahead="The tenant paid in full.",
    )
    assert Tenancy.objects.get(pk=case.tenancy_id).end_date is None
    assert Warrant.objects.get().outcome == Warrant.Outcome.ISSUED


def test_belongings_left_behind_must_say_where_they_are_kept(team, later, on_the_day):
    _case, warrant = booked(team, later)

    with pytest.raises(ValidationError) as refused:
        eviction_record(
            warrant=warrant,
            actor=team.alice,
            today=on_the_day,
            attended_on=on_the_day,
            went_ahead=True,
            attended_by="Alice Ash",
            belongings="A wardrobe",
        )

    assert "belongings_stored_at" in refused.value.message_dict
    assert not Eviction.objects.exists()


def test_no_eviction_is_recorded_while_the_tenants_application_to_suspend_is_pending(
    team, later, on_the_day
):
    case, warrant = booked(team, later)
    warrant_suspension_apply(
        warrant=warrant, actor=team.alice, today=later, applied_on=later, hearing_at=None
    )

    with pytest.raises(ValidationError, match="application to suspend"):
        eviction_record(
            warrant=warrant,
            actor=team.alice,
            today=on_the_day,
            attended_on=on_the_day,
            went_ahead=True,
            attended_by="Alice Ash",
        )

    assert Account.objects.get(case=case, kind="rent").balance > Decimal("0")
