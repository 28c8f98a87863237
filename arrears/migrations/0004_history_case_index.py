"""Drop the recommendation history's index on case alone.

The unique (case, run date) constraint leads with the case and serves every lookup by
case; the second index was one more entry to write for each history row, and the first
night writes one for every case in arrears.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("arrears", "0003_letter_request_dispatched_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="recommendationhistory",
            name="case",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="recommendation_history",
                to="cases.case",
            ),
        ),
    ]
