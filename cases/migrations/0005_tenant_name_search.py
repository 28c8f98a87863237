from django.db import migrations

# The caseload's search matches the start of any tenant's first or last name,
# case-insensitively: UPPER(name) LIKE 'SMI%'. On PostgreSQL an index on UPPER(name)
# with text_pattern_ops serves that prefix match in any collation; SQLite's LIKE
# cannot use an index for it, so there is nothing to build there.
INDEXES = {
    "tenant_first_name_search": "upper(first_name) text_pattern_ops",
    "tenant_last_name_search": "upper(last_name) text_pattern_ops",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, expression in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX {name} ON cases_tenant ({expression})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_casework")]

    operations = [migrations.RunPython(create, drop)]
