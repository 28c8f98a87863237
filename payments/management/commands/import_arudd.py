from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.money import format_money
from payments.direct_debits import arudd_file_import
from payments.imports.services import FileRefused


class Command(BaseCommand):
    help = (
        "Apply a Bacs ARUDD report of direct debits returned unpaid, as Bacs delivers it "
        "(XML) or as the council's Bacs software exports it (CSV); which is told from the "
        "content. Each returned collection's payment is reversed and the officer told. An "
        "item that matches no collection, or one already reversed, refuses the whole file; "
        "each problem is printed and the command exits non-zero."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        try:
            record = arudd_file_import(
                content=content, filename=file.name, today=timezone.localdate()
            )
        except FileRefused as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(exc.summary) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Reversed {record.line_count} returned direct debit(s) totalling "
                f"{format_money(record.total)}."
            )
        )
