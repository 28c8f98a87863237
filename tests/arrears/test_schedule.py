"""Beat starts the nightly run at 02:00 Europe/London."""

from django.conf import settings

from config.celery import app


def test_beat_starts_the_run_at_two_in_the_morning_london_time():
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-run"]

    assert entry["task"] == "arrears.tasks.start_nightly_run"
    assert entry["schedule"].hour == {2} and entry["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == "Europe/London"
    assert "arrears.tasks.start_nightly_run" in app.tasks
