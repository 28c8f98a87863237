"""Writes to cases. Each service runs in one transaction and records the timeline."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from cases import rules
from cases.caseload import active_holds
from cases.models import (
    Case,
    CaseEvent,
    Contact,
    Hold,
    IncomeExpenditure,
    Patch,
    PatchCover,
    Referral,
    Tenant,
    VulnerabilityFlag,
)
from core.models import User
from core.money import to_money


def case_event_record(
    *,
    case: Case,
    actor: User | None,
    verb: str,
    payload: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> CaseEvent | None:
    """Add an entry to a case's timeline.

    With an idempotency key, a second call with the same key writes nothing and
    returns None, so a re-run of a job cannot duplicate an event.
    """
    event = CaseEvent(
        case=case,
        actor=actor,
        verb=verb,
        payload=payload or {},
        occurred_at=occurred_at or timezone.now(),
        idempotency_key=idempotency_key,
    )
    if idempotency_key is None:
        event.save()
        return event
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        if CaseEvent.objects.filter(idempotency_key=idempotency_key).exists():
            return None
        raise
    return event


def _locked(case: Case) -> Case:
    """Lock the case row so two officers' changes to one case run one after the other."""
    return Case.objects.select_for_update().get(pk=case.pk)


def _require(**problems: str | None) -> None:
    errors = {field: message for field, message in problems.items() if message}
    if errors:
        raise ValidationError(errors)


def _text(value: str) -> str:
    return (value or "").strip()


# Contacts and notes


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
    summary = _text(summary)
    _require(
        summary=None if summary else "Enter what was said or done",
        contacted_on="The date of the contact must not be in the future"
        if contacted_on > today
        else None,
        follow_up_on=rules.follow_up_problem(follow_up_on=follow_up_on, today=today),
        tenant="Choose someone in this household"
        if tenant is not None and tenant.tenancy_id != case.tenancy_id
        else None,
    )
    with transaction.atomic():
        locked = _locked(case)
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
            payload={
                "contact_id": contact.pk,
                "channel": channel,
                "channel_label": contact.get_channel_display(),
                "direction": direction,
                "outcome": outcome,
                "outcome_label": contact.get_outcome_display(),
                "summary": summary,
                "contacted_on": contacted_on.isoformat(),
                "follow_up_on": follow_up_on.isoformat() if follow_up_on else None,
                "tenant_id": tenant.pk if tenant else None,
                "tenant_name": tenant.full_name if tenant else "",
            },
        )
    return contact


def note_add(*, case: Case, actor: User, text: str) -> CaseEvent:
    """Add a note to the case's timeline."""
    text = _text(text)
    _require(text=None if text else "Enter the note")
    with transaction.atomic():
        locked = _locked(case)
        event = case_event_record(
            case=locked, actor=actor, verb="note_added", payload={"text": text}
        )
    return event


# Holds: an officer's pause and Breathing Space


def case_pause(
    *, case: Case, actor: User, reason: str, until: date, comment: str, today: date
) -> Hold:
    """Pause escalation on a case until a date, with the reason and a comment."""
    comment = _text(comment)
    _require(
        until=rules.pause_problem(until=until, today=today),
        comment=None if comment else "Enter a comment saying why the case is paused",
        reason=None if reason in Hold.PauseReason.values else "Choose the reason for the pause",
    )
    with transaction.atomic():
        locked = _locked(case)
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
    if hold.kind != kind:
        raise ValidationError("That is not this kind of hold.")
    _require(
        ended_on="The end date must not be in the future" if ended_on > today else None,
    )
    _require(
        ended_on=f"The end date must be on or after the date it started, {hold.starts_on:%-d %B %Y}"
        if ended_on < hold.starts_on
        else None
    )
    locked_case = _locked(hold.case)
    locked = Hold.objects.select_for_update().get(pk=hold.pk)
    if not locked.is_active_on(today):
        raise ValidationError(f"This {locked.get_kind_display().lower()} has already ended.")
    locked.ended_on = ended_on
    locked.ended_by = actor
    locked.save(update_fields=["ended_on", "ended_by"])
    hold.case = locked_case
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
    _require(
        **rules.breathing_space_problem(
            standard=type == Hold.BreathingSpaceType.STANDARD,
            starts_on=starts_on,
            expected_end=expected_end,
            today=today,
        )
    )
    with transaction.atomic():
        locked = _locked(case)
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
            reference=_text(reference),
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


# Vulnerability and safeguarding


SAFEGUARDING_KINDS = frozenset(
    {VulnerabilityFlag.Kind.SAFEGUARDING_ADULT, VulnerabilityFlag.Kind.SAFEGUARDING_CHILD}
)


def vulnerability_record(
    *,
    case: Case,
    actor: User,
    kind: str,
    details: str,
    today: date,
    tenant: Tenant | None = None,
    review_on: date | None = None,
) -> VulnerabilityFlag:
    """Flag a vulnerability or safeguarding concern (PAP; Equality Act 2010 s149; §14)."""
    details = _text(details)
    _require(
        details=None if details else "Enter what the officer needs to know",
        review_on="The review date must be in the future"
        if review_on is not None and review_on <= today
        else None,
        tenant="Choose someone in this household"
        if tenant is not None and tenant.tenancy_id != case.tenancy_id
        else None,
    )
    with transaction.atomic():
        locked = _locked(case)
        flag = VulnerabilityFlag(
            case=locked,
            tenant=tenant,
            kind=kind,
            details=details,
            is_safeguarding=kind in SAFEGUARDING_KINDS,
            recorded_on=today,
            recorded_by=actor,
            review_on=review_on,
        )
        flag.full_clean()
        flag.save()
        case_event_record(
            case=locked,
            actor=actor,
            verb="vulnerability_recorded",
            payload={
                "flag_id": flag.pk,
                "kind": kind,
                "kind_label": flag.get_kind_display(),
                "details": details,
                "is_safeguarding": flag.is_safeguarding,
                "tenant_id": tenant.pk if tenant else None,
            },
        )
    return flag


def vulnerability_clear(
    *, flag: VulnerabilityFlag, actor: User, reason: str, today: date
) -> VulnerabilityFlag:
    """Clear a flag that no longer applies, saying why; the flag itself is kept."""
    reason = _text(reason)
    _require(reason=None if reason else "Enter why the flag no longer applies")
    with transaction.atomic():
        locked_case = _locked(flag.case)
        locked = VulnerabilityFlag.objects.select_for_update().get(pk=flag.pk)
        if locked.cleared_on is not None:
            raise ValidationError(
                f"This flag was already cleared on {locked.cleared_on:%-d %B %Y}."
            )
        locked.cleared_on = today
        locked.cleared_by = actor
        locked.cleared_reason = reason[:200]
        locked.save(update_fields=["cleared_on", "cleared_by", "cleared_reason"])
        case_event_record(
            case=locked_case,
            actor=actor,
            verb="vulnerability_cleared",
            payload={
                "flag_id": locked.pk,
                "kind": locked.kind,
                "kind_label": locked.get_kind_display(),
                "reason": reason,
            },
        )
    return locked


# Referrals


REFERRAL_BENEFIT = {
    Referral.Kind.MANAGED_PAYMENT: Hold.BenefitType.MANAGED_PAYMENT,
    Referral.Kind.THIRD_PARTY_DEDUCTION: Hold.BenefitType.THIRD_PARTY_DEDUCTION,
}


def referral_make(
    *, case: Case, actor: User, kind: str, referred_to: str, notes: str, today: date
) -> Referral:
    """Refer the household for support. A request to DWP for a managed payment or a
    deduction also holds the case until DWP decides (legal-reference.md §11, §19 rule 7)."""
    referred_to = _text(referred_to)
    _require(
        kind=None if kind in Referral.Kind.values else "Choose the kind of referral",
        referred_to=None if referred_to else "Enter the team or organisation referred to",
    )
    with transaction.atomic():
        locked = _locked(case)
        if Referral.objects.filter(
            case=locked, kind=kind, outcome=Referral.Outcome.PENDING
        ).exists():
            raise ValidationError(
                f"A {Referral.Kind(kind).label.lower()} referral is already waiting for a "
                "response: record its outcome first"
            )
        hold = None
        if kind in REFERRAL_BENEFIT:
            hold = Hold.objects.create(
                case=locked,
                kind=Hold.Kind.BENEFIT_CLAIM,
                reason=REFERRAL_BENEFIT[kind],
                starts_on=today,
                comment=f"Request to DWP: {referred_to}",
                created_by=actor,
            )
        referral = Referral.objects.create(
            case=locked,
            kind=kind,
            referred_to=referred_to,
            notes=_text(notes),
            made_on=today,
            made_by=actor,
            hold=hold,
        )
        case_event_record(
            case=locked,
            actor=actor,
            verb="referral_made",
            payload={
                "referral_id": referral.pk,
                "kind": kind,
                "kind_label": referral.get_kind_display(),
                "to": referred_to,
                "notes": referral.notes,
            },
        )
    return referral


def referral_outcome_record(
    *, referral: Referral, actor: User, outcome: str, notes: str, today: date
) -> Referral:
    """Record what came of a referral; a DWP decision ends the hold it put on the case."""
    if outcome not in Referral.Outcome.values or outcome == Referral.Outcome.PENDING:
        raise ValidationError({"outcome": "Choose the outcome of the referral"})
    with transaction.atomic():
        locked_case = _locked(referral.case)
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if not locked.is_pending:
            raise ValidationError(
                f"The outcome of this referral was already recorded: {locked.get_outcome_display()}"
            )
        locked.outcome = outcome
        locked.outcome_on = today
        locked.outcome_notes = _text(notes)
        locked.outcome_by = actor
        locked.save(update_fields=["outcome", "outcome_on", "outcome_notes", "outcome_by"])
        if locked.hold_id is not None:
            Hold.objects.filter(pk=locked.hold_id, ended_on__isnull=True).update(
                ended_on=max(today, locked.made_on), ended_by=actor
            )
        case_event_record(
            case=locked_case,
            actor=actor,
            verb="referral_outcome",
            payload={
                "referral_id": locked.pk,
                "kind": locked.kind,
                "kind_label": locked.get_kind_display(),
                "outcome": outcome,
                "outcome_label": locked.get_outcome_display(),
                "notes": locked.outcome_notes,
            },
        )
    return locked


# Assignment and cover (managers)


def _require_manager(actor: User) -> None:
    if not actor.has_perm("cases.reassign_case"):
        raise PermissionDenied("Only a manager can reassign cases or give cover.")


def case_reassign(*, case: Case, actor: User, to_officer: User | None) -> CaseEvent | None:
    """Assign a case to an officer, or (None) back to its patch's officer.

    Returns None, writing nothing, when the case already sits with that officer.
    """
    _require_manager(actor)
    if to_officer is not None and not to_officer.has_perm("cases.work_case"):
        raise ValidationError({"officer": f"{to_officer} is not an income officer"})
    with transaction.atomic():
        locked = (
            Case.objects.select_for_update(of=("self",))
            .select_related("patch__officer")
            .get(pk=case.pk)
        )
        before = locked.officer
        patch_officer = locked.patch.officer
        new = None if to_officer is not None and to_officer == patch_officer else to_officer
        if new == before:
            return None
        Case.objects.filter(pk=locked.pk).update(officer=new)
        case.officer = new
        after = new or patch_officer
        return case_event_record(
            case=locked,
            actor=actor,
            verb="case_reassigned",
            payload={
                "from_officer": str(before or patch_officer or "nobody"),
                "from_officer_id": (before or patch_officer).pk
                if (before or patch_officer)
                else None,
                "to_officer": str(after or "the patch's officer"),
                "to_officer_id": after.pk if after else None,
            },
        )


def patch_cover_give(
    *,
    patch: Patch,
    officer: User,
    starts_on: date,
    ends_on: date | None,
    reason: str,
    actor: User,
    today: date,
) -> PatchCover:
    """Let an officer work a colleague's patch for a while; every open case there shows it."""
    _require_manager(actor)
    _require(
        officer=f"{officer} already works patch {patch.code}"
        if patch.officer_id == officer.pk
        else (
            None if officer.has_perm("cases.work_case") else f"{officer} is not an income officer"
        ),
        starts_on="Cover cannot start in the past" if starts_on < today else None,
        ends_on="The end date must be on or after the start date"
        if ends_on is not None and ends_on < starts_on
        else None,
    )
    with transaction.atomic():
        locked_patch = Patch.objects.select_for_update().get(pk=patch.pk)
        overlapping = PatchCover.objects.filter(patch=locked_patch, officer=officer).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
        )
        if ends_on is not None:
            overlapping = overlapping.filter(starts_on__lte=ends_on)
        if overlapping.exists():
            raise ValidationError(f"{officer} already covers {patch.code} for some of those dates")
        cover = PatchCover.objects.create(
            patch=locked_patch,
            officer=officer,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=_text(reason)[:200],
            granted_by=actor,
        )
        payload = {
            "cover_id": cover.pk,
            "patch": patch.code,
            "officer": str(officer),
            "officer_id": officer.pk,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat() if ends_on else None,
        }
        now = timezone.now()
        case_ids = Case.objects.filter(patch=locked_patch, status=Case.Status.OPEN).values_list(
            "pk", flat=True
        )
        CaseEvent.objects.bulk_create(
            (
                CaseEvent(
                    case_id=case_id,
                    actor=actor,
                    verb="cover_given",
                    payload=payload,
                    occurred_at=now,
                )
                for case_id in case_ids.iterator()
            ),
            batch_size=1000,
        )
    return cover


# Income and expenditure


def income_expenditure_record(
    *,
    case: Case,
    actor: User,
    taken_on: date,
    today: date,
    figures: dict[str, Decimal],
    household: dict[str, object],
    tenant: Tenant | None = None,
    notes: str = "",
) -> IncomeExpenditure:
    """Record an income and expenditure statement in the Standard Financial Statement
    categories (legal-reference.md §12); every amount is per month."""
    money_fields = {
        *IncomeExpenditure.INCOME_FIELDS,
        *IncomeExpenditure.FIXED_COST_FIELDS,
        *IncomeExpenditure.FLEXIBLE_COST_FIELDS,
        "savings_contribution",
    }
    unknown = set(figures) - money_fields
    if unknown:
        raise ValueError(f"Not Standard Financial Statement categories: {sorted(unknown)}")
    errors = {}
    for name, amount in figures.items():
        if isinstance(amount, float) or not isinstance(amount, Decimal):
            raise TypeError(f"{name} must be a Decimal")
        if amount < 0:
            errors[name] = "Enter an amount of £0 or more"
    if taken_on > today:
        errors["taken_on"] = "The date must not be in the future"
    if tenant is not None and tenant.tenancy_id != case.tenancy_id:
        errors["tenant"] = "Choose someone in this household"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked(case)
        statement = IncomeExpenditure(
            case=locked,
            tenant=tenant,
            taken_on=taken_on,
            recorded_by=actor,
            notes=_text(notes),
            **household,
            **{name: to_money(amount) for name, amount in figures.items()},
        )
        statement.full_clean()
        statement.save()
        case_event_record(
            case=locked,
            actor=actor,
            verb="income_expenditure_recorded",
            payload={
                "statement_id": statement.pk,
                "taken_on": taken_on.isoformat(),
                "income": str(statement.total_income),
                "outgoings": str(statement.total_outgoings),
                "surplus": str(statement.surplus),
            },
        )
    return statement
