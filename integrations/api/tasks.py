"""The nightly write-back on the workers (beat: config/settings.py)."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from integrations.api.writeback import writeback


@shared_task(name="integrations.api.tasks.hms_writeback_nightly")
def hms_writeback_nightly() -> list[str]:
    """Every day since the last file up to yesterday, into HMS_WRITEBACK_DIR."""
    results = writeback(folder=settings.HMS_WRITEBACK_DIR, today=timezone.localdate())
    return [str(r.path) for r in results]
