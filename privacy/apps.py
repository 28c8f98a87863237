from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Data protection"

    def ready(self) -> None:
        # The case pages ask this app which records a user may not read
        # (cases/restrictions.py), and the timeline reads its verbs: both hook in from
        # here, so no lower app imports this one. Reads are recorded by a middleware.
        from cases import restrictions
        from privacy.special_category import restricted_records
        from privacy.timeline import register

        restrictions.register(restricted_records)
        register()
