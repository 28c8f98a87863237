"""Anonymise the personal data of cases past the retention period (privacy/retention.py)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from privacy.retention import describe_plan, retention_apply, retention_plan


class Command(BaseCommand):
    help = (
        "Anonymise the personal data of cases closed more than PRIVACY_RETENTION_YEARS ago. "
        "With --dry-run, list exactly what would go and change nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would go; change nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        today = timezone.localdate()
        plan = retention_plan(today=today)
        for line in describe_plan(plan):
            self.stdout.write(line)
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
            return
        run = retention_apply(today=today, actor=None)
        self.stdout.write(f"Anonymised {run.cases if run else 0} cases.")
