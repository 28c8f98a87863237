"""A second factor for local accounts that approve and administer: after the password,
a manager or administrator enrols an authenticator app, or gives its code, before any
page (accounts/rules.py)."""

from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.rules import needs_second_factor
from tests.second_factor import current_code, test_authenticator

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def clock():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


def password_sign_in(client, username: str, next_url: str = ""):
    return client.post(
        reverse("login"), {"username": username, "password": PASSWORD, "next": next_url}
    )


def second_factor_url(next_url: str) -> str:
    return f"{reverse('accounts:second_factor')}?{urlencode({'next': next_url})}"


def test_manager_must_enrol_an_authenticator_before_any_page(client, team, clock):
    password_sign_in(client, "maggie")

    home = client.get(reverse("home"))
    assert home.status_code == 302 and home.url == second_factor_url("/")
    for path in ("/performance/", "/approvals/"):
        assert client.get(path).url == second_factor_url(path)

    page = client.get(home.url)
    content = page.content.decode()
    assert "no-store" in page["Cache-Control"]  # it shows the secret key
    assert "Set up an authenticator app" in content
    assert 'src="data:image/svg+xml;base64,' in content
    device = TOTPDevice.objects.get(user=team.maggie)
    assert not device.confirmed
    # The same key on every visit until confirmed, so a half-done scan still works.
    client.get(home.url)
    assert TOTPDevice.objects.filter(user=team.maggie).count() == 1

    wrong = client.post(home.url, {"code": "000000", "next": "/"})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    clock.shift(timedelta(minutes=1))  # past the throttle the wrong code earned
    confirmed = client.post(home.url, {"code": current_code(device), "next": "/"})

    assert confirmed.status_code == 302 and confirmed.url == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200


def test_enrolled_manager_gives_the_code_and_a_code_is_good_once(client, team, clock):
    device = test_authenticator(team.maggie)
    password_sign_in(client, "maggie", next_url="/performance/")
    page = client.get(second_factor_url("/performance/"))
    assert "Enter your code" in page.content.decode()
    code = current_code(device)

    verified = client.post(second_factor_url("/performance/"), {"code": code})
    assert verified.url == "/performance/"
    assert client.get("/performance/").status_code == 200

    client.post(reverse("logout"))
    password_sign_in(client, "maggie")
    replayed = client.post(second_factor_url("/"), {"code": code})
    assert replayed.status_code == 200
    assert client.get(reverse("home")).status_code == 302


def test_wrong_codes_make_the_next_try_wait(client, team, clock):
    device = test_authenticator(team.maggie)
    password_sign_in(client, "maggie")
    client.post(second_factor_url("/"), {"code": "000000"})

    right_too_soon = client.post(second_factor_url("/"), {"code": current_code(device)})

    assert "Too many wrong codes" in right_too_soon.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_administrator_cannot_open_the_admin_without_the_code(client, team, clock):
    password_sign_in(client, "ada")

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url == second_factor_url("/admin/")


def test_officer_needs_no_second_factor(client, team, clock):
    password_sign_in(client, "alice")

    assert client.get(reverse("home")).status_code == 200
    assert not TOTPDevice.objects.filter(user=team.alice).exists()


def test_signing_out_needs_no_second_factor(client, team, clock):
    password_sign_in(client, "maggie")

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_unsafe_next_address_is_not_followed(client, team, clock):
    device = test_authenticator(team.maggie)
    password_sign_in(client, "maggie")

    response = client.post(
        second_factor_url("https://evil.example/"), {"code": current_code(device)}
    )

    assert response.url == reverse("home")


@pytest.mark.parametrize(
    "roles, superuser, provider, needed",
    [
        ({"officer"}, False, False, False),
        ({"senior_officer"}, False, False, False),
        ({"finance"}, False, False, False),
        ({"manager"}, False, False, True),
        ({"head_of_service"}, False, False, True),
        ({"administrator"}, False, False, True),
        (set(), True, False, True),
        ({"manager"}, False, True, False),
    ],
)
def test_second_factor_is_for_those_who_approve_and_administer(roles, superuser, provider, needed):
    assert (
        needs_second_factor(roles=roles, is_superuser=superuser, signed_in_with_provider=provider)
        is needed
    )


def test_administrator_removes_a_lost_authenticator_and_the_next_sign_in_enrols_again(
    client, team, clock
):
    device = test_authenticator(team.maggie)
    admin = type(client)()
    admin.force_login(team.ada)

    listing = admin.get("/admin/otp_totp/totpdevice/")
    removed = admin.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200 and removed.status_code == 302
    password_sign_in(client, "maggie")
    assert "Set up an authenticator app" in client.get(second_factor_url("/")).content.decode()
