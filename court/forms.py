"""Forms for the court stage. They parse what was typed; the services decide."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from django import forms
from django.utils import timezone

from cases.models import RentPeriod
from court.models import Hearing, IntroductoryReview, SuspensionApplication, WarrantRequest
from notices.forms import date_field, radios, text_area


def time_field(label: str = "Time", *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text="24-hour clock, for example 10:00 or 14:30",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
        error_messages={"required": f"Enter the {label.lower()}, like 10:00"},
    )


def parse_time(text: str) -> time | None:
    text = (text or "").strip().replace(".", ":")
    if not text:
        return None
    try:
        return datetime.strptime(text, "%H:%M").time()
    except ValueError:
        raise forms.ValidationError("Enter the time like 10:00 or 14:30") from None


def money_field(label: str, *, required: bool = False, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "decimal"}),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} in pounds and pence, like 5.00",
            "max_decimal_places": "Enter the amount in pounds and whole pence",
            "min_value": "The amount must not be less than £0",
        },
    )


def moment(day, at: time | None):
    if day is None or at is None:
        return None
    return timezone.make_aware(datetime.combine(day, at))


class ClaimIssueForm(forms.Form):
    claim_number = forms.CharField(
        label="Claim number", max_length=20, help_text="As printed on the sealed claim form."
    )
    court_name = forms.CharField(label="Court", initial="County Court at Eastbrook")
    issued_on = date_field("Date of issue")
    hearing_on = date_field("Hearing date")
    hearing_time = time_field("Hearing time")

    def clean_hearing_time(self) -> time | None:
        return parse_time(self.cleaned_data["hearing_time"])

    @property
    def hearing_at(self):
        return moment(self.cleaned_data.get("hearing_on"), self.cleaned_data.get("hearing_time"))


class WithdrawForm(forms.Form):
    reason = text_area("Why", required=True, message="Say why", rows=3)


class HearingForm(forms.Form):
    outcome = radios(Hearing.Outcome.choices, "What the court decided", "Choose the outcome")
    next_hearing_on = date_field("Adjourned to (date)", required=False)
    next_hearing_time = time_field("Adjourned hearing time", required=False)
    possession_date = date_field(
        "Date for possession",
        required=False,
        help_text="An outright order: the date the tenant must leave.",
    )
    terms_instalment = money_field(
        "Instalment towards the arrears",
        help_text="A suspended or postponed order, or an adjournment on terms: on top of rent.",
    )
    terms_frequency = forms.ChoiceField(
        label="How often", required=False, choices=[("", "Choose"), *RentPeriod.choices]
    )
    terms_start = date_field("First payment under the order", required=False)
    money_judgment = money_field("Money judgment")
    costs_awarded = money_field(
        "Costs awarded", help_text="Leave blank if the order says nothing about costs; 0 for none."
    )
    attended_by = forms.CharField(label="Who attended for the council", required=False)
    tenant_attended = forms.TypedChoiceField(
        label="Did the tenant attend?",
        required=False,
        choices=[("", "Not recorded"), ("yes", "Yes"), ("no", "No")],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
    )
    notes = text_area("Notes", required=False, rows=3)

    def clean_next_hearing_time(self) -> time | None:
        return parse_time(self.cleaned_data["next_hearing_time"])

    @property
    def next_hearing_at(self):
        return moment(
            self.cleaned_data.get("next_hearing_on"), self.cleaned_data.get("next_hearing_time")
        )


class WarrantRequestForm(forms.Form):
    checks = forms.MultipleChoiceField(
        label="Checks before eviction",
        choices=WarrantRequest.Check.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Confirm each one: the report goes to a manager with them.",
    )
    breach_particulars = text_area(
        "Particulars of the breach",
        required=False,
        help_text="For form N325A. Left blank, the figures under the order are written in.",
        rows=3,
    )
    recommendation = text_area(
        "What you recommend, and why",
        required=True,
        message="Say what you recommend, and why",
        help_text="The manager reads this first: what has been tried since the order, and why "
        "an eviction is proportionate now.",
        rows=6,
    )


class WarrantDecisionForm(forms.Form):
    decision = radios(
        [("approve", "Approve: apply for the warrant"), ("refuse", "Refuse")],
        "Decision",
        "Choose approve or refuse",
    )
    note = text_area("Reasons", required=True, message="Give the reasons for the decision", rows=4)


class WarrantAppliedForm(forms.Form):
    applied_on = date_field("Date the warrant was applied for")


class WarrantIssuedForm(forms.Form):
    issued_on = date_field("Date the warrant was issued")
    bailiff_reference = forms.CharField(label="Bailiff's reference", required=False)


class AppointmentForm(forms.Form):
    eviction_date = date_field("Eviction date")
    eviction_time = time_field("Eviction time")

    def clean_eviction_time(self) -> time | None:
        return parse_time(self.cleaned_data["eviction_time"])


class SuspensionForm(forms.Form):
    applied_on = date_field("Date the tenant applied (N244)")
    hearing_on = date_field("Hearing date, if listed", required=False)
    hearing_time = time_field("Hearing time", required=False)

    def clean_hearing_time(self) -> time | None:
        return parse_time(self.cleaned_data["hearing_time"])


class SuspensionDecisionForm(forms.Form):
    outcome = radios(
        [c for c in SuspensionApplication.Outcome.choices if c[0] != "pending"],
        "What the court decided",
        "Choose the outcome",
    )
    decided_on = date_field("Date of the decision")
    terms_instalment = money_field("Instalment towards the arrears")
    terms_frequency = forms.ChoiceField(
        label="How often", required=False, choices=[("", "Choose"), *RentPeriod.choices]
    )
    terms_start = date_field("First payment", required=False)
    notes = text_area("Notes", required=False, rows=3)


class EvictionForm(forms.Form):
    attended_on = date_field("Date")
    went_ahead = radios(
        [("yes", "Yes: possession was recovered"), ("no", "No")],
        "Did the eviction go ahead?",
        "Say whether the eviction went ahead",
    )
    reason_not_ahead = text_area("Why not", required=False, rows=3)
    attended_by = text_area(
        "Who attended",
        required=True,
        message="Enter who attended",
        help_text="Officers, the bailiff, police, locksmith, support workers.",
        rows=2,
    )
    locks_changed = forms.BooleanField(label="The locks were changed", required=False)
    belongings = text_area(
        "Belongings left in the property", required=False, help_text="An inventory.", rows=3
    )
    belongings_stored_at = forms.CharField(label="Where they are stored", required=False)
    referrals = text_area(
        "Referrals made",
        required=False,
        help_text="Social care, housing options (HA 1996 s213B), others.",
        rows=2,
    )
    notes = text_area("Notes", required=False, rows=3)


class ReviewRequestForm(forms.Form):
    requested_on = date_field("Date the tenant asked for the review")
    grounds = text_area(
        "What the tenant says", required=True, message="Write down what the tenant says", rows=4
    )
    oral_hearing = forms.BooleanField(label="The tenant asked for a hearing", required=False)


class ReviewScheduleForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        label="Reviewer",
        queryset=None,
        empty_label="Choose a manager",
        error_messages={"required": "Choose who will review it"},
    )
    scheduled_on = date_field("Review date")
    scheduled_time = time_field("Time")

    def __init__(self, *args, reviewers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers

    def clean_scheduled_time(self) -> time | None:
        return parse_time(self.cleaned_data["scheduled_time"])


class ReviewDecisionForm(forms.Form):
    decision = radios(
        [c for c in IntroductoryReview.Decision.choices if c[0] != "pending"],
        "Decision",
        "Choose the decision",
    )
    reasons = text_area("Reasons", required=True, message="Give the reasons", rows=5)


class MoneyClaimForm(forms.Form):
    steps_taken = text_area(
        "Steps taken to recover the debt",
        required=True,
        message="Say what was done to recover the debt before claiming",
        rows=5,
    )
    interest_from = date_field(
        "Interest from",
        required=False,
        help_text="Only if the council claims interest; blank: from when the account opened.",
    )


class MoneyClaimIssueForm(forms.Form):
    claim_number = forms.CharField(label="Claim number", max_length=20)
    court_name = forms.CharField(
        label="Court", required=False, initial="County Court Business Centre"
    )
    issued_on = date_field("Date of issue")


class JudgmentForm(forms.Form):
    judgment_on = date_field("Date of judgment")
    amount = money_field("Judgment amount", required=True)
    costs = money_field("Costs awarded")
