"""An introductory tenant's review of the decision to seek possession (HA 1996 s129)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied

from arrears.engine import decide
from arrears.services import nightly_run
from cases.models import Case, CaseEvent, CourtCase, Hold, Tenancy
from court.services import Refused, review_decide, review_request, review_schedule
from notices.models import Document, Notice
from tests.arrears.builders import POLICY, assessed, hold, notice
from tests.arrears.builders import case as case_facts
from tests.court.conftest import Steps, ready_for_claim
from tests.factories import UserFactory
from tests.notices.conftest import TODAY, household, pdf_text

pytestmark = pytest.mark.django_db


def introductory(team):
    case = ready_for_claim(team, Steps(tenure="introductory"))
    notice = case.notices.get()
    notice.created_by = team.alice
    notice.approved_by = team.maggie
    notice.save()
    return case, notice


def test_a_review_asked_for_within_fourteen_days_of_service_holds_the_claim(team):
    case, notice = introductory(team)

    review = review_request(
        notice=notice,
        actor=team.alice,
        today=TODAY,
        requested_on=date(2026, 9, 14),
        grounds="I was in hospital; I can pay £20 a week.",
        oral_hearing=True,
    )

    hold = Hold.objects.get(case=case)
    assert (hold.kind, hold.starts_on, hold.ended_on) == (
        "introductory_review",
        date(2026, 9, 14),
        None,
    )
    assert review.decide_by == date(2026, 10, 5)  # the day before the date in the notice


def test_a_review_asked_for_after_fourteen_days_is_refused_with_the_deadline(team):
    _case, notice = introductory(team)

    with pytest.raises(Refused, match="by 14 September 2026"):
        review_request(
            notice=notice,
            actor=team.alice,
            today=TODAY,
            requested_on=date(2026, 9, 15),
            grounds="Late.",
        )

    assert not Hold.objects.exists()


def test_the_engine_holds_the_claim_while_a_review_is_pending():
    def decision(holds):
        facts = case_facts(
            "introductory",
            stage="pre_court",
            days_at_stage=30,
            arrears="1200",
            assessments=[assessed("notice"), assessed("court")],
            notices=[notice("notice_of_proceedings", served=40, earliest=10, last=None)],
            last_contact_on=TODAY,
            holds=holds,
        )
        return decide(facts, policy=POLICY, today=TODAY)

    held = decision([hold("introductory_review", started=30, until=date(2026, 12, 1))])

    assert decision([]).action == "apply_for_possession"
    assert (held.action, held.guard) == ("hold_review", "introductory_review")


def test_the_reviewer_must_not_have_drafted_or_approved_the_notice(team):
    _case, notice = introductory(team)
    review = review_request(
        notice=notice,
        actor=team.alice,
        today=date(2026, 9, 10),
        requested_on=date(2026, 9, 10),
        grounds="I can pay.",
    )

    with pytest.raises(Refused) as refused:
        review_schedule(
            review=review,
            actor=team.alice,
            today=date(2026, 9, 10),
            scheduled_at=datetime(2026, 9, 25, 10, tzinfo=UTC),
            reviewer=team.maggie,
        )

    assert refused.value.codes == ["reviewer_involved"]


def test_an_oral_hearing_is_given_five_clear_days_notice(team):
    _case, notice = introductory(team)
    reviewer = UserFactory(username="rosa", role="manager")
    review = review_request(
        notice=notice,
        actor=team.alice,
        today=date(2026, 9, 10),
        requested_on=date(2026, 9, 10),
        grounds="I can pay.",
        oral_hearing=True,
    )

    with pytest.raises(Refused, match="no earlier than 16 September 2026"):
        review_schedule(
            review=review,
            actor=team.alice,
            today=date(2026, 9, 10),
            scheduled_at=datetime(2026, 9, 15, 10, tzinfo=UTC),
            reviewer=reviewer,
        )


def test_a_confirmed_review_ends_the_hold_and_writes_the_decision_with_reasons(
    team, django_capture_on_commit_callbacks
):
    case, notice = introductory(team)
    reviewer = UserFactory(username="rosa", first_name="Rosa", last_name="Reed", role="manager")
    review = review_request(
        notice=notice,
        actor=team.alice,
        today=date(2026, 9, 10),
        requested_on=date(2026, 9, 10),
        grounds="I can pay.",
    )
    review_schedule(
        review=review,
        actor=team.alice,
        today=date(2026, 9, 10),
        scheduled_at=datetime(2026, 9, 25, 10, tzinfo=UTC),
        reviewer=reviewer,
    )
    with pytest.raises(PermissionDenied):
        review_decide(
            review=review,
            actor=team.maggie,
            today=date(2026, 9, 25),
            decision="confirmed",
            reasons="x",
        )

    with django_capture_on_commit_callbacks(execute=True):
        review_decide(
            review=review,
            actor=reviewer,
            today=date(2026, 9, 25),
            decision="confirmed",
            reasons="No payment has been made since the notice and the offer is not affordable.",
        )

    review.refresh_from_db()
    assert Hold.objects.get(case=case).ended_on == date(2026, 9, 25)
    text = pdf_text(Document.objects.get(pk=review.letter_id))
    assert "The review has confirmed the decision" in text
    assert "No payment has been made since the notice" in text


def test_an_overturned_review_withdraws_the_notice(team):
    _case, notice = introductory(team)
    reviewer = UserFactory(username="rosa", role="manager")
    review = review_request(
        notice=notice,
        actor=team.alice,
        today=date(2026, 9, 10),
        requested_on=date(2026, 9, 10),
        grounds="The arrears are Housing Benefit owed to me.",
    )
    review_schedule(
        review=review,
        actor=team.alice,
        today=date(2026, 9, 10),
        scheduled_at=datetime(2026, 9, 25, 10, tzinfo=UTC),
        reviewer=reviewer,
    )

    review_decide(
        review=review,
        actor=reviewer,
        today=date(2026, 9, 25),
        decision="overturned",
        reasons="The Housing Benefit claim was not processed.",
    )

    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.WITHDRAWN


def test_an_introductory_tenancy_becomes_secure_the_night_after_its_trial_period_ends(team):
    ending = household(
        patch=team.patch_a, tenure="introductory", trial_period_end=date(2026, 11, 22)
    )
    in_court = household(
        patch=team.patch_a,
        tenure="introductory",
        address="3 Oak Road",
        trial_period_end=date(2026, 11, 22),
    )
    CourtCase.objects.create(case=in_court, claim_number="K1", issued_on=date(2026, 11, 2))
    Case.objects.update(figures_on=None)

    nightly_run(run_date=TODAY, start_letters=False)
    nightly_run(run_date=TODAY, start_letters=False)  # a second run changes nothing more

    assert Tenancy.objects.get(pk=ending.tenancy_id).tenure == "secure"
    assert Case.objects.get(pk=ending.pk).tenure == "secure"
    assert CaseEvent.objects.filter(case=ending, verb="tenancy_became_secure").count() == 1
    # Proceedings begun before the end keep it introductory until decided (HA 1996 s130).
    assert Tenancy.objects.get(pk=in_court.tenancy_id).tenure == "introductory"
