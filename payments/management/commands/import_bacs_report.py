from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.money import format_money
from payments.bacs_reports import ReportKind, report_kind
from payments.direct_debits import arudd_file_import
from payments.imports.services import FileRefused
from payments.mandate_reports import mandate_report_file_import
from payments.models import MandateStatus


class Command(BaseCommand):
    help = (
        "Apply a Bacs XML report as Bacs delivers it, told apart by its content: ADDACS "
        "(instructions amended or cancelled by the bank) and AUDDIS (instructions "
        "rejected) change the instructions they name; ARUDD (collections returned unpaid) "
        "reverses the returned payments. A report with any problem applies nothing: each "
        "problem is printed to stderr and the command exits with status 1. A report "
        "applies once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        today = timezone.localdate()
        try:
            if report_kind(content) == ReportKind.ARUDD:
                returned = arudd_file_import(content=content, filename=file.name, today=today)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"ARUDD {file.name}: reversed {returned.line_count} returned direct "
                        f"debit(s) totalling {format_money(returned.total)}."
                    )
                )
                return
            record = mandate_report_file_import(
                content=content, filename=file.name, actor=None, today=today
            )
        except FileRefused as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(exc.summary) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        labels = dict(MandateStatus.choices)
        self.stdout.write(
            self.style.SUCCESS(
                f"{record.kind.upper()} {file.name}: applied {record.advice_count} advice(s)."
            )
        )
        for outcome in record.outcomes:
            change = (
                f"{labels[outcome['old_status']].lower()} -> {labels[outcome['status']].lower()}"
                if outcome["old_status"] != outcome["status"]
                else f"still {labels[outcome['status']].lower()}"
            )
            details = ", new bank details applied" if outcome["bank_details_changed"] else ""
            self.stdout.write(
                f"Advice {outcome['advice']} ({outcome['mandate']}): "
                f"{record.kind.upper()} {outcome['code']}, {outcome['meaning']}: {change}{details}"
            )
