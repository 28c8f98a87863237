"""Producing documents: ask for one, render it on a worker, store it with its checksum.

`document_request` records what will be printed (the context snapshot) in the
caller's transaction and renders after commit (`notices.tasks.render_document`), so
a rolled-back action never leaves a PDF behind. `letter_request_render` turns one of
the nightly run's LetterRequests into a Document, exactly once.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from arrears.models import LetterRequest
from cases.models import Case, CaseEvent
from cases.services import case_event_record
from core.models import User
from notices.catalogue import DocumentTemplate, template_for
from notices.contexts import (
    LetterNotPossible,
    breathing_spaces_on,
    letter_context,
    letters_sent_for,
    load_case,
)
from notices.models import Document, DocumentKind, Notice
from notices.rendering import RenderedPdf, render_copies

logger = logging.getLogger(__name__)

LETTER_REQUEST_SKIPPED, LETTER_REQUEST_RENDERED, LETTER_REQUEST_FAILED = (
    "skipped",
    "rendered",
    "failed",
)


def documents_root() -> Path:
    return Path(settings.DOCUMENTS_ROOT)


def write_file(relative: str, content: bytes) -> None:
    """Write under DOCUMENTS_ROOT atomically: a reader never sees half a PDF."""
    target = documents_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".part") as handle:
        handle.write(content)
        temporary = handle.name
    os.replace(temporary, target)


def document_path(document: Document, *, when: date) -> str:
    return f"documents/{when:%Y/%m}/{document.case.reference}-{document.kind}-{document.pk}.pdf"


def address_sort_key(address: list[str]) -> str:
    """Postcode, street, then house number as a number, so the print pack runs in the
    order the post room bags letters (postcode sectors) and "2" comes before "10"."""
    if not address:
        return ""
    postcode = address[-1].upper().replace(" ", "")
    first = address[0].upper()
    number = re.search(r"\d+", first)
    street = re.sub(r"^(FLAT|APARTMENT|UNIT)\s+\w+,?\s*", "", first)
    street = re.sub(r"^\d+\w?\s*", "", street)
    return f"{postcode}|{street}|{int(number.group()) if number else 0:06d}|{first}"[:120]


def _document_fields(context: dict[str, Any]) -> dict[str, Any]:
    copies = context.get("copies") or []
    return {
        "large_print": any(copy.get("large_print") for copy in copies),
        "recipients": "; ".join(copy["name"] for copy in copies)[:300],
        "address_sort_key": address_sort_key(copies[0]["address"]) if copies else "",
    }


def document_request(
    *,
    case: Case,
    kind: str,
    context: dict[str, Any],
    actor: User | None,
    notice: Notice | None = None,
    is_draft: bool = False,
    template: DocumentTemplate | None = None,
) -> Document:
    """Record a document to produce from `context`, and render it once this commits.

    Call inside the caller's transaction: if it rolls back, nothing is rendered.
    """
    template = template or template_for(kind)
    document = Document.objects.create(
        case=case,
        kind=kind,
        title=context.get("title") or template.title,
        template_name=template.path,
        template_version=template.version,
        is_draft=is_draft,
        context=context,
        notice=notice,
        requested_by=actor,
        **_document_fields(context),
    )
    from notices.tasks import render_document

    transaction.on_commit(lambda: render_document.delay(document.pk))
    return document


def letter_produce(*, case: Case, kind: str, actor: User, today: date) -> Document:
    """An officer asks for one of the letters for a case."""
    if kind not in {k.value for k in DocumentKind} or not template_for(kind).path.startswith(
        "documents/letters/"
    ):
        raise ValidationError({"kind": "Choose a letter."})
    with transaction.atomic():
        case = load_case(case.pk)
        try:
            context = letter_context(
                kind, case, template=template_for(kind), today=today, actor=actor
            )
        except LetterNotPossible as exc:
            raise ValidationError({"kind": f"This letter cannot be produced: {exc}"}) from None
        return document_request(case=case, kind=kind, context=context, actor=actor)


def statement_produce(*, case: Case, actor: User, today: date, start: date, end: date) -> Document:
    """A statement of the rent account for any period (PAP: quarterly, or on request)."""
    from notices.contexts import statement_context

    if end > today:
        raise ValidationError({"end": "The end date must not be in the future."})
    with transaction.atomic():
        case = load_case(case.pk)
        try:
            context = statement_context(
                case,
                template=template_for(DocumentKind.STATEMENT),
                today=today,
                start=start,
                end=end,
                actor=actor,
            )
        except LetterNotPossible as exc:
            raise ValidationError({"start": str(exc)}) from None
        return document_request(
            case=case, kind=DocumentKind.STATEMENT, context=context, actor=actor
        )


def _render(document: Document) -> RenderedPdf:
    context = {**document.context, "draft": document.is_draft}
    return render_copies(document.template_name, context, document.context.get("copies") or [])


def document_render(*, document_id: int) -> Document:
    """Render a pending document to PDF and store it; a second call does nothing."""
    document = Document.objects.select_related("case").get(pk=document_id)
    if document.status == Document.Status.RENDERED:
        return document
    try:
        pdf = _render(document)
    except Exception as exc:  # any failure is recorded on the document, never lost
        logger.exception("Document %s could not be rendered", document_id)
        return _document_failed(document_id, exc)
    relative = document_path(document, when=timezone.localdate())
    write_file(relative, pdf.content)
    with transaction.atomic():
        document = (
            Document.objects.select_for_update(of=("self",))
            .select_related("case")
            .get(pk=document_id)
        )
        if document.status == Document.Status.RENDERED:
            return document
        _mark_rendered(document, relative, pdf)
        if (
            document.notice_id
            and not document.is_draft
            and document.kind != "certificate_of_service"
        ):
            Notice.objects.filter(pk=document.notice_id).update(checksum=pdf.checksum)
    return document


def _mark_rendered(document: Document, relative: str, pdf: RenderedPdf) -> None:
    document.file = relative
    document.checksum = pdf.checksum
    document.size_bytes = len(pdf.content)
    document.page_count = pdf.page_count
    document.copy_page_counts = list(pdf.copy_page_counts) or [pdf.page_count]
    document.status = Document.Status.RENDERED
    document.rendered_at = timezone.now()
    document.error = ""
    document.save(
        update_fields=[
            "file",
            "checksum",
            "size_bytes",
            "page_count",
            "copy_page_counts",
            "status",
            "rendered_at",
            "error",
        ]
    )
    case_event_record(
        case=document.case,
        actor=document.requested_by,
        verb="document_produced",
        payload=_produced_payload(document, pdf),
        idempotency_key=f"document:{document.pk}:produced",
    )


def _produced_payload(document: Document, pdf: RenderedPdf) -> dict[str, Any]:
    return {
        "document_id": document.pk,
        "kind": document.kind,
        "kind_label": DocumentKind(document.kind).label,
        "title": document.title,
        "pages": pdf.page_count,
        "checksum": pdf.checksum,
        "template_version": document.template_version,
        "draft": document.is_draft,
        "recipients": document.recipients,
    }


def _document_failed(document_id: int, exc: Exception) -> Document:
    with transaction.atomic():
        document = (
            Document.objects.select_for_update(of=("self",))
            .select_related("case")
            .get(pk=document_id)
        )
        if document.status != Document.Status.PENDING:
            return document
        document.status = Document.Status.FAILED
        document.error = f"{type(exc).__name__}: {exc}"[:2000]
        document.save(update_fields=["status", "error"])
        case_event_record(
            case=document.case,
            actor=document.requested_by,
            verb="document_failed",
            payload={
                "document_id": document.pk,
                "kind_label": DocumentKind(document.kind).label,
                "error": document.error,
            },
            idempotency_key=f"document:{document.pk}:failed",
        )
    return document


def letter_request_render(*, request_id: int) -> str:
    """Render one pending LetterRequest into a Document, at most once."""
    counts = letter_requests_render(request_ids=[request_id])
    return next(iter(counts)) if counts else LETTER_REQUEST_SKIPPED


def stranded_work(*, now: datetime) -> tuple[list[int], list[date]]:
    """Documents and days' letters that were asked for but whose task never came.

    A task is sent when its request commits; if the broker was down at that moment (or
    a worker died holding it), nothing would ever render it. Anything pending longer
    than NOTICES_DISPATCH_LEASE_MINUTES is returned to be sent again: rendering is
    idempotent, so a task that was merely slow costs a no-op.
    """
    cutoff = now - timedelta(minutes=settings.NOTICES_DISPATCH_LEASE_MINUTES)
    documents = list(
        Document.objects.filter(status=Document.Status.PENDING, requested_at__lt=cutoff)
        .order_by("requested_at")
        .values_list("pk", flat=True)[:1000]
    )
    days = sorted(
        set(
            LetterRequest.objects.filter(status=LetterRequest.Status.PENDING)
            .filter(
                Q(dispatched_at__isnull=True, requested_at__lt=cutoff) | Q(dispatched_at__lt=cutoff)
            )
            .values_list("run_date", flat=True)
        )
    )
    return documents, days


def letter_requests_claim(*, run_date: date) -> tuple[list[int], int]:
    """Take on the day's pending letter requests that no other dispatch has in hand.

    Returns the ids taken and how many pending requests another dispatch still holds.
    Sending the day's letters twice (a re-run during a run) must not split them between
    two print packs: the second dispatch finds them held and leaves them, and the first
    dispatch's pack takes them all. A hold lapses after NOTICES_DISPATCH_LEASE_MINUTES,
    so requests whose task was lost are taken on again by a later run.
    """
    now = timezone.now()
    lapsed = now - timedelta(minutes=settings.NOTICES_DISPATCH_LEASE_MINUTES)
    pending = LetterRequest.objects.filter(run_date=run_date, status=LetterRequest.Status.PENDING)
    with transaction.atomic():
        # SKIP LOCKED: a request being rendered right now is held by its renderer.
        taken = list(
            pending.select_for_update(skip_locked=True)
            .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=lapsed))
            .order_by("id")
            .values_list("id", flat=True)
        )
        LetterRequest.objects.filter(pk__in=taken).update(dispatched_at=now)
    held = pending.exclude(pk__in=taken).count()
    return taken, held


def letter_requests_render(*, request_ids: list[int]) -> dict[str, int]:
    """Render pending LetterRequests into Documents, each at most once, with a fixed
    number of queries for the batch (the rendering itself is one PDF per request).

    The requests are locked (SKIP LOCKED) while they render, so two workers or two runs
    never render one twice; one that cannot be rendered is marked failed with the reason
    and the others carry on.
    """
    counts: Counter[str] = Counter()
    failures: list[tuple[int, Exception]] = []
    with transaction.atomic():
        requests = list(
            LetterRequest.objects.select_for_update(skip_locked=True)
            .filter(pk__in=request_ids, status=LetterRequest.Status.PENDING)
            .order_by("id")
        )
        counts[LETTER_REQUEST_SKIPPED] = len(set(request_ids)) - len(requests)
        case_ids = sorted({r.case_id for r in requests})
        cases = {
            case.pk: case
            for case in Case.objects.filter(pk__in=case_ids)
            .select_related("tenancy__property", "patch__officer", "officer")
            .prefetch_related("tenancy__tenants", "accounts")
        }
        sent = letters_sent_for(case_ids)
        holds_by_day = {
            day: breathing_spaces_on(case_ids, day) for day in {r.run_date for r in requests}
        }
        made: list[tuple[LetterRequest, Document, RenderedPdf]] = []
        for request in requests:
            case = cases[request.case_id]
            template = template_for(request.letter)
            try:
                context = letter_context(
                    request.letter,
                    case,
                    template=template,
                    today=request.run_date,
                    breathing_space=holds_by_day[request.run_date].get(case.pk),
                    sent=sent.get(case.pk, []),
                )
                pdf = render_copies(template.path, context, context["copies"])
            except Exception as exc:  # recorded on the request; the rest carry on
                if not isinstance(exc, LetterNotPossible):
                    logger.exception("Letter request %s could not be rendered", request.pk)
                failures.append((request.pk, exc))
                continue
            relative = (
                f"documents/{request.run_date:%Y/%m}/"
                f"{case.reference}-{request.letter}-r{request.pk}.pdf"
            )
            write_file(relative, pdf.content)
            made.append(
                (
                    request,
                    Document(
                        case=case,
                        kind=request.letter,
                        title=template.title,
                        template_name=template.path,
                        template_version=template.version,
                        context=context,
                        letter_request=request,
                        status=Document.Status.RENDERED,
                        file=relative,
                        checksum=pdf.checksum,
                        size_bytes=len(pdf.content),
                        page_count=pdf.page_count,
                        copy_page_counts=list(pdf.copy_page_counts),
                        rendered_at=timezone.now(),
                        **_document_fields(context),
                    ),
                    pdf,
                )
            )
        if made:
            documents = Document.objects.bulk_create([document for _, document, _ in made])
            CaseEvent.objects.bulk_create(
                [
                    _produced_event(document, pdf)
                    for (_, _, pdf), document in zip(made, documents, strict=True)
                ],
                ignore_conflicts=True,
            )
            LetterRequest.objects.filter(pk__in=[r.pk for r, _, _ in made]).update(
                status=LetterRequest.Status.RENDERED, rendered_at=timezone.now(), error=""
            )
            counts[LETTER_REQUEST_RENDERED] += len(made)
    for request_id, exc in failures:
        _letter_request_failed(request_id, exc)
        counts[LETTER_REQUEST_FAILED] += 1
    return {key: value for key, value in counts.items() if value}


def _produced_event(document: Document, pdf: RenderedPdf) -> CaseEvent:
    return CaseEvent(
        case_id=document.case_id,
        actor=None,
        verb="document_produced",
        payload=_produced_payload(document, pdf),
        occurred_at=document.rendered_at,
        idempotency_key=f"document:{document.pk}:produced",
    )


def _letter_request_failed(request_id: int, exc: Exception) -> None:
    message = str(exc) if isinstance(exc, LetterNotPossible) else f"{type(exc).__name__}: {exc}"
    with transaction.atomic():
        request = (
            LetterRequest.objects.select_for_update()
            .select_related("case")
            .filter(pk=request_id, status=LetterRequest.Status.PENDING)
            .first()
        )
        if request is None:
            return
        request.status = LetterRequest.Status.FAILED
        request.error = message[:2000]
        request.save(update_fields=["status", "error"])
        case_event_record(
            case=request.case,
            actor=None,
            verb="letter_failed",
            payload={
                "letter_request_id": request.pk,
                "letter": request.letter,
                "letter_label": request.get_letter_display(),
                "error": request.error,
            },
            idempotency_key=f"letter-request:{request.pk}:failed",
        )
