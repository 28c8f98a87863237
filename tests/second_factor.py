"""Signing in tests' users as if they had given their second factor.

Managers and administrators must give an authenticator app's code after their password
(accounts/rules.py). Tests that are about something else sign in with
`client.force_login`; this plugin makes every force_login of such a user also mark the
session verified, through a confirmed authenticator with a known key, as a real
sign-in would. Tests of the requirement itself sign in through the login form
(`client.post(reverse("login"), ...)`) or `client.login`, which this leaves alone.
"""

from binascii import hexlify

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.rules import needs_second_factor

# The tests' authenticator key: anyone may read it, so only tests use it.
TEST_TOTP_KEY = hexlify(b"tests-only-key-tests").decode()


def test_authenticator(user) -> TOTPDevice:
    """The user's confirmed authenticator, with the tests' known key."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(
        user=user, name="Test authenticator", key=TEST_TOTP_KEY, confirmed=True
    )


def current_code(device: TOTPDevice) -> str:
    """The code the authenticator app would show now (time-machine's now, in tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def needs_it(user) -> bool:
    return needs_second_factor(
        roles=user.groups.values_list("name", flat=True),
        is_superuser=user.is_superuser,
        signed_in_with_provider=False,
    )


def mark_second_factor_verified(client: Client, user) -> None:
    """Mark the client's signed-in session as having given the second factor."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = test_authenticator(user).persistent_id
    session.save()


test_authenticator.__test__ = False  # not a test, whatever its name


@pytest.fixture(autouse=True)
def _force_login_gives_the_second_factor(monkeypatch):
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if needs_it(user):
            mark_second_factor_verified(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)
