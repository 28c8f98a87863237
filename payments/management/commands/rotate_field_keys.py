from django.core.management.base import BaseCommand, CommandError

from core.encryption import (
    ROTATE_BATCH_SIZE,
    UndecryptableValue,
    encrypted_fields,
    encrypted_values_rotate,
)


class Command(BaseCommand):
    help = (
        "Re-encrypt every value encrypted at rest (direct debit bank details) under the "
        "newest key in FIELD_ENCRYPTION_KEYS. Put the new key first, run this, then drop "
        "the old key; a value already under the newest key is left as it is."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=ROTATE_BATCH_SIZE,
            help=f"Rows per UPDATE (default {ROTATE_BATCH_SIZE}).",
        )

    def handle(self, *args, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        total = 0
        for model, fields in encrypted_fields():
            try:
                count = encrypted_values_rotate(model=model, fields=fields, batch_size=batch_size)
            except UndecryptableValue as exc:
                raise CommandError(str(exc)) from exc
            total += count.values
            self.stdout.write(
                f"{count.label}: {count.values:,} value(s) in {count.rows:,} row(s) "
                f"re-encrypted under the newest key; {count.already_current:,} already were."
            )
        self.stdout.write(self.style.SUCCESS(f"{total:,} value(s) re-encrypted in all."))
