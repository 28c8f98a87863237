"""The subject access export (UK GDPR Art. 15; ICO right of access guidance): everything
held about a tenant, as a zip of JSON and the PDFs sent to them, made by a worker.

Everything: the tenant, their tenancy, home and household; every record of every
kind on their cases (privacy/records.py finds the kinds from the models, so a new one
is never left out): the timeline, contacts, holds, flags, referrals, I&E statements,
arrangements, accounts and the ledger, notices, documents, messages, court records,
the engine's recommendations (Art. 15(1)(h)); the timeline again as sentences; and
each document's PDF. Other people's data (joint tenants, officers' notes naming
others) is in it too: the DPO reviews the zip before release (Art. 15(4)).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from cases.models import Case, CaseEvent, Tenant
from cases.timeline import describe, details
from privacy.models import SubjectAccessRequest
from privacy.records import case_record_kinds, tenant_record_kinds

logger = logging.getLogger(__name__)

SUBFOLDER = "subject-access"


def _json(value: Any) -> bytes:
    return json.dumps(value, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False).encode()


def _serialise(rows) -> list[dict[str, Any]]:
    return serializers.serialize("python", rows)


def subject_access_contents(*, tenant: Tenant) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The files of the export by name, and its manifest (counts by kind)."""
    tenancy = tenant.tenancy
    cases = Case.objects.filter(tenancy=tenancy).order_by("pk")
    case_ids = list(cases.values_list("pk", flat=True))
    files: dict[str, bytes] = {}
    counts: dict[str, int] = {}

    files["tenant.json"] = _json(
        {
            "tenant": _serialise([tenant])[0],
            "tenancy": _serialise([tenancy])[0],
            "property": _serialise([tenancy.property])[0],
            "household": _serialise(tenancy.tenants.exclude(pk=tenant.pk)),
        }
    )
    files["records/cases.case.json"] = _json(_serialise(cases))
    counts["cases.case"] = len(case_ids)
    for kind in case_record_kinds():
        rows = list(kind.for_cases(case_ids).order_by("pk"))
        if rows:
            files[f"records/{kind.label}.json"] = _json(_serialise(rows))
        counts[kind.label] = len(rows)
    for kind in tenant_record_kinds():
        rows = list(kind.model._default_manager.filter(**{kind.path: tenant}).order_by("pk"))
        if rows:
            files[f"records/{kind.label}.json"] = _json(_serialise(rows))
        counts[kind.label] = len(rows)

    # The timeline as officers read it, newest first.
    events = CaseEvent.objects.filter(case_id__in=case_ids).select_related("actor", "case")
    files["timeline.json"] = _json(
        [
            {
                "case": e.case.reference,
                "when": e.occurred_at,
                "by": e.actor_label,
                "what": describe(e.verb, e.payload),
                "details": details(e.verb, e.payload),
            }
            for e in events.order_by("-occurred_at", "-id")
        ]
    )

    from notices.models import Document

    root = Path(settings.DOCUMENTS_ROOT)
    pdfs = []
    for document in Document.objects.filter(case_id__in=case_ids).exclude(file="").order_by("pk"):
        path = root / document.file
        if path.is_file():
            name = f"documents/{document.pk}-{document.kind}.pdf"
            files[name] = path.read_bytes()
            pdfs.append(name)
    manifest = {
        "tenant_id": tenant.pk,
        "tenant": tenant.full_name,
        "cases": list(cases.values_list("reference", flat=True)),
        "records": counts,
        "documents": pdfs,
        "files": sorted([*files, "manifest.json"]),
        "review": (
            "Holds other people's data (household members, officers, advisers): review "
            "and redact before release (UK GDPR Art. 15(4))."
        ),
    }
    return files, manifest


def subject_access_produce(*, request_id: int) -> SubjectAccessRequest:
    """Write the request's zip and record what it holds; a failure is recorded on the
    request, not raised, so the DPO sees why."""
    with transaction.atomic():
        request = SubjectAccessRequest.objects.select_for_update().get(pk=request_id)
        if request.status == SubjectAccessRequest.Status.READY:
            return request
    try:
        files, manifest = subject_access_contents(tenant=request.tenant)
        manifest |= {
            "request_id": request.pk,
            "requested_by": str(request.requested_by),
            "requested_at": request.requested_at.isoformat(),
            "produced_at": timezone.now().isoformat(),
        }
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", _json(manifest))
            for name, content in files.items():
                archive.writestr(name, content)
        data = buffer.getvalue()
        relative = f"{SUBFOLDER}/{request.pk}.zip"
        target = Path(settings.DOCUMENTS_ROOT) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(target)
    except Exception as exc:
        logger.exception("Subject access export %s failed", request_id)
        SubjectAccessRequest.objects.filter(pk=request_id).update(
            status=SubjectAccessRequest.Status.FAILED,
            error=str(exc)[:2000],
            finished_at=timezone.now(),
        )
        request.refresh_from_db()
        return request
    SubjectAccessRequest.objects.filter(pk=request_id).update(
        status=SubjectAccessRequest.Status.READY,
        file=relative,
        checksum=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        manifest=manifest,
        finished_at=timezone.now(),
        error="",
    )
    request.refresh_from_db()
    return request
