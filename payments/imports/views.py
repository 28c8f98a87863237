"""The finance page: import one file, see recent imports and the suspense queue."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from payments.imports.formats import file_formats
from payments.imports.selectors import suspense_items_open
from payments.imports.services import FileRefused, payment_file_import
from payments.models import PaymentImport

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
            return redirect("payments:imports")
    return render(
        request,
        "payments/imports.html",
        {
            "form": form,
            "problems": problems,
            "recent": PaymentImport.objects.select_related("imported_by")[:20],
            "suspense": suspense_items_open()[:200],
        },
        status=400 if problems else 200,
    )
