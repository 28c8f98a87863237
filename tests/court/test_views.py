"""The court pages: who may act, and that each page works as a form without JavaScript."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from cases.models import CaseEvent, CourtCase, ProportionalityAssessment, Warrant
from cases.timeline import SENTENCES
from court.models import Claim, IntroductoryReview, SuspensionApplication, WarrantRequest
from tests.court.conftest import TODAY, Steps, issued_claim, ready_for_claim, served_notice
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _every_new_action(case, court_case, warrant, notice, account, application):
    name = "court:{}".format
    return [
        ("get", reverse(name("claim_new"), args=[case.pk])),
        ("post", reverse(name("claim_new"), args=[case.pk])),
        ("post", reverse(name("hearing_new"), args=[case.pk, court_case.pk])),
        ("get", reverse(name("warrant_request_new"), args=[case.pk, court_case.pk])),
        ("post", reverse(name("warrant_request_new"), args=[case.pk, court_case.pk])),
        *[
            ("post", reverse(name("warrant_step"), args=[case.pk, warrant.pk, step]))
            for step in ("issued", "appointment", "suspension", "withdraw")
        ],
        ("post", reverse(name("suspension_decide"), args=[case.pk, application.pk])),
        ("post", reverse(name("eviction_new"), args=[case.pk, warrant.pk])),
        ("post", reverse(name("review_new"), args=[case.pk, notice.pk])),
        ("post", reverse(name("money_claim_new"), args=[case.pk, account.pk])),
        ("get", reverse("assessment_record", args=[case.pk])),
        ("post", reverse("assessment_record", args=[case.pk])),
    ]


def test_an_officer_of_another_patch_gets_403_on_every_new_action(client, team):
    case, court_case = issued_claim(team)
    warrant = Warrant.objects.create(
        court_case=court_case, form="N325", applied_on=date(2026, 11, 20)
    )
    application = SuspensionApplication.objects.create(
        warrant=warrant, applied_on=date(2026, 11, 21), recorded_by=team.alice
    )
    notice = case.notices.get()
    account = AccountFactory(
        case=case, kind="former_tenancy_arrears", rent_lawfully_due=False, balance=Decimal("100.00")
    )
    events = CaseEvent.objects.count()
    client.force_login(team.bob)

    for method, address in _every_new_action(
        case, court_case, warrant, notice, account, application
    ):
        response = getattr(client, method)(address, {"reason": "x", "outcome": "dismissed"})
        assert response.status_code == 403, address

    assert CaseEvent.objects.count() == events
    assert CourtCase.objects.get().outcome == "pending"
    assert Warrant.objects.get().outcome == "pending"


def test_the_claim_page_shows_each_check_and_a_refusal_names_the_rule(client, team):
    case = ready_for_claim(team)
    case.contacts.all().delete()
    client.force_login(team.alice)
    address = reverse("court:claim_new", args=[case.pk])

    page = client.get(address).content.decode()
    refused = client.post(address).content.decode()

    assert "No attempt to contact the tenant has been recorded since the notice" in page
    assert "The claim cannot be prepared: No attempt to contact the tenant" in refused
    assert not Claim.objects.exists()
    assert CaseEvent.objects.filter(case=case, verb="court_claim_refused").exists()


def test_a_claim_refused_for_a_missing_assessment_can_go_ahead_once_one_is_recorded(client, team):
    case = ready_for_claim(team, Steps(court_assessment_on=None))
    client.force_login(team.alice)
    address = reverse("court:claim_new", args=[case.pk])
    refused = client.post(address).content.decode()
    assert "No proportionality and equality assessment for issuing a claim" in refused

    without_reasons = client.post(
        reverse("assessment_record", args=[case.pk]), {"step": "court", "decision": "proceed"}
    )
    assert without_reasons.status_code == 400
    assert "Enter the reasons for the decision" in without_reasons.content.decode()
    assert not ProportionalityAssessment.objects.filter(case=case, step="court").exists()

    recorded = client.post(
        reverse("assessment_record", args=[case.pk]),
        {
            "step": "court",
            "decision": "proceed",
            "impact_on_children": "None in the household.",
            "reasons": "No payment since the notice; support offered and refused.",
        },
    )
    assert recorded.status_code == 302
    assessment = ProportionalityAssessment.objects.get(case=case, step="court")
    assert (assessment.assessed_on, assessment.assessed_by) == (TODAY, team.alice)
    assert assessment.impact_on_children == "None in the household."
    assert CaseEvent.objects.filter(case=case, verb="assessment_recorded").exists()
    section = client.get(reverse("case_notices", args=[case.pk])).content.decode()
    assert "Issuing a possession claim" in section

    assert client.post(address).status_code == 302
    assert Claim.objects.filter(case=case).exists()


def test_an_officer_prepares_and_issues_a_claim_through_the_pages(client, team):
    case = ready_for_claim(team)
    client.force_login(team.alice)

    prepared = client.post(reverse("court:claim_new", args=[case.pk]))
    claim = Claim.objects.get()
    assert prepared.status_code == 302 and prepared["Location"].endswith(f"/claims/{claim.pk}/")
    issued = client.post(
        reverse("court:claim_detail", args=[case.pk, claim.pk]),
        {
            "claim_number": "K00EB123",
            "court_name": "County Court at Eastbrook",
            "issued_on_day": "23",
            "issued_on_month": "11",
            "issued_on_year": "2026",
            "hearing_on_day": "11",
            "hearing_on_month": "1",
            "hearing_on_year": "2027",
            "hearing_time": "10:00",
        },
    )

    assert issued.status_code == 302
    court_case = CourtCase.objects.get()
    assert (court_case.claim_number, court_case.case) == ("K00EB123", case)
    section = client.get(reverse("case_notices", args=[case.pk])).content.decode()
    assert "Record the hearing's outcome" in section and "Legal history" in section


def test_a_manager_sees_eviction_reports_awaiting_a_decision(client, team):
    case, court_case = issued_claim(team)
    WarrantRequest.objects.create(
        case=case,
        court_case=court_case,
        form="N325A",
        arrears=Decimal("900.00"),
        recommendation="Ask for a warrant.",
        prepared_by=team.alice,
    )
    client.force_login(team.maggie)

    page = client.get(reverse("court:approvals"))

    assert page.status_code == 200
    assert b"Eviction reports (1)" in page.content and b"N325A, claim K00EB123" in page.content
    assert client.get("/notices/approvals/").status_code == 301
    client.force_login(team.alice)
    assert client.get(reverse("court:approvals")).status_code == 403


def test_a_review_request_is_recorded_through_its_page(client, team):
    case = ready_for_claim(team, steps=None)
    notice = served_notice(case, kind="notice_of_proceedings", served_on=date(2026, 11, 16))
    client.force_login(team.alice)

    response = client.post(
        reverse("court:review_new", args=[case.pk, notice.pk]),
        {
            "requested_on_day": "20",
            "requested_on_month": "11",
            "requested_on_year": "2026",
            "grounds": "I can pay it off.",
            "oral_hearing": "on",
        },
    )

    review = IntroductoryReview.objects.get()
    assert response.status_code == 302 and review.oral_hearing
    assert client.get(reverse("court:review_detail", args=[case.pk, review.pk])).status_code == 200


def test_every_verb_the_court_services_write_reads_as_a_sentence_on_the_timeline():
    source = "".join(p.read_text() for p in Path("court/services").glob("*.py"))
    verbs = set(re.findall(r'verb="([a-z_]+)"', source)) | set(
        re.findall(r'verb=(?:"[a-z_]+" if approve else )?"([a-z_]+)"', source)
    )
    verbs |= {"court_claim_refused", "warrant_request_refused", "warrant_request_approved"}

    assert verbs and not verbs - set(SENTENCES)
