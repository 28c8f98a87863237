"""The nightly run on Celery: beat starts it at 02:00 Europe/London (config/settings.py),
the chunks run in parallel on the workers as a chord, and the last step sums them up.

A chunk that fails on a database hiccup is retried; one that fails for good is recorded
on its row and the chord still finishes, so the run's record shows the error and a rerun
for the date does the chunk again. Workers acknowledge a chunk only when it is done
(`acks_late`), so a killed worker's chunk goes back to the queue.
"""

import logging
from datetime import date, datetime

from celery import chord, shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from arrears.models import NightlyRun, RunChunk
from arrears.selectors import overdue_run_date
from arrears.services import (
    DEFAULT_CHUNK_SIZE,
    RunInProgress,
    chunk_process,
    nightly_run_begin,
    nightly_run_finish,
)
from core.models import User

logger = logging.getLogger(__name__)


@shared_task(name="arrears.tasks.start_nightly_run")
def start_nightly_run(
    run_date: str | None = None,
    trigger: str = NightlyRun.Trigger.SCHEDULE,
    user_id: int | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    start_letters: bool = True,
    queue: str | None = None,
) -> int | None:
    """Begin the run for `run_date` (today in Europe/London) and fan its chunks out.

    `queue` sends the chunks to a queue of their own (workers started with -Q), so a
    council can keep nightly work apart from letter rendering.
    """
    day = date.fromisoformat(run_date) if run_date else timezone.localdate()
    actor = User.objects.filter(pk=user_id).first() if user_id else None
    try:
        run = nightly_run_begin(run_date=day, trigger=trigger, actor=actor, chunk_size=chunk_size)
    except RunInProgress as refused:
        logger.warning("Nightly run not started: %s", refused)
        return None
    dispatch_chunks(run, start_letters=start_letters, queue=queue)
    return run.pk


@shared_task(name="arrears.tasks.catch_up_nightly_run")
def catch_up_nightly_run(now: str | None = None, queue: str | None = None) -> int | None:
    """Start today's run if it is overdue (arrears.selectors.overdue_run_date); beat sends
    this every 15 minutes, so a night whose 02:00 message was lost, or whose workers all
    died, is finished within a quarter of an hour of the broker or a worker coming back.
    `now` (ISO, local) is for tests and for running it by hand."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    if moment.tzinfo is None:
        moment = timezone.make_aware(moment)
    # The rule reads the London day and hour, whatever offset `now` was written in.
    day = overdue_run_date(now=timezone.localtime(moment))
    if day is None:
        return None
    logger.warning("The nightly run for %s is overdue; starting it now.", day)
    return start_nightly_run(run_date=day.isoformat(), queue=queue)


def dispatch_chunks(run: NightlyRun, *, start_letters: bool = True, queue: str | None = None):
    """Send the run's unfinished chunks to the workers as a chord whose last step sums them.

    Returns the chord's result (the finishing task's), or None when nothing was left to
    send and the run was finished here."""
    pending = list(
        run.chunks.exclude(status=RunChunk.Status.DONE)
        .order_by("number")
        .values_list("pk", flat=True)
    )
    if not pending:
        nightly_run_finish(run_id=run.pk, start_letters=start_letters)
        return None
    options = {"queue": queue} if queue else {}
    header = [process_chunk.s(chunk_id).set(**options) for chunk_id in pending]
    return chord(header)(finish_nightly_run.si(run.pk, start_letters).set(**options))


@shared_task(
    bind=True,
    name="arrears.tasks.process_chunk",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
)
def process_chunk(self, chunk_id: int) -> dict:
    try:
        return chunk_process(chunk_id=chunk_id)
    except (OperationalError, InterfaceError) as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=5 * (self.request.retries + 1)) from exc
        return {"chunk_id": chunk_id, "failed": str(exc)}
    except Exception as exc:  # recorded on the chunk by chunk_process; the chord goes on
        return {"chunk_id": chunk_id, "failed": str(exc)}


@shared_task(name="arrears.tasks.finish_nightly_run")
def finish_nightly_run(run_id: int, start_letters: bool = True) -> str:
    return nightly_run_finish(run_id=run_id, start_letters=start_letters).status


@shared_task(name="arrears.tasks.run_policy_preview")
def run_policy_preview(preview_id: int) -> str:
    from arrears.preview import policy_preview_run  # it starts this task

    return policy_preview_run(preview_id=preview_id).status
