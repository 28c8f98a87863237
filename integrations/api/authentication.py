"""Per-system bearer tokens for the API (Django REST framework authentication)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from integrations.api.models import ApiClient, token_hash

# last_used_at is written at most this often per system, so a busy system's reads do
# not each cost a write; the admin still shows when it was last seen, to the minute.
LAST_USED_RESOLUTION = timedelta(seconds=60)


@dataclass(frozen=True)
class SystemPrincipal:
    """request.user for a council system: authenticated, never a member of staff."""

    client: ApiClient
    is_authenticated: bool = True
    is_staff: bool = False
    is_superuser: bool = False

    def __str__(self) -> str:
        return self.client.name


class SystemTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`. A missing header is anonymous (refused by the
    permission with 401); a wrong, malformed or deactivated token is refused here."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[SystemPrincipal, ApiClient] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != self.keyword.lower():
            raise exceptions.AuthenticationFailed(
                "Send the token as 'Authorization: Bearer <token>'."
            )
        client = ApiClient.objects.filter(token_hash=token_hash(parts[1])).first()
        if client is None:
            raise exceptions.AuthenticationFailed("This token is not known.")
        if not client.is_active:
            raise exceptions.AuthenticationFailed(
                f"The token of {client.name} has been deactivated."
            )
        client_used(client)
        return SystemPrincipal(client), client

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


def client_used(client: ApiClient) -> None:
    """Record that the system read the API now; one conditional UPDATE, no read first."""
    now = timezone.now()
    ApiClient.objects.filter(pk=client.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
