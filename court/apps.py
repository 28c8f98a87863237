from django.apps import AppConfig


class CourtConfig(AppConfig):
    name = "court"
    verbose_name = "Court and eviction"

    def ready(self) -> None:
        # The case timeline reads our verbs as sentences (cases/timeline.py is extensible).
        from court.timeline import register

        register()
