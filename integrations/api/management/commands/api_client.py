"""manage.py api_client NAME --scopes cases,balances: a council system's API token."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from integrations.api.models import ApiClient, Scope
from integrations.api.services import (
    api_client_create,
    api_client_deactivate,
    api_client_rotate,
)


class Command(BaseCommand):
    help = (
        "Issue a council system's API token (printed once), replace it (--rotate) or "
        "withdraw it (--deactivate)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The system's name, e.g. 'Revenues and benefits'.")
        parser.add_argument(
            "--scopes", default="", help=f"Comma-separated, of: {', '.join(Scope.values)}."
        )
        parser.add_argument("--contact", default="", help="Who runs the system.")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--rotate", action="store_true", help="Issue a new token.")
        group.add_argument("--deactivate", action="store_true", help="Refuse its token.")

    def handle(self, *args, name: str, scopes: str, contact: str, rotate, deactivate, **options):
        existing = ApiClient.objects.filter(name=name).first()
        if rotate or deactivate:
            if existing is None:
                raise CommandError(f"No API client is called {name!r}.")
            if deactivate:
                api_client_deactivate(client=existing)
                self.stdout.write(f"{name}: token deactivated.")
                return
            token = api_client_rotate(client=existing)
        else:
            if existing is not None:
                raise CommandError(f"{name!r} already has a token: use --rotate to replace it.")
            wanted = [s.strip() for s in scopes.split(",") if s.strip()]
            if not wanted:
                raise CommandError(f"Give --scopes, of: {', '.join(Scope.values)}.")
            try:
                _, token = api_client_create(name=name, scopes=wanted, contact=contact)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"{name}: token (shown once, keep it in the system's secret store):")
        self.stdout.write(token)
