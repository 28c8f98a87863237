"""manage.py hms_writeback DIR [--since DATE]: the action-diary files for the HMS."""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from integrations.api.writeback import WritebackRefused, writeback


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--since {text!r} is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = (
        "Write what the service did each day (contacts, arrangements, notices, court steps, "
        "stage and next action) as CSV for the housing system's action diary, one file a "
        "day up to yesterday. A day already written is written again, byte for byte."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--since",
            type=_day,
            help="First day to write (default: the day after the last file, or yesterday).",
        )

    def handle(self, *args, folder: Path, since: date | None, **options):
        today = timezone.localdate()
        if since is not None and since >= today:
            raise CommandError("--since must be a day before today: today has not ended.")
        try:
            results = writeback(folder=folder, today=today, since=since)
        except WritebackRefused as exc:
            raise CommandError(str(exc)) from exc
        if not results:
            self.stdout.write("Nothing to write: every day up to yesterday has its file.")
        for r in results:
            how = "written" if r.created else "written again (unchanged)"
            self.stdout.write(f"{r.path}: {r.export.rows} rows, {how}.")
