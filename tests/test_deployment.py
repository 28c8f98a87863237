"""The production compose file and image: services, shared volumes, healthchecks, the
published port, the /healthz answer, and the README's list of settings."""

import ast
import importlib
import re
from pathlib import Path, PurePosixPath

import pytest
import yaml
from celery import beat
from django.conf import settings
from django.core.management import get_commands
from django.db import OperationalError

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


def _mounts(compose: dict, service: str) -> dict[str, str]:
    """Where each named volume is mounted in a service: {container path: volume}."""
    mounts = {}
    for entry in compose["services"][service].get("volumes", []):
        source, target = entry.split(":")[:2]
        assert source in compose["volumes"], f"{service} mounts {source}, not a named volume"
        mounts[target] = source
    return mounts


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_web_and_worker_share_the_documents_volume(compose):
    services = compose["services"]
    roots = {name: services[name]["environment"]["DOCUMENTS_ROOT"] for name in ("web", "worker")}

    assert roots["web"] == roots["worker"]
    volumes = {name: _mounts(compose, name).get(roots[name]) for name in ("web", "worker")}
    assert volumes["web"] is not None and volumes["web"] == volumes["worker"]


def test_beat_keeps_its_schedule_on_a_volume(compose):
    schedule = PurePosixPath(_option(compose["services"]["beat"]["command"], "--schedule"))

    assert not schedule.is_relative_to("/tmp")
    assert str(schedule.parent) in _mounts(compose, "beat")


def test_volume_mount_points_are_created_owned_by_the_app_user(compose):
    # A new named volume copies the ownership of the image's directory at its mount point.
    created = re.search(r"install -d -o app -g app ([^\n\\&]+)", (ROOT / "Dockerfile").read_text())
    assert created, "the Dockerfile creates no directory owned by app"
    owned = set(created.group(1).split())
    assert "USER app" in (ROOT / "Dockerfile").read_text()

    for name in ("web", "worker", "beat", "migrate"):
        assert set(_mounts(compose, name)) <= owned, name


# Ids not bare service names: a "redis" keyword would get the test skipped without Redis.
@pytest.mark.parametrize(
    "service", ["db", "redis", "web", "worker", "beat"], ids=lambda name: f"{name}-service"
)
def test_every_long_running_service_has_a_healthcheck(compose, service):
    healthcheck = compose["services"][service]["healthcheck"]

    assert healthcheck["test"][0] in ("CMD", "CMD-SHELL")
    assert healthcheck.get("disable") is not True


def test_web_healthcheck_asks_healthz_on_the_port_gunicorn_binds(compose):
    web = compose["services"]["web"]
    port = _option(web["command"], "--bind").rsplit(":", 1)[1]

    assert f"http://127.0.0.1:{port}/healthz" in " ".join(web["healthcheck"]["test"])


def test_worker_healthcheck_pings_the_workers_own_node_name(compose):
    worker = compose["services"]["worker"]
    node = _option(worker["command"], "--hostname")
    probe = worker["healthcheck"]["test"][1]

    assert node == "worker@%h"
    assert probe.startswith("celery -A config inspect ping ")
    # $$ reaches the container's shell as $HOSTNAME (the %h above); a single $ would be
    # replaced by the host's value when compose reads the file.
    assert "--destination worker@$$HOSTNAME" in probe


def test_beat_healthcheck_allows_for_how_often_beat_writes_its_schedule(compose):
    beat_service = compose["services"]["beat"]
    schedule = PurePosixPath(_option(beat_service["command"], "--schedule"))
    probe = beat_service["healthcheck"]["test"][1]
    found = re.fullmatch(r"find (\S+) -name '([^']+)\*' -mmin -(\d+) \| grep -q \.", probe)

    assert found, probe
    assert (found.group(1), found.group(2)) == (str(schedule.parent), schedule.name)
    # Beat syncs on the first wake-up after sync_every seconds; it sleeps at most
    # max_interval between wake-ups.
    longest_gap = beat.PersistentScheduler.sync_every + beat.PersistentScheduler.max_interval
    assert int(found.group(3)) * 60 > longest_gap


def test_web_port_is_published_on_loopback_only(compose):
    # X-Forwarded-Proto is trusted, so the proxy on the host must be the only way in.
    for name, service in compose["services"].items():
        for mapping in service.get("ports", []):
            assert str(mapping).startswith("127.0.0.1:"), f"{name} publishes {mapping}"
    assert compose["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]


@pytest.mark.django_db
def test_healthz_answers_whatever_the_host_while_other_pages_refuse_it(client, settings):
    settings.ALLOWED_HOSTS = ["arrears.example.gov.uk"]

    health = client.get("/healthz", headers={"host": "127.0.0.1:8000"})
    login = client.get("/login/", headers={"host": "127.0.0.1:8000"})
    allowed = client.get("/login/", headers={"host": "arrears.example.gov.uk"})

    assert health.status_code == 200
    assert health.json() == {"status": "ok"}
    assert login.status_code == 400
    assert allowed.status_code == 200


@pytest.mark.django_db
def test_healthz_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/login/").status_code == 301


def test_healthz_says_unavailable_when_the_database_does_not_answer(client, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("core.views.connection", Unreachable())

    response = client.get("/healthz", headers={"host": "127.0.0.1:8000"})

    assert response.status_code == 503
    assert response.json() == {"status": "database unavailable"}


def _environment_variables_read_by_settings() -> set[str]:
    tree = ast.parse((ROOT / "config" / "settings.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        reads_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
        )
        first = node.args[0]
        if reads_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def _variables_in_readme_configuration_table() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]*)`", line.split("|")[1]))
    return names


def test_every_setting_read_from_the_environment_is_in_the_readme_table():
    read = _environment_variables_read_by_settings()

    assert {"DATABASE_URL", "DOCUMENTS_ROOT", "TRUST_X_FORWARDED_PROTO"} <= read
    assert read - _variables_in_readme_configuration_table() == set()
