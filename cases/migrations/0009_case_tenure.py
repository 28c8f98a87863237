"""Copy each tenancy's tenure onto its cases, and into the caseload's covering index.

The caseload filters and counts by tenure. Looked up per case from the tenancy, that
was one index probe for each of a patch's two thousand cases on every page view, in
both the counts and the rows; on the case row it is read with everything else from
the covering index (0006).
"""

from django.db import migrations, models

import cases.models

COVERING = (
    "CREATE INDEX case_caseload ON cases_case (patch_id) INCLUDE ("
    "officer_id, status, balance, rent_arrears, weeks_in_arrears, technical_arrears, "
    "next_action_due, last_contact_on, stage, arrangement_state, next_action, "
    "next_action_label, tenancy_id, tenure, id)"
)
PREVIOUS = COVERING.replace("tenancy_id, tenure, id", "tenancy_id, id")


def copy_tenure(apps, schema_editor):
    schema_editor.execute(
        "UPDATE cases_case SET tenure = (SELECT t.tenure FROM cases_tenancy t"
        " WHERE t.id = cases_case.tenancy_id)"
    )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_caseload")
        schema_editor.execute(COVERING)


def restore_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_caseload")
        schema_editor.execute(PREVIOUS)


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_case_fillfactor")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="tenure",
            field=models.CharField(
                choices=cases.models.Tenure.choices, default="", editable=False, max_length=30
            ),
            preserve_default=False,
        ),
        migrations.RunPython(copy_tenure, restore_index),
    ]
