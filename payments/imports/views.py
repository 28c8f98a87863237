"""The finance pages: import one file and see its totals, recent imports, the suspense queue."""

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.models import User
from payments.imports.formats import file_formats
from payments.imports.parsing import LineProblem
from payments.imports.selectors import suspense_items_to_work
from payments.imports.services import ImportStep
from payments.imports.suspense import (
    suspense_allocation_approve,
    suspense_allocation_reject,
    suspense_allocation_request,
)
from payments.imports.uploads import payment_file_upload_queue
from payments.models import (
    Account,
    ImportLine,
    PaymentFileUpload,
    PaymentImport,
    PaymentMethod,
    SuspenseItem,
)

MAX_FILE_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label="Payment or benefit file")
    format_name = forms.ChoiceField(label="File format", choices=())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["format_name"].choices = [
            (fmt.name, fmt.label) for fmt in file_formats().values()
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError("The file must be smaller than 20 MB.")
        return upload


@permission_required("payments.import_payments", raise_exception=True)
def imports(request: HttpRequest) -> HttpResponse:
    """Send a file to be imported, then follow it on its own page; recent imports."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        upload = payment_file_upload_queue(
            content=file.read(),
            filename=file.name,
            format_name=form.cleaned_data["format_name"],
            actor=request.user,
        )
        return redirect("payments:upload_status", upload_id=upload.pk)
    return render(
        request,
        "payments/imports.html",
        {
            "form": form,
            "unposted": PaymentFileUpload.objects.exclude(
                status=PaymentFileUpload.Status.POSTED
            ).select_related("uploaded_by")[:10],
            "recent": PaymentImport.objects.select_related("imported_by")[:20],
            "suspense_count": suspense_items_to_work().count(),
        },
    )


STEPS = list(ImportStep)


@dataclass(frozen=True)
class UploadProgressShown:
    """How far an upload has got, as its page shows it."""

    steps_done: int
    text: str
    token: str  # changes whenever what is shown does

    steps: int = len(STEPS)


def _upload_for_user(user: User, upload_id: int) -> PaymentFileUpload:
    """The upload, for the officer who sent it or anyone who may import files."""
    upload = get_object_or_404(
        PaymentFileUpload.objects.select_related("uploaded_by").defer("content"),
        pk=upload_id,
    )
    if upload.uploaded_by_id != user.pk and not user.has_perm("payments.import_payments"):
        raise Http404("No such upload.")
    return upload


def _progress_shown(upload: PaymentFileUpload) -> UploadProgressShown:
    """From the worker's latest report in the "progress" cache while the import runs
    (its transaction is still open, so the upload's row cannot say), else from the row."""
    Status = PaymentFileUpload.Status
    if upload.status == Status.QUEUED:
        return UploadProgressShown(0, "Waiting for the import to start", "queued")
    if upload.status == Status.RUNNING:
        latest = caches["progress"].get(upload.progress_key)
        if latest is None:
            return UploadProgressShown(0, "Starting the import", "running")
        step, done, total = latest["step"], latest["done"], latest["total"]
    else:
        step, done, total = upload.step, upload.lines_done, upload.lines_total
    number = STEPS.index(ImportStep(step)) + 1 if step in STEPS else 0
    if total is not None:
        counts = f"{done:,} of {total:,} lines"
    elif done:
        counts = f"{done:,} lines checked so far"
    else:
        counts = ""
    text = f"Step {number} of {len(STEPS)}, {step}" + (f": {counts}" if counts else "")
    if upload.status == Status.POSTED:
        return UploadProgressShown(len(STEPS), f"Posted: {done:,} lines", "posted")
    if upload.is_finished:
        return UploadProgressShown(number, upload.get_status_display(), str(upload.status))
    return UploadProgressShown(max(number - 1, 0), text, f"{upload.status}.{number}.{done}.{total}")


def upload_status(request: HttpRequest, upload_id: int) -> HttpResponse:
    """A file sent from the finance page: how far its import has got (polled every
    second), then its totals once posted, or every bad line if it was refused."""
    upload = _upload_for_user(request.user, upload_id)
    if upload.status == PaymentFileUpload.Status.POSTED:
        messages.success(request, f"{upload.filename} posted: every line was checked first.")
        return redirect("payments:import_detail", import_id=upload.payment_import_id)
    problems = [str(LineProblem(p["line"], p["field"], p["reason"])) for p in upload.problems]
    return render(
        request,
        "payments/upload_status.html",
        {
            "upload": upload,
            "format": file_formats().get(upload.format_name),
            "progress": _progress_shown(upload),
            "problems": problems,
        },
    )


def upload_progress(request: HttpRequest, upload_id: int) -> HttpResponse:
    """The status page's progress block alone, for htmx to poll. Nothing changed since
    the page's last look (`seen`): 204, so htmx leaves the page and the live region
    alone. Finished: htmx is sent to the totals, or to the page naming the bad lines
    (a poll or two more may come before the browser has gone, so no message is left)."""
    upload = _upload_for_user(request.user, upload_id)
    progress = _progress_shown(upload)
    if request.htmx and upload.is_finished:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = (
            reverse("payments:import_detail", args=[upload.payment_import_id])
            if upload.status == PaymentFileUpload.Status.POSTED
            else reverse("payments:upload_status", args=[upload.pk])
        )
        return response
    if request.htmx and request.GET.get("seen") == progress.token:
        return HttpResponse(status=204)
    return render(
        request,
        "payments/upload_status.html#progress",
        {"upload": upload, "progress": progress, "fragment": True},
    )


@permission_required("payments.import_payments", raise_exception=True)
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    """One file's totals as kept with its import: lines, sum, per method, matched, to
    suspense, already posted and the trailer's control total."""
    record = get_object_or_404(PaymentImport.objects.select_related("imported_by"), pk=import_id)
    methods = [
        (PaymentMethod(method).label, figures["count"], Decimal(figures["total"]))
        for method, figures in sorted(record.per_method.items())
    ]
    suspense_items = record.lines.filter(outcome=ImportLine.Outcome.SUSPENSE).count()
    return render(
        request,
        "payments/import_detail.html",
        {"record": record, "methods": methods, "suspense_items": suspense_items},
    )


@permission_required("payments.import_payments", raise_exception=True)
def suspense(request: HttpRequest) -> HttpResponse:
    """The suspense queue, oldest first: ask to allocate, approve or refuse."""
    return render(request, "payments/suspense.html", {"suspense": suspense_items_to_work()[:200]})


@require_POST
@permission_required("payments.import_payments", raise_exception=True)
def suspense_allocate(request: HttpRequest, item_id: int) -> HttpResponse:
    """Ask for a suspense item to go to an account; someone else approves it."""
    item = get_object_or_404(SuspenseItem, pk=item_id)
    reference = request.POST.get("account", "").strip()
    account = Account.objects.filter(reference=reference).select_related("case").first()
    if account is None:
        messages.error(request, f"There is no account with the reference {reference!r}.")
        return redirect("payments:suspense")
    try:
        suspense_allocation_request(
            item=item, account=account, reason=request.POST.get("reason", ""), actor=request.user
        )
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"Allocation to {account.reference} is awaiting approval.")
    return redirect("payments:suspense")


@require_POST
@permission_required("payments.import_payments", raise_exception=True)
def suspense_approve(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_object_or_404(SuspenseItem, pk=item_id)
    try:
        done = suspense_allocation_approve(
            item=item, actor=request.user, today=timezone.localdate()
        )
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, f"Allocated to {done.account.reference}.")
    return redirect("payments:suspense")


@require_POST
@permission_required("payments.import_payments", raise_exception=True)
def suspense_reject(request: HttpRequest, item_id: int) -> HttpResponse:
    """The second person refuses an allocation, saying why; the item is back in the queue."""
    item = get_object_or_404(SuspenseItem, pk=item_id)
    try:
        suspense_allocation_reject(
            item=item, actor=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(request, "Allocation refused; the money is back in suspense.")
    return redirect("payments:suspense")
