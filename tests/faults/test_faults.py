"""The nightly run and the day's letters under the faults a council's machines will have
(issue 14, item 5), on real Celery workers, PostgreSQL and Redis: a worker killed
mid-chunk, a worker's database connection cut mid-chunk, two runs for one date at once,
Redis down when beat fires, and a worker killed while rendering the letters. After each
the night finishes, nothing is there twice, every letter is produced and packed once,
and every balance equals its ledger (tests/faults/checks.py).

`bench/faults.py` repeats them (FAULT_TRIALS) and prints a table of trials and outcomes.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
import time_machine
from celery import Celery
from celery.beat import ScheduleEntry, Scheduler
from django.conf import settings
from django.db import connection

from arrears.models import LetterKind, LetterRequest, NightlyRun, RunChunk
from arrears.services import nightly_run, nightly_run_begin
from arrears.tasks import dispatch_chunks
from cases.models import Case
from config.celery import app as celery_app
from notices.tasks import render_stranded
from tests.arrears.conftest import RUN
from tests.faults.checks import (
    assert_letters_once,
    assert_night_sound,
    assert_nothing_twice,
    wait_for,
)
from tests.notices.conftest import household
from tests.workers import celery_workers, workers_answering

pytestmark = [
    pytest.mark.faults,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

LONDON = ZoneInfo("Europe/London")


@contextmanager
def _row_held(case: Case) -> Iterator[psycopg.Connection]:
    """Another session holds the case's row, so a chunk reaching it blocks inside its
    transaction, part-way through its writes: the moment to strike."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=db["USER"] or "postgres",
        autocommit=False,
    ) as blocker:
        blocker.execute("SELECT id FROM cases_case WHERE id = %s FOR UPDATE", [case.pk])
        yield blocker


def _blocked_by(blocker: psycopg.Connection) -> list[int]:
    """The server processes waiting on the blocker's lock (the worker's, mid-chunk)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
            [blocker.info.backend_pid],
        )
        return [row[0] for row in cursor.fetchall()]


def _chunks_done(run: NightlyRun) -> int:
    return run.chunks.filter(status=RunChunk.Status.DONE).count()


def test_a_worker_killed_mid_chunk_loses_nothing_and_a_rerun_finishes(council, trial):
    stuck = council["notice"]  # the fifth case: chunk five of eight
    run = nightly_run_begin(run_date=RUN, trigger="schedule", chunk_size=1)
    with celery_workers(1) as worker, _row_held(stuck) as blocker:
        dispatch_chunks(run, start_letters=False, queue=worker.queue)
        wait_for(lambda: bool(_blocked_by(blocker)), what="the worker to reach the held case")
        worker.kill()
        blocker.rollback()

    run.refresh_from_db()
    assert run.status == NightlyRun.Status.RUNNING  # nobody finished it
    assert Case.objects.get(pk=stuck.pk).figures_on is None  # its chunk rolled back whole
    assert set(run.chunks.filter(status="done").values_list("number", flat=True)) == {1, 2, 3, 4}

    # The lease lapses; the next start for the date takes over and finishes the job.
    with time_machine.travel(run.lease_until + timedelta(seconds=1), tick=True):
        finished = nightly_run(run_date=RUN, chunk_size=1, start_letters=False)

    assert finished.attempts == 2 and finished.cases == 8
    assert_night_sound(RUN)
    assert Case.objects.get(pk=stuck.pk).next_action == "serve_nosp"


def test_a_chunk_whose_database_connection_is_cut_is_retried_and_the_night_finishes(council, trial):
    stuck = council["notice"]
    run = nightly_run_begin(run_date=RUN, trigger="schedule", chunk_size=1)
    with celery_workers(1) as worker:
        with _row_held(stuck) as blocker:
            finished = dispatch_chunks(run, start_letters=False, queue=worker.queue)
            wait_for(lambda: bool(_blocked_by(blocker)), what="the worker to reach the held case")
            with connection.cursor() as cursor:  # as a failover or an idle-session kill would
                for pid in _blocked_by(blocker):
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            blocker.rollback()
        assert finished.get(timeout=120) == NightlyRun.Status.COMPLETED

    chunk = RunChunk.objects.get(run=run, first_case_id__lte=stuck.pk, last_case_id__gte=stuck.pk)
    assert chunk.attempts == 2  # failed once on the cut connection, done on the retry
    assert_night_sound(RUN)
    assert NightlyRun.objects.get(pk=run.pk).attempts == 1  # the same start finished it


def test_two_runs_started_for_one_date_at_once_make_one_night(council, documents_root, trial):
    with celery_workers(
        2, env={"DOCUMENTS_ROOT": str(documents_root)}, default_queue=True
    ) as workers:
        for _ in range(2):  # beat and a manager's button in the same moment
            celery_app.send_task(
                "arrears.tasks.start_nightly_run",
                kwargs={"run_date": RUN.isoformat(), "chunk_size": 2, "queue": workers.queue},
                queue=workers.queue,
            )
        wait_for(
            lambda: (
                NightlyRun.objects.filter(run_date=RUN, status="completed").exists()
                and not LetterRequest.objects.filter(status="pending").exists()
                and LetterRequest.objects.filter(document__print_pack__isnull=False).exists()
            ),
            what="the night and its letters",
        )
        time.sleep(1)  # a second run or pack, if one were (wrongly) coming, arrives

    run = assert_night_sound(RUN, letters=LetterRequest.objects.filter(run_date=RUN).count())
    assert run.attempts == 1  # the second start was refused: the first held the lease
    assert LetterRequest.objects.filter(run_date=RUN).exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _RedisServer:
    """A Redis of the test's own on `port`, which the test stops and starts again (the
    broker going down and coming back empty). Stopping one already stopped does nothing."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.server: subprocess.Popen | None = None

    def start(self) -> None:
        # On the real clock, as the PostgreSQL and Redis the suite uses are: CI moves only
        # our own processes' clock (scripts/test, libfaketime), and Redis hangs at start
        # under it.
        real_clock = {
            k: v
            for k, v in os.environ.items()
            if k != "LD_PRELOAD" and not k.startswith("FAKETIME")
        }
        self.server = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            env=real_clock,
        )
        try:
            wait_for(lambda: _answers(self.port), what="Redis to start", timeout=10)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.server is not None:
            self.server.send_signal(signal.SIGTERM)
            self.server.wait(timeout=10)
            self.server = None


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _beat_entry(name: str, beat: Celery, **kwargs) -> ScheduleEntry:
    """The entry of the real beat schedule, sent with the test's arguments."""
    entry = settings.CELERY_BEAT_SCHEDULE[name]
    return ScheduleEntry(
        name=name, task=entry["task"], schedule=entry["schedule"], kwargs=kwargs, app=beat
    )


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server to start one")
def test_redis_down_when_beat_fires_and_the_catch_up_runs_the_night_when_it_is_back(
    council, documents_root, trial
):
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    beat = Celery("beat-under-test", broker=url, backend=url, set_as_current=False)
    beat.conf.broker_connection_retry_on_startup = False
    scheduler = Scheduler(app=beat, lazy=True)
    two_am = datetime(RUN.year, RUN.month, RUN.day, 2, 0, tzinfo=LONDON)

    redis = _RedisServer(port)
    redis.start()
    try:
        with celery_workers(
            1, env={"DOCUMENTS_ROOT": str(documents_root)}, default_queue=True, broker_url=url
        ) as workers:
            redis.stop()  # Redis goes down...
            scheduler.apply_entry(
                _beat_entry("nightly-run", beat, run_date=RUN.isoformat(), queue=workers.queue)
            )  # ...as beat fires at 02:00: beat logs the lost message and carries on
            assert not NightlyRun.objects.exists()

            redis.start()  # ...and is back later, empty
            wait_for(lambda: workers_answering(workers.names, url), what="the worker to reconnect")
            scheduler.apply_entry(
                _beat_entry(
                    "nightly-run-catch-up",
                    beat,
                    now=(two_am + timedelta(minutes=22)).isoformat(),
                    queue=workers.queue,
                )
            )
            wait_for(
                lambda: (
                    NightlyRun.objects.filter(run_date=RUN, status="completed").exists()
                    and LetterRequest.objects.filter(document__print_pack__isnull=False).exists()
                ),
                what="the caught-up night and its letters",
            )
    finally:
        redis.stop()

    assert_night_sound(RUN, letters=LetterRequest.objects.filter(run_date=RUN).count())
    assert NightlyRun.objects.get(run_date=RUN).attempts == 1


def test_a_worker_killed_while_rendering_the_letters_leaves_each_produced_once(
    team, documents_root, trial
):
    letters = 12
    for n in range(letters):
        case = household(patch=team.patch_a, address=f"{n + 1} Elm Street")
        LetterRequest.objects.create(case=case, letter=LetterKind.ARREARS_LETTER_1, run_date=RUN)
    with celery_workers(
        1, env={"DOCUMENTS_ROOT": str(documents_root)}, default_queue=True
    ) as worker:
        celery_app.send_task("notices.tasks.render_letter_requests", args=[RUN.isoformat()])
        wait_for(
            lambda: LetterRequest.objects.filter(status="rendered").count() >= 2,
            what="the first letters to render",
        )
        worker.kill()
    pending = LetterRequest.objects.filter(status="pending").count()
    assert 0 < pending < letters  # killed part-way through the day's letters

    # The sweep beat sends every quarter of an hour takes up what the dead worker held
    # once its dispatch has lapsed, and renders the rest and the pack, each once.
    lapsed = datetime.now(LONDON) + timedelta(minutes=settings.NOTICES_DISPATCH_LEASE_MINUTES + 1)
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with time_machine.travel(lapsed, tick=True):
            assert render_stranded()["days"] == 1
    finally:
        celery_app.conf.task_always_eager = saved

    assert_letters_once(RUN, letters)
    assert_nothing_twice()
