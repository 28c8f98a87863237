"""Vulnerability and safeguarding flags, and referrals for support with their outcomes."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.caseload import active_holds
from cases.models import CaseEvent, Hold, Referral, VulnerabilityFlag
from cases.services import referral_make, referral_outcome_record, vulnerability_clear
from tests.casework.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "safeguarding"),
    [("mental_health", False), ("safeguarding_child", True), ("safeguarding_adult", True)],
)
def test_flagging_a_vulnerability_marks_safeguarding_kinds(
    client, team, alices_case, today, kind, safeguarding
):
    client.force_login(team.alice)
    tenant = alices_case.tenancy.tenants.get(is_lead=True)

    response = client.post(
        reverse("vulnerability_record", args=[alices_case.pk]),
        {
            "tenant": tenant.pk,
            "kind": kind,
            "details": "Told us at the visit",
            "review_on_day": "1",
            "review_on_month": "6",
            "review_on_year": "2027",
        },
    )

    assert response.status_code == 302
    flag = VulnerabilityFlag.objects.get(case=alices_case)
    assert (flag.kind, flag.is_safeguarding, flag.tenant, flag.recorded_by, flag.recorded_on) == (
        kind,
        safeguarding,
        tenant,
        team.alice,
        TODAY,
    )
    assert flag.review_on == date(2027, 6, 1)
    event = CaseEvent.objects.get(verb="vulnerability_recorded")
    assert event.payload["kind"] == kind and event.payload["details"] == "Told us at the visit"


def test_a_flag_without_details_is_refused(client, team, alices_case, today):
    client.force_login(team.alice)

    response = client.post(
        reverse("vulnerability_record", args=[alices_case.pk]),
        {"kind": "mental_health", "details": ""},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["details"] == ["Enter what officers need to know"]
    assert not VulnerabilityFlag.objects.exists()


def test_clearing_a_flag_keeps_it_with_the_reason(client, team, alices_case, today):
    flag = VulnerabilityFlag.objects.create(
        case=alices_case,
        kind="bereavement",
        details="Husband died in May",
        recorded_on=date(2026, 6, 1),
    )
    client.force_login(team.alice)

    response = client.post(
        reverse("vulnerability_clear", args=[alices_case.pk, flag.pk]),
        {"reason": "Reviewed with the tenant: coping well"},
    )

    assert response.status_code == 302
    flag.refresh_from_db()
    assert (flag.cleared_on, flag.cleared_by, flag.cleared_reason) == (
        TODAY,
        team.alice,
        "Reviewed with the tenant: coping well",
    )
    event = CaseEvent.objects.get(verb="vulnerability_cleared")
    assert event.payload["kind"] == "bereavement"
    assert event.payload["reason"] == "Reviewed with the tenant: coping well"
    with pytest.raises(ValidationError):
        vulnerability_clear(flag=flag, actor=team.alice, reason="again", today=TODAY)


def test_a_referral_and_its_outcome_are_recorded(client, team, alices_case, today):
    client.force_login(team.alice)

    made = client.post(
        reverse("referral_make", args=[alices_case.pk]),
        {
            "kind": "debt_advice",
            "referred_to": "Citizens Advice Eastbrook",
            "notes": "Has catalogue debts",
        },
    )

    assert made.status_code == 302
    referral = Referral.objects.get(case=alices_case)
    assert (referral.kind, referral.referred_to, referral.outcome, referral.hold) == (
        "debt_advice",
        "Citizens Advice Eastbrook",
        "pending",
        None,
    )
    made_event = CaseEvent.objects.get(verb="referral_made")
    assert made_event.payload["kind"] == "debt_advice"
    assert made_event.payload["to"] == "Citizens Advice Eastbrook"
    assert made_event.payload["notes"] == "Has catalogue debts"

    outcome = client.post(
        reverse("referral_outcome", args=[alices_case.pk, referral.pk]),
        {"outcome": "accepted", "notes": "Appointment on 2 December"},
    )

    assert outcome.status_code == 302
    referral.refresh_from_db()
    assert (referral.outcome, referral.outcome_on, referral.outcome_by) == (
        "accepted",
        TODAY,
        team.alice,
    )
    outcome_event = CaseEvent.objects.get(verb="referral_outcome")
    assert outcome_event.payload["referral_id"] == referral.pk
    assert outcome_event.payload["outcome"] == "accepted"


def test_a_dwp_request_holds_the_case_until_dwp_decides(team, alices_case):
    referral = referral_make(
        case=alices_case,
        actor=team.alice,
        kind="third_party_deduction",
        referred_to="DWP via the landlord portal",
        notes="",
        today=TODAY,
    )

    hold = referral.hold
    assert (hold.kind, hold.reason) == ("benefit_claim", "third_party_deduction")
    assert active_holds(TODAY).filter(case=alices_case, kind="benefit_claim").exists()

    referral_outcome_record(
        referral=referral, actor=team.alice, outcome="approved", notes="", today=TODAY
    )

    hold.refresh_from_db()
    assert hold.ended_on == TODAY
    assert not active_holds(TODAY).filter(case=alices_case).exists()


def test_a_second_pending_referral_of_a_kind_is_refused(team, alices_case):
    referral_make(
        case=alices_case,
        actor=team.alice,
        kind="welfare_benefits",
        referred_to="Welfare rights",
        notes="",
        today=TODAY,
    )

    with pytest.raises(ValidationError) as refused:
        referral_make(
            case=alices_case,
            actor=team.alice,
            kind="welfare_benefits",
            referred_to="Welfare rights",
            notes="",
            today=TODAY,
        )

    assert "already waiting for a response" in refused.value.messages[0]
    assert Referral.objects.count() == 1
    assert not Hold.objects.exists()


@pytest.mark.parametrize(
    ("outcome", "message"), [("", "Choose the outcome"), ("pending", "Choose the outcome")]
)
def test_a_referral_outcome_must_be_chosen(client, team, alices_case, today, outcome, message):
    referral = referral_make(
        case=alices_case,
        actor=team.alice,
        kind="social_care",
        referred_to="Adult social care",
        notes="",
        today=TODAY,
    )
    client.force_login(team.alice)

    response = client.post(
        reverse("referral_outcome", args=[alices_case.pk, referral.pk]), {"outcome": outcome}
    )

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["outcome"])
    referral.refresh_from_db()
    assert referral.is_pending
