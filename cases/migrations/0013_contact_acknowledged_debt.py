"""A contact can record a signed written acknowledgment of the debt.

Under the Limitation Act 1980 (s29(5), s30) it starts the six years again on the sums
still in time; the nightly run reads it (arrears/limitation.py).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_case_owing_by_patch")]

    operations = [
        migrations.AlterField(
            model_name="contact",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("spoke_to_tenant", "Spoke to the tenant"),
                    ("spoke_to_other", "Spoke to someone else in the household"),
                    ("spoke_to_representative", "Spoke to an advocate or adviser"),
                    ("promise_to_pay", "Promise to pay"),
                    ("arrangement_discussed", "Arrangement discussed"),
                    ("no_answer", "No answer"),
                    ("message_left", "Message left"),
                    ("card_left", "No one in: card left"),
                    ("wrong_number", "Wrong or unobtainable number"),
                    ("refused", "Tenant refused to discuss"),
                    ("sent", "Sent"),
                    ("acknowledged_debt", "Signed written acknowledgment of the debt"),
                ],
                max_length=30,
            ),
        ),
    ]
