"""The data protection officer's pages: who read what (with CSV), subject access
exports, and marking a case's records as special category."""

from __future__ import annotations

import csv
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cases.models import Case, CaseEvent, Contact, Tenant, VulnerabilityFlag
from cases.permissions import case_for_action
from cases.views.caseload import _safe
from privacy import selectors
from privacy.forms import AccessFilterForm, SpecialCategoryMarkForm, SubjectAccessForm
from privacy.models import SpecialCategoryMark, SubjectAccessRequest
from privacy.services import (
    REQUEST_SUBJECT_ACCESS,
    special_category_mark,
    subject_access_request_create,
)
from privacy.special_category import HEALTH_FLAG_KINDS

VIEW_ACCESS_LOG = "privacy.view_access_log"


class _Echo:
    def write(self, value: str) -> str:
        return value


def _filters(request: HttpRequest) -> tuple[AccessFilterForm, selectors.AccessFilters]:
    form = AccessFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        return form, selectors.AccessFilters(
            user_id=data["user"].pk if data["user"] else None,
            case_reference=data["case"] or "",
            kind=data["kind"] or "",
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    return form, selectors.AccessFilters()


@require_GET
@permission_required(VIEW_ACCESS_LOG, raise_exception=True)
def access_log(request: HttpRequest) -> HttpResponse:
    """Who read what, filtered by person, case, kind of read and dates."""
    form, filters = _filters(request)
    records = selectors.access_records_for(filters=filters)
    if form.errors:
        records = records.none()
    page = Paginator(records, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "privacy/access_log.html",
        {
            "form": form,
            "page": page,
            "csv_url": reverse("privacy:access_log_csv")
            + (f"?{query.urlencode()}" if query else ""),
            "query": query.urlencode(),
            "retention_days": settings.PRIVACY_ACCESS_LOG_RETENTION_DAYS,
        },
    )


@require_GET
@permission_required(VIEW_ACCESS_LOG, raise_exception=True)
def access_log_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The same reads as CSV, streamed (this download is itself recorded)."""
    form, filters = _filters(request)
    records = selectors.access_records_for(filters=filters)
    if form.errors:
        records = records.none()
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(["When", "User", "Username", "Case", "What", "Page", "Address"])
        for r in records.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    timezone.localtime(r.at).isoformat(timespec="seconds"),
                    _safe(str(r.user)),
                    _safe(r.user.username),
                    _safe(r.case.reference if r.case else ""),
                    r.get_kind_display(),
                    r.view,
                    _safe(r.path),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="access-log.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@permission_required(REQUEST_SUBJECT_ACCESS, raise_exception=True)
def subject_access(request: HttpRequest) -> HttpResponse:
    """Find a tenant by case reference, ask for their export, and download yours."""
    if request.method == "POST":
        form = SubjectAccessForm(request.POST)
        if form.is_valid():
            tenant = get_object_or_404(Tenant, pk=form.cleaned_data["tenant"])
            made = subject_access_request_create(
                actor=request.user, tenant=tenant, reason=form.cleaned_data["reason"]
            )
            messages.success(
                request,
                f"Subject access export {made.pk} for {tenant.full_name} asked for. "
                "It appears below when it is ready.",
            )
            return redirect("privacy:subject_access")
    reference = request.GET.get("case", "").strip()
    case = (
        Case.objects.filter(reference__iexact=reference).select_related("tenancy").first()
        if reference
        else None
    )
    return render(
        request,
        "privacy/subject_access.html",
        {
            "reference": reference,
            "found": case,
            "people": list(case.tenancy.tenants.all()) if case else [],
            "requests": selectors.subject_access_requests_for(user=request.user)[:50],
        },
    )


@require_GET
@permission_required(REQUEST_SUBJECT_ACCESS, raise_exception=True)
def subject_access_download(request: HttpRequest, request_id: int) -> FileResponse:
    """The zip, for the person who asked for it only."""
    made = get_object_or_404(SubjectAccessRequest, pk=request_id)
    if made.requested_by_id != request.user.pk:
        raise PermissionDenied("Only the person who asked for this export can download it.")
    if made.status != SubjectAccessRequest.Status.READY:
        raise Http404("This export is not ready.")
    path = Path(settings.DOCUMENTS_ROOT) / made.file
    if not path.is_file():
        raise Http404("The file for this export is missing.")
    response = FileResponse(path.open("rb"), content_type="application/zip", filename=made.filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _case_records(case: Case) -> list[dict]:
    """The notes, contacts and flags an officer may mark, with any mark they carry."""
    marks = {
        (m.event_id and f"event-{m.event_id}")
        or (m.contact_id and f"contact-{m.contact_id}")
        or f"flag-{m.flag_id}": m
        for m in SpecialCategoryMark.objects.filter(case=case)
    }
    rows = []
    for e in CaseEvent.objects.filter(case=case, verb="note_added").order_by("-occurred_at"):
        rows.append(
            {
                "key": f"event-{e.pk}",
                "what": "Note",
                "when": e.occurred_at,
                "text": e.payload.get("text", ""),
            }
        )
    for c in Contact.objects.filter(case=case).order_by("-contacted_on", "-id"):
        rows.append(
            {"key": f"contact-{c.pk}", "what": str(c), "when": c.contacted_on, "text": c.summary}
        )
    for f in VulnerabilityFlag.objects.filter(case=case).order_by("-recorded_on"):
        rows.append(
            {
                "key": f"flag-{f.pk}",
                "what": f"{f.get_kind_display()} flag",
                "when": f.recorded_on,
                "text": f.details,
                "by_kind": f.kind in HEALTH_FLAG_KINDS,
            }
        )
    for row in rows:
        row["mark"] = marks.get(row["key"])
    return rows


@require_http_methods(["GET", "POST"])
def special_category(request: HttpRequest, case_id: int) -> HttpResponse:
    """Mark a case's notes, contacts and flags as special category data."""
    today = timezone.localdate()
    case = case_for_action(request.user, case_id, today=today)
    form = SpecialCategoryMarkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kind, _, pk = form.cleaned_data["record"].partition("-")
        models = {"event": CaseEvent, "contact": Contact, "flag": VulnerabilityFlag}
        if kind not in models or not pk.isdigit():
            raise Http404("No such record")
        target = get_object_or_404(models[kind], pk=int(pk), case=case)
        try:
            special_category_mark(
                actor=request.user,
                case=case,
                category=form.cleaned_data["category"],
                today=today,
                **{kind: target},
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, "Marked as special category: only those who need it can read it."
            )
        return redirect("privacy:special_category", case_id=case.pk)
    return render(
        request,
        "privacy/special_category.html",
        {"case": case, "rows": _case_records(case), "form": SpecialCategoryMarkForm()},
    )
