from django.forms.renderers import DjangoTemplates


class GovukFormRenderer(DjangoTemplates):
    """Renders every Django form with GOV.UK Frontend markup, error states and hints."""

    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"
