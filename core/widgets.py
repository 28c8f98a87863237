"""Widgets for GOV.UK patterns that Django's own widgets do not cover.

Rendered by templates/govuk/forms/field.html through core.forms.GovukFormRenderer.
"""

from datetime import date

from django import forms

MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


class UnreadableDate(str):
    """What an officer typed when it is not a real date.

    A DateField refuses it ("Enter a valid date."); the widget shows the three
    boxes again as typed.
    """

    def __new__(cls, day: str, month: str, year: str) -> "UnreadableDate":
        text = super().__new__(cls, f"day={day} month={month} year={year}")
        text.parts = (day, month, year)
        return text


class GovukDateInput(forms.MultiWidget):
    """GOV.UK date input: day, month and year boxes that give a DateField a `date`.

    Use on a DateField: `forms.DateField(widget=GovukDateInput)`. The boxes are
    posted as `<name>_day`, `<name>_month` and `<name>_year`; their ids end in
    `_0`, `_1` and `_2`, and errors link to the day box, as GOV.UK asks. Months may
    be typed as numbers or names ("3", "Mar", "March"). The year needs 4 digits.
    """

    govuk_date_input = True

    def __init__(self, attrs: dict | None = None) -> None:
        box = {"inputmode": "numeric", "autocomplete": "off"}
        widgets = {
            "day": forms.TextInput(attrs={**box, "class": "govuk-input--width-2"}),
            "month": forms.TextInput(attrs={**box, "class": "govuk-input--width-2"}),
            "year": forms.TextInput(attrs={**box, "class": "govuk-input--width-4"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: date | str | None) -> list[str | int | None]:
        if isinstance(value, UnreadableDate):
            return list(value.parts)
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value:
            try:
                parsed = date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
            return [parsed.day, parsed.month, parsed.year]
        return [None, None, None]

    def value_from_datadict(self, data, files, name) -> date | str | None:
        day, month, year = (
            (part or "").strip() for part in super().value_from_datadict(data, files, name)
        )
        if not (day or month or year):
            return None
        month_number = MONTH_NAMES.get(month.lower(), month)
        try:
            if len(year) != 4:
                raise ValueError("The year needs 4 digits")
            return date(int(year), int(month_number), int(day))
        except ValueError:
            return UnreadableDate(day, month, year)

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_0" if id_ else ""
