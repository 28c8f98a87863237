"""ADDACS and AUDDIS reports applied from their Bacs XML files, once each (checksum)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0011_mandate_bank_details_encrypted"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="BacsReportFile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("addacs", "ADDACS (instructions amended or cancelled by the bank)"),
                            ("auddis", "AUDDIS (instructions rejected by the bank)"),
                        ],
                        max_length=6,
                    ),
                ),
                ("filename", models.CharField(max_length=200)),
                (
                    "checksum",
                    models.CharField(help_text="SHA-256 of the file.", max_length=64, unique=True),
                ),
                ("imported_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("advice_count", models.PositiveIntegerField(default=0)),
                ("outcomes", models.JSONField(blank=True, default=list)),
                (
                    "imported_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-imported_at", "-id"],
            },
        ),
    ]
