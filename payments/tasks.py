"""Celery tasks of the payments app."""

from pathlib import Path

from celery import shared_task
from django.utils import timezone

from core.models import User
from payments.imports.services import payment_file_import
from payments.imports.uploads import payment_upload_import


@shared_task(name="payments.tasks.import_payment_file")
def import_payment_file(path: str, format_name: str, actor_id: int | None = None) -> int:
    """Import one file from a path the workers can read; returns the import's id.
    A refused file raises FileRefused, so the task fails with every bad line named."""
    file = Path(path)
    result = payment_file_import(
        content=file.read_bytes(),
        filename=file.name,
        format_name=format_name,
        today=timezone.localdate(),
        actor=User.objects.get(pk=actor_id) if actor_id else None,
    )
    return result.payment_import.pk


@shared_task(name="payments.tasks.import_payment_upload")
def import_payment_upload(upload_id: int) -> str:
    """Import a file sent from the finance page (payments/imports/uploads.py); returns
    the upload's status."""
    return payment_upload_import(upload_id)
