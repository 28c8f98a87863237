"""Failed sign-ins are throttled (django-axes): after the configured number of failures a
username is locked out, and so is an address, until the cool-off ends or an
administrator releases it in the admin."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def clock(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


def attempt(client, username: str, password: str, *, address: str = "198.51.100.7"):
    # Behind the proxy, the client's address is the last X-Forwarded-For entry.
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        headers={"x-forwarded-for": f"203.0.113.99, {address}"},
        REMOTE_ADDR="172.18.0.1",
    )


def test_username_is_locked_out_after_the_configured_failures_from_any_address(client, team, clock):
    for n in range(3):
        refused = attempt(client, "alice", "wrong", address=f"198.51.100.{n}")
        assert refused.status_code in (200, 429)

    locked = attempt(client, "alice", PASSWORD, address="198.51.100.200")

    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    assert "for 30 minutes" in locked.content.decode()
    assert SESSION_KEY not in client.session


def test_fewer_failures_than_the_limit_still_let_the_right_password_in(client, team, clock):
    attempt(client, "alice", "wrong")
    attempt(client, "alice", "wrong")

    response = attempt(client, "alice", PASSWORD)

    assert response.status_code == 302 and client.session[SESSION_KEY] == str(team.alice.pk)


def test_address_is_locked_out_after_failures_for_any_usernames(client, team, clock):
    for username in ("guess1", "guess2", "guess3"):
        attempt(client, username, "wrong", address="192.0.2.50")

    locked = attempt(client, "bob", PASSWORD, address="192.0.2.50")
    elsewhere = attempt(client, "bob", PASSWORD, address="192.0.2.51")

    assert locked.status_code == 429
    assert elsewhere.status_code == 302


def test_lockout_ends_after_the_cool_off(client, team, clock):
    for _ in range(3):
        attempt(client, "alice", "wrong")
    assert attempt(client, "alice", PASSWORD).status_code == 429

    clock.shift(timedelta(minutes=31))

    assert attempt(client, "alice", PASSWORD).status_code == 302


def test_administrator_sees_the_lockout_in_the_admin_and_releases_it(client, team, clock):
    for _ in range(3):
        attempt(client, "alice", "wrong")
    admin = type(client)()
    admin.force_login(team.ada)

    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "alice" in listing.content.decode()
    for lockout in AccessAttempt.objects.filter(username="alice"):
        released = admin.post(f"/admin/axes/accessattempt/{lockout.pk}/delete/", {"post": "yes"})
        assert released.status_code == 302

    assert attempt(client, "alice", PASSWORD).status_code == 302
