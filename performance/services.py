"""Writes for the performance pages: a manager sets a patch's target for a year."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import Patch
from core.models import User
from performance.models import Measure, Target


def target_set(
    *, patch: Patch, year: int, measure: str, value: Decimal, actor: User
) -> Target | None:
    """Set (or change) a patch's target for one measure in one financial year.

    Returns None when the target already has that value: nothing changes."""
    if not actor.has_perm("performance.set_target"):
        raise PermissionDenied("Only a manager can set targets.")
    if measure not in Measure.values:
        raise ValidationError({"measure": "Choose what the target is for."})
    try:
        value = Decimal(value).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError) as exc:
        raise ValidationError({"value": "Enter the target as a percentage, like 97.5."}) from exc
    if not Decimal(0) <= value <= Decimal(100):
        raise ValidationError({"value": "The target must be a percentage between 0 and 100."})
    with transaction.atomic():
        existing = (
            Target.objects.select_for_update()
            .filter(patch=patch, year=year, measure=measure)
            .first()
        )
        if existing is not None:
            if existing.value == value:
                return None
            existing.value = value
            existing.set_by = actor
            existing.set_at = timezone.now()
            existing.save(update_fields=["value", "set_by", "set_at"])
            return existing
        return Target.objects.create(
            patch=patch, year=year, measure=measure, value=value, set_by=actor
        )
