"""Direct debit payers' bank details encrypted at rest (core/encryption.py): the
mandates' account name, sort code and account number, and the collection files kept
to send again, which carry them in full.

In three steps so that no step reads a column through a field that does not match what
is in it: the mandates' columns become plain text (room for a Fernet token), the values
already there are encrypted in batches, then the fields become encrypted fields (the
same text columns). Backwards, the tokens are decrypted under FIELD_ENCRYPTION_KEYS and
the columns shrink to their old widths.
"""

from collections.abc import Callable

from django.db import migrations, models

import core.encryption

MANDATE_FIELDS = ("payer_name", "sort_code", "account_number")
# Collection files are a few MB each, so fewer at a time.
BATCHES = {"directdebitmandate": (MANDATE_FIELDS, 500), "directdebitfile": (("content",), 10)}


def _rewrite(apps, transform: Callable[[str], str]) -> None:
    # Through the historical models, whose fields here are plain TextFields: each value
    # is read and written exactly as stored.
    for model_name, (fields, batch_size) in BATCHES.items():
        model = apps.get_model("payments", model_name)
        last_pk = 0
        while rows := list(
            model.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", *fields)[:batch_size]
        ):
            last_pk = rows[-1][0]
            changed = [
                model(
                    pk=pk,
                    **{name: transform(value) for name, value in zip(fields, values, strict=True)},
                )
                for pk, *values in rows
            ]
            model.objects.bulk_update(changed, fields)


def _encrypt(value: str) -> str:
    return core.encryption.encrypt_text(value) if value else value


def _decrypt(value: str) -> str:
    return core.encryption.decrypt_text(value) if value else value


def encrypt_bank_details(apps, schema_editor) -> None:
    _rewrite(apps, _encrypt)


def decrypt_bank_details(apps, schema_editor) -> None:
    _rewrite(apps, _decrypt)


def _mandate_fields_as(field_class) -> list[migrations.AlterField]:
    return [
        migrations.AlterField(
            model_name="directdebitmandate",
            name="payer_name",
            field=field_class(max_length=18, help_text="The bank account's name, as Bacs has it."),
        ),
        migrations.AlterField(
            model_name="directdebitmandate", name="sort_code", field=field_class(max_length=6)
        ),
        migrations.AlterField(
            model_name="directdebitmandate",
            name="account_number",
            field=field_class(max_length=8),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0010_ledger_dashboard_partial_indexes"),
    ]

    operations = [
        *_mandate_fields_as(models.TextField),
        migrations.RunPython(encrypt_bank_details, decrypt_bank_details, elidable=False),
        *_mandate_fields_as(core.encryption.EncryptedCharField),
        migrations.AlterField(
            model_name="directdebitfile",
            name="content",
            field=core.encryption.EncryptedTextField(
                help_text="The records as written, to send again if lost."
            ),
        ),
    ]
