import time
from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from performance.snapshots import snapshots_rebuild


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date: write it as YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = (
        "Rebuild every patch's daily snapshot from the ledger for each day from --from to "
        "--to (both included), replacing what the nightly run wrote. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="end", required=True, help="Last day, YYYY-MM-DD.")

    def handle(self, *args, **options) -> None:
        start, end = _day(options["start"]), _day(options["end"])
        started = time.monotonic()
        try:
            rows = snapshots_rebuild(start=start, end=end, today=timezone.localdate())
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"Rebuilt {rows} snapshots for {(end - start).days + 1} days "
            f"({start:%d %b %Y} to {end:%d %b %Y}) in {time.monotonic() - started:.1f} s."
        )
