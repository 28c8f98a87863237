"""`manage.py check --deploy` passes with the production settings: DEBUG off, a real
secret key and encryption key, the service's host, with single sign-on on and off."""

import os
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "ALLOWED_HOSTS": "arrears.eastbrook.example.gov.uk",
    "CSRF_TRUSTED_ORIGINS": "https://arrears.eastbrook.example.gov.uk",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}
SIGN_ON = {
    "OIDC_RP_CLIENT_ID": "00000000-1111-4000-8000-000000000000",
    "OIDC_RP_CLIENT_SECRET": secrets.token_urlsafe(30),
    "OIDC_ENTRA_TENANT_ID": "00000000-2222-4000-8000-000000000000",
}


def _check_deploy(extra: dict) -> subprocess.CompletedProcess:
    # A process of its own: settings are read from the environment once, at start-up,
    # and this one's are the tests'. Names that would change the outcome are cleared.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "OIDC_"))}
    # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' (conftest.py), never production's.
    for name in (
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_AGE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    ):
        env.pop(name, None)
    env |= PRODUCTION | extra
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("extra", [{}, SIGN_ON], ids=["local-accounts", "single-sign-on"])
def test_check_deploy_finds_nothing_to_warn_of_in_production(extra):
    result = _check_deploy(extra)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_would_warn_if_hsts_were_off():
    """The check is really looking: turning HSTS off makes it fail."""
    result = _check_deploy({"SECURE_HSTS_SECONDS": "0"})

    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr
