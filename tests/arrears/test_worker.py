"""The nightly run on a real Celery worker and Redis, against this test's PostgreSQL
database: the chunks run on the worker. The faults (a worker killed mid-chunk, and the
rest) are in tests/faults/."""

import os
import time
from pathlib import Path

import pytest
from django.db import connection

from arrears.models import LetterRequest, NightlyRun, RunChunk
from arrears.services import nightly_run, nightly_run_begin
from arrears.tasks import dispatch_chunks
from cases.models import Case
from tests.arrears.conftest import RUN
from tests.workers import celery_workers

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker():
    """A Celery worker (solo pool) on its own queue, using this test's database."""
    with celery_workers(1) as workers:
        yield workers


def _wait(run: NightlyRun, until, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if until(run):
            return run
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting; the run is {run.status}")


def test_a_real_worker_runs_the_nights_chunks_and_sums_them_up(council, worker):
    queue = worker.queue
    run = nightly_run_begin(run_date=RUN, trigger="schedule", chunk_size=3)

    dispatch_chunks(run, start_letters=False, queue=queue)
    run = _wait(run, lambda r: r.status != NightlyRun.Status.RUNNING)

    assert run.status == NightlyRun.Status.COMPLETED
    assert run.cases == 8
    assert set(run.chunks.values_list("status", flat=True)) == {RunChunk.Status.DONE}
    assert not Case.objects.filter(figures_on__isnull=True).exists()
    assert Case.objects.get(pk=council["behind"].pk).next_action == "pre_notice_warning"
    assert LetterRequest.objects.count() == 1


def _last_vacuum(table: str):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT last_vacuum, last_analyze FROM pg_stat_user_tables WHERE relname = %s",
            [table],
        )
        return cursor.fetchone()


def test_the_tables_a_run_rewrites_are_vacuumed_and_analysed_when_it_finishes(council):
    """So the morning's caseload reads its covering index alone, whatever autovacuum is
    doing (and it is off on the development machine)."""
    before = {table: _last_vacuum(table) for table in ("cases_case", "arrears_recommendation")}

    nightly_run(run_date=RUN, chunk_size=3, start_letters=False)

    deadline = time.monotonic() + 10  # the statistics reach pg_stat_user_tables shortly
    while time.monotonic() < deadline:
        after = {table: _last_vacuum(table) for table in before}
        if all(after[t][0] and after[t][0] != before[t][0] for t in before):
            break
        time.sleep(0.2)
    for table in before:
        assert after[table][0] is not None and after[table][0] != before[table][0], table
        assert after[table][1] is not None and after[table][1] != before[table][1], table


def test_a_worker_gives_way_to_the_officers_pages(worker):
    """Issue 14: with the night running beside fifty officers on one machine, the
    caseload must stay quick, so a worker runs at WORKER_NICE (10 by default) below the
    web server's priority (config/celery.py)."""
    own = os.getpriority(os.PRIO_PROCESS, 0)

    worker_priority = os.getpriority(os.PRIO_PROCESS, worker.processes[0].pid)

    assert worker_priority == max(own, 10)
