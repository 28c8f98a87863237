from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = "Performance and write-offs"

    def ready(self) -> None:
        # The nightly run (arrears, below this app) writes the day's snapshots as its last
        # step, in its own finishing transaction.
        from arrears.services import finishing_step_add
        from performance.snapshots import snapshots_after_run

        finishing_step_add(snapshots_after_run)
