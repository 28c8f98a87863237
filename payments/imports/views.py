"""The finance pages: import one file and see its totals, recent imports, the suspense queue."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from payments.imports.formats import file_formats
from payments.imports.selectors import suspense_items_to_work
from payments.imports.services import FileRefused, payment_file_import
from payments.imports.suspense import (
    suspense_allocation_approve,
    suspense_allocation_reject,
    suspense_allocation_request,
)
from payments.models import Account, ImportLine, PaymentImport, PaymentMethod, SuspenseItem

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
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = payment_file_import(
                content=upload.read(),
                filename=upload.name,
                format_name=form.cleaned_data["format_name"],
                today=timezone.localdate(),
                actor=request.user,
            )
        except FileRefused as refused:
            form.add_error(None, refused.summary)
            problems = refused.problems
        else:
            messages.success(
                request, f"{upload.name} posted: " + "; ".join(result.totals.lines_text()[:3])
            )
            return redirect("payments:import_detail", import_id=result.payment_import.pk)
    return render(
        request,
        "payments/imports.html",
        {
            "form": form,
            "problems": problems,
            "recent": PaymentImport.objects.select_related("imported_by")[:20],
            "suspense_count": suspense_items_to_work().count(),
        },
        status=400 if problems else 200,
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
