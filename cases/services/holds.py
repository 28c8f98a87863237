"""Holds on a case: an officer's pause, Breathing Space, disputes and benefit claims.

Each is a `Hold` row the engine reads as a guard (legal-reference.md §19); ending one
keeps the row with its end date and outcome, so the history stays on the case."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from cases import rules
from cases.caseload import active_holds
from cases.models import (
    Case,
    Hold,
    Referral,
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


def _end_hold(
    *,
    hold: Hold,
    kind: str,
    actor: User,
    ended_on: date,
    today: date,
    verb: str,
    outcome: str = "",
    outcome_notes: str = "",
) -> Hold:
    """End a hold in force on a date, with its outcome, and put it on the timeline as
    `verb`, in one transaction."""
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
    with transaction.atomic():
        case = lock_case(hold.case)
        locked = Hold.objects.select_for_update().get(pk=hold.pk)
        if not locked.is_active_on(today):
            raise ValidationError(f"This {locked.get_kind_display().lower()} has already ended.")
        locked.ended_on = ended_on
        locked.ended_by = actor
        locked.outcome = outcome
        locked.outcome_notes = outcome_notes
        locked.save(update_fields=["ended_on", "ended_by", "outcome", "outcome_notes"])
        locked.case = case
        payload: dict[str, object] = {"hold_id": locked.pk, "ended_on": ended_on.isoformat()}
        if outcome:
            payload |= {
                "reason": locked.reason,
                "reason_label": locked.reason_label,
                "outcome": outcome,
                "outcome_label": locked.outcome_label,
                "notes": outcome_notes,
            }
        case_event_record(case=case, actor=actor, verb=verb, payload=payload)
    return locked


def pause_end(*, hold: Hold, actor: User, today: date) -> Hold:
    """End an officer's pause today, before its date."""
    return _end_hold(
        hold=hold,
        kind=Hold.Kind.PAUSE,
        actor=actor,
        ended_on=today,
        today=today,
        verb="pause_ended",
    )


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
    return _end_hold(
        hold=hold,
        kind=Hold.Kind.BREATHING_SPACE,
        actor=actor,
        ended_on=ended_on,
        today=today,
        verb="breathing_space_ended",
    )


# Disputes


def dispute_record(
    *, case: Case, actor: User, reason: str, starts_on: date, comment: str, today: date
) -> Hold:
    """Record that the tenant disputes liability, the balance or charges, or complains of
    disrepair. Letters, notices and court action wait until it is resolved: a disputed
    debt is a defence and a disrepair counterclaim risk, and DWP weighs disputes before
    a deduction (legal-reference.md §11, §19 rule 8; R (Roberts) v SSWP [2025] EWHC 51).
    """
    comment = stripped(comment)
    refuse_if(
        reason=None if reason in Hold.DisputeType.values else "Choose what is disputed",
        starts_on=rules.hold_start_problem(
            starts_on=starts_on,
            today=today,
            tenancy_start=case.tenancy.start_date,
            what="dispute was raised",
        ),
        comment=None if comment else "Enter what the tenant says is wrong",
    )
    with transaction.atomic():
        locked = lock_case(case)
        current = (
            active_holds(today).filter(case=locked, kind=Hold.Kind.DISPUTE, reason=reason).first()
        )
        if current is not None:
            raise ValidationError(
                f"A dispute ({current.reason_label.lower()}) raised on "
                f"{current.starts_on:%-d %B %Y} is already open on this case: resolve it, or "
                "add to it with a note"
            )
        hold = Hold.objects.create(
            case=locked,
            kind=Hold.Kind.DISPUTE,
            reason=reason,
            starts_on=starts_on,
            comment=comment,
            created_by=actor,
        )
        case_event_record(
            case=locked,
            actor=actor,
            verb="dispute_recorded",
            payload={
                "hold_id": hold.pk,
                "reason": reason,
                "reason_label": hold.reason_label,
                "starts_on": starts_on.isoformat(),
                "comment": comment,
            },
        )
    return hold


def dispute_resolve(
    *, hold: Hold, actor: User, outcome: str, resolved_on: date, notes: str, today: date
) -> Hold:
    """Record how a dispute was resolved and when; the case may escalate again from then."""
    notes = stripped(notes)
    refuse_if(
        outcome=None
        if outcome in Hold.DisputeOutcome.values
        else "Choose how the dispute was resolved",
        notes=None if notes else "Enter what was found or agreed",
    )
    return _end_hold(
        hold=hold,
        kind=Hold.Kind.DISPUTE,
        actor=actor,
        ended_on=resolved_on,
        today=today,
        verb="dispute_resolved",
        outcome=outcome,
        outcome_notes=notes,
    )


# Benefit claims


def benefit_claim_record(
    *,
    case: Case,
    actor: User,
    benefit: str,
    submitted_on: date,
    all_evidence_supplied: bool,
    reference: str,
    comment: str,
    today: date,
) -> Hold:
    """Record a pending Housing Benefit, Universal Credit housing costs or DHP claim.

    The Pre-Action Protocol (para 7; legal-reference.md §8, §19 rule 2) says not to start
    proceedings against a tenant who has given all the evidence the claim needs, can
    expect to be eligible and is paying what it will not cover; so whether the evidence
    is all in is recorded, and what is missing when it is not.
    """
    comment = stripped(comment)
    refuse_if(
        benefit=None
        if benefit in Hold.CLAIMED_BENEFITS
        else "Choose the benefit the tenant has claimed",
        submitted_on=rules.hold_start_problem(
            starts_on=submitted_on,
            today=today,
            tenancy_start=case.tenancy.start_date,
            what="claim was submitted",
        ),
        all_evidence_supplied=None
        if isinstance(all_evidence_supplied, bool)
        else "Choose whether the tenant has given all the evidence the claim needs",
        comment="Enter what evidence the claim still needs"
        if all_evidence_supplied is False and not comment
        else None,
    )
    with transaction.atomic():
        locked = lock_case(case)
        current = (
            active_holds(today)
            .filter(case=locked, kind=Hold.Kind.BENEFIT_CLAIM, reason=benefit)
            .first()
        )
        if current is not None:
            raise ValidationError(
                f"A {current.reason_label} claim submitted on {current.starts_on:%-d %B %Y} is "
                "already pending on this case: record its decision first"
            )
        hold = Hold.objects.create(
            case=locked,
            kind=Hold.Kind.BENEFIT_CLAIM,
            reason=benefit,
            starts_on=submitted_on,
            all_evidence_supplied=all_evidence_supplied,
            reference=stripped(reference),
            comment=comment,
            created_by=actor,
        )
        case_event_record(
            case=locked,
            actor=actor,
            verb="benefit_claim_recorded",
            payload={
                "hold_id": hold.pk,
                "reason": benefit,
                "reason_label": hold.reason_label,
                "starts_on": submitted_on.isoformat(),
                "all_evidence_supplied": all_evidence_supplied,
                "reference": hold.reference,
                "comment": comment,
            },
        )
    return hold


def _claim(hold: Hold) -> None:
    """Refuse a hold that is not a benefit claim an officer recorded: a DWP request is
    decided through its referral, which ends the hold it made."""
    if hold.kind != Hold.Kind.BENEFIT_CLAIM:
        raise ValidationError("That is not a benefit claim.")
    if hold.reason not in Hold.CLAIMED_BENEFITS or Referral.objects.filter(hold=hold).exists():
        raise ValidationError(
            "This hold is a request to DWP: record DWP's decision as the referral's outcome"
        )


def benefit_claim_evidence_record(
    *, hold: Hold, actor: User, supplied_on: date, today: date
) -> Hold:
    """Record that the tenant has now given all the evidence a pending claim needs (PAP
    para 7(a)), from which day the protocol's bar on proceedings applies."""
    _claim(hold)
    refuse_if(
        supplied_on="The date the evidence was given must be today or in the past"
        if supplied_on > today
        else (
            "The date the evidence was given must be on or after the claim was submitted, "
            f"{hold.starts_on:%-d %B %Y}"
            if supplied_on < hold.starts_on
            else None
        )
    )
    with transaction.atomic():
        case = lock_case(hold.case)
        locked = Hold.objects.select_for_update().get(pk=hold.pk)
        if not locked.is_active_on(today):
            raise ValidationError("This claim has already been decided.")
        if locked.all_evidence_supplied:
            raise ValidationError("All the evidence for this claim is already recorded as given.")
        locked.all_evidence_supplied = True
        locked.save(update_fields=["all_evidence_supplied"])
        case_event_record(
            case=case,
            actor=actor,
            verb="benefit_claim_evidence_supplied",
            payload={
                "hold_id": locked.pk,
                "reason": locked.reason,
                "reason_label": locked.reason_label,
                "supplied_on": supplied_on.isoformat(),
            },
        )
    return locked


def benefit_claim_decide(
    *, hold: Hold, actor: User, decision: str, decided_on: date, notes: str, today: date
) -> Hold:
    """Record the decision on a pending claim (awarded, refused or withdrawn), which ends
    the hold: the case may escalate again on what is still owed."""
    _claim(hold)
    refuse_if(
        decision=None
        if decision in Hold.BenefitDecision.values
        else "Choose the decision on the claim"
    )
    notes = stripped(notes)
    return _end_hold(
        hold=hold,
        kind=Hold.Kind.BENEFIT_CLAIM,
        actor=actor,
        ended_on=decided_on,
        today=today,
        verb="benefit_claim_decided",
        outcome=decision,
        outcome_notes=notes,
    )
