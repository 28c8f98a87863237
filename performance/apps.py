from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = "Performance and write-offs"

    def ready(self) -> None:
        # The nightly run (arrears, below this app) writes the day's snapshots and the
        # dashboard's figures (performance/stored.py) as its last steps, in its own
        # finishing transaction.
        from arrears.services import finishing_step_add
        from performance.snapshots import snapshots_after_run
        from performance.stored import figures_after_run

        finishing_step_add(snapshots_after_run)
        finishing_step_add(figures_after_run)
