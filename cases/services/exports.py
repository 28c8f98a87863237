"""The record of caseload downloads (see CaseloadExport)."""

from django.utils import timezone

from cases.models import CaseloadExport
from core.models import User


def caseload_export_start(*, user: User, filters: str) -> CaseloadExport:
    """Record a download before its first row is sent, so even an abandoned one shows."""
    return CaseloadExport.objects.create(user=user, filters=filters[:2000])


def caseload_export_finish(*, export: CaseloadExport, rows: int) -> None:
    CaseloadExport.objects.filter(pk=export.pk).update(rows=rows, finished_at=timezone.now())
