"""manage.py revenues_import FILE [--dry-run]: Council Tax and HB overpayment debts."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from integrations.revenues.services import RevenuesFileRefused, revenues_import


class Command(BaseCommand):
    help = (
        "Load Council Tax and Housing Benefit overpayment balances from the revenues and "
        "benefits system's CSV (integrations/revenues/README.md). All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Say what would change.")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"No file at {file}.")
        try:
            result = revenues_import(path=file, today=timezone.localdate(), dry_run=dry_run)
        except RevenuesFileRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{file.name} refused: {len(refused.problems)} problem(s); nothing was applied."
            ) from None
        if result.already_imported is not None:
            when = timezone.localtime(result.already_imported.imported_at)
            self.stdout.write(
                f"{file.name} was already imported on {when:%-d %B %Y %H:%M}; nothing changed."
            )
            return
        counts = result.counts
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{file.name}: {counts['rows']} debts; {counts['new']} new, {counts['updated']} "
            f"updated, {counts['unchanged']} unchanged, {counts['older']} older than the "
            f"balance held (left as they {verb})."
            + (" Dry run: nothing applied." if dry_run else "")
        )
