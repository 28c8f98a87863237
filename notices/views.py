"""Pages for notices, letters, statements, court packs, approvals and print packs.

Thin views: check who may do it (cases.permissions, object by object), parse the
form, call a service, redirect. Officers read every case; they act on cases in the
patches they work or cover; approving a notice or a claim needs the manager's
`cases.approve_legal_action`. Every page works without JavaScript; the notice page
refreshes its documents' status with htmx while any is still being produced.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Case, CaseEvent, Tenant
from cases.permissions import can_act_on_case, case_for_action, case_for_view
from cases.timeline import describe
from core.dates import add_working_days
from notices import selectors
from notices.checks import notice_policy, notice_refusals
from notices.court_packs import (
    CourtPackRefusedError,
    court_pack_decide,
    court_pack_prepare,
    court_pack_refusals,
)
from notices.documents import documents_root, letter_produce, statement_produce
from notices.forms import (
    CourtPackForm,
    DecisionForm,
    LetterForm,
    MessageForm,
    NoticeDraftForm,
    OptOutForm,
    ServiceForm,
    StatementForm,
    WithdrawForm,
)
from notices.messaging.gateway import NOTIFY_STATUSES, notify_configured
from notices.messaging.services import (
    message_request,
    message_status_record,
    opt_out_record,
    opt_out_withdraw,
)
from notices.models import CourtPack, Document, Message, MessageOptOut, Notice, PrintPack
from notices.print_packs import print_pack_mark_downloaded, print_pack_path
from notices.services import (
    NoticeRefusedError,
    expected_kind,
    notice_approve,
    notice_draft,
    notice_facts,
    notice_mark_printed,
    notice_serve,
    notice_submit,
    notice_withdraw,
    planned_dates,
)


def _today() -> date:
    return timezone.localdate()


def case_section_url(case_id: int, section: str = "") -> str:
    """The case page's sections (issue 4 owns them) live at /cases/<id>/<section>/."""
    return f"/cases/{case_id}/{section + '/' if section else ''}"


def case_page_context(case: Case) -> dict:
    tenants = [t.full_name for t in case.tenancy.tenants.all() if t.is_tenant]
    return {
        "case": case,
        "identity_title": " and ".join(tenants) or case.reference,
        "identity_facts": [
            case.reference,
            case.tenancy.property.one_line_address,
            case.tenancy.get_tenure_display(),
            f"Patch {case.patch.code}",
        ],
        "notices_url": case_section_url(case.pk, "notices"),
        "documents_url": case_section_url(case.pk, "documents"),
        "case_url": case_section_url(case.pk),
    }


def load_for_page(case: Case) -> Case:
    return (
        Case.objects.select_related("tenancy__property", "patch")
        .prefetch_related("tenancy__tenants", "accounts")
        .get(pk=case.pk)
    )


def form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        for message in error.messages:
            form.add_error(None, message)


# Notices ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def notice_new(request: HttpRequest, case_id: int) -> HttpResponse:
    today = _today()
    case = load_for_page(case_for_action(request.user, case_id, today=today))
    planned = add_working_days(today, 1)
    kind = expected_kind(case.tenancy, served_on=planned)
    form = NoticeDraftForm(
        request.POST or None,
        kind=kind.value if kind else "",
        initial={"planned_service_on": planned, "planned_service_method": "hand"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notice = notice_draft(
                case=case,
                actor=request.user,
                today=today,
                planned_service_on=data["planned_service_on"],
                planned_service_method=data["planned_service_method"],
                grounds=data.get("grounds"),
                reasons=data.get("reasons", ""),
                extra_particulars=data.get("extra_particulars", ""),
            )
        except NoticeRefusedError as refused:
            for message in refused.messages:
                form.add_error(None, f"This notice cannot be drafted: {message}")
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Notice drafted. Read the draft, then send it for approval.")
            return redirect("notices:notice_detail", case_id=case.pk, notice_id=notice.pk)
    # The checks as they stand today, so the officer sees them before filling in the form.
    dates, date_refusal = planned_dates(case.tenancy, served_on=planned, method="hand")
    refusals = notice_refusals(
        notice_facts(case, today=today, service_on=planned),
        kind=kind.value if kind else "",
        grounds=["8", "10", "11"] if kind and kind.value.startswith("s8") else ["1"],
        service_on=planned,
        today=today,
        policy=notice_policy(case.tenancy.tenure),
        date_refusal=date_refusal,
    )
    return render(
        request,
        "notices/notice_new.html",
        {
            **case_page_context(case),
            "form": form,
            "kind_label": Notice(kind=kind.value).get_kind_display() if kind else "",
            "refusals": refusals,
            "dates": dates,
            "planned": planned,
        },
    )


@require_GET
def notice_detail(request: HttpRequest, case_id: int, notice_id: int) -> HttpResponse:
    today = _today()
    case = load_for_page(case_for_view(request.user, case_id))
    notice = get_object_or_404(
        Notice.objects.select_related("created_by", "approved_by", "printed_by", "withdrawn_by"),
        case=case,
        pk=notice_id,
    )
    documents = list(notice.documents.select_related("requested_by").order_by("requested_at", "id"))
    services = {s.tenant_id: s for s in notice.services.select_related("certificate")}
    tenants = [
        {"tenant": t, "service": services.get(t.pk)}
        for t in case.tenancy.tenants.all()
        if t.is_tenant
    ]
    events = CaseEvent.objects.filter(case=case, payload__notice_id=notice.pk).select_related(
        "actor"
    )
    can_act = can_act_on_case(request.user, case, today=today)
    context = {
        **case_page_context(case),
        "notice": notice,
        "documents": documents,
        "pending": any(d.status == Document.Status.PENDING for d in documents),
        "tenants": tenants,
        "events": [
            {"when": e.occurred_at, "who": e.actor_label, "what": describe(e.verb, e.payload)}
            for e in events.order_by("-occurred_at", "-id")
        ],
        "can_act": can_act,
        "can_approve": request.user.has_perm("cases.approve_legal_action"),
        "in_force": notice.is_in_force_on(today),
    }
    if request.htmx:
        return render(request, "notices/notice_detail.html#documents", context)
    return render(request, "notices/notice_detail.html", context)


def _notice_for_action(request: HttpRequest, case_id: int, notice_id: int) -> tuple[Case, Notice]:
    case = case_for_action(request.user, case_id, today=_today())
    return case, get_object_or_404(Notice, case=case, pk=notice_id)


def _step(request: HttpRequest, case_id: int, notice_id: int, action, success: str) -> HttpResponse:
    case, notice = _notice_for_action(request, case_id, notice_id)
    try:
        action(notice)
    except NoticeRefusedError as refused:
        messages.error(request, "Refused: " + " ".join(refused.messages))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("notices:notice_detail", case_id=case.pk, notice_id=notice.pk)


@require_POST
def notice_submit_view(request: HttpRequest, case_id: int, notice_id: int) -> HttpResponse:
    return _step(
        request,
        case_id,
        notice_id,
        lambda n: notice_submit(notice=n, actor=request.user),
        "Sent to a manager for approval.",
    )


@require_POST
def notice_approve_view(request: HttpRequest, case_id: int, notice_id: int) -> HttpResponse:
    if not request.user.has_perm("cases.approve_legal_action"):
        raise PermissionDenied("Only a manager can approve a notice.")
    return _step(
        request,
        case_id,
        notice_id,
        lambda n: notice_approve(notice=n, actor=request.user, today=_today()),
        "Approved. The notice for service is being produced.",
    )


@require_POST
def notice_print_view(request: HttpRequest, case_id: int, notice_id: int) -> HttpResponse:
    return _step(
        request,
        case_id,
        notice_id,
        lambda n: notice_mark_printed(notice=n, actor=request.user),
        "Recorded as printed. Record service on each tenant once it is served.",
    )


@require_http_methods(["GET", "POST"])
def notice_withdraw_view(request: HttpRequest, case_id: int, notice_id: int) -> HttpResponse:
    case, notice = _notice_for_action(request, case_id, notice_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice_withdraw(notice=notice, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Notice withdrawn.")
            return redirect("notices:notice_detail", case_id=case.pk, notice_id=notice.pk)
    return render(
        request,
        "notices/notice_withdraw.html",
        {**case_page_context(load_for_page(case)), "notice": notice, "form": form},
    )


@require_http_methods(["GET", "POST"])
def notice_serve_view(
    request: HttpRequest, case_id: int, notice_id: int, tenant_id: int
) -> HttpResponse:
    today = _today()
    case, notice = _notice_for_action(request, case_id, notice_id)
    tenant = get_object_or_404(Tenant, pk=tenant_id, tenancy_id=notice.tenancy_id, is_tenant=True)
    case = load_for_page(case)
    form = ServiceForm(
        request.POST or None,
        initial={
            "method": notice.planned_service_method,
            "served_on": today,
            "server_name": request.user.get_full_name(),
            "address": case.tenancy.property.one_line_address,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        served_at = timezone.make_aware(datetime.combine(data["served_on"], data["served_time"]))
        try:
            notice_serve(
                notice=notice,
                tenant=tenant,
                actor=request.user,
                method=data["method"],
                served_at=served_at,
                server=request.user
                if data["server_name"].strip() == request.user.get_full_name()
                else None,
                server_name=data["server_name"],
                given_to=data["given_to"],
                address=data["address"],
                evidence=data["evidence"],
                today=today,
            )
        except NoticeRefusedError as refused:
            for message in refused.messages:
                form.add_error(None, f"Service cannot be recorded: {message}")
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(
                request,
                f"Service on {tenant.full_name} recorded; the certificate is being produced.",
            )
            return redirect("notices:notice_detail", case_id=case.pk, notice_id=notice.pk)
    return render(
        request,
        "notices/notice_serve.html",
        {**case_page_context(case), "notice": notice, "tenant": tenant, "form": form},
    )


# Documents ----------------------------------------------------------------------------


@require_GET
def document_download(request: HttpRequest, case_id: int, document_id: int) -> FileResponse:
    """A document's PDF, for anyone who may read the case; nothing else is served."""
    case = case_for_view(request.user, case_id)
    document = get_object_or_404(Document, case=case, pk=document_id)
    if document.status != Document.Status.RENDERED:
        raise Http404("This document is not ready.")
    path = Path(documents_root()) / document.file
    if not path.is_file():
        raise Http404("The file for this document is missing.")
    response = FileResponse(
        path.open("rb"), content_type="application/pdf", filename=document.filename
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def letter_new(request: HttpRequest, case_id: int) -> HttpResponse:
    today = _today()
    case = load_for_page(case_for_action(request.user, case_id, today=today))
    form = LetterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            letter_produce(
                case=case, kind=form.cleaned_data["kind"], actor=request.user, today=today
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "The letter is being produced; it will appear in the list.")
            return redirect(case_section_url(case.pk, "documents"))
    return render(request, "notices/letter_new.html", {**case_page_context(case), "form": form})


@require_http_methods(["GET", "POST"])
def statement_new(request: HttpRequest, case_id: int) -> HttpResponse:
    today = _today()
    case = load_for_page(case_for_action(request.user, case_id, today=today))
    # The Pre-Action Protocol's quarterly statement covers the last 13 weeks.
    form = StatementForm(
        request.POST or None,
        today=today,
        initial={"start": today - timedelta(weeks=13), "end": today},
    )
    if request.method == "POST" and form.is_valid():
        try:
            statement_produce(
                case=case,
                actor=request.user,
                today=today,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(
                request, "The statement is being produced; it will appear in the list."
            )
            return redirect(case_section_url(case.pk, "documents"))
    return render(request, "notices/statement_new.html", {**case_page_context(case), "form": form})


# Court packs --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def court_pack_new(request: HttpRequest, case_id: int) -> HttpResponse:
    today = _today()
    case = load_for_page(case_for_action(request.user, case_id, today=today))
    form = CourtPackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pack = court_pack_prepare(
                case=case, actor=request.user, summary=form.cleaned_data["summary"], today=today
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Court pack prepared for a manager's decision.")
            return redirect("notices:court_pack_detail", case_id=case.pk, pack_id=pack.pk)
    return render(request, "notices/court_pack_new.html", {**case_page_context(case), "form": form})


@require_http_methods(["GET", "POST"])
def court_pack_detail(request: HttpRequest, case_id: int, pack_id: int) -> HttpResponse:
    today = _today()
    case = load_for_page(case_for_view(request.user, case_id))
    pack = get_object_or_404(
        CourtPack.objects.select_related(
            "report", "statement", "notice", "prepared_by", "decided_by"
        ),
        case=case,
        pk=pack_id,
    )
    can_decide = request.user.has_perm("cases.approve_legal_action")
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied("Only a manager can decide on a court pack.")
        if form.is_valid():
            try:
                court_pack_decide(
                    pack=pack,
                    actor=request.user,
                    today=today,
                    approve=form.cleaned_data["decision"] == "approve",
                    note=form.cleaned_data["note"],
                )
            except CourtPackRefusedError as refused:
                for message in refused.messages:
                    form.add_error(None, f"The claim cannot be approved: {message}")
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, "Decision recorded.")
                return redirect("notices:court_pack_detail", case_id=case.pk, pack_id=pack.pk)
    refusals = (
        court_pack_refusals(pack, case, today=today) if pack.status == "awaiting_approval" else []
    )
    return render(
        request,
        "notices/court_pack_detail.html",
        {
            **case_page_context(case),
            "pack": pack,
            "form": form,
            "can_decide": can_decide,
            "refusals": refusals,
            "steps": pack.report.context.get("pap_steps", []) if pack.report else [],
        },
    )


# Managers: print packs ------------------------------------------------------


def _manager(request: HttpRequest) -> None:
    if not request.user.has_perm("cases.approve_legal_action"):
        raise PermissionDenied("Only managers can see this page.")


@require_GET
def print_packs(request: HttpRequest) -> HttpResponse:
    _manager(request)
    packs = list(selectors.print_packs()[:60])
    day = request.GET.get("day")
    try:
        failed_day = date.fromisoformat(day) if day else (packs[0].run_date if packs else _today())
    except ValueError:
        failed_day = _today()
    return render(
        request,
        "notices/print_packs.html",
        {
            "packs": packs,
            "failed_day": failed_day,
            "failed": list(selectors.failed_letter_requests(run_date=failed_day)),
            "counts": selectors.letter_requests_by_day(run_date=failed_day),
        },
    )


@require_GET
def print_pack_download(request: HttpRequest, pack_id: int) -> FileResponse:
    _manager(request)
    pack = get_object_or_404(PrintPack, pk=pack_id)
    path = print_pack_path(pack)
    if not path.is_file():
        raise Http404("The file for this print pack is missing.")
    print_pack_mark_downloaded(pack=pack, user=request.user)
    response = FileResponse(path.open("rb"), content_type="application/pdf", filename=pack.filename)
    response["Cache-Control"] = "private, no-store"
    return response


# Messages through GOV.UK Notify ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def message_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """Send a text or an email to each tenant; those that may not go are named."""
    today = _today()
    case = load_for_page(case_for_action(request.user, case_id, today=today))
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = message_request(
                case=case,
                actor=request.user,
                purpose=form.cleaned_data["purpose"],
                channel=form.cleaned_data["channel"],
                today=today,
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            for message in made:
                if message.status == Message.Status.NOT_SENT:
                    messages.warning(request, f"Not sent to {message.addressee}: {message.reason}")
                else:
                    messages.success(request, f"Sent to GOV.UK Notify for {message.addressee}.")
            return redirect(case_section_url(case.pk, "documents"))
    return render(
        request,
        "notices/message_new.html",
        {**case_page_context(case), "form": form, "configured": notify_configured()},
    )


@require_http_methods(["GET", "POST"])
def opt_out_new(request: HttpRequest, case_id: int) -> HttpResponse:
    today = _today()
    case = load_for_page(case_for_action(request.user, case_id, today=today))
    form = OptOutForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            opt_out_record(case=case, actor=request.user, today=today, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Opt-out recorded.")
            return redirect(case_section_url(case.pk, "documents"))
    return render(request, "notices/opt_out_new.html", {**case_page_context(case), "form": form})


@require_POST
def opt_out_end(request: HttpRequest, case_id: int, opt_out_id: int) -> HttpResponse:
    today = _today()
    case = load_for_page(case_for_action(request.user, case_id, today=today))
    opt_out = get_object_or_404(MessageOptOut, pk=opt_out_id, tenant__tenancy=case.tenancy)
    opt_out_withdraw(case=case, opt_out=opt_out, actor=request.user, today=today)
    messages.success(request, "Opt-out withdrawn.")
    return redirect(case_section_url(case.pk, "documents"))


@csrf_exempt
@login_not_required
@require_POST
def notify_callback(request: HttpRequest) -> HttpResponse:
    """GOV.UK Notify's delivery receipt: {"id": ..., "status": ...}, with the bearer
    token the council gave Notify. Without a token set, receipts are not accepted."""
    token = settings.NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not constant_time_compare(given, token):
        return HttpResponse(status=401)
    try:
        receipt = json.loads(request.body)
        notify_id, status = str(receipt["id"]), str(receipt["status"])
    except (ValueError, KeyError, TypeError):
        return HttpResponse("A receipt needs an id and a status.", status=400)
    message = Message.objects.filter(notify_id=notify_id).first() if _is_uuid(notify_id) else None
    if message is None:
        return HttpResponse(status=404)
    message_status_record(
        message=message, status=NOTIFY_STATUSES.get(status, Message.Status.SENDING)
    )
    return HttpResponse(status=204)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
