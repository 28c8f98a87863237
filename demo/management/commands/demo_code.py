from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.seed import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = (
        "The code the demo authenticator shows now, for signing in to the demo as a manager "
        "or the administrator without a phone. Only for the demo's published key: it tells "
        "no other authenticator's code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", default="manager1")

    def handle(self, *args, username: str, **options) -> None:
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username} has no authenticator set up.")
        if device.key != DEMO_TOTP_KEY:
            raise CommandError(
                f"{username}'s authenticator is their own, not the demo's: "
                "its codes are on their phone only."
            )
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
