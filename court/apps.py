from django.apps import AppConfig


class CourtConfig(AppConfig):
    name = "court"
    verbose_name = "Court and eviction"

    def ready(self) -> None:
        # The case timeline reads our verbs as sentences (cases/timeline.py is extensible).
        from court.timeline import register

        register()

    def document_samples(self, samples) -> None:
        """The court documents for `manage.py document_samples` (notices calls this)."""
        from court.samples import build

        build(samples)
