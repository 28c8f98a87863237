"""The default write-off authorisation limits; administrators change them in the admin.

The bands follow the example in issue 12 (senior officer up to £100, manager up to
£1,000, head of service above). A council's Financial Regulations set its own.
"""

from decimal import Decimal

from django.db import migrations

DEFAULTS = {
    "senior_officer": Decimal("100.00"),
    "manager": Decimal("1000.00"),
    "head_of_service": None,
}


def add_limits(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    WriteOffLimit = apps.get_model("performance", "WriteOffLimit")
    for name, limit in DEFAULTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        WriteOffLimit.objects.get_or_create(group=group, defaults={"limit": limit})


class Migration(migrations.Migration):
    dependencies = [("performance", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(add_limits, migrations.RunPython.noop)]
