import pytest

from accounts.oidc import forget_provider_configuration
from tests.accounts.identity_provider import CLIENT_ID, CLIENT_SECRET, IdentityProvider


@pytest.fixture
def provider(settings):
    """A local identity provider, and the service set to sign on with it."""
    with IdentityProvider() as running:
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_OP_DISCOVERY_URL = running.discovery_url
        settings.OIDC_ENABLED = True
        settings.AUTHENTICATION_BACKENDS = [
            *settings.AUTHENTICATION_BACKENDS,
            "accounts.oidc.CouncilSignOnBackend",
        ]
        forget_provider_configuration()
        yield running
        forget_provider_configuration()
