"""Files sent from the finance page: kept, imported by a worker, and followed by the
page step by step (payments/imports/views.py `upload_status`)."""

import logging
import time
from collections.abc import Callable

from django.core.cache import caches
from django.db import transaction
from django.utils import timezone

from core.models import User
from payments.imports.services import FileRefused, ImportStep, payment_file_import
from payments.models import PaymentFileUpload, PaymentImport

logger = logging.getLogger(__name__)

# A page polls every second; writing more often than this would only load the cache.
PROGRESS_EVERY_SECONDS = 0.5
# Longer than any import takes; each write starts it again.
PROGRESS_KEPT_SECONDS = 6 * 60 * 60


class UploadProgress:
    """The `progress` told each step of one upload's import: it keeps the step and the
    line counts in the "progress" cache (config/settings.py says why a cache), when the
    step changes and otherwise at most every half second."""

    def __init__(
        self, upload: PaymentFileUpload, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.key = upload.progress_key
        self.clock = clock
        self.step: ImportStep | None = None
        self.done = 0
        self.total: int | None = None
        self.written_at: float | None = None

    def __call__(self, step: ImportStep, done: int, total: int | None) -> None:
        changed = step != self.step
        self.step, self.done, self.total = step, done, total
        now = self.clock()
        if changed or self.written_at is None or now - self.written_at >= PROGRESS_EVERY_SECONDS:
            self.written_at = now
            self._write()

    def _write(self) -> None:
        value = {"step": str(self.step), "done": self.done, "total": self.total}
        try:
            caches["progress"].set(self.key, value, PROGRESS_KEPT_SECONDS)
        except Exception:
            # The page's progress line is a courtesy: a cache that cannot be reached
            # must not stop the money posting.
            logger.warning("Could not record progress under %s", self.key, exc_info=True)


def payment_file_upload_queue(
    *, content: bytes, filename: str, format_name: str, actor: User
) -> PaymentFileUpload:
    """Keep a file sent from the finance page and have a worker import it once the
    upload is saved. Without Redis the task runs at once, in this process."""
    with transaction.atomic():
        upload = PaymentFileUpload.objects.create(
            uploaded_by=actor, filename=filename[:200], format_name=format_name, content=content
        )
        # Looked up when the upload is saved, from the tasks module (which imports this
        # one), so a test's stand-in worker is the one told.
        from payments import tasks

        transaction.on_commit(lambda: tasks.import_payment_upload.delay(upload.pk))
    return upload


def _upload_finish(
    upload: PaymentFileUpload,
    progress: UploadProgress,
    *,
    status: str,
    message: str = "",
    problems: list[dict] | None = None,
    payment_import: PaymentImport | None = None,
) -> None:
    """Record the outcome, unless another run of the same upload already has (a
    redelivered task after a lost worker)."""
    fields = {
        "status": status,
        "message": message,
        "problems": problems or [],
        "payment_import": payment_import,
        "step": str(progress.step or ""),
        "lines_done": payment_import.line_count if payment_import else progress.done,
        "lines_total": payment_import.line_count if payment_import else progress.total,
        "finished_at": timezone.now(),
    }
    if status != PaymentFileUpload.Status.FAILED:
        # Its import record or its problems say what came of it; a failed one is kept
        # to be run again.
        fields["content"] = b""
    PaymentFileUpload.objects.filter(pk=upload.pk, status=PaymentFileUpload.Status.RUNNING).update(
        **fields
    )
    try:
        caches["progress"].delete(progress.key)
    except Exception:
        logger.warning("Could not clear progress under %s", progress.key, exc_info=True)


def payment_upload_import(upload_id: int) -> str:
    """Import a file sent from the finance page, keeping how far it has got where its
    page can read it; returns the upload's status. Run again after a worker was lost
    mid-import (the task acks late), it starts again: the import is one transaction, so
    the lost run left nothing. A refused file is an outcome, not a failure."""
    Status = PaymentFileUpload.Status
    claimed = PaymentFileUpload.objects.filter(
        pk=upload_id, status__in=[Status.QUEUED, Status.RUNNING]
    ).update(status=Status.RUNNING)
    upload = PaymentFileUpload.objects.select_related("uploaded_by").get(pk=upload_id)
    if not claimed:
        return upload.status
    progress = UploadProgress(upload)
    try:
        result = payment_file_import(
            content=bytes(upload.content),
            filename=upload.filename,
            format_name=upload.format_name,
            today=timezone.localdate(),
            actor=upload.uploaded_by,
            progress=progress,
        )
    except FileRefused as refused:
        problems = [
            {"line": p.line_number, "field": p.field, "reason": p.reason} for p in refused.problems
        ]
        _upload_finish(
            upload, progress, status=Status.REFUSED, message=refused.summary, problems=problems
        )
    except Exception:
        logger.exception("The import of payment file upload %s failed", upload_id)
        _upload_finish(
            upload,
            progress,
            status=Status.FAILED,
            message=(
                f"The import stopped with an unexpected error and nothing was posted. Send "
                f"the file again; if it stops again, tell the service's support team that "
                f"upload {upload_id} failed."
            ),
        )
    else:
        _upload_finish(upload, progress, status=Status.POSTED, payment_import=result.payment_import)
    return PaymentFileUpload.objects.values_list("status", flat=True).get(pk=upload_id)
