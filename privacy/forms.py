from django import forms

from core.models import User
from core.widgets import GovukDateInput
from privacy.models import AccessKind, SpecialCategory


class AccessFilterForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Who", queryset=User.objects.order_by("first_name", "last_name"), required=False
    )
    case = forms.CharField(label="Case reference", max_length=20, required=False)
    kind = forms.ChoiceField(
        label="What", choices=[("", "Any read"), *AccessKind.choices], required=False
    )
    date_from = forms.DateField(label="From", widget=GovukDateInput, required=False)
    date_to = forms.DateField(label="To", widget=GovukDateInput, required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date")
        return cleaned


class SubjectAccessForm(forms.Form):
    tenant = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Request reference or how it came in",
        max_length=200,
        required=False,
        help_text="For example, the reference of the tenant's letter or email.",
    )


class SpecialCategoryMarkForm(forms.Form):
    record = forms.CharField(widget=forms.HiddenInput)
    category = forms.ChoiceField(
        label="Kind of special category data", choices=SpecialCategory.choices
    )
