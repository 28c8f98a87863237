"""Forms for targets, write-offs and tracing. They parse what was typed; the services decide."""

from decimal import Decimal

from django import forms

from court.forms import money_field
from notices.forms import date_field, radios, text_area
from payments.models import Account
from performance.models import Measure, TracingAttempt, WriteOffReason


class TargetsForm(forms.Form):
    """One percentage per measure; a blank leaves that measure's target as it is."""

    def __init__(self, *args, initial_targets: dict[str, Decimal] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for measure in Measure:
            self.fields[measure.value] = forms.DecimalField(
                label=f"{measure.label}",
                required=False,
                max_digits=5,
                decimal_places=2,
                min_value=Decimal("0"),
                max_value=Decimal("100"),
                initial=(initial_targets or {}).get(measure.value),
                help_text="A percentage, like 97.5",
                widget=forms.TextInput(
                    attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}
                ),
                error_messages={
                    "invalid": "Enter the target as a percentage, like 97.5",
                    "min_value": "The target must be between 0 and 100",
                    "max_value": "The target must be between 0 and 100",
                    "max_decimal_places": "Enter the target to no more than 2 decimal places",
                },
            )


class WriteOffProposeForm(forms.Form):
    account = forms.ModelChoiceField(
        queryset=Account.objects.none(),
        label="Debt to write off",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the debt to write off"},
    )
    amount = money_field("Amount to write off", required=True)
    reason = radios(WriteOffReason.choices, "Reason", "Choose the reason for the write-off")
    evidence = text_area(
        "Evidence",
        required=True,
        message="Describe the evidence that the reason applies",
        help_text="For example the death certificate and the estate search, the DRO "
        "reference, or the agency's return.",
    )

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts
        self.fields["account"].label_from_instance = lambda a: (
            f"{a.reference} ({a.get_kind_display()}), owes £{a.balance:,.2f}"
        )


class TracingAttemptForm(forms.Form):
    method = radios(
        TracingAttempt.Method.choices, "How did you try to trace them?", "Choose the method"
    )
    attempted_on = date_field("Date of the attempt")
    result = radios(TracingAttempt.Result.choices, "What did it find?", "Choose the result")
    details = text_area("Details", required=False, rows=3)


class WriteOffDecisionForm(forms.Form):
    decision = radios(
        [("approve", "Approve: post the write-off"), ("refuse", "Refuse")],
        "Decision",
        "Choose approve or refuse",
    )
    note = text_area("Reasons", required=False, rows=3, help_text="Required to refuse.")
