from celery import shared_task


@shared_task(name="arrears.tasks.start_nightly_run")
def start_nightly_run() -> None:
    """Placeholder until the nightly run lands (issue 3)."""
