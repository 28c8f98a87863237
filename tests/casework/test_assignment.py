"""Managers reassign cases, and give and withdraw cover of a patch; officers cannot."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases.caseload import cases_worked_by
from cases.models import CaseEvent, PatchCover
from cases.permissions import can_act_on_case
from cases.selectors import covers_in_force_or_planned
from cases.services import case_reassign, patch_cover_give, patch_cover_withdraw
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


# Withdrawing cover


def _withdraw_form(when: str, last_day: date | None = None, reason: str = "") -> dict[str, str]:
    data = {"when": when, "reason": reason}
    if last_day is not None:
        data |= {
            "last_day_day": str(last_day.day),
            "last_day_month": str(last_day.month),
            "last_day_year": str(last_day.year),
        }
    return data


def _carols_cover(team) -> PatchCover:
    return PatchCover.objects.get(patch=team.patch_b, officer=team.carol)


def test_manager_withdraws_cover_now_and_the_officer_loses_the_patch_at_once(client, team, today):
    cases = [make_case(team.patch_b, first_name=f"B{n}") for n in range(3)]
    closed = make_case(team.patch_b, first_name="Closed", status="closed")
    make_case(team.patch_a, first_name="Elsewhere")
    assert all(can_act_on_case(team.carol, c, today=TODAY) for c in cases)
    client.force_login(team.maggie)

    response = client.post(
        reverse("patch_cover_withdraw", args=[_carols_cover(team).pk]),
        _withdraw_form("now", reason="Bob is back from leave"),
    )

    assert response.status_code == 302
    cover = _carols_cover(team)
    assert (cover.starts_on, cover.ends_on, cover.withdrawn_by) == (
        date(2026, 11, 1),
        date(2026, 11, 22),
        team.maggie,
    )
    assert cover.withdrawn_at is not None
    events = CaseEvent.objects.filter(verb="cover_withdrawn")
    assert sorted(events.values_list("case_id", flat=True)) == sorted(c.pk for c in cases)
    assert not events.filter(case=closed).exists()
    event = events.first()
    assert event.actor == team.maggie
    assert event.payload["patch"] == "B01"
    assert event.payload["officer"] == "Carol Cedar"
    assert event.payload["ends_on"] == "2026-11-22"
    assert event.payload["reason"] == "Bob is back from leave"
    assert not any(can_act_on_case(team.carol, c, today=TODAY) for c in cases)
    assert not cases_worked_by(user=team.carol, today=TODAY).exists()
    client.force_login(team.carol)
    note = reverse("note_add", args=[cases[0].pk])
    assert client.get(note).status_code == 403
    assert client.post(note, {"text": "Still covering?"}).status_code == 403
    assert not CaseEvent.objects.filter(verb="note_added").exists()
    caseload = client.get(reverse("home")).context["caseload"]
    assert caseload.total == 0
    assert [o.value for o in caseload.facet("patch").options] == []


def test_cover_withdrawn_after_a_later_day_lasts_until_the_end_of_that_day(team):
    case = make_case(team.patch_b)

    cover = patch_cover_withdraw(
        cover=_carols_cover(team),
        actor=team.maggie,
        last_day=date(2026, 11, 27),
        reason="",
        today=TODAY,
    )

    assert cover.ends_on == date(2026, 11, 27)
    assert can_act_on_case(team.carol, case, today=date(2026, 11, 27))
    assert not can_act_on_case(team.carol, case, today=date(2026, 11, 28))
    assert CaseEvent.objects.get(verb="cover_withdrawn").payload["ends_on"] == "2026-11-27"


@pytest.mark.parametrize("starts_on", [TODAY, date(2026, 12, 1)])
def test_cover_withdrawn_before_or_on_its_first_day_never_gives_the_patch(team, starts_on):
    case = make_case(team.patch_a)
    given = patch_cover_give(
        patch=team.patch_a,
        officer=team.bob,
        starts_on=starts_on,
        ends_on=None,
        reason="Alice on leave",
        actor=team.maggie,
        today=TODAY,
    )

    cover = patch_cover_withdraw(
        cover=given, actor=team.maggie, last_day=None, reason="Leave cancelled", today=TODAY
    )

    assert cover.ends_on == starts_on - timedelta(days=1)
    assert cover.withdrawn_before_it_began
    for day in (TODAY, starts_on, starts_on + timedelta(days=30)):
        assert not can_act_on_case(team.bob, case, today=day)
    assert CaseEvent.objects.get(verb="cover_withdrawn").payload["before_it_began"] is True
    assert given not in covers_in_force_or_planned(today=TODAY)
    # The patch is free for cover again from the day this one would have started.
    patch_cover_give(
        patch=team.patch_a,
        officer=team.bob,
        starts_on=starts_on,
        ends_on=None,
        reason="",
        actor=team.maggie,
        today=TODAY,
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"when": ""}, "Choose when the cover ends"),
        (_withdraw_form("later"), "Enter the last day of cover"),
        (_withdraw_form("later", TODAY - timedelta(days=1)), "must be today or later"),
        (
            {**_withdraw_form("later", TODAY), "last_day_month": "14"},
            "must be a real date",
        ),
    ],
)
def test_withdrawing_cover_with_a_problem_is_refused_and_writes_nothing(
    client, team, today, data, message
):
    make_case(team.patch_b)
    client.force_login(team.maggie)

    response = client.post(reverse("patch_cover_withdraw", args=[_carols_cover(team).pk]), data)

    assert response.status_code == 400
    assert message in " ".join(" ".join(e) for e in response.context["form"].errors.values())
    cover = _carols_cover(team)
    assert (cover.ends_on, cover.withdrawn_at, cover.withdrawn_by) == (None, None, None)
    assert not CaseEvent.objects.filter(verb="cover_withdrawn").exists()


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "last_day", "message"),
    [
        (date(2026, 12, 1), None, date(2026, 11, 30), "on or after the day it starts, 1 Dece"),
        (date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 30), "already ends on 30 Nov"),
        (date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 5), "choose an earlier last day"),
        (date(2026, 11, 1), date(2026, 11, 20), None, "already ended on 20 November 2026"),
        (date(2026, 11, 1), date(2026, 11, 20), date(2026, 11, 25), "already ended on 20 Nov"),
    ],
)
def test_withdrawal_only_shortens_cover_that_has_not_ended(
    team, starts_on, ends_on, last_day, message
):
    from django.core.exceptions import ValidationError

    cover = PatchCover.objects.create(
        patch=team.patch_a, officer=team.bob, starts_on=starts_on, ends_on=ends_on
    )
    make_case(team.patch_a)

    with pytest.raises(ValidationError) as refused:
        patch_cover_withdraw(
            cover=cover, actor=team.maggie, last_day=last_day, reason="", today=TODAY
        )

    assert message in " ".join(refused.value.messages)
    cover.refresh_from_db()
    assert (cover.ends_on, cover.withdrawn_at) == (ends_on, None)
    assert not CaseEvent.objects.filter(verb="cover_withdrawn").exists()


@pytest.mark.parametrize("officer", ["carol", "bob", "alice"])
def test_an_officer_cannot_withdraw_cover_even_their_own(client, team, today, officer):
    make_case(team.patch_b)
    url = reverse("patch_cover_withdraw", args=[_carols_cover(team).pk])
    client.force_login(getattr(team, officer))

    assert client.get(url).status_code == 403
    assert client.post(url, _withdraw_form("now")).status_code == 403

    cover = _carols_cover(team)
    assert (cover.ends_on, cover.withdrawn_at) == (None, None)
    assert not CaseEvent.objects.filter(verb="cover_withdrawn").exists()
    with pytest.raises(PermissionDenied):
        patch_cover_withdraw(
            cover=cover, actor=getattr(team, officer), last_day=None, reason="", today=TODAY
        )


def test_a_case_assigned_to_the_covering_officer_by_name_stays_theirs(team):
    case = make_case(team.patch_b)
    case_reassign(case=case, actor=team.maggie, to_officer=team.carol)

    patch_cover_withdraw(
        cover=_carols_cover(team), actor=team.maggie, last_day=None, reason="", today=TODAY
    )

    assert can_act_on_case(team.carol, case, today=TODAY)
    assert list(cases_worked_by(user=team.carol, today=TODAY)) == [case]


def test_the_cover_page_lists_cover_in_force_with_a_link_to_withdraw_it(client, team, today):
    client.force_login(team.maggie)

    page = client.get(reverse("patch_cover_give")).content.decode()

    assert "Cover in force or planned" in page
    assert reverse("patch_cover_withdraw", args=[_carols_cover(team).pk]) in page
    assert "Carol Cedar" in page
    withdraw = client.get(reverse("patch_cover_withdraw", args=[_carols_cover(team).pk]))
    assert "Now: Carol Cedar stops working the patch" in withdraw.content.decode()
