import os
import sys

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("arrears_casework")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


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
