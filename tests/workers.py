"""Real Celery workers for integration tests: started against this test's PostgreSQL
database and Redis, waited for until they answer, and stopped afterwards."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from celery import Celery
from django.conf import settings
from django.db import connection

from config.celery import app, worker_command


def test_database_url() -> str:
    """The URL of the database this test is using, for a worker in another process."""
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def workers_answering(names: list[str], broker_url: str | None = None) -> list:
    """The workers of `names` that answer a ping within half a second. Through an app of
    its own for another broker: the project app's control replies come on its own."""
    control = app if broker_url is None else Celery("ping", broker=broker_url, set_as_current=False)
    return control.control.ping(timeout=0.5, destination=names) or []


@dataclass
class Workers:
    queue: str
    processes: list[subprocess.Popen]
    names: list[str]
    broker_url: str | None = None

    def kill(self, index: int = 0) -> None:
        """SIGKILL a worker and its pool, as a crashed machine would."""
        process = self.processes[index]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def celery_workers(
    count: int = 1,
    *,
    env: dict[str, str] | None = None,
    default_queue: bool = False,
    broker_url: str | None = None,
) -> Iterator[Workers]:
    """`count` solo-pool workers listening on a queue of their own, and on the default
    queue too when the code under test sends tasks there. `broker_url` gives them a Redis
    of their own (one a test stops and starts) instead of the test's.

    A fresh clone has no .env and the workers are not under pytest, so they get this
    test's secret key, encryption keys and settings explicitly.
    """
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    queue = prefix
    queues = f"{queue},{app.conf.task_default_queue}" if default_queue else queue
    worker_env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CONN_MAX_AGE": "0",
        **({"REDIS_URL": broker_url} if broker_url else {}),
        **(env or {}),
    }
    names = [f"{prefix}-{n}@{os.uname().nodename}" for n in range(count)]
    processes = [
        subprocess.Popen(
            worker_command(name, queues=queues),
            cwd=settings.BASE_DIR,
            env=worker_env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name in names
    ]
    try:
        deadline = time.monotonic() + 60
        while len(workers_answering(names, broker_url)) < count:
            exited = [p.returncode for p in processes if p.poll() is not None]
            assert not exited, f"a Celery worker exited while starting (exit codes {exited})"
            assert time.monotonic() < deadline, "the Celery workers did not start within 60 s"
        yield Workers(queue=queue, processes=processes, names=names, broker_url=broker_url)
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        try:
            with app.connection_for_write(broker_url) as conn:
                conn.default_channel.queue_purge(queue)
        except Exception:
            pass
