from django.forms.renderers import TemplatesSetting


class GovukFormRenderer(TemplatesSetting):
    """Renders every Django form with GOV.UK Frontend markup, error states and hints.

    TemplatesSetting (not DjangoTemplates) so the project's templates/ folder is searched;
    "django.forms" in INSTALLED_APPS keeps Django's own widget templates findable.
    """

    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"
