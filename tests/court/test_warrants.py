"""From a breached order to the warrant: the eviction report's refusals, a manager's
decision, the fee, the bailiff's appointment and the tenant's application to suspend."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import CaseEvent, Hold, Warrant
from court.models import WarrantRequest
from court.services import (
    Refused,
    hearing_record,
    warrant_apply,
    warrant_appointment,
    warrant_issue,
    warrant_request_decide,
    warrant_request_prepare,
    warrant_request_prepare_or_refuse,
    warrant_suspension_apply,
    warrant_suspension_decide,
)
from payments.models import Arrangement
from tests.court.conftest import (
    ALL_CHECKS,
    applied_warrant,
    breached,
    court_costs_balance,
    issued_claim,
)
from tests.court.conftest import (
    prepare_warrant_request as _prepare,
)
from tests.notices.conftest import TODAY, pdf_text

pytestmark = pytest.mark.django_db


def test_no_eviction_report_while_the_tenant_still_has_time_to_put_the_breach_right(team):
    _case, court_case = breached(team)

    with (
        time_machine.travel(datetime(2026, 12, 10, 12, tzinfo=UTC)),
        pytest.raises(Refused) as refused,
    ):
        _prepare(team, court_case, date(2026, 12, 10))

    assert "remedy_time_running" in refused.value.codes
    assert not WarrantRequest.objects.exists()


def test_no_eviction_report_without_a_notice_of_default_since_the_breach(team, later):
    _case, court_case = breached(team, default_on=None)

    with pytest.raises(Refused) as refused:
        _prepare(team, court_case, later)

    assert refused.value.codes == ["no_notice_of_default"]


def test_no_eviction_report_without_an_assessment_for_the_warrant(team, later):
    _case, court_case = breached(team, assessed=False)

    with pytest.raises(Refused) as refused:
        _prepare(team, court_case, later)

    assert refused.value.codes == ["assessment_applying"]


def test_no_eviction_report_until_every_pre_eviction_check_is_confirmed(team, later):
    _case, court_case = breached(team)

    with pytest.raises(Refused, match="homelessness duty to refer"):
        _prepare(team, court_case, later, checks=ALL_CHECKS[:-1])


def test_no_eviction_report_during_a_breathing_space(team, later):
    case, court_case = breached(team)
    Hold.objects.create(
        case=case,
        kind="breathing_space",
        reason="standard",
        starts_on=date(2026, 12, 1),
        until=date(2027, 1, 30),
    )

    with pytest.raises(Refused) as refused:
        warrant_request_prepare_or_refuse(
            court_case=court_case,
            actor=team.alice,
            today=later,
            checks=ALL_CHECKS,
            recommendation="Ask for a warrant.",
        )

    assert refused.value.codes == ["breathing_space"]
    assert CaseEvent.objects.filter(case=case, verb="warrant_request_refused").exists()


def test_no_warrant_on_a_suspended_order_whose_terms_are_kept(team, later):
    case, court_case = breached(team)
    Arrangement.objects.filter(case=case).update(state="kept")

    with pytest.raises(Refused) as refused:
        _prepare(team, court_case, later)

    assert "order_not_breached" in refused.value.codes


def test_a_postponed_order_needs_a_date_fixed_before_any_warrant(team, later):
    _case, court_case = issued_claim(team)
    hearing_record(
        court_case=court_case,
        actor=team.alice,
        today=TODAY,
        outcome="postponed",
        terms_instalment=Decimal("5.00"),
        terms_frequency="weekly",
        terms_start=date(2026, 11, 16),
    )

    with pytest.raises(Refused) as refused:
        _prepare(team, court_case, later)

    assert "order_not_enforceable" in refused.value.codes


def test_the_eviction_report_goes_to_a_manager_who_did_not_prepare_it(
    team, later, django_capture_on_commit_callbacks
):
    case, court_case = breached(team)

    with django_capture_on_commit_callbacks(execute=True):
        request = _prepare(team, court_case, later)

    request.refresh_from_db()
    assert (request.form, request.expected, request.paid) == ("N325A", Decimal("110.20"), 0)
    report = pdf_text(request.report)
    for words in (
        "Eviction report",
        "Shortfall",
        "£110.20",
        "Checks before eviction",
        "Homelessness duty to refer considered",
    ):
        assert words in report
    assert "Statement of payments due and made since the order" in pdf_text(request.application)
    with pytest.raises(PermissionDenied):
        warrant_request_decide(
            request=request, actor=team.alice, approve=True, note="ok", today=later
        )
    with pytest.raises(ValidationError, match="Give the reasons"):
        warrant_request_decide(
            request=request, actor=team.maggie, approve=True, note="", today=later
        )
    with pytest.raises(ValidationError, match="must approve"):
        warrant_apply(request=request, actor=team.alice, today=later, applied_on=later)

    warrant_request_decide(
        request=request,
        actor=team.maggie,
        approve=True,
        note="Proportionate: support refused, no children.",
        today=later,
    )
    warrant = warrant_apply(request=request, actor=team.alice, today=later, applied_on=later)

    request.refresh_from_db()
    assert (request.status, request.decided_by, request.warrant) == (
        "applied",
        team.maggie,
        warrant,
    )
    assert (warrant.form, warrant.outcome) == ("N325A", "pending")
    assert request.fee_line.amount == Decimal("148.00")
    assert court_costs_balance(case) == Decimal("552.00")  # the claim's £404 and the £148


def test_a_manager_cannot_approve_an_eviction_report_they_prepared(team, later):
    _case, court_case = breached(team)
    request = warrant_request_prepare(
        court_case=court_case,
        actor=team.maggie,
        today=later,
        checks=ALL_CHECKS,
        recommendation="Ask for a warrant.",
    )

    with pytest.raises(ValidationError, match="another manager must decide"):
        warrant_request_decide(
            request=request, actor=team.maggie, approve=True, note="ok", today=later
        )


def test_a_warrant_suspended_on_terms_gives_the_court_ordered_arrangement_those_terms(team, later):
    case, warrant = applied_warrant(team, later)
    warrant_issue(warrant=warrant, actor=team.alice, today=later, issued_on=later)
    warrant_appointment(
        warrant=warrant,
        actor=team.alice,
        today=later,
        eviction_date=date(2027, 1, 12),
        eviction_time=time(10, 30),
    )
    application = warrant_suspension_apply(
        warrant=warrant, actor=team.alice, today=later, applied_on=later, hearing_at=None
    )

    warrant_suspension_decide(
        application=application,
        actor=team.alice,
        today=later,
        outcome="suspended_on_terms",
        decided_on=later,
        terms_instalment=Decimal("8.00"),
        terms_frequency="weekly",
        terms_start=date(2026, 12, 28),
    )

    warrant.refresh_from_db()
    assert warrant.outcome == "suspended"
    live = Arrangement.objects.get(case=case, state="live")
    assert (live.kind, live.instalment, live.starts_on) == (
        "court_ordered",
        Decimal("8.00"),
        date(2026, 12, 28),
    )
    assert Arrangement.objects.get(case=case, state="broken").instalment == Decimal("5.00")


def test_the_bailiffs_appointment_is_recorded_only_once_the_warrant_is_issued(team, later):
    _case, warrant = applied_warrant(team, later)

    with pytest.raises(ValidationError, match="issue before the bailiff"):
        warrant_appointment(
            warrant=warrant,
            actor=team.alice,
            today=later,
            eviction_date=date(2027, 1, 12),
            eviction_time=time(10, 30),
        )

    assert Warrant.objects.get().eviction_date is None
