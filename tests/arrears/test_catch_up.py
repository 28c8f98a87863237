"""The catch-up beat sends every quarter of an hour: a night whose 02:00 message was lost
(the broker down) or whose workers all died is started, or finished, without anyone
having to notice."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from arrears.models import NightlyRun
from arrears.selectors import overdue_run_date
from arrears.services import nightly_run, nightly_run_begin
from arrears.tasks import catch_up_nightly_run
from cases.models import Case
from tests.arrears.conftest import RUN

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def _at(hour: int, minute: int = 0, day=RUN) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def test_beat_sends_the_catch_up_every_quarter_of_an_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-run-catch-up"]

    assert entry["task"] == "arrears.tasks.catch_up_nightly_run"
    assert len(entry["schedule"].minute) == 4 and entry["schedule"].hour == set(range(24))


def test_no_run_is_overdue_before_the_hour_the_run_starts():
    assert overdue_run_date(now=_at(1, 59)) is None


def test_a_day_with_no_run_after_two_in_the_morning_is_overdue():
    assert overdue_run_date(now=_at(2, 7)) == RUN


def test_a_finished_run_is_not_overdue(council):
    nightly_run(run_date=RUN, chunk_size=3, start_letters=False)

    assert overdue_run_date(now=_at(9)) is None


def test_a_run_within_its_lease_is_not_overdue_and_one_past_it_is(council):
    with time_machine.travel(_at(2), tick=False):
        run = nightly_run_begin(run_date=RUN, trigger="schedule", chunk_size=3)

    assert overdue_run_date(now=_at(2, 7)) is None
    assert overdue_run_date(now=run.lease_until.astimezone(LONDON) + timedelta(seconds=1)) == RUN


def test_the_catch_up_starts_a_night_beat_never_started(council, eager_tasks):
    with time_machine.travel(_at(2, 22), tick=True):
        run_id = catch_up_nightly_run(now=_at(2, 22).isoformat())

    run = NightlyRun.objects.get(pk=run_id)
    assert run.run_date == RUN and run.status == NightlyRun.Status.COMPLETED
    assert not Case.objects.filter(figures_on__isnull=True).exists()
    # Sent again a quarter of an hour later, it finds the night done and does nothing.
    assert catch_up_nightly_run(now=_at(2, 37).isoformat()) is None
    assert NightlyRun.objects.get(pk=run_id).attempts == 1


def test_the_catch_up_reads_the_london_hour_whatever_offset_it_is_given(council, eager_tasks):
    # 01:30 UTC in summer is 02:30 in London: the run is due.
    summer = date(2026, 7, 6)
    with time_machine.travel(datetime(2026, 7, 6, 1, 30, tzinfo=UTC), tick=True):
        run_id = catch_up_nightly_run(now="2026-07-06T01:30:00+00:00")

    assert NightlyRun.objects.get(pk=run_id).run_date == summer
    assert catch_up_nightly_run(now="2026-07-07T00:30:00+00:00") is None  # 01:30 in London
