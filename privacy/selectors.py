"""Reads for the data protection officer: the record of reads, by user and by case."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from privacy.models import AccessRecord, SubjectAccessRequest


@dataclass(frozen=True)
class AccessFilters:
    user_id: int | None = None
    case_reference: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def access_records_for(*, filters: AccessFilters) -> QuerySet[AccessRecord]:
    """Reads matching the filters, newest first, with who and which case (one query)."""
    records = AccessRecord.objects.select_related("user", "case")
    if filters.user_id:
        records = records.filter(user_id=filters.user_id)
    if filters.case_reference:
        records = records.filter(case__reference__iexact=filters.case_reference.strip())
    if filters.kind:
        records = records.filter(kind=filters.kind)
    if filters.date_from:
        records = records.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        records = records.filter(at__lt=_start_of(filters.date_to) + timezone.timedelta(days=1))
    return records.order_by("-at", "-id")


def subject_access_requests_for(*, user) -> QuerySet[SubjectAccessRequest]:
    """The requests this user made (only the requester downloads an export)."""
    return (
        SubjectAccessRequest.objects.filter(requested_by=user)
        .select_related("tenant", "tenant__tenancy")
        .order_by("-requested_at", "-id")
    )
