from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = "Data protection"

    def ready(self) -> None:
        # Reads are written after the response is sent (privacy/access.py), and the case
        # pages ask this app which records a user may not read (cases/restrictions.py):
        # both hook in from here, so no lower app imports this one.
        from django.core.signals import request_finished

        from cases import restrictions
        from privacy.access import flush_access_records
        from privacy.special_category import restricted_records
        from privacy.timeline import register

        request_finished.connect(flush_access_records, dispatch_uid="privacy.flush_access")
        restrictions.register(restricted_records)
        register()
