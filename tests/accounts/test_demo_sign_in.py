"""The demo's managers and administrator can sign in with the printed password and the
demo authenticator's code; no other account's code is told."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from demo.seed import DEMO_PASSWORD
from tests.second_factor import test_authenticator

pytestmark = pytest.mark.django_db(transaction=True)


@time_machine.travel(datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False)
def test_demo_manager_signs_in_with_the_printed_password_and_the_demo_code(client):
    seeded = StringIO()
    call_command(
        "seed_demo", "--accounts", "50", "--today", "2026-11-22", "--no-progress", stdout=seeded
    )
    output = seeded.getvalue()
    assert "Add this setup key" in output and "manage.py demo_code" in output
    manager_line = next(line for line in output.splitlines() if "manager1" in line)
    assert "demo authenticator" in manager_line

    client.post(reverse("login"), {"username": "manager1", "password": DEMO_PASSWORD})
    assert client.get(reverse("home")).status_code == 302  # the code first
    code = StringIO()
    call_command("demo_code", "manager1", stdout=code)
    response = client.post(
        reverse("accounts:second_factor"), {"code": code.getvalue().strip(), "next": "/"}
    )

    assert response.status_code == 302 and response.url == "/"
    assert client.get(reverse("home")).status_code == 200


def test_demo_code_tells_no_code_of_an_authenticator_someone_enrolled(team):
    test_authenticator(team.maggie)

    with pytest.raises(CommandError, match="their own, not the demo's"):
        call_command("demo_code", "maggie", stdout=StringIO())
