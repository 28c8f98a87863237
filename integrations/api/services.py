"""Issuing, replacing and withdrawing the council systems' tokens."""

import secrets

from django.db import transaction
from django.utils import timezone

from core.models import User
from integrations.api.models import ApiClient, token_hash

TOKEN_PREFIX = "arr_"


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def api_client_create(
    *, name: str, scopes: list[str], actor: User | None = None, contact: str = ""
) -> tuple[ApiClient, str]:
    """A new system and its token. The token is returned once and never kept."""
    token = _new_token()
    client = ApiClient(
        name=name.strip(),
        scopes=" ".join(scopes),
        token_prefix=token[:12],
        token_hash=token_hash(token),
        created_by=actor,
        contact=contact,
    )
    client.full_clean()
    client.save()
    return client, token


def api_client_rotate(*, client: ApiClient) -> str:
    """A new token for the system; the old one stops working at once."""
    token = _new_token()
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        locked.token_prefix = token[:12]
        locked.token_hash = token_hash(token)
        locked.token_issued_at = timezone.now()
        locked.save(update_fields=["token_prefix", "token_hash", "token_issued_at"])
    return token


def api_client_deactivate(*, client: ApiClient) -> None:
    ApiClient.objects.filter(pk=client.pk).update(is_active=False)
