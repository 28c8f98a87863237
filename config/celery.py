import os
import sys

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("arrears_casework")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect  # the solo pool: the worker's own process does the work
@worker_process_init.connect  # each child of a prefork pool
def work_at_lower_priority(**kwargs) -> None:
    """A worker runs at WORKER_NICE, so the nightly run, letters and imports give way to
    officers' pages when both want the same cores (issue 14: the caseload while the
    night runs). The database's own backends are not the worker's to renice; this moves
    the Python half of the run's work out of the officers' way. Absolute, not a step:
    a prefork child inherits its parent's priority and must not be lowered twice."""
    from django.conf import settings

    wanted = settings.WORKER_NICE
    if wanted and os.getpriority(os.PRIO_PROCESS, 0) < wanted:
        os.setpriority(os.PRIO_PROCESS, 0, wanted)


def worker_command(
    name: str, *, queues: str | None = None, concurrency: int | None = None
) -> list[str]:
    """The command line of a worker of this app that the tests and benchmarks start:
    quiet, and talking to no other worker (no gossip, mingle or heartbeat). One process
    (the solo pool) unless `concurrency` asks for a prefork pool of that size."""
    pool = ["--pool=solo"] if concurrency is None else ["--concurrency", str(concurrency)]
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        *pool,
        *(["-Q", queues] if queues else []),
        "-n",
        name,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=WARNING",
    ]
