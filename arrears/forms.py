"""The policy form: every setting of arrears/policy.py as a field, checked by the policy's
own validation so the messages name the setting the same way everywhere."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from arrears.models import LetterKind
from arrears.policy import (
    LADDER_LABELS,
    LADDER_RUNGS,
    SETTINGS,
    PolicyError,
    Setting,
    rung_label,
    setting_value,
    validate_document,
)
from core.widgets import GovukDateInput

GLOBAL_SECTIONS = (
    ("weeks_basis", "Weeks in arrears"),
    ("automatic_letters", "Automatic letters"),
    ("letters", "Letters"),
    ("arrangements", "Arrangements"),
    ("technical", "Technical arrears"),
    ("legal", "Legal steps"),
    ("former_tenants", "Former tenants"),
)
INPUT_WIDTH = {
    "weeks": "govuk-input--width-4",
    "money": "govuk-input--width-5",
    "decimal": "govuk-input--width-4",
    "days": "govuk-input--width-3",
    "working_days": "govuk-input--width-3",
}


def _field(setting: Setting) -> forms.Field:
    help_text = setting.source
    if setting.kind == "choice":
        return forms.ChoiceField(
            label=setting.label,
            choices=setting.choices,
            widget=forms.RadioSelect(attrs={"class": "govuk-radios--small"}),
            help_text=help_text,
        )
    if setting.kind == "letters":
        return forms.MultipleChoiceField(
            label=setting.label,
            choices=LetterKind.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"}),
            help_text=help_text,
        )
    if setting.kind == "date":
        return forms.DateField(
            label=setting.label, required=False, widget=GovukDateInput, help_text=help_text
        )
    attrs: dict[str, Any] = {
        "class": INPUT_WIDTH[setting.kind],
        "inputmode": "decimal" if setting.kind in ("weeks", "money", "decimal") else "numeric",
        "spellcheck": "false",
    }
    if setting.kind == "money":
        attrs["data-money"] = True
    return forms.CharField(
        label=setting.label,
        widget=forms.TextInput(attrs=attrs),
        help_text=help_text if setting.path[0] != "ladders" else "",
    )


def _put(document: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for part in path[:-1]:
        document = document.setdefault(part, {})
    document[path[-1]] = value


class PolicyForm(forms.Form):
    """All the settings, starting from `document`; `self.document` is the checked result."""

    def __init__(self, *args: Any, document: dict[str, Any], **kwargs: Any) -> None:
        initial = {}
        for setting in SETTINGS:
            value = setting_value(document, setting)
            if setting.kind == "date" and value:
                value = date.fromisoformat(value)
            initial[setting.key] = value
        super().__init__(*args, initial=initial, **kwargs)
        for setting in SETTINGS:
            self.fields[setting.key] = _field(setting)
        self.document: dict[str, Any] = {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        document: dict[str, Any] = {}
        for setting in SETTINGS:
            value = cleaned.get(setting.key)
            if setting.kind == "date":
                value = value.isoformat() if value else None
            _put(document, setting.path, value)
        try:
            self.document = validate_document(document)
        except PolicyError as exc:
            for key, message in exc.errors.items():
                self.add_error(key if key in self.fields else None, message)
        return cleaned

    def settings_in(self, section: str) -> list[forms.BoundField]:
        return [self[s.key] for s in SETTINGS if s.section == section]

    def global_sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, self.settings_in(section)) for section, title in GLOBAL_SECTIONS]

    def ladders(self) -> list[dict[str, Any]]:
        """Each ladder's rungs with their three fields, for a table of inputs."""
        return [
            {
                "key": ladder,
                "label": LADDER_LABELS[ladder],
                "rows": [
                    {
                        "rung": rung_label(ladder, rung),
                        "fields": [
                            self[f"ladders__{ladder}__{rung}__{part}"]
                            for part in ("weeks", "min_amount", "gap_days")
                        ],
                    }
                    for rung in rungs
                ],
            }
            for ladder, rungs in LADDER_RUNGS.items()
        ]


class PolicyChangeForm(PolicyForm):
    note = forms.CharField(
        label="Why is the policy changing?",
        help_text="Kept with the new version, so anyone can see why it was made.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the policy is changing."},
    )


class PolicyPreviewForm(PolicyForm):
    run_date = forms.DateField(
        label="Preview as at",
        widget=GovukDateInput,
        help_text="The run date the figures are worked out for, for example 23 11 2026.",
        error_messages={"required": "Enter the date to preview, with a day, month and year."},
    )


class AdoptPreviewForm(forms.Form):
    note = forms.CharField(
        label="Why is the policy changing?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the policy is changing."},
    )
