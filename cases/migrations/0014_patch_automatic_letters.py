"""A manager can switch automatic letters off for a patch (on for every patch today)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0013_contact_acknowledged_debt")]

    operations = [
        migrations.AddField(
            model_name="patch",
            name="automatic_letters",
            field=models.BooleanField(
                default=True,
                help_text="Off: the nightly run queues no letters for this patch's cases; "
                "each recommended letter is left for an officer to send.",
            ),
        ),
    ]
