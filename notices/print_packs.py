"""The day's automatic letters as one PDF for the print room, in address order.

A cover page tells the print room what is in the pack (letters, envelopes, pages and
sheets, large print, any letters that failed); each tenant's copy starts on a new
sheet so the pack can be printed double-sided and each copy folded into its own
window envelope. Letters are
packed once: a later pack for the same day holds only letters not packed before.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from arrears.models import LetterRequest
from notices.catalogue import PRINT_PACK_COVER
from notices.contexts import council
from notices.documents import documents_root, write_file
from notices.models import Document, DocumentKind, PrintPack
from notices.rendering import html_to_document, sha256

A4_POINTS = (595.28, 841.89)


def _letters_to_pack(run_date: date):
    return (
        Document.objects.select_for_update(of=("self",))
        .filter(
            letter_request__run_date=run_date,
            status=Document.Status.RENDERED,
            print_pack__isnull=True,
            # Posted by Notify's letter service instead (notices.messaging).
            messages__isnull=True,
        )
        .select_related("case")
        .order_by("address_sort_key", "id")
    )


@dataclass(frozen=True)
class Envelope:
    """One tenant's copy of one letter: it goes in its own envelope."""

    document: Document
    name: str
    postcode: str
    large_print: bool
    first_page: int  # within the document's PDF, from 0
    pages: int


def envelopes(documents: list[Document]) -> list[Envelope]:
    out = []
    for document in documents:
        copies = document.context.get("copies") or [{}]
        counts = document.copy_page_counts or [document.page_count]
        first = 0
        for copy, pages in zip(copies, counts, strict=False):
            address = copy.get("address") or [""]
            out.append(
                Envelope(
                    document,
                    copy.get("name", document.recipients),
                    address[-1],
                    bool(copy.get("large_print")),
                    first,
                    pages,
                )
            )
            first += pages
    return out


def _cover_document(
    run_date: date,
    sequence: int,
    items: list[Envelope],
    letters: int,
    failed: int,
    first_page: int,
):
    counts = Counter(DocumentKind(e.document.kind).label for e in items)
    start_page = first_page
    rows = []
    for number, envelope in enumerate(items, start=1):
        rows.append(
            {
                "number": number,
                "reference": envelope.document.case.reference,
                "recipients": envelope.name,
                "postcode": envelope.postcode,
                "kind": DocumentKind(envelope.document.kind).label,
                "pages": envelope.pages,
                "start_page": start_page,
                "large_print": envelope.large_print,
                "enclosures": envelope.document.context.get("enclosures", []),
            }
        )
        start_page += envelope.pages + envelope.pages % 2
    context = {
        "council": council(),
        "template": {"code": PRINT_PACK_COVER.code, "version": PRINT_PACK_COVER.version},
        "title": f"Print pack for {run_date:%d %B %Y}",
        "reference": f"PACK-{run_date.isoformat()}-{sequence}",
        "run_date": run_date.isoformat(),
        "sequence": sequence,
        "created_at": timezone.localtime().strftime("%d %B %Y at %H:%M"),
        "letters": letters,
        "envelopes": len(items),
        "pages": sum(e.pages for e in items),
        "sheets": sum((e.pages + 1) // 2 for e in items),
        "large_print": sum(1 for e in items if e.large_print),
        "failed": failed,
        "counts": sorted(counts.items()),
        "enclosures": sorted(Counter(e for row in rows for e in row["enclosures"]).items()),
        "rows": rows,
        "copy": {},
    }
    return html_to_document(render_to_string(PRINT_PACK_COVER.path, context))


def _cover(
    run_date: date, sequence: int, items: list[Envelope], letters: int, failed: int
) -> bytes:
    """The cover, with each envelope's first page number in the pack; laid out twice when
    the cover itself runs to more pages than the first guess."""
    first_page = 3  # a one-page cover and its blank back
    cover = _cover_document(run_date, sequence, items, letters, failed, first_page)
    pages = len(cover.pages) + len(cover.pages) % 2
    if pages + 1 != first_page:
        cover = _cover_document(run_date, sequence, items, letters, failed, pages + 1)
    return cover.write_pdf()


def print_pack_build(*, run_date: date) -> PrintPack | None:
    """Gather the day's rendered, unpacked letters into a new print pack (None if none).

    Each tenant's copy starts on the front of a sheet when printed double-sided, so
    each can be folded into its own window envelope.
    """
    with transaction.atomic():
        documents = list(_letters_to_pack(run_date))
        if not documents:
            return None
        sequence = (
            PrintPack.objects.filter(run_date=run_date).aggregate(n=Max("sequence"))["n"] or 0
        ) + 1
        failed = LetterRequest.objects.filter(
            run_date=run_date, status=LetterRequest.Status.FAILED
        ).count()
        items = envelopes(documents)
        writer = PdfWriter()
        writer.append(
            PdfReader(io.BytesIO(_cover(run_date, sequence, items, len(documents), failed)))
        )
        if len(writer.pages) % 2:
            writer.add_blank_page(*A4_POINTS)
        readers: dict[int, PdfReader] = {}
        for envelope in items:
            document = envelope.document
            if document.pk not in readers:
                readers[document.pk] = PdfReader(documents_root() / document.file)
            reader = readers[document.pk]
            for index in range(envelope.first_page, envelope.first_page + envelope.pages):
                writer.add_page(reader.pages[index])
            if envelope.pages % 2:
                writer.add_blank_page(*A4_POINTS)
        buffer = io.BytesIO()
        writer.write(buffer)
        content = buffer.getvalue()
        pack = PrintPack(
            run_date=run_date,
            sequence=sequence,
            page_count=len(writer.pages),
            letter_count=len(documents),
            envelope_count=len(items),
            large_print_count=sum(1 for e in items if e.large_print),
            failed_count=failed,
            template_version=PRINT_PACK_COVER.label,
        )
        pack.file = f"print-packs/{run_date:%Y/%m}/{pack.filename}"
        write_file(pack.file, content)
        pack.checksum = sha256(content)
        pack.size_bytes = len(content)
        pack.save()
        Document.objects.filter(pk__in=[d.pk for d in documents]).update(print_pack=pack)
    return pack


def print_pack_path(pack: PrintPack):
    return documents_root() / pack.file


def print_pack_mark_downloaded(*, pack: PrintPack, user) -> None:
    if pack.downloaded_at is None:
        PrintPack.objects.filter(pk=pack.pk, downloaded_at__isnull=True).update(
            downloaded_at=timezone.now(), downloaded_by=user
        )
