"""Shared test set-up: real services when configured, clear skips when not."""

import os

import pytest
from django.conf import settings

pytest_plugins = ["tests.personas", "tests.second_factor"]

# live_server runs in a thread beside sync Playwright; Django must allow it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Playwright drives the system Chromium: there is no internet for `playwright install`.
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip_postgres = pytest.mark.skip(
        reason="needs PostgreSQL: set DATABASE_URL (the test command does when it is running)"
    )
    skip_redis = pytest.mark.skip(reason="needs Redis: set REDIS_URL to a running Redis")
    has_chromium = os.access(CHROMIUM_PATH, os.X_OK)
    skip_browser = pytest.mark.skip(
        reason=f"needs Chromium: no executable at {CHROMIUM_PATH} (install it or set CHROMIUM_PATH)"
    )
    for item in items:
        if "browser" in item.keywords and not has_chromium:
            item.add_marker(skip_browser)
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_postgres)
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_redis)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM_PATH,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    }


@pytest.fixture(autouse=True)
def _no_reads_left_from_another_test():
    """The record of who read what is buffered per process and written when a response
    closes (privacy/access.py). A streaming download a test never read keeps its read in
    the buffer; written in a later test, it would name a user that test rolled back."""
    from privacy.access import buffer

    buffer.take()
    yield
