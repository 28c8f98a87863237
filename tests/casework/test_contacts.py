"""Recording contacts and notes: the PAP's evidence of every attempt, and the last contact."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import CaseEvent, Contact
from cases.services import contact_record, note_add
from tests.casework.conftest import TODAY

pytestmark = pytest.mark.django_db


def _post_contact(client, case, **overrides):
    data = {
        "tenant": case.tenancy.tenants.get(is_lead=True).pk,
        "channel": "phone",
        "direction": "outbound",
        "outcome": "promise_to_pay",
        "contacted_on_day": "23",
        "contacted_on_month": "11",
        "contacted_on_year": "2026",
        "summary": "Will pay £50 on Friday when wages arrive",
        "follow_up_on_day": "30",
        "follow_up_on_month": "11",
        "follow_up_on_year": "2026",
    }
    data.update(overrides)
    return client.post(reverse("contact_record", args=[case.pk]), data)


def test_recording_a_contact_saves_it_moves_last_contact_and_writes_the_timeline(
    client, team, alices_case, today
):
    client.force_login(team.alice)

    response = _post_contact(client, alices_case)

    assert response.status_code == 302
    assert response.url == reverse("case", args=[alices_case.pk])
    contact = Contact.objects.get(case=alices_case)
    assert (contact.channel, contact.outcome, contact.recorded_by) == (
        "phone",
        "promise_to_pay",
        team.alice,
    )
    assert contact.follow_up_on == date(2026, 11, 30)
    alices_case.refresh_from_db()
    assert alices_case.last_contact_on == TODAY
    event = CaseEvent.objects.get(case=alices_case, verb="contact_recorded")
    assert event.actor == team.alice
    assert event.payload["outcome_label"] == "Promise to pay"
    assert event.payload["summary"] == "Will pay £50 on Friday when wages arrive"
    assert event.payload["follow_up_on"] == "2026-11-30"
    assert event.payload["tenant_id"] == contact.tenant_id
    assert event.payload["channel"] == "phone" and event.payload["direction"] == "outbound"


def test_an_older_contact_does_not_move_last_contact_back(team, alices_case):
    alices_case.last_contact_on = date(2026, 11, 20)
    alices_case.save()

    contact_record(
        case=alices_case,
        actor=team.alice,
        channel="visit",
        direction="outbound",
        outcome="card_left",
        summary="No one in",
        contacted_on=date(2026, 11, 2),
        today=TODAY,
    )

    alices_case.refresh_from_db()
    assert alices_case.last_contact_on == date(2026, 11, 20)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"summary": "  "}, "summary", "Enter what was said or done"),
        ({"channel": ""}, "channel", "Choose how the contact was made"),
        ({"outcome": ""}, "outcome", "Choose the outcome"),
        (
            {"contacted_on_day": "31", "contacted_on_month": "2"},
            "contacted_on",
            "must be a real date",
        ),
        ({"contacted_on_day": "24"}, "contacted_on", "must not be in the future"),
        ({"follow_up_on_day": "23"}, "follow_up_on", "must be in the future"),
        ({"follow_up_on_year": "2028"}, "follow_up_on", "within a year"),
    ],
)
def test_a_contact_with_a_problem_is_refused_with_a_message_and_nothing_saved(
    client, team, alices_case, today, overrides, field, message
):
    client.force_login(team.alice)

    response = _post_contact(client, alices_case, **overrides)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert b"govuk-error-summary" in response.content
    assert not Contact.objects.exists()
    assert not CaseEvent.objects.filter(verb="contact_recorded").exists()
    alices_case.refresh_from_db()
    assert alices_case.last_contact_on is None


def test_a_contact_cannot_name_someone_from_another_household(team, alices_case, bobs_case):
    stranger = bobs_case.tenancy.tenants.get()

    with pytest.raises(ValidationError) as refused:
        contact_record(
            case=alices_case,
            actor=team.alice,
            channel="phone",
            direction="inbound",
            outcome="spoke_to_tenant",
            summary="Called in",
            contacted_on=TODAY,
            tenant=stranger,
            today=TODAY,
        )

    assert "Choose someone in this household" in refused.value.message_dict["tenant"]
    assert not Contact.objects.exists()


def test_a_note_is_added_to_the_timeline(client, team, alices_case, today):
    client.force_login(team.alice)

    response = client.post(
        reverse("note_add", args=[alices_case.pk]), {"text": "Tenant's son called: mum in hospital"}
    )

    assert response.status_code == 302
    event = CaseEvent.objects.get(case=alices_case, verb="note_added")
    assert event.payload == {"text": "Tenant's son called: mum in hospital"}
    assert event.actor == team.alice
    page = client.get(reverse("case", args=[alices_case.pk])).content.decode()
    assert "Tenant&#x27;s son called: mum in hospital" in page


def test_an_empty_note_is_refused(team, alices_case):
    with pytest.raises(ValidationError) as refused:
        note_add(case=alices_case, actor=team.alice, text="   ")

    assert refused.value.message_dict == {"text": ["Enter the note"]}
    assert not CaseEvent.objects.filter(verb="note_added").exists()


def test_a_signed_acknowledgment_of_the_debt_is_refused_unless_it_came_in_writing(
    client, team, alices_case, today
):
    """Limitation Act 1980 s30: only a written, signed acknowledgment restarts the clock."""
    client.force_login(team.alice)

    by_phone = _post_contact(client, alices_case, outcome="acknowledged_debt", direction="inbound")

    assert by_phone.status_code == 400
    assert "by letter or email" in " ".join(by_phone.context["form"].errors["outcome"])
    assert not Contact.objects.exists()

    by_letter = _post_contact(
        client,
        alices_case,
        outcome="acknowledged_debt",
        channel="letter",
        direction="inbound",
        summary="Signed letter accepting the former tenancy arrears of £700",
        follow_up_on_day="",
        follow_up_on_month="",
        follow_up_on_year="",
    )

    assert by_letter.status_code == 302
    assert Contact.objects.get(case=alices_case).outcome == "acknowledged_debt"
