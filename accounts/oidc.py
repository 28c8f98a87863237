"""Single sign-on with the council's identity provider (OpenID Connect, through
mozilla-django-oidc), configured from the provider's discovery document.

mozilla-django-oidc reads its endpoints from settings when a backend or view is made,
and Django makes every backend on every sign-in, password ones included. The endpoints
here are read from the discovery document only when a single sign-on actually needs
them, so a provider that is down never stops a local administrator signing in.
"""

import logging
import threading
import time

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

logger = logging.getLogger(__name__)

ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
# A provider rotates its signing keys and may move endpoints; read it again hourly.
DISCOVERY_MAX_AGE_SECONDS = 60 * 60

_discovery_lock = threading.Lock()
_discovery: dict[str, tuple[float, dict]] = {}


def provider_configuration() -> dict:
    """The provider's discovery document (/.well-known/openid-configuration), cached."""
    url = settings.OIDC_OP_DISCOVERY_URL
    if not url:
        raise ImproperlyConfigured("Single sign-on is off: OIDC_OP_DISCOVERY_URL is not set.")
    with _discovery_lock:
        fetched = _discovery.get(url)
        if fetched and time.monotonic() - fetched[0] < DISCOVERY_MAX_AGE_SECONDS:
            return fetched[1]
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
        missing = [key for key in ("issuer", *ENDPOINTS.values()) if not document.get(key)]
        # Entra ID's userinfo is Microsoft Graph's; the groups come in the ID token anyway.
        missing = [key for key in missing if key != "userinfo_endpoint"]
        if missing:
            raise ImproperlyConfigured(
                f"The identity provider's discovery document at {url} has no {', '.join(missing)}."
            )
        _discovery[url] = (time.monotonic(), document)
        return document


def forget_provider_configuration() -> None:
    with _discovery_lock:
        _discovery.clear()


def sign_on_setting(attr: str, *default):
    """A mozilla-django-oidc setting, the endpoints coming from the discovery document
    unless set explicitly."""
    if attr in ENDPOINTS and not getattr(settings, attr, None):
        return provider_configuration().get(ENDPOINTS[attr])
    return import_from_settings(attr, *default)


class CouncilSignOnBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's authorization-code flow (state, nonce, PKCE, the ID token's
    signature checked against the provider's published keys), plus what it leaves out:
    the token's issuer and audience are checked, users are matched on the provider's
    subject rather than on email, and their roles come from the groups claim."""

    get_settings = staticmethod(sign_on_setting)

    def __init__(self, *args, **kwargs) -> None:
        # Not super().__init__: that would read the endpoints, so fetch the discovery
        # document, on every password sign-in.
        from django.contrib.auth import get_user_model

        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        self.UserModel = get_user_model()

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:
        return sign_on_setting("OIDC_OP_TOKEN_ENDPOINT")

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str | None:
        return sign_on_setting("OIDC_OP_USER_ENDPOINT")

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return sign_on_setting("OIDC_OP_JWKS_ENDPOINT")

    def verify_token(self, token, **kwargs) -> dict:
        payload = super().verify_token(token, **kwargs)
        issuer = provider_configuration()["issuer"]
        if payload.get("iss") != issuer:
            raise SuspiciousOperation(f"ID token issued by {payload.get('iss')!r}, not {issuer!r}.")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token was not issued for this service (aud).")
        return payload

    def get_userinfo(self, access_token, id_token, payload) -> dict:
        """The ID token's claims (where Entra ID puts the groups), with the userinfo
        endpoint's added when the provider has one for us."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            extra = super().get_userinfo(access_token, id_token, payload)
            if extra.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("userinfo is for another subject than the ID token.")
            claims = {**extra, **claims}
        return claims

    def verify_claims(self, claims) -> bool:
        return bool(claims.get("sub") and (claims.get("email") or claims.get("preferred_username")))

    def get_or_create_user(self, access_token, id_token, payload):
        from accounts.services import SignOnRefused, provider_user_sync

        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SuspiciousOperation("The provider sent no subject, email or username.")
        try:
            return provider_user_sync(claims=claims, groups_claim=settings.OIDC_GROUPS_CLAIM)
        except SignOnRefused as refusal:
            logger.warning("Single sign-on refused for %s: %s", claims.get("sub"), refusal)
            self.request.session["sign_on_refused"] = str(refusal)
            return None
