"""Pausing a case and recording Breathing Space: the holds the engine respects."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import CaseEvent, Hold
from cases.rules import breathing_space_problem, pause_problem
from cases.services import breathing_space_end, breathing_space_record, case_pause, pause_end
from tests.casework.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("until", "problem"),
    [
        (TODAY - timedelta(days=1), "must be in the future"),
        (TODAY, "must be in the future"),
        (TODAY + timedelta(days=1), None),
        (TODAY + timedelta(days=90), None),
        (TODAY + timedelta(days=91), "at most 90 days"),
    ],
)
def test_a_pause_ends_after_today_and_within_the_longest_pause(until, problem):
    found = pause_problem(until=until, today=TODAY)

    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize(
    ("standard", "starts_on", "expected_end", "field", "problem"),
    [
        (True, TODAY, TODAY + timedelta(days=60), None, None),
        (True, TODAY, TODAY + timedelta(days=61), "expected_end", "at most 60 days"),
        (True, TODAY, None, "expected_end", "Enter the expected end date"),
        (True, TODAY, TODAY, "expected_end", "after the start date"),
        (True, TODAY + timedelta(days=1), TODAY + timedelta(days=30), "starts_on", "today or"),
        (False, TODAY, None, None, None),  # mental health crisis: end not known
        (False, TODAY, TODAY + timedelta(days=200), None, None),  # no overall limit
    ],
)
def test_breathing_space_dates_follow_the_regulations(
    standard, starts_on, expected_end, field, problem
):
    found = breathing_space_problem(
        standard=standard, starts_on=starts_on, expected_end=expected_end, today=TODAY
    )

    if problem is None:
        assert found == {}
    else:
        assert problem in found[field]


def test_officer_pauses_a_case_with_reason_date_and_comment(client, team, alices_case, today):
    client.force_login(team.alice)

    response = client.post(
        reverse("case_pause", args=[alices_case.pk]),
        {
            "reason": "hospital",
            "until_day": "7",
            "until_month": "12",
            "until_year": "2026",
            "comment": "In hospital until early December",
        },
    )

    assert response.status_code == 302
    hold = Hold.objects.get(case=alices_case)
    assert (hold.kind, hold.reason, hold.starts_on, hold.until, hold.created_by) == (
        "pause",
        "hospital",
        TODAY,
        date(2026, 12, 7),
        team.alice,
    )
    event = CaseEvent.objects.get(verb="case_paused")
    assert event.payload["reason"] == "hospital"
    assert event.payload["until"] == "2026-12-07"
    assert event.payload["comment"] == "In hospital until early December"
    page = client.get(reverse("case", args=[alices_case.pk])).content.decode()
    assert "Paused to 7 Dec 2026: In hospital" in page


def test_a_case_already_paused_cannot_be_paused_again(team, alices_case):
    case_pause(
        case=alices_case,
        actor=team.alice,
        reason="hospital",
        until=TODAY + timedelta(days=10),
        comment="x",
        today=TODAY,
    )

    with pytest.raises(ValidationError) as refused:
        case_pause(
            case=alices_case,
            actor=team.alice,
            reason="other",
            until=TODAY + timedelta(days=20),
            comment="y",
            today=TODAY,
        )

    assert "already paused until 3 December 2026" in refused.value.messages[0]
    assert Hold.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reason": ""}, "reason", "Choose the reason"),
        ({"comment": ""}, "comment", "Enter a comment"),
        ({"until_year": "2027"}, "until", "at most 90 days"),
        ({"until_day": "1"}, "until", "must be in the future"),
    ],
)
def test_a_pause_with_a_problem_is_refused(client, team, alices_case, today, data, field, message):
    client.force_login(team.alice)
    post = {
        "reason": "hospital",
        "until_day": "7",
        "until_month": "12",
        "until_year": "2026",
        "comment": "In hospital",
        **data,
    }
    if field == "until" and "until_day" in data:
        post["until_month"] = "11"

    response = client.post(reverse("case_pause", args=[alices_case.pk]), post)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Hold.objects.exists()
    assert not CaseEvent.objects.filter(verb="case_paused").exists()


def test_ending_a_pause_early_records_it(client, team, alices_case, today):
    hold = case_pause(
        case=alices_case,
        actor=team.alice,
        reason="promise_of_payment",
        until=TODAY + timedelta(days=14),
        comment="Will pay on the 1st",
        today=TODAY,
    )
    client.force_login(team.alice)

    response = client.post(reverse("pause_end", args=[alices_case.pk, hold.pk]))

    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.ended_on == TODAY and hold.ended_by == team.alice
    assert not hold.is_active_on(TODAY)
    assert CaseEvent.objects.filter(verb="pause_ended", payload__hold_id=hold.pk).exists()
    with pytest.raises(ValidationError):
        pause_end(hold=hold, actor=team.alice, today=TODAY)


def test_recording_and_ending_breathing_space(client, team, alices_case, today):
    client.force_login(team.alice)

    response = client.post(
        reverse("breathing_space_record", args=[alices_case.pk]),
        {
            "type": "standard",
            "starts_on_day": "20",
            "starts_on_month": "11",
            "starts_on_year": "2026",
            "expected_end_day": "18",
            "expected_end_month": "1",
            "expected_end_year": "2027",
            "reference": "BS123456",
        },
    )

    assert response.status_code == 302
    hold = Hold.objects.get(case=alices_case, kind="breathing_space")
    assert (hold.reason, hold.starts_on, hold.until, hold.reference) == (
        "standard",
        date(2026, 11, 20),
        date(2027, 1, 18),
        "BS123456",
    )
    recorded = CaseEvent.objects.get(verb="breathing_space_recorded")
    assert recorded.payload["type"] == "standard"
    assert recorded.payload["starts_on"] == "2026-11-20"
    assert recorded.payload["expected_end"] == "2027-01-18"
    assert recorded.payload["reference"] == "BS123456"
    page = client.get(reverse("case", args=[alices_case.pk])).content.decode()
    assert "Breathing Space to 18 Jan 2027" in page
    assert "do not ask for the arrears it covers" in page

    ended = client.post(
        reverse("breathing_space_end", args=[alices_case.pk, hold.pk]),
        {"ended_on_day": "23", "ended_on_month": "11", "ended_on_year": "2026"},
    )

    assert ended.status_code == 302
    hold.refresh_from_db()
    assert hold.ended_on == TODAY
    assert CaseEvent.objects.get(verb="breathing_space_ended").payload["ended_on"] == "2026-11-23"


def test_a_second_breathing_space_while_one_is_in_force_is_refused(team, alices_case):
    breathing_space_record(
        case=alices_case,
        actor=team.alice,
        type="mental_health_crisis",
        starts_on=TODAY,
        expected_end=None,
        reference="",
        today=TODAY,
    )

    with pytest.raises(ValidationError) as refused:
        breathing_space_record(
            case=alices_case,
            actor=team.alice,
            type="standard",
            starts_on=TODAY,
            expected_end=TODAY + timedelta(days=60),
            reference="",
            today=TODAY,
        )

    assert "already recorded" in refused.value.messages[0]
    assert Hold.objects.filter(kind="breathing_space").count() == 1


def test_breathing_space_cannot_end_before_it_started(team, alices_case):
    hold = breathing_space_record(
        case=alices_case,
        actor=team.alice,
        type="standard",
        starts_on=TODAY - timedelta(days=5),
        expected_end=TODAY + timedelta(days=50),
        reference="",
        today=TODAY,
    )

    with pytest.raises(ValidationError) as refused:
        breathing_space_end(
            hold=hold, actor=team.alice, ended_on=TODAY - timedelta(days=6), today=TODAY
        )

    assert "on or after the date it started" in refused.value.message_dict["ended_on"][0]
    hold.refresh_from_db()
    assert hold.ended_on is None
