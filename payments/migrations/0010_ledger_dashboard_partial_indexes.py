"""Two small partial indexes on the ledger for the dashboard (performance/figures.py).

Built CONCURRENTLY on PostgreSQL: the ledger holds tens of millions of lines and takes
postings all day, and a plain CREATE INDEX would hold its writes for the length of the
build. Hence a migration outside a transaction."""

from django.db import migrations, models

from core.migration_operations import AddIndexWithoutBlockingWrites


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("payments", "0009_account_fillfactor"),
    ]

    operations = [
        AddIndexWithoutBlockingWrites(
            model_name="transaction",
            index=models.Index(
                condition=models.Q(("kind", "universal_credit")),
                fields=["effective_date", "account"],
                name="ledger_uc_by_date",
            ),
        ),
        AddIndexWithoutBlockingWrites(
            model_name="transaction",
            index=models.Index(
                condition=models.Q(("kind__in", ["write_off", "reversal"])),
                fields=["effective_date"],
                name="ledger_write_offs_by_date",
            ),
        ),
    ]
