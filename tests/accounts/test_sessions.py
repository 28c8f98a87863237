"""Idle sessions end after SESSION_COOKIE_AGE without a request; activity keeps one going."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def signed_in(client, team, settings):
    settings.SESSION_COOKIE_AGE = 30 * 60
    with time_machine.travel(MORNING, tick=False) as clock:
        client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
        yield clock


def test_session_left_alone_longer_than_the_idle_time_has_ended(client, signed_in):
    signed_in.shift(timedelta(minutes=31))

    response = client.get(reverse("home"))

    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_activity_keeps_the_session_going_past_the_idle_time_from_sign_in(client, signed_in):
    for _ in range(4):
        signed_in.shift(timedelta(minutes=20))
        assert client.get(reverse("home")).status_code == 200

    signed_in.shift(timedelta(minutes=31))
    assert client.get(reverse("home")).status_code == 302


def test_requests_within_a_minute_do_not_save_the_session_each_time(client, signed_in):
    client.get(reverse("home"))
    session = Session.objects.get()
    expiry = session.expire_date

    signed_in.shift(timedelta(seconds=30))
    client.get(reverse("home"))
    assert Session.objects.get().expire_date == expiry

    signed_in.shift(timedelta(seconds=31))
    client.get(reverse("home"))
    assert Session.objects.get().expire_date == expiry + timedelta(seconds=61)
