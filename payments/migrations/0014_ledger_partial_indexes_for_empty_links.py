"""The ledger's reversal link and author indexed only where a line has one.

The one-to-one `reverses` kept a unique index with an entry for every line (about
580 MB at 27 million lines, nearly all of them empty), and `created_by` an index of the
same kind; each line posted wrote to both. Partial indexes hold only the lines with a
link, and still serve every lookup (a line's reversal, the PROTECT check on deleting a
user) and still refuse a second reversal of the same line.

The new indexes are built CONCURRENTLY first, so a line is never left unguarded and the
ledger keeps taking postings while they build; then the full ones are dropped (and only they: the foreign keys stay as they are,
where Django's own AlterField would re-add them and check every line). Hence a
migration outside a transaction."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.migration_operations import (
    AddIndexWithoutBlockingWrites,
    AddPartialUniqueWithoutBlockingWrites,
    AlterFieldDroppingItsFullIndexes,
)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("payments", "0013_payment_file_upload"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddPartialUniqueWithoutBlockingWrites(
            model_name="transaction",
            constraint=models.UniqueConstraint(
                condition=models.Q(("reverses__isnull", False)),
                fields=("reverses",),
                name="ledger_reversed_once",
            ),
        ),
        AddIndexWithoutBlockingWrites(
            model_name="transaction",
            index=models.Index(
                condition=models.Q(("created_by__isnull", False)),
                fields=["created_by"],
                name="ledger_created_by",
            ),
        ),
        AlterFieldDroppingItsFullIndexes(
            keep=("ledger_created_by",),
            model_name="transaction",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        AlterFieldDroppingItsFullIndexes(
            keep=("ledger_reversed_once",),
            model_name="transaction",
            name="reverses",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reversed_by",
                to="payments.transaction",
            ),
        ),
    ]
