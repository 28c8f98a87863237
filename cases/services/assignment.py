"""Reassigning cases, and giving and withdrawing cover of a patch: managers' work."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases import rules
from cases.models import (
    Case,
    CaseEvent,
    Patch,
    PatchCover,
)
from cases.services.events import case_event_record, refuse_if, stripped
from core.models import User


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
    refuse_if(
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
            reason=stripped(reason)[:200],
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
        _record_on_open_cases(patch=locked_patch, actor=actor, verb="cover_given", payload=payload)
    return cover


def _record_on_open_cases(
    *, patch: Patch, actor: User, verb: str, payload: dict[str, object]
) -> None:
    """One timeline entry on every open case of the patch, written in bulk (a patch holds
    a few thousand cases); the caller holds the transaction and the patch's lock."""
    now = timezone.now()
    case_ids = Case.objects.filter(patch=patch, status=Case.Status.OPEN).values_list(
        "pk", flat=True
    )
    CaseEvent.objects.bulk_create(
        (
            CaseEvent(case_id=case_id, actor=actor, verb=verb, payload=payload, occurred_at=now)
            for case_id in case_ids.iterator()
        ),
        batch_size=1000,
    )


def patch_cover_withdraw(
    *, cover: PatchCover, actor: User, last_day: date | None, reason: str, today: date
) -> PatchCover:
    """End an officer's cover of a patch early: now (`last_day` None), or after a later
    day. From then the officer's caseload and permissions no longer include the patch
    (cases a manager assigned to them by name stay theirs); every open case on the patch
    records it, as it recorded the cover."""
    _require_manager(actor)
    with transaction.atomic():
        locked_patch = Patch.objects.select_for_update().get(pk=cover.patch_id)
        locked = (
            PatchCover.objects.select_for_update(of=("self",))
            .select_related("officer")
            .get(pk=cover.pk)
        )
        if locked.ends_on is not None and locked.ends_on < today:
            raise ValidationError(
                "This cover already ended before it began"
                if locked.withdrawn_before_it_began
                else f"This cover already ended on {locked.ends_on:%-d %B %Y}"
            )
        if last_day is None:
            last_day = rules.withdrawn_cover_last_day(starts_on=locked.starts_on, today=today)
        else:
            refuse_if(
                last_day=rules.cover_last_day_problem(
                    starts_on=locked.starts_on,
                    ends_on=locked.ends_on,
                    last_day=last_day,
                    today=today,
                )
            )
        locked.ends_on = last_day
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = actor
        locked.save(update_fields=["ends_on", "withdrawn_at", "withdrawn_by"])
        payload = {
            "cover_id": locked.pk,
            "patch": locked_patch.code,
            "officer": str(locked.officer),
            "officer_id": locked.officer_id,
            "starts_on": locked.starts_on.isoformat(),
            "ends_on": last_day.isoformat(),
            "before_it_began": locked.withdrawn_before_it_began,
            "reason": stripped(reason)[:200],
        }
        _record_on_open_cases(
            patch=locked_patch, actor=actor, verb="cover_withdrawn", payload=payload
        )
    locked.patch = locked_patch
    return locked
