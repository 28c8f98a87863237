"""Make the ledger append-only in the database itself, not just in Django.

PostgreSQL only: a row trigger refuses UPDATE and DELETE on ledger lines. TRUNCATE
(used to reset test databases) is not a row operation and still works. SQLite, the
try-it default, relies on the model's save()/delete() guards.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION payments_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The ledger is append-only: post a correction or reversal instead'
        USING ERRCODE = 'restrict_violation';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER payments_ledger_no_update_or_delete
    BEFORE UPDATE OR DELETE ON payments_transaction
    FOR EACH ROW EXECUTE FUNCTION payments_ledger_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS payments_ledger_no_update_or_delete ON payments_transaction;
DROP FUNCTION IF EXISTS payments_ledger_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
