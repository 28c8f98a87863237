"""Special category data (UK GDPR Art. 9): notes, contacts and flags marked as such, and
health flags by their kind, are read only by the officers who work the case and the
roles that need them; everyone else sees that a restricted record exists."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cases.models import Contact, VulnerabilityFlag
from cases.restrictions import RESTRICTED_TEXT
from cases.services import contact_record, note_add, vulnerability_record
from privacy.models import SpecialCategory, SpecialCategoryMark
from privacy.services import special_category_mark
from privacy.special_category import is_special_category_flag_kind

pytestmark = pytest.mark.django_db

HEALTH_NOTE = "Told me she is in hospital for her chemotherapy until March"
PLAIN_NOTE = "Promised to ring back on Friday"


@pytest.fixture
def marked_note(team, alices_case, today):
    note = note_add(case=alices_case, actor=team.alice, text=HEALTH_NOTE)
    special_category_mark(
        actor=team.alice, case=alices_case, category=SpecialCategory.HEALTH, event=note, today=today
    )
    note_add(case=alices_case, actor=team.alice, text=PLAIN_NOTE)
    return note


def _timeline(client, user, case) -> str:
    client.force_login(user)
    response = client.get(reverse("case", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_officer_cannot_read_another_officers_special_category_note(
    client, team, alices_case, marked_note
):
    page = _timeline(client, team.bob, alices_case)
    assert HEALTH_NOTE not in page
    assert RESTRICTED_TEXT in page  # he sees that it exists
    assert PLAIN_NOTE in page


def test_the_officer_who_works_the_case_and_a_manager_read_it(
    client, team, alices_case, marked_note
):
    assert HEALTH_NOTE in _timeline(client, team.alice, alices_case)
    assert HEALTH_NOTE in _timeline(client, team.maggie, alices_case)


def test_a_health_flag_is_restricted_by_its_kind_on_every_page_that_shows_it(
    client, team, alices_case, today
):
    vulnerability_record(
        case=alices_case,
        actor=team.alice,
        kind=VulnerabilityFlag.Kind.MENTAL_HEALTH,
        details="Diagnosed with bipolar disorder; crisis team involved",
        today=today,
    )
    client.force_login(team.bob)
    for name in ("case", "case_household"):
        page = client.get(reverse(name, args=[alices_case.pk])).content.decode()
        assert "bipolar" not in page
        assert "Mental health" not in page
        assert "Restricted flag" in page or "Vulnerability flag (restricted)" in page
    client.force_login(team.alice)
    page = client.get(reverse("case_household", args=[alices_case.pk])).content.decode()
    assert "bipolar" in page and "Mental health" in page


def test_a_marked_contact_is_restricted_in_the_household_and_the_timeline(
    client, team, alices_case, today
):
    contact = contact_record(
        case=alices_case,
        actor=team.alice,
        channel=Contact.Channel.PHONE,
        direction=Contact.Direction.INBOUND,
        outcome=Contact.Outcome.SPOKE_TO_TENANT,
        summary="Her son has been diagnosed with autism and she cannot work",
        contacted_on=today,
        today=today,
    )
    special_category_mark(
        actor=team.alice,
        case=alices_case,
        category=SpecialCategory.HEALTH,
        contact=contact,
        today=today,
    )
    client.force_login(team.bob)
    for name in ("case", "case_household"):
        page = client.get(reverse(name, args=[alices_case.pk])).content.decode()
        assert "autism" not in page
        assert RESTRICTED_TEXT in page


def test_only_those_who_work_the_case_may_mark_its_records(team, alices_case, today):
    note = note_add(case=alices_case, actor=team.alice, text=HEALTH_NOTE)
    with pytest.raises(PermissionDenied):
        special_category_mark(
            actor=team.bob,
            case=alices_case,
            category=SpecialCategory.HEALTH,
            event=note,
            today=today,
        )
    assert not SpecialCategoryMark.objects.exists()


def test_the_marking_page_marks_a_note_and_the_timeline_says_so(client, team, alices_case, today):
    note = note_add(case=alices_case, actor=team.alice, text=HEALTH_NOTE)
    client.force_login(team.alice)
    url = reverse("privacy:special_category", args=[alices_case.pk])
    assert HEALTH_NOTE in client.get(url).content.decode()
    response = client.post(url, {"record": f"event-{note.pk}", "category": "health"})
    assert response.status_code == 302
    mark = SpecialCategoryMark.objects.get()
    assert (mark.event_id, mark.category, mark.marked_by) == (note.pk, "health", team.alice)
    assert alices_case.events.filter(verb="special_category_marked").count() == 1
    # Marking again changes nothing.
    client.post(url, {"record": f"event-{note.pk}", "category": "health"})
    assert SpecialCategoryMark.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "special"),
    [
        (VulnerabilityFlag.Kind.MENTAL_HEALTH, True),
        (VulnerabilityFlag.Kind.PHYSICAL_HEALTH, True),
        (VulnerabilityFlag.Kind.SUBSTANCE_MISUSE, True),
        (VulnerabilityFlag.Kind.BEREAVEMENT, False),
        (VulnerabilityFlag.Kind.SAFEGUARDING_CHILD, False),
    ],
)
def test_health_flags_are_special_category_by_their_kind(kind, special):
    assert is_special_category_flag_kind(kind) is special
