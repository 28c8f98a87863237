from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "Letters and notices"

    def ready(self) -> None:
        # The case timeline reads our verbs as sentences (cases/timeline.py is extensible).
        from notices.timeline import register

        register()
