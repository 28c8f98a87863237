"""Forms for notices and documents. They parse what was typed; the services decide."""

from __future__ import annotations

from datetime import date, datetime, time

from django import forms

from arrears.models import LetterKind
from core.widgets import GovukDateInput
from notices.models import MessageChannel, MessagePurpose, NoticeKind, ServiceMethod

S8 = {NoticeKind.S8_FORM_3, NoticeKind.S8_FORM_3A}


def date_field(label: str, *, help_text: str = "", required: bool = True) -> forms.DateField:
    name = label[0].lower() + label[1:]
    return forms.DateField(
        label=label,
        required=required,
        widget=GovukDateInput,
        help_text=help_text,
        error_messages={
            "required": f"Enter the {name}",
            "invalid": f"The {name} must be a real date, like 24 11 2026",
        },
    )


def radios(choices, label: str, message: str, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        help_text=help_text,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


def text_area(label: str, *, required: bool, message: str = "", help_text: str = "", rows: int = 4):
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": message or f"Enter the {label.lower()}"},
    )


class NoticeDraftForm(forms.Form):
    planned_service_on = date_field(
        "Date you will serve it",
        help_text="The dates in the notice are worked out from this. Serving later may make "
        "them too early, and the notice would have to be drafted again.",
    )
    planned_service_method = radios(
        ServiceMethod.choices,
        "How you will serve it",
        "Choose how the notice will be served",
        help_text="Posted notices count as served on the 2nd (first class) or 4th (second class) "
        "working day after posting.",
    )
    grounds = forms.MultipleChoiceField(
        label="Grounds",
        required=False,
        choices=[("8", "Ground 8 (mandatory)"), ("10", "Ground 10"), ("11", "Ground 11")],
        widget=forms.CheckboxSelectMultiple,
        help_text="Ground 8 needs the statutory arrears when the notice is served and at the "
        "hearing.",
    )
    reasons = text_area(
        "The council's reasons",
        required=False,
        help_text="Why we are seeking possession, in plain words. Needed for an introductory "
        "tenancy; printed on a notice to quit.",
    )
    extra_particulars = text_area(
        "Anything to add to the particulars",
        required=False,
        help_text="The arrears figure, the weekly rent and the letters sent are filled in for you.",
    )

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind in S8:
            self.fields["grounds"].required = True
            self.fields["grounds"].error_messages["required"] = "Choose one or more grounds"
            self.initial.setdefault("grounds", ["8", "10", "11"])
        else:
            del self.fields["grounds"]
        if kind == NoticeKind.NOTICE_OF_PROCEEDINGS:
            self.fields["reasons"].required = True
            self.fields["reasons"].error_messages["required"] = (
                "Give the council's reasons for seeking possession"
            )
        elif kind not in (
            NoticeKind.NOTICE_TO_QUIT,
            NoticeKind.NOTICE_TO_DETERMINE,
            NoticeKind.GARAGE_NOTICE_TO_QUIT,
        ):
            del self.fields["reasons"]


class ServiceForm(forms.Form):
    method = radios(ServiceMethod.choices, "How it was served", "Choose how the notice was served")
    served_on = date_field("Date it was served or posted")
    served_time = forms.CharField(
        label="Time",
        help_text="24-hour clock, for example 10:15 or 18:40",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "numeric"}),
        error_messages={"required": "Enter the time it was served, like 10:15"},
    )
    server_name = forms.CharField(
        label="Who served it",
        help_text="The person who will sign the certificate of service.",
        error_messages={"required": "Enter the name of the person who served the notice"},
    )
    given_to = forms.CharField(
        label="Who it was handed to",
        required=False,
        help_text="For example: the tenant; or Sam Jones, her partner, at the door. Leave blank if "
        "posted or left at the address with no one there.",
    )
    address = forms.CharField(label="Address where it was served, or posted to")
    evidence = text_area(
        "Evidence",
        required=False,
        help_text="Photo reference, where it was left, the posting receipt number.",
        rows=3,
    )

    def clean_served_time(self) -> time:
        text = self.cleaned_data["served_time"].strip().replace(".", ":")
        try:
            return datetime.strptime(text, "%H:%M").time()
        except ValueError:
            raise forms.ValidationError("Enter the time like 10:15 or 18:40") from None


class WithdrawForm(forms.Form):
    reason = text_area(
        "Why the notice is being withdrawn",
        required=True,
        message="Give the reason for withdrawing the notice",
        rows=3,
    )


class LetterForm(forms.Form):
    kind = radios(LetterKind.choices, "Letter", "Choose a letter")


class StatementForm(forms.Form):
    start = date_field("From")
    end = date_field("To")

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end date must be on or after the start date")
        if data.get("end") and data["end"] > self.today:
            self.add_error("end", "The end date must not be in the future")
        return data


class CourtPackForm(forms.Form):
    summary = text_area(
        "Why a possession claim should be issued now",
        required=True,
        message="Say why a possession claim should be issued now",
        help_text="The manager reads this first: the history in brief, what has been tried, and "
        "why nothing short of a claim will work.",
        rows=6,
    )


class DecisionForm(forms.Form):
    decision = radios(
        [("approve", "Approve: issue the claim"), ("decline", "Decline")],
        "Decision",
        "Choose approve or decline",
    )
    note = text_area("Note", required=False, help_text="Needed if you decline.", rows=3)


class MessageForm(forms.Form):
    purpose = radios(MessagePurpose.choices, "What is the message for?", "Choose what it is for")
    channel = radios(
        [(MessageChannel.SMS, "Text message"), (MessageChannel.EMAIL, "Email")],
        "Send it as",
        "Choose a text or an email",
        help_text="Each tenant gets their own. Someone who has opted out, or has no number "
        "or address recorded, is not sent one, and you are told.",
    )


class OptOutForm(forms.Form):
    tenant = forms.ModelChoiceField(
        label="Who",
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who asked", "invalid_choice": "Choose who asked"},
    )
    channel = radios(MessageChannel.choices, "Not to be sent", "Choose the channel")
    reason = forms.CharField(label="What they said", required=False, max_length=300)

    def __init__(self, *args, case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = case.tenancy.tenants.all()
