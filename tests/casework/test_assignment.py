"""Managers reassign cases and give cover of a patch; officers cannot."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases.caseload import cases_worked_by
from cases.models import CaseEvent, PatchCover
from cases.permissions import can_act_on_case
from cases.services import case_reassign, patch_cover_give
from tests.casework.conftest import TODAY, make_case

pytestmark = pytest.mark.django_db


def test_manager_reassigns_a_case_to_another_officer(client, team, alices_case, today):
    client.force_login(team.maggie)

    response = client.post(
        reverse("case_reassign", args=[alices_case.pk]), {"officer": team.bob.pk}
    )

    assert response.status_code == 302
    alices_case.refresh_from_db()
    assert alices_case.officer == team.bob
    event = CaseEvent.objects.get(verb="case_reassigned")
    assert event.actor == team.maggie
    assert event.payload["from_officer"] == "Alice Ash"
    assert event.payload["to_officer"] == "Bob Birch"
    assert can_act_on_case(team.bob, alices_case, today=TODAY)
    assert not can_act_on_case(team.alice, alices_case, today=TODAY)
    assert alices_case in cases_worked_by(user=team.bob, today=TODAY)
    assert alices_case not in cases_worked_by(user=team.alice, today=TODAY)


def test_reassigning_back_to_the_patch_officer_clears_the_assignment(team, alices_case):
    case_reassign(case=alices_case, actor=team.maggie, to_officer=team.bob)

    case_reassign(case=alices_case, actor=team.maggie, to_officer=team.alice)

    alices_case.refresh_from_db()
    assert alices_case.officer is None
    assert CaseEvent.objects.filter(verb="case_reassigned").count() == 2


def test_reassigning_to_where_it_already_sits_writes_nothing(team, alices_case):
    assert case_reassign(case=alices_case, actor=team.maggie, to_officer=None) is None
    assert not CaseEvent.objects.filter(verb="case_reassigned").exists()


def test_an_officer_cannot_reassign_even_their_own_case(client, team, alices_case, today):
    client.force_login(team.alice)

    response = client.post(
        reverse("case_reassign", args=[alices_case.pk]), {"officer": team.bob.pk}
    )

    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        case_reassign(case=alices_case, actor=team.alice, to_officer=team.bob)
    alices_case.refresh_from_db()
    assert alices_case.officer is None


def test_manager_gives_cover_and_every_open_case_on_the_patch_records_it(client, team, today):
    cases = [make_case(team.patch_a, first_name=f"P{n}") for n in range(3)]
    client.force_login(team.maggie)

    response = client.post(
        reverse("patch_cover_give"),
        {
            "patch": team.patch_a.pk,
            "officer": team.bob.pk,
            "starts_on_day": "23",
            "starts_on_month": "11",
            "starts_on_year": "2026",
            "ends_on_day": "4",
            "ends_on_month": "12",
            "ends_on_year": "2026",
            "reason": "Alice on leave",
        },
    )

    assert response.status_code == 302
    cover = PatchCover.objects.get(patch=team.patch_a, officer=team.bob)
    assert (cover.starts_on, cover.ends_on, cover.granted_by) == (
        TODAY,
        date(2026, 12, 4),
        team.maggie,
    )
    events = CaseEvent.objects.filter(verb="cover_given")
    assert sorted(events.values_list("case_id", flat=True)) == sorted(c.pk for c in cases)
    assert events.first().payload["patch"] == "A01"
    assert all(can_act_on_case(team.bob, c, today=TODAY) for c in cases)
    assert not can_act_on_case(team.bob, cases[0], today=date(2026, 12, 5))


@pytest.mark.parametrize(
    ("officer", "starts_on", "ends_on", "message"),
    [
        ("alice", TODAY, None, "already works patch A01"),
        ("bob", date(2026, 11, 1), None, "cannot start in the past"),
        ("bob", TODAY, date(2026, 11, 20), "on or after the start date"),
    ],
)
def test_cover_with_a_problem_is_refused(team, officer, starts_on, ends_on, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        patch_cover_give(
            patch=team.patch_a,
            officer=getattr(team, officer),
            starts_on=starts_on,
            ends_on=ends_on,
            reason="",
            actor=team.maggie,
            today=TODAY,
        )

    assert message in " ".join(refused.value.messages)
    assert not PatchCover.objects.filter(patch=team.patch_a).exists()


def test_overlapping_cover_for_the_same_officer_is_refused(team):
    from django.core.exceptions import ValidationError

    patch_cover_give(
        patch=team.patch_a,
        officer=team.bob,
        starts_on=TODAY,
        ends_on=date(2026, 12, 4),
        reason="",
        actor=team.maggie,
        today=TODAY,
    )

    with pytest.raises(ValidationError):
        patch_cover_give(
            patch=team.patch_a,
            officer=team.bob,
            starts_on=date(2026, 12, 1),
            ends_on=None,
            reason="",
            actor=team.maggie,
            today=TODAY,
        )
    assert PatchCover.objects.filter(patch=team.patch_a).count() == 1


def test_an_officer_cannot_give_cover(client, team, today):
    client.force_login(team.alice)

    assert client.get(reverse("patch_cover_give")).status_code == 403
    response = client.post(
        reverse("patch_cover_give"), {"patch": team.patch_b.pk, "officer": team.alice.pk}
    )
    assert response.status_code == 403
    assert not PatchCover.objects.filter(officer=team.alice).exists()
