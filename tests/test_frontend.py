"""The front-end foundation: GOV.UK form markup, the compiled CSS, the page template."""

import re
from datetime import date
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.template.loader import render_to_string

from core.widgets import GovukDateInput

APP_CSS = Path(settings.BASE_DIR) / "static" / "frontend" / "app.css"


class ArrangementForm(forms.Form):
    tenant_name = forms.CharField(help_text="As it appears on the tenancy agreement")
    start_date = forms.DateField(widget=GovukDateInput)
    frequency = forms.ChoiceField(
        choices=[("weekly", "Weekly"), ("monthly", "Monthly")], widget=forms.RadioSelect
    )
    amount = forms.DecimalField(max_digits=12, decimal_places=2)
    tenant_agreed = forms.BooleanField(help_text="The tenant agreed to these terms")

    def clean(self):
        raise forms.ValidationError("This arrangement cannot be set up: the case is closed")


@pytest.fixture
def invalid_form() -> ArrangementForm:
    form = ArrangementForm(
        data={"start_date_day": "31", "start_date_month": "2", "start_date_year": "2027"}
    )
    assert not form.is_valid()
    return form


def _tag(html: str, element_id: str) -> str:
    match = re.search(rf'<(input|fieldset)\b[^>]*\bid="{element_id}"[^>]*>', html)
    if match is None:
        match = re.search(rf'<fieldset\b[^>]*aria-describedby="[^"]*{element_id}[^"]*"[^>]*>', html)
    assert match, f"no element {element_id}"
    return match.group(0)


def test_field_error_is_linked_from_the_input_by_aria_describedby(invalid_form):
    html = str(invalid_form)

    input_tag = _tag(html, "id_tenant_name")
    assert 'aria-describedby="id_tenant_name_helptext id_tenant_name_error"' in input_tag
    assert '<div id="id_tenant_name_helptext" class="govuk-hint">' in html
    assert re.search(
        r'<p id="id_tenant_name_error" class="govuk-error-message">'
        r'<span class="govuk-visually-hidden">Error:</span> This field is required.</p>',
        html,
    )


def test_field_with_an_error_shows_the_govuk_error_states(invalid_form):
    html = str(invalid_form)

    input_tag = _tag(html, "id_tenant_name")
    assert 'class="govuk-input govuk-input--error"' in input_tag
    assert 'aria-invalid="true"' in input_tag
    assert html.count("govuk-form-group--error") == 6  # five fields and the form's own error


def test_errors_about_the_whole_form_come_first(invalid_form):
    html = str(invalid_form)

    assert html.index("the case is closed") < html.index("id_tenant_name")
    assert 'id="non-field-errors"' in html


def test_radio_choices_are_govuk_radios_in_a_fieldset_described_by_the_error(invalid_form):
    html = str(invalid_form)

    assert '<fieldset class="govuk-fieldset" aria-describedby="id_frequency_error">' in html
    assert 'class="govuk-radios" data-module="govuk-radios"' in html
    assert 'class="govuk-radios__input" type="radio" name="frequency" value="weekly"' in html
    assert 'class="govuk-label govuk-radios__label" for="id_frequency_0">Weekly</label>' in html


def test_date_field_has_day_month_and_year_boxes_shown_again_as_typed(invalid_form):
    html = str(invalid_form)

    assert 'class="govuk-date-input" id="id_start_date"' in html
    for box, name, value in [(0, "day", "31"), (1, "month", "2"), (2, "year", "2027")]:
        tag = _tag(html, f"id_start_date_{box}")
        assert f'name="start_date_{name}"' in tag
        assert f'value="{value}"' in tag
        assert "govuk-input--error" in tag
    assert 'aria-describedby="id_start_date_helptext id_start_date_error"' in html
    assert "For example, 27 3 2027" in html
    assert invalid_form.errors["start_date"] == ["Enter a valid date."]


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("3", "3", "2027", date(2027, 3, 3)),
        (" 03 ", "Mar", "2027", date(2027, 3, 3)),
        ("3", "march", "2027", date(2027, 3, 3)),
    ],
)
def test_date_boxes_give_the_field_a_date(day, month, year, expected):
    data = {"start_date_day": day, "start_date_month": month, "start_date_year": year}

    form = ArrangementForm(data=data)
    form.is_valid()

    assert form.cleaned_data["start_date"] == expected


@pytest.mark.parametrize(
    ("day", "month", "year"), [("31", "2", "2027"), ("3", "3", "27"), ("", "3", "2027")]
)
def test_a_date_that_is_not_real_or_complete_is_refused(day, month, year):
    data = {"start_date_day": day, "start_date_month": month, "start_date_year": year}

    form = ArrangementForm(data=data)

    assert not form.is_valid()
    assert form.errors["start_date"] == ["Enter a valid date."]


def test_money_field_has_a_pound_prefix(invalid_form):
    html = str(invalid_form)

    assert re.search(
        r'<div class="govuk-input__wrapper"><div class="govuk-input__prefix" aria-hidden="true">'
        r"£</div>\s*<input [^>]*id=\"id_amount\"",
        html,
    )
    assert 'inputmode="decimal"' in _tag(html, "id_amount")


def test_boolean_field_is_a_single_govuk_checkbox(invalid_form):
    html = str(invalid_form)

    tag = _tag(html, "id_tenant_agreed")
    assert 'class="govuk-checkboxes__input" type="checkbox"' in tag
    assert 'aria-describedby="id_tenant_agreed_helptext id_tenant_agreed_error"' in tag
    assert (
        '<label class="govuk-label govuk-checkboxes__label" for="id_tenant_agreed">'
        "Tenant agreed</label>"
    ) in html


def test_error_summary_links_each_error_to_its_field(invalid_form):
    html = render_to_string("govuk/error_summary.html", {"form": invalid_form})

    assert 'class="govuk-error-summary" data-module="govuk-error-summary"' in html
    for target in [
        "non-field-errors",
        "id_tenant_name",
        "id_start_date_0",
        "id_frequency_0",
        "id_amount",
        "id_tenant_agreed",
    ]:
        assert f'href="#{target}"' in html


def test_compiled_css_has_govuk_styles_and_not_the_gds_transport_font():
    css = APP_CSS.read_text()

    assert ".govuk-button" in css
    assert ".moj-filter-layout" in css
    assert "GDS Transport" not in css
    assert "govuk-crest" not in css


@pytest.mark.django_db
def test_every_script_on_a_page_carries_the_csp_nonce(rf, django_user_model):
    user = django_user_model.objects.create_user(
        username="alice", first_name="Alice", last_name="Okafor", password="x"
    )
    request = rf.get("/")
    request.user = user
    middleware = ContentSecurityPolicyMiddleware(
        lambda request: HttpResponse(render_to_string("cases/home.html", request=request))
    )

    response = middleware(request)

    header_nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert len(scripts) == 3
    assert all(f'nonce="{header_nonce.group(1)}"' in script for script in scripts)
    assert '<script type="module"' in html
    assert "Alice Okafor" in html
    assert "<title>Your cases \N{EN DASH} Arrears casework \N{EN DASH} " in html


def test_server_error_page_renders_without_a_request():
    html = render_to_string("500.html")

    assert "Sorry, there is a problem with the service" in html
    assert "<script" not in html
