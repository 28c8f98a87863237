from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from integrations.hms.export import hms_file_set_export


class Command(BaseCommand):
    help = (
        "Write this database's council (the demo, after seed_demo) as an HMS file set in "
        "the layouts hms_import reads, so the load can be tried on a fresh machine: seed, "
        "export, then hms_import DIR into an empty database gives the same accounts and "
        "balances."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options) -> None:
        exported = hms_file_set_export(directory=directory, today=timezone.localdate())
        for name, rows in exported.rows.items():
            self.stdout.write(f"{name:20} {rows:>12,} rows")
        self.stdout.write(self.style.SUCCESS(f"Wrote the file set to {directory}."))
