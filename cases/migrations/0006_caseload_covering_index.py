from django.db import migrations

# An officer's caseload is a patch of a few thousand cases spread across the whole
# table. Reading each from the table costs a page per case; a covering index by patch
# holds every column the caseload's filters, counts and sorts read, so PostgreSQL
# answers from the index alone (an index-only scan) and sorts a few thousand entries.
# It replaces the per-sort indexes of 0004, which the engine's nightly update of every
# case also had to maintain. SQLite has no INCLUDE; its caseload is small.
COVERING = (
    "CREATE INDEX IF NOT EXISTS case_caseload ON cases_case (patch_id) INCLUDE ("
    "officer_id, status, balance, rent_arrears, weeks_in_arrears, technical_arrears, "
    "next_action_due, last_contact_on, stage, arrangement_state, next_action, "
    "next_action_label, tenancy_id, id)"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_patch_contact")
        schema_editor.execute(COVERING)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_caseload")
        schema_editor.execute(
            "CREATE INDEX case_patch_contact ON cases_case "
            "(patch_id, last_contact_on ASC NULLS FIRST, id)"
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_tenant_name_search")]

    operations = [
        migrations.RemoveIndex(model_name="case", name="case_patch_weeks"),
        migrations.RemoveIndex(model_name="case", name="case_patch_due"),
        migrations.RunPython(forwards, backwards),
    ]
