"""Leave room on each page of the accounts table (PostgreSQL fillfactor 70).

Every payment file, direct debit file and nightly run moves the balances of many
accounts at once. On a full page an updated row must move to another page, which
writes a new entry into each of the table's five indexes; with room on the page
PostgreSQL updates it in place (a HOT update: the balance columns are not indexed)
and touches no index. Existing pages get the room as they are vacuumed or rewritten.
"""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE payments_account SET (fillfactor = 70)")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE payments_account RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("payments", "0008_suspense_rejection")]
    operations = [migrations.RunPython(forward, backward)]
