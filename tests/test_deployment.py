"""The production compose file parses, names its services, and runs commands that exist here."""

import importlib
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands

ROOT = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_names_database_broker_web_worker_and_beat(compose):
    services = compose["services"]

    assert {"db", "redis", "web", "worker", "beat"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in ("web", "worker", "beat", "migrate"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://") and "@db:5432/" in env["DATABASE_URL"]
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["DEBUG"] == "false"


def test_web_runs_gunicorn_on_the_project_wsgi_application(compose):
    command = compose["services"]["web"]["command"]

    assert command[0] == "gunicorn"
    module, attribute = command[1].split(":")
    assert callable(getattr(importlib.import_module(module), attribute))
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE


@pytest.mark.parametrize("service, subcommand", [("worker", "worker"), ("beat", "beat")])
def test_worker_and_beat_run_the_projects_celery_app(compose, service, subcommand):
    command = compose["services"][service]["command"]

    assert command[:4] == ["celery", "-A", "config", subcommand]
    celery_app = importlib.import_module("config").celery_app
    assert celery_app.main == "arrears_casework"
    assert "nightly-run" in celery_app.conf.beat_schedule


def test_migrate_service_runs_a_management_command_that_exists(compose):
    command = compose["services"]["migrate"]["command"]

    assert command[:2] == ["python", "manage.py"]
    assert command[2] in get_commands()
    assert (ROOT / "manage.py").exists()


def test_image_build_installs_the_project_and_collects_static():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert "pip install ." in dockerfile
    assert "collectstatic" in dockerfile
    assert (ROOT / "static" / "frontend" / "app.css").exists()


def test_nightly_run_is_scheduled_for_two_in_the_morning_london_time():
    schedule = settings.CELERY_BEAT_SCHEDULE["nightly-run"]["schedule"]

    assert schedule.hour == {2} and schedule.minute == {0}
    assert settings.CELERY_TIMEZONE == "Europe/London"
