"""Reassigning cases and giving cover of a patch: managers' work."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

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
