"""Vulnerability and safeguarding flags, and referrals for support."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from cases.models import (
    Case,
    Hold,
    Referral,
    Tenant,
    VulnerabilityFlag,
)
from cases.services.events import case_event_record, lock_case, refuse_if, stripped
from core.models import User

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
    details = stripped(details)
    refuse_if(
        details=None if details else "Enter what the officer needs to know",
        review_on="The review date must be in the future"
        if review_on is not None and review_on <= today
        else None,
        tenant="Choose someone in this household"
        if tenant is not None and tenant.tenancy_id != case.tenancy_id
        else None,
    )
    with transaction.atomic():
        locked = lock_case(case)
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
    reason = stripped(reason)
    refuse_if(reason=None if reason else "Enter why the flag no longer applies")
    with transaction.atomic():
        locked_case = lock_case(flag.case)
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
    referred_to = stripped(referred_to)
    refuse_if(
        kind=None if kind in Referral.Kind.values else "Choose the kind of referral",
        referred_to=None if referred_to else "Enter the team or organisation referred to",
    )
    with transaction.atomic():
        locked = lock_case(case)
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
            notes=stripped(notes),
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
    *, referral: Referral, actor: User | None, outcome: str, notes: str, today: date
) -> Referral:
    """Record what came of a referral; a DWP decision ends the hold it put on the case.
    No actor when the service itself records it (a UC schedule showing DWP paying)."""
    if outcome not in Referral.Outcome.values or outcome == Referral.Outcome.PENDING:
        raise ValidationError({"outcome": "Choose the outcome of the referral"})
    with transaction.atomic():
        locked_case = lock_case(referral.case)
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if not locked.is_pending:
            raise ValidationError(
                f"The outcome of this referral was already recorded: {locked.get_outcome_display()}"
            )
        locked.outcome = outcome
        locked.outcome_on = today
        locked.outcome_notes = stripped(notes)
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
