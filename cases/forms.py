"""Casework forms. They parse what the officer typed; the services decide what is allowed.

Every form renders through core.forms.GovukFormRenderer (GOV.UK markup, error
summary links); dates use the GOV.UK day/month/year boxes.
"""

from datetime import date
from decimal import Decimal

from django import forms

from cases.models import (
    Case,
    Contact,
    Hold,
    IncomeExpenditure,
    Patch,
    ProportionalityAssessment,
    Referral,
    Tenant,
    VulnerabilityFlag,
)
from core.models import User
from core.widgets import GovukDateInput


def date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=GovukDateInput,
        required=required,
        help_text=help_text,
        error_messages={
            "required": f"Enter the {label[0].lower()}{label[1:]}",
            "invalid": f"The {label[0].lower()}{label[1:]} must be a real date, like 27 3 2027",
        },
    )


def radios(choices, label: str, *, inline: bool = False, required_message: str = ""):
    message = required_message or f"Choose the {label.lower()}"
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"} if inline else {}),
        error_messages={"required": message, "invalid_choice": message},
    )


def text_area(label: str, *, required: bool = True, message: str = "", rows: int = 4, help_text=""):
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": rows}),
        required=required,
        help_text=help_text,
        error_messages={"required": message or f"Enter the {label.lower()}"},
    )


class TenantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Tenant) -> str:
        role = "tenant" if obj.is_tenant else "household member"
        return f"{obj.full_name} ({role})"


def tenant_field(case: Case, label: str) -> TenantChoiceField:
    return TenantChoiceField(
        label=label,
        queryset=Tenant.objects.filter(tenancy_id=case.tenancy_id),
        required=False,
        empty_label="Not one person / not known",
    )


class ContactForm(forms.Form):
    channel = radios(
        Contact.Channel.choices, "How", required_message="Choose how the contact was made"
    )
    direction = radios(
        Contact.Direction.choices,
        "Who made the contact",
        required_message="Choose who made the contact",
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[("", "Choose the outcome"), *Contact.Outcome.choices],
        error_messages={"required": "Choose the outcome", "invalid_choice": "Choose the outcome"},
    )
    contacted_on = date_field("Date of the contact")
    summary = text_area("What was said or done", message="Enter what was said or done", rows=5)
    follow_up_on = date_field(
        "Follow-up date",
        required=False,
        help_text="Optional. When to come back to this, for example 27 3 2027",
    )

    def __init__(self, *args, case: Case, today: date, **kwargs) -> None:
        super().__init__(*args, initial={"contacted_on": today, "direction": "outbound"}, **kwargs)
        self.fields = {"tenant": tenant_field(case, "Who with"), **self.fields}


class NoteForm(forms.Form):
    text = text_area("Note", message="Enter the note", rows=6)


class PauseForm(forms.Form):
    reason = radios(Hold.PauseReason.choices, "Reason", required_message="Choose the reason")
    until = date_field("Paused until", help_text="The last day of the pause, for example 27 3 2027")
    comment = text_area("Comment", message="Enter a comment saying why the case is paused")


class ConfirmForm(forms.Form):
    """A form with nothing to fill in: the button is the decision."""


class BreathingSpaceForm(forms.Form):
    type = radios(Hold.BreathingSpaceType.choices, "Type of Breathing Space")
    starts_on = date_field("Start date", help_text="From the Insolvency Service's notice")
    expected_end = date_field(
        "Expected end date",
        required=False,
        help_text="A standard Breathing Space lasts up to 60 days. A mental health crisis "
        "Breathing Space lasts until 30 days after the crisis treatment ends: leave it blank "
        "if it is not known",
    )
    reference = forms.CharField(
        label="Insolvency Service reference",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )


class BreathingSpaceEndForm(forms.Form):
    ended_on = date_field("Date it ended", help_text="As the Insolvency Service notified it")


class DisputeForm(forms.Form):
    reason = radios(
        Hold.DisputeType.choices, "What is disputed", required_message="Choose what is disputed"
    )
    starts_on = date_field(
        "Date the dispute was raised",
        help_text="When the tenant first told us, for example 27 3 2027",
    )
    comment = text_area(
        "What the tenant says",
        message="Enter what the tenant says is wrong",
        help_text="For example, which charges, which weeks or which repairs",
    )


class DisputeResolveForm(forms.Form):
    outcome = radios(
        Hold.DisputeOutcome.choices,
        "Outcome",
        required_message="Choose how the dispute was resolved",
    )
    ended_on = date_field("Date it was resolved")
    notes = text_area(
        "What was found or agreed",
        message="Enter what was found or agreed",
        help_text="For example, the charges corrected, the repairs done, or why it was not upheld",
    )


# A yes/no question the officer must answer: None is "not answered".
YES_NO = [("yes", "Yes"), ("no", "No")]


def yes_no(label: str, *, required_message: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        widget=forms.RadioSelect(attrs={"class": "govuk-radios--inline"}),
        help_text=help_text,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


class BenefitClaimForm(forms.Form):
    benefit = radios(
        [
            (value, label)
            for value, label in Hold.BenefitType.choices
            if value in Hold.CLAIMED_BENEFITS
        ],
        "Benefit claimed",
        required_message="Choose the benefit the tenant has claimed",
    )
    submitted_on = date_field("Date the claim was submitted")
    all_evidence_supplied = yes_no(
        "Has the tenant given all the evidence the claim needs?",
        required_message="Choose whether the tenant has given all the evidence the claim needs",
        help_text="Proceedings must not start while a claim with all its evidence is being decided",
    )
    reference = forms.CharField(
        label="Claim reference",
        max_length=40,
        required=False,
        help_text="Optional",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )
    comment = text_area(
        "Comment",
        required=False,
        message="Enter what evidence the claim still needs",
        help_text="If evidence is missing, say what it is and when the tenant will give it",
    )


class BenefitEvidenceForm(forms.Form):
    supplied_on = date_field("Date the last of the evidence was given")


class BenefitDecisionForm(forms.Form):
    outcome = radios(
        Hold.BenefitDecision.choices,
        "Decision",
        required_message="Choose the decision on the claim",
    )
    ended_on = date_field("Date of the decision")
    notes = text_area(
        "Notes",
        required=False,
        rows=3,
        help_text="Optional. For example, the weekly award and the date it is paid from",
    )


class VulnerabilityForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of vulnerability or concern",
        choices=[("", "Choose one"), *VulnerabilityFlag.Kind.choices],
        error_messages={
            "required": "Choose the kind of vulnerability or concern",
            "invalid_choice": "Choose the kind of vulnerability or concern",
        },
        help_text="Adult and child safeguarding concerns are marked as safeguarding",
    )
    details = text_area(
        "What officers need to know", message="Enter what officers need to know", rows=4
    )
    review_on = date_field("Review date", required=False, help_text="Optional")

    def __init__(self, *args, case: Case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"tenant": tenant_field(case, "Who it is about"), **self.fields}


class ClearFlagForm(forms.Form):
    reason = forms.CharField(
        label="Why it no longer applies",
        max_length=200,
        error_messages={"required": "Enter why the flag no longer applies"},
    )


class ReferralForm(forms.Form):
    kind = radios(Referral.Kind.choices, "Referral to", required_message="Choose the referral")
    referred_to = forms.CharField(
        label="Team or organisation",
        max_length=120,
        help_text="For example, Citizens Advice Eastbrook, or the SRS landlord portal for DWP",
        error_messages={"required": "Enter the team or organisation referred to"},
    )
    notes = text_area("Notes", required=False, rows=3)


class AssessmentForm(forms.Form):
    """The record a court asks for before a notice, a claim or a warrant (Equality Act
    2010 s149; legal-reference.md §14)."""

    step = radios(
        ProportionalityAssessment.Step.choices,
        "Which step is this assessment for?",
        required_message="Choose the step this assessment is for",
    )
    protected_characteristics = text_area(
        "Protected characteristics in the household", required=False, rows=2
    )
    vulnerabilities_considered = text_area("Vulnerabilities considered", required=False, rows=2)
    reasonable_adjustments = text_area("Reasonable adjustments made", required=False, rows=2)
    support_and_referrals = text_area("Support offered and referrals made", required=False, rows=2)
    alternatives_tried = text_area("Alternatives to this step tried", required=False, rows=2)
    impact_on_children = text_area("Impact on any children", required=False, rows=2)
    decision = radios(
        ProportionalityAssessment.Decision.choices,
        "Decision",
        required_message="Choose whether the step is proportionate",
    )
    reasons = text_area("Reasons for the decision", message="Enter the reasons for the decision")


class ReferralOutcomeForm(forms.Form):
    outcome = radios(
        [c for c in Referral.Outcome.choices if c[0] != Referral.Outcome.PENDING],
        "Outcome",
        required_message="Choose the outcome of the referral",
    )
    notes = text_area("Notes", required=False, rows=3)


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        patches = ", ".join(p.code for p in obj.patches.all())
        return f"{obj} ({patches})" if patches else str(obj)


def officers() -> "forms.models.QuerySet[User]":
    return (
        User.objects.filter(is_active=True, groups__name__in=["officer", "senior_officer"])
        .distinct()
        .prefetch_related("patches")
        .order_by("first_name", "last_name")
    )


class ReassignForm(forms.Form):
    officer = OfficerChoiceField(
        label="Assign to",
        queryset=officers(),
        required=False,
        empty_label="The patch's own officer",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers()


class CoverForm(forms.Form):
    patch = forms.ModelChoiceField(
        label="Patch",
        queryset=Patch.objects.select_related("officer"),
        empty_label="Choose a patch",
        error_messages={
            "required": "Choose the patch to cover",
            "invalid_choice": "Choose the patch to cover",
        },
    )
    officer = OfficerChoiceField(
        label="Officer who will cover it",
        queryset=officers(),
        empty_label="Choose an officer",
        error_messages={
            "required": "Choose the officer who will cover the patch",
            "invalid_choice": "Choose the officer who will cover the patch",
        },
    )
    starts_on = date_field("Start date")
    ends_on = date_field("End date", required=False, help_text="Leave blank until withdrawn")
    reason = forms.CharField(label="Reason", max_length=200, required=False, help_text="Optional")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers()


class CoverWithdrawForm(forms.Form):
    when = radios(
        [("now", "Now"), ("later", "After a later day")],
        "When does the cover end?",
        required_message="Choose when the cover ends",
    )
    last_day = date_field(
        "Last day of cover",
        required=False,
        help_text="Only if it ends after a later day: the officer works the patch until the end "
        "of this day",
    )
    reason = forms.CharField(label="Reason", max_length=200, required=False, help_text="Optional")

    def __init__(self, *args, officer: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["when"].choices = [
            ("now", f"Now: {officer} stops working the patch's cases straight away"),
            ("later", "After a later day"),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("when") == "later" and cleaned.get("last_day") is None:
            if "last_day" not in self.errors:
                self.add_error("last_day", "Enter the last day of cover")
        elif cleaned.get("when") == "now":
            # A half-typed date is no reason to refuse ending the cover now.
            self.errors.pop("last_day", None)
            cleaned["last_day"] = None
        return cleaned


def money_field(label: str, *, required: bool = False, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=2,
        required=required,
        help_text=help_text,
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} in pounds and pence, like 25.50",
            "max_decimal_places": f"Enter the {label.lower()} in pounds and whole pence",
            "max_digits": f"The {label.lower()} is too large",
            "max_whole_digits": f"The {label.lower()} is too large",
        },
    )


# The Standard Financial Statement's sections, field by field, as the form shows them.
IE_SECTIONS = [
    ("Monthly income", IncomeExpenditure.INCOME_FIELDS),
    ("Fixed costs (monthly)", IncomeExpenditure.FIXED_COST_FIELDS),
    ("Flexible costs (monthly)", IncomeExpenditure.FLEXIBLE_COST_FIELDS),
    ("Savings", ("savings_contribution",)),
]
IE_HINTS = {
    "income_benefits": "Universal Credit, Child Benefit, PIP and other benefits, as a monthly "
    "amount",
    "rent": "The tenant's own share of the rent, after Housing Benefit or the UC housing "
    "element, as a monthly amount",
    "other_home_contents": "Ground rent and service charges, appliance or furniture rental, TV "
    "licence",
    "care_health": "Prescriptions, dentist, care costs",
    "professional": "Professional fees and union subscriptions",
}
HOUSEHOLD_FIELDS = (
    "adults",
    "dependants_under_16",
    "dependants_16_to_18",
    "other_dependants",
    "non_dependants",
    "vehicles",
)


class IncomeExpenditureForm(forms.Form):
    """An I&E in the SFS categories; a blank amount is £0."""

    taken_on = date_field("Date the statement was taken")
    employment_status = forms.ChoiceField(
        label="Employment status",
        choices=[("", "Choose one"), *IncomeExpenditure.EmploymentStatus.choices],
        error_messages={
            "required": "Choose the employment status",
            "invalid_choice": "Choose the employment status",
        },
    )
    notes = text_area("Notes", required=False, rows=3)

    def __init__(self, *args, case: Case, today: date, monthly_rent=None, **kwargs) -> None:
        super().__init__(*args, initial={"taken_on": today, "rent": monthly_rent}, **kwargs)
        fields = {"tenant": tenant_field(case, "Whose statement")}
        fields["taken_on"] = self.fields["taken_on"]
        for name in HOUSEHOLD_FIELDS:
            model_field = IncomeExpenditure._meta.get_field(name)
            fields[name] = forms.IntegerField(
                label=str(model_field.verbose_name).capitalize(),
                min_value=0,
                max_value=20,
                initial=1 if name == "adults" else 0,
                widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
                error_messages={
                    "required": f"Enter the number of {model_field.verbose_name}",
                    "invalid": f"Enter the number of {model_field.verbose_name} as a whole number",
                    "min_value": "Enter 0 or more",
                    "max_value": "Enter 20 or fewer",
                },
            )
        fields["employment_status"] = self.fields["employment_status"]
        for _title, names in IE_SECTIONS:
            for name in names:
                label = str(IncomeExpenditure._meta.get_field(name).verbose_name).capitalize()
                fields[name] = money_field(label, help_text=IE_HINTS.get(name, ""))
        fields["notes"] = self.fields["notes"]
        self.fields = fields

    def sections(self):
        """The form's fields grouped as the SFS groups them, for the template."""
        yield (
            "Household",
            [self[name] for name in ("tenant", "taken_on", *HOUSEHOLD_FIELDS, "employment_status")],
        )
        for title, names in IE_SECTIONS:
            yield title, [self[name] for name in names]
        yield "Anything else", [self["notes"]]

    def clean(self):
        cleaned = super().clean()
        for _title, names in IE_SECTIONS:
            for name in names:
                value = cleaned.get(name)
                if name in cleaned and value is None:
                    cleaned[name] = Decimal("0.00")
                elif value is not None and value < 0:
                    self.add_error(name, "Enter an amount of £0 or more")
        return cleaned
