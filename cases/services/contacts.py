"""Contacts with the household, and notes."""

from datetime import date

from django.db import transaction

from cases import rules
from cases.models import (
    Case,
    CaseEvent,
    Contact,
    Tenant,
)
from cases.services.events import case_event_record, lock_case, refuse_if, stripped
from cases.timeline import contact_payload
from core.models import User


def contact_record(
    *,
    case: Case,
    actor: User,
    channel: str,
    direction: str,
    outcome: str,
    summary: str,
    contacted_on: date,
    today: date,
    tenant: Tenant | None = None,
    follow_up_on: date | None = None,
) -> Contact:
    """Record a contact made or attempted, and keep the case's last contact date."""
    summary = stripped(summary)
    refuse_if(
        summary=None if summary else "Enter what was said or done",
        contacted_on="The date of the contact must not be in the future"
        if contacted_on > today
        else None,
        follow_up_on=rules.follow_up_problem(follow_up_on=follow_up_on, today=today),
        tenant="Choose someone in this household"
        if tenant is not None and tenant.tenancy_id != case.tenancy_id
        else None,
        outcome=rules.acknowledgment_problem(outcome=outcome, channel=channel, direction=direction),
    )
    with transaction.atomic():
        locked = lock_case(case)
        contact = Contact(
            case=locked,
            tenant=tenant,
            channel=channel,
            direction=direction,
            outcome=outcome,
            summary=summary,
            contacted_on=contacted_on,
            follow_up_on=follow_up_on,
            recorded_by=actor,
        )
        contact.full_clean()
        contact.save()
        if locked.last_contact_on is None or contacted_on > locked.last_contact_on:
            Case.objects.filter(pk=locked.pk).update(last_contact_on=contacted_on)
            case.last_contact_on = contacted_on
        case_event_record(
            case=locked,
            actor=actor,
            verb="contact_recorded",
            payload=contact_payload(contact),
        )
    return contact


def note_add(*, case: Case, actor: User, text: str) -> CaseEvent:
    """Add a note to the case's timeline."""
    text = stripped(text)
    refuse_if(text=None if text else "Enter the note")
    with transaction.atomic():
        locked = lock_case(case)
        event = case_event_record(
            case=locked, actor=actor, verb="note_added", payload={"text": text}
        )
    return event
