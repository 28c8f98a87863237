"""Writes: pruning the record of reads, marking special category records, and asking
for a subject access export."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cases.models import Case, CaseEvent, Contact, Tenant, VulnerabilityFlag
from cases.permissions import can_act_on_case
from cases.services.events import case_event_record
from core.models import User
from privacy.models import AccessRecord, SpecialCategory, SpecialCategoryMark, SubjectAccessRequest
from privacy.special_category import VIEW_SPECIAL_CATEGORY

REQUEST_SUBJECT_ACCESS = "privacy.request_subject_access"


def access_log_cutoff(*, now: datetime, days: int) -> datetime:
    """Reads before this moment are past PRIVACY_ACCESS_LOG_RETENTION_DAYS."""
    return now - timedelta(days=days)


def access_records_prune(*, now: datetime) -> int:
    """Delete the reads past the retention period, in one statement."""
    cutoff = access_log_cutoff(now=now, days=settings.PRIVACY_ACCESS_LOG_RETENTION_DAYS)
    deleted, _ = AccessRecord.objects.filter(at__lt=cutoff).delete()
    return deleted


def special_category_mark(
    *,
    actor: User,
    case: Case,
    category: str,
    event: CaseEvent | None = None,
    contact: Contact | None = None,
    flag: VulnerabilityFlag | None = None,
    today,
) -> SpecialCategoryMark:
    """Mark one note, contact or flag on the case as special category data, so only
    those who need it read it. Those who may act on the case, or read special category
    data anywhere, may mark; the mark is on the case's timeline."""
    if not (actor.has_perm(VIEW_SPECIAL_CATEGORY) or can_act_on_case(actor, case, today=today)):
        raise PermissionDenied("Only those who work this case can mark its records.")
    targets = [t for t in (event, contact, flag) if t is not None]
    errors = {}
    if category not in SpecialCategory.values:
        errors["category"] = "Choose which kind of special category data it is"
    if len(targets) != 1:
        errors["record"] = "Choose one note, contact or flag to mark"
    elif targets[0].case_id != case.pk:
        errors["record"] = "That record is not on this case"
    elif event is not None and event.verb != "note_added":
        errors["record"] = (
            "Only notes on the timeline can be marked; flags and contacts by their own records"
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)
        # Marked already: nothing changes (one mark per record, a unique key).
        existing = SpecialCategoryMark.objects.filter(
            event=event, contact=contact, flag=flag
        ).first()
        if existing is not None:
            return existing
        mark = SpecialCategoryMark(
            case=case, event=event, contact=contact, flag=flag, category=category, marked_by=actor
        )
        mark.full_clean()
        mark.save()
        case_event_record(
            case=case,
            actor=actor,
            verb="special_category_marked",
            payload={
                "category": category,
                "category_label": SpecialCategory(category).label,
                "record": "note" if event else "contact" if contact else "flag",
            },
        )
    return mark


def subject_access_request_create(
    *, actor: User, tenant: Tenant, reason: str = ""
) -> SubjectAccessRequest:
    """Log a subject access request and send it to the workers after commit."""
    if not actor.has_perm(REQUEST_SUBJECT_ACCESS):
        raise PermissionDenied("Only the data protection officer or an administrator can do this.")
    from privacy.tasks import produce_subject_access_export

    with transaction.atomic():
        request = SubjectAccessRequest.objects.create(
            tenant=tenant, requested_by=actor, reason=(reason or "").strip()[:200]
        )
        transaction.on_commit(lambda: produce_subject_access_export.delay(request.pk))
    return request
