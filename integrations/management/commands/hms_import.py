from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from integrations.hms.sync import FileSetRefused, hms_file_set_import


class Command(BaseCommand):
    help = (
        "Load a file set exported by the housing management system (properties, tenancies, "
        "tenants, accounts, rent charges, transactions; see integrations/README.md). The "
        "first set builds the council; later sets apply only what changed. Every file is "
        "checked first: any bad row applies nothing and is named with its file, line and field."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the set and say what would change."
        )

    def handle(self, *args, directory: Path, dry_run: bool, **options) -> None:
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")
        try:
            report = hms_file_set_import(
                directory=directory, today=timezone.localdate(), dry_run=dry_run
            )
        except FileSetRefused as exc:
            for problem in exc.problems.kept:
                self.stderr.write(str(problem))
            raise CommandError(exc.summary) from exc
        if dry_run:
            self.stdout.write("Dry run: this is what the set would change.")
        for line in report.lines():
            self.stdout.write(line)
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was applied."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Applied {directory} in {report.seconds:.1f} s."))
