"""Holds on a case: an officer's pause and Breathing Space."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from cases import rules
from cases.caseload import active_holds
from cases.models import (
    Case,
    Hold,
)
from cases.services.events import case_event_record, lock_case, refuse_if, stripped
from core.models import User


def case_pause(
    *, case: Case, actor: User, reason: str, until: date, comment: str, today: date
) -> Hold:
    """Pause escalation on a case until a date, with the reason and a comment."""
    comment = stripped(comment)
    refuse_if(
        until=rules.pause_problem(until=until, today=today),
        comment=None if comment else "Enter a comment saying why the case is paused",
        reason=None if reason in Hold.PauseReason.values else "Choose the reason for the pause",
    )
    with transaction.atomic():
        locked = lock_case(case)
        current = active_holds(today).filter(case=locked, kind=Hold.Kind.PAUSE).first()
        if current is not None:
            raise ValidationError(
                f"This case is already paused until {current.until:%-d %B %Y}: end that pause first"
            )
        hold = Hold.objects.create(
            case=locked,
            kind=Hold.Kind.PAUSE,
            reason=reason,
            starts_on=today,
            until=until,
            comment=comment,
            created_by=actor,
        )
        case_event_record(
            case=locked,
            actor=actor,
            verb="case_paused",
            payload={
                "hold_id": hold.pk,
                "reason": reason,
                "reason_label": hold.reason_label,
                "until": until.isoformat(),
                "comment": comment,
            },
        )
    return hold


def _end_hold(*, hold: Hold, kind: str, actor: User, ended_on: date, today: date) -> Hold:
    """End a hold in force on a date; the caller holds the transaction."""
    if hold.kind != kind:
        raise ValidationError("That is not this kind of hold.")
    if ended_on > today:
        raise ValidationError({"ended_on": "The end date must not be in the future"})
    if ended_on < hold.starts_on:
        raise ValidationError(
            {
                "ended_on": "The end date must be on or after the date it started, "
                f"{hold.starts_on:%-d %B %Y}"
            }
        )
    case = lock_case(hold.case)
    locked = Hold.objects.select_for_update().get(pk=hold.pk)
    if not locked.is_active_on(today):
        raise ValidationError(f"This {locked.get_kind_display().lower()} has already ended.")
    locked.ended_on = ended_on
    locked.ended_by = actor
    locked.save(update_fields=["ended_on", "ended_by"])
    locked.case = case
    return locked


def pause_end(*, hold: Hold, actor: User, today: date) -> Hold:
    """End an officer's pause today, before its date."""
    with transaction.atomic():
        ended = _end_hold(hold=hold, kind=Hold.Kind.PAUSE, actor=actor, ended_on=today, today=today)
        case_event_record(
            case=ended.case,
            actor=actor,
            verb="pause_ended",
            payload={"hold_id": ended.pk, "ended_on": today.isoformat()},
        )
    return ended


def breathing_space_record(
    *,
    case: Case,
    actor: User,
    type: str,
    starts_on: date,
    expected_end: date | None,
    reference: str,
    today: date,
) -> Hold:
    """Record a Breathing Space the Insolvency Service has notified (SI 2020/1311).

    It holds every arrears step on the case (legal-reference.md §10, §19 rule 1).
    """
    if type not in Hold.BreathingSpaceType.values:
        raise ValidationError({"type": "Choose the type of Breathing Space"})
    refuse_if(
        **rules.breathing_space_problem(
            standard=type == Hold.BreathingSpaceType.STANDARD,
            starts_on=starts_on,
            expected_end=expected_end,
            today=today,
        )
    )
    with transaction.atomic():
        locked = lock_case(case)
        if active_holds(today).filter(case=locked, kind=Hold.Kind.BREATHING_SPACE).exists():
            raise ValidationError(
                "A Breathing Space is already recorded on this case: end it before recording "
                "another"
            )
        hold = Hold.objects.create(
            case=locked,
            kind=Hold.Kind.BREATHING_SPACE,
            reason=type,
            starts_on=starts_on,
            until=expected_end,
            reference=stripped(reference),
            comment="Notified by the Insolvency Service",
            created_by=actor,
        )
        case_event_record(
            case=locked,
            actor=actor,
            verb="breathing_space_recorded",
            payload={
                "hold_id": hold.pk,
                "type": type,
                "type_label": hold.reason_label,
                "starts_on": starts_on.isoformat(),
                "expected_end": expected_end.isoformat() if expected_end else None,
                "reference": hold.reference,
            },
        )
    return hold


def breathing_space_end(*, hold: Hold, actor: User, ended_on: date, today: date) -> Hold:
    """Record that a Breathing Space ended (or was cancelled) on a date."""
    with transaction.atomic():
        ended = _end_hold(
            hold=hold, kind=Hold.Kind.BREATHING_SPACE, actor=actor, ended_on=ended_on, today=today
        )
        case_event_record(
            case=ended.case,
            actor=actor,
            verb="breathing_space_ended",
            payload={"hold_id": ended.pk, "ended_on": ended_on.isoformat()},
        )
    return ended
