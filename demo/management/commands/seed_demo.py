from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from demo.files import DemoFile
from demo.seed import (
    DEMO_PASSWORD,
    Login,
    SeedRefused,
    demo_logins,
    demo_totp_key_for_people,
    seed_council,
)


class Command(BaseCommand):
    help = (
        "Create a realistic, reproducible demo council: patches and officers, tenancies "
        "across tenures, years of weekly rent and payments, arrangements, notices and "
        "court orders. Prints the demo logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=int, default=2000, help="How many accounts.")
        parser.add_argument("--years", type=int, default=2, help="Years of ledger history.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same council.")
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, help="Seed as if today were D."
        )
        parser.add_argument(
            "--reset", action="store_true", help="Delete existing cases and demo users first."
        )
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if data exists.")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument(
            "--files",
            type=Path,
            default=settings.BASE_DIR / "demo-files",
            help="Where to write the next morning's sample payment files (default demo-files/).",
        )
        parser.add_argument(
            "--no-files", action="store_true", help="Write no sample payment files."
        )

    def handle(self, *args, **options) -> None:
        today = options["today"] or timezone.localdate()
        if options["if_empty"]:
            from cases.models import Case

            if Case.objects.exists():
                self.stdout.write("Demo data already present; leaving it as it is.")
                self._print_logins(demo_logins(today=timezone.localdate()))
                return
        bar = None
        if not options["no_progress"]:
            bar = tqdm(total=options["accounts"], unit=" accounts", desc="Seeding", leave=False)

        def progress(done: int) -> None:
            if bar is not None:
                bar.n = min(done, bar.total)
                bar.refresh()

        try:
            result = seed_council(
                accounts=options["accounts"],
                years=options["years"],
                seed=options["seed"],
                today=today,
                reset=options["reset"],
                progress=progress,
                files_dir=None if options["no_files"] else options["files"],
            )
        except SeedRefused as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if bar is not None:
                bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {result.accounts:,} accounts on {result.cases:,} cases with "
                f"{result.ledger_lines:,} ledger lines in {result.seconds:.1f} s."
            )
        )
        self._print_logins(result.logins)
        self._print_files(result.files)

    def _print_logins(self, logins: list[Login]) -> None:
        if not logins:
            return
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for login in logins:
            self.stdout.write(f"  {login.username:<10} {login.role:<24} {login.detail}")
        if any("authenticator" in login.detail for login in logins):
            self.stdout.write(
                "Managers and the administrator then give a code from an authenticator app.\n"
                "  Add this setup key to one (time-based, 6 digits): "
                f"{demo_totp_key_for_people()}\n"
                "  or run `manage.py demo_code` for the code it shows now.\n"
                "  Demo data only: the key is published here, so these accounts share it."
            )

    def _print_files(self, files: list[DemoFile]) -> None:
        if not files:
            return
        self.stdout.write("The next morning's payment files, to try the imports:")
        for demo_file in files:
            self.stdout.write(f"  {demo_file.command}    ({demo_file.about})")
        self.stdout.write(
            "  or upload them at /payments/imports/ as finance1; suspense at /payments/suspense/"
        )
