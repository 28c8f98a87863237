"""Two small partial indexes on the ledger for the dashboard (performance/figures.py).

Built CONCURRENTLY on PostgreSQL: the ledger holds tens of millions of lines and takes
postings all day, and a plain CREATE INDEX would hold its writes for the length of the
build. Hence a migration outside a transaction."""

from django.db import migrations, models


class AddIndexWithoutBlockingWrites(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)


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
