"""Nightly data protection tasks, on the beat schedule (config/settings.py)."""

import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="privacy.tasks.prune_access_records")
def prune_access_records() -> int:
    """Delete reads older than PRIVACY_ACCESS_LOG_RETENTION_DAYS (storage limitation,
    UK GDPR Art. 5(1)(e)): one DELETE."""
    from privacy.services import access_records_prune

    deleted = access_records_prune(now=timezone.now())
    logger.info("Deleted %d access records past the retention period", deleted)
    return deleted


@shared_task(name="privacy.tasks.apply_retention")
def apply_retention() -> int:
    """Anonymise the personal data of cases closed longer ago than the period."""
    from privacy.retention import retention_apply

    run = retention_apply(today=timezone.localdate(), actor=None)
    return run.cases if run else 0


@shared_task(name="privacy.tasks.produce_subject_access_export")
def produce_subject_access_export(request_id: int) -> None:
    from privacy.subject_access import subject_access_produce

    subject_access_produce(request_id=request_id)
