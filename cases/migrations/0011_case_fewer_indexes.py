"""Drop the case indexes nothing reads, so the nightly run writes fewer.

The run updates thousands of case rows a chunk; when a row's stage, next action or
figures change, PostgreSQL writes a new entry in every index on the table. Five of the
twelve were never used by a query: patch alone and (patch, stage) (the composite and
covering indexes lead with patch), next action and its pattern index (filtered within a
patch, from the covering index), and the pattern index PostgreSQL adds beside the
unique reference (search matches references exactly). Without them the first night's
case update took 108 ms a chunk of 5,000 instead of 175 ms, and no page got slower
(bench/pages.py before and after).
"""

import django.db.models.deletion
from django.db import migrations, models


def _reference_pattern_index(schema_editor) -> str:
    return schema_editor._create_index_name("cases_case", ["reference"], suffix="_like")


def drop_reference_pattern_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {_reference_pattern_index(schema_editor)}")


def restore_reference_pattern_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        name = _reference_pattern_index(schema_editor)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON cases_case (reference varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_caseload_export")]

    operations = [
        migrations.RemoveIndex(model_name="case", name="case_patch_stage"),
        migrations.AlterField(
            model_name="case",
            name="next_action",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AlterField(
            model_name="case",
            name="patch",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="cases.patch",
            ),
        ),
        migrations.RunPython(drop_reference_pattern_index, restore_reference_pattern_index),
    ]
