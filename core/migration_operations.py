"""Migration operations for tables that take writes all day (the ledger above all).

On PostgreSQL a plain CREATE INDEX holds the table's writes for the length of the build,
minutes on a ledger of tens of millions of lines, so these build CONCURRENTLY. A
migration that uses them must say `atomic = False` (CONCURRENTLY cannot run inside a
transaction). Other databases (SQLite, the zero-setup default) build them as usual.
"""

from __future__ import annotations

from django.db import migrations


def _on_postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class AddIndexWithoutBlockingWrites(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if not _on_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if not _on_postgresql(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)


class AddPartialUniqueWithoutBlockingWrites(migrations.AddConstraint):
    """A UniqueConstraint with a condition, which PostgreSQL keeps as a partial unique
    index (not a table constraint), so it too can be built CONCURRENTLY."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if not _on_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if self.constraint.condition is None:
            raise ValueError(f"{self.constraint.name} has no condition: it is a table constraint")
        statement = str(self.constraint.create_sql(model, schema_editor))
        prefix = "CREATE UNIQUE INDEX "
        if not statement.startswith(prefix):
            raise ValueError(f"Unexpected SQL for {self.constraint.name}: {statement}")
        schema_editor.execute("CREATE UNIQUE INDEX CONCURRENTLY " + statement[len(prefix) :])

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if not _on_postgresql(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            name = schema_editor.quote_name(self.constraint.name)
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class AlterFieldDroppingItsFullIndexes(migrations.AlterField):
    """An AlterField whose only change in the database is that the column loses its own
    unique constraint and index (`unique`/`db_index` turned off), because a partial index
    added before it now does that work (`keep` names it).

    Django's own AlterField would also drop and re-add the column's foreign key, and
    re-adding it checks every row with the table's writes held; on PostgreSQL this drops
    only the indexes. Going back is Django's own AlterField."""

    def __init__(self, *args, keep: tuple[str, ...] = (), **kwargs) -> None:
        self.keep = tuple(keep)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        kwargs["keep"] = self.keep
        return name, args, kwargs

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        if not _on_postgresql(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        column = model._meta.get_field(self.name).column
        quote = schema_editor.quote_name
        for name in schema_editor._constraint_names(
            model, [column], unique=True, primary_key=False, exclude=set(self.keep)
        ):
            if name in self._index_only_names(schema_editor, model):
                schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quote(name)}")
            else:
                schema_editor.execute(
                    f"ALTER TABLE {quote(model._meta.db_table)} DROP CONSTRAINT {quote(name)}"
                )
        for name in schema_editor._constraint_names(
            model, [column], index=True, unique=False, exclude=set(self.keep)
        ):
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quote(name)}")

    @staticmethod
    def _index_only_names(schema_editor, model) -> set[str]:
        """Unique indexes that are not table constraints (a partial unique, for one)."""
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname NOT IN"
                " (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [model._meta.db_table, model._meta.db_table],
            )
            return {row[0] for row in cursor.fetchall()}
