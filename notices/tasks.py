"""Celery tasks: rendering documents, the nightly letters and their print pack, expiry.

`render_letter_requests(run_date)` is the contract with the arrears engine (issue 3):
the engine sends it by name after its run. It splits the day's pending requests into
chunks rendered by the workers in parallel, then builds the print pack once every
chunk has finished (a chord). Every step is idempotent: a request is rendered at most
once and a letter packed at most once, so the task can be sent again at any time.
"""

from __future__ import annotations

import logging
import math
from datetime import date

from celery import chord, shared_task
from django.conf import settings
from django.utils import timezone

from notices.documents import (
    document_render,
    letter_requests_claim,
    letter_requests_render,
    stranded_work,
)
from notices.print_packs import print_pack_build
from notices.services import notices_expire

logger = logging.getLogger(__name__)


@shared_task(name="notices.tasks.render_document")
def render_document(document_id: int) -> str:
    """Render one document requested by a person (a letter, notice, certificate, report)."""
    return document_render(document_id=document_id).status


@shared_task(name="notices.tasks.render_letter_chunk")
def render_letter_chunk(request_ids: list[int]) -> dict[str, int]:
    """Render some of the day's letter requests; one failing does not stop the rest."""
    return letter_requests_render(request_ids=request_ids)


@shared_task(name="notices.tasks.build_print_pack")
def build_print_pack(run_date: str) -> int | None:
    if settings.NOTIFY_LETTERS:
        from notices.messaging.gateway import notify_configured
        from notices.messaging.services import letters_send_through_notify

        if notify_configured():
            sent = letters_send_through_notify(run_date=date.fromisoformat(run_date))
            logger.info("%s letters of %s posted through Notify", sent, run_date)
    pack = print_pack_build(run_date=date.fromisoformat(run_date))
    if pack is not None:
        logger.info("Print pack %s: %s letters, %s pages", pack, pack.letter_count, pack.page_count)
    return pack.pk if pack else None


def chunk_size(pending: int, largest: int) -> int:
    """Letters per task: enough tasks (about 32) that the workers finish together, none
    bigger than `largest` (NOTICES_RENDER_CHUNK_SIZE)."""
    return max(1, min(largest, math.ceil(pending / 32)))


def chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


@shared_task(name="notices.tasks.render_letter_requests")
def render_letter_requests(run_date: str) -> dict[str, int]:
    """Render every pending letter request for `run_date` (YYYY-MM-DD), then the print pack;
    and send the texts and emails the policy sends by itself after the run."""
    send_policy_messages.delay(run_date)
    pending, held = letter_requests_claim(run_date=date.fromisoformat(run_date))
    if not pending:
        if not held:
            # Nothing left to render (a re-run): pack anything rendered but not packed.
            build_print_pack.delay(run_date)
        # Otherwise another dispatch is rendering them, and its pack will follow.
        return {"pending": 0, "chunks": 0, "held_elsewhere": held}
    parts = chunks(pending, chunk_size(len(pending), settings.NOTICES_RENDER_CHUNK_SIZE))
    chord(render_letter_chunk.s(part) for part in parts)(build_print_pack.si(run_date))
    return {"pending": len(pending), "chunks": len(parts), "held_elsewhere": held}


@shared_task(name="notices.tasks.render_stranded")
def render_stranded() -> dict[str, int]:
    """Send again the rendering of anything left pending too long (beat, every 15 minutes)."""
    documents, days = stranded_work(now=timezone.now())
    for document_id in documents:
        render_document.delay(document_id)
    for day in days:
        render_letter_requests.delay(day.isoformat())
    if documents or days:
        logger.warning("Sent again: %s documents, letters of %s days", len(documents), len(days))
    return {"documents": len(documents), "days": len(days)}


@shared_task(name="notices.tasks.expire_notices")
def expire_notices(today: str | None = None) -> int:
    """Mark notices past their last proceedings date as expired (beat, before the nightly run)."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return notices_expire(today=day)


@shared_task(name="notices.tasks.send_messages")
def send_messages(message_ids: list[int]) -> dict[str, int]:
    """Send queued texts, emails and Notify letters; each goes at most once."""
    from notices.messaging.services import messages_send

    return messages_send(message_ids=message_ids)


@shared_task(name="notices.tasks.refresh_message_statuses")
def refresh_message_statuses() -> dict[str, int]:
    """Read back from Notify what became of the messages still on their way."""
    from notices.messaging.services import messages_status_refresh

    return messages_status_refresh()


@shared_task(name="notices.tasks.send_policy_messages")
def send_policy_messages(run_date: str) -> int:
    """The night's automatic reminders (off unless the policy switches them on)."""
    from notices.messaging.services import policy_messages_send

    return policy_messages_send(run_date=date.fromisoformat(run_date))
