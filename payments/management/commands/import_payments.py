from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from payments.imports.services import FileRefused, payment_file_import


class Command(BaseCommand):
    help = (
        "Import one payment or benefit file. The whole file is checked first; a file "
        "with any bad line posts nothing and the command exits non-zero naming each line."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", required=True, dest="format_name")
        parser.add_argument("--dry-run", action="store_true", help="Check and total; post nothing.")

    def handle(self, *args, file: Path, format_name: str, dry_run: bool, **options) -> None:
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        try:
            result = payment_file_import(
                content=content,
                filename=file.name,
                format_name=format_name,
                today=timezone.localdate(),
                dry_run=dry_run,
            )
        except FileRefused as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(exc.summary) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for row in result.totals.lines_text():
            self.stdout.write(row)
        if result.payment_import is None:
            self.stdout.write(self.style.WARNING("Dry run: nothing was posted."))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Posted {file.name} as import {result.payment_import.pk}.")
            )
