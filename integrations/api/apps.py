from django.apps import AppConfig


class IntegrationsApiConfig(AppConfig):
    """What the service tells the council's other systems: the nightly write-back to the
    housing system's action diary, and a read-only JSON API (Django REST framework) with
    a token and scopes per system. Nothing below this app imports it."""

    name = "integrations.api"
    label = "integrations_api"
    verbose_name = "Council systems: write-back and API"
