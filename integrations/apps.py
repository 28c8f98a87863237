from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """The joins to the council's other systems: the housing management system's load and
    sync, the revenues and benefits debts, the write-back export and the API.

    It sits above every casework app and nothing below imports it, so a council that runs
    the service without an HMS feed loses nothing but the feed.
    """

    name = "integrations"
    verbose_name = "Council systems"
