from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.money import format_money
from payments.direct_debits import collection_file_make, earliest_collection_date


class Command(BaseCommand):
    help = (
        "Make the Bacs Standard 18 file that collects direct debits on a date (at least "
        "three working days away): new instructions are lodged (0N) and every collection "
        "posts to the ledger. A date has one file."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--date",
            type=date.fromisoformat,
            help="The collection date, YYYY-MM-DD; default the earliest allowed.",
        )
        parser.add_argument("--out", type=Path, required=True, help="Where to write the file.")
        parser.add_argument(
            "--with-processing-date",
            action="store_true",
            help="Write 106-character records ending with the Bacs processing day.",
        )

    def handle(self, *args, date, out: Path, with_processing_date: bool, **options) -> None:
        today = timezone.localdate()
        collection_date = date or earliest_collection_date(file_made_on=today)
        if out.exists():
            raise CommandError(f"{out} exists already; the command does not overwrite a file.")
        try:
            record = collection_file_make(
                collection_date=collection_date,
                today=today,
                with_processing_date=with_processing_date,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        out.write_text(record.content, encoding="ascii", newline="")
        self.stdout.write(f"Instructions lodged (0N): {record.lodgement_count}")
        self.stdout.write(
            f"Collections on {collection_date:%-d %B %Y}: {record.collection_count}, "
            f"totalling {format_money(record.total)}"
        )
        self.stdout.write(self.style.SUCCESS(f"Wrote {out} and posted the collections."))
