"""Direct debit payers' bank details are encrypted at rest: never in the database in plain
text, still collected in full, readable across a key rotation, not searchable, and
production will not start without a key."""

import os
import subprocess
import sys
from io import StringIO

import pytest
import time_machine
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings as django_settings
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from core.encryption import UndecryptableValue, decrypt_text
from payments.direct_debits import NewBankDetails, collection_file_make, mandate_report_apply
from payments.models import DirectDebitFile, DirectDebitMandate
from tests.accounts.test_deploy_check import PRODUCTION, _check_deploy
from tests.payments import test_direct_debits as direct_debits
from tests.payments.test_direct_debits import FILE_ON, FIRST_ON

pytestmark = pytest.mark.django_db

# The direct debit tests' instruction: account 40001234, J Smith, 30-94-34, 12345678.
account = direct_debits.account
mandate = direct_debits.mandate

BANK_DETAILS = ("payer_name", "sort_code", "account_number")
PLAIN = {"payer_name": "J SMITH", "sort_code": "309434", "account_number": "12345678"}


def _stored(table: str, columns: tuple[str, ...], pk: int) -> dict[str, str]:
    """The columns as the database holds them, past the model's fields."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)} WHERE id = %s",
            [pk],
        )
        return dict(zip(columns, cursor.fetchone(), strict=True))


def _stored_bank_details(mandate: DirectDebitMandate) -> dict[str, str]:
    return _stored(DirectDebitMandate._meta.db_table, BANK_DETAILS, mandate.pk)


def test_bank_details_are_not_stored_in_plain_text(mandate):
    stored = _stored_bank_details(mandate)

    everything = " ".join(stored.values())
    for plain in ("J SMITH", "309434", "30-94-34", "12345678"):
        assert plain not in everything
    assert {name: decrypt_text(token) for name, token in stored.items()} == PLAIN
    made = DirectDebitMandate.objects.get()
    assert (made.payer_name, made.sort_code, made.account_number) == tuple(PLAIN.values())


def test_the_same_bank_details_are_never_stored_the_same_way_twice(account, team):
    first = direct_debits._set_up(account, team.alice)
    DirectDebitMandate.objects.filter(pk=first.pk).update(status="cancelled")
    second = direct_debits._set_up(account, team.alice)

    # A random IV each time: equal tokens would tell a reader who shares an account.
    assert (
        _stored_bank_details(first)["account_number"]
        != (_stored_bank_details(second)["account_number"])
    )


def test_standard18_file_still_carries_the_payers_account(mandate):
    with time_machine.travel(FILE_ON):
        record = collection_file_make(collection_date=FIRST_ON, today=FILE_ON)

    line = DirectDebitFile.objects.get().content.splitlines()[0]
    assert line[0:6] == "309434"
    assert line[6:14] == "12345678"
    assert line[82:100] == "J SMITH".ljust(18)
    # The file kept to send again carries every payer's details, so it is encrypted too.
    stored = _stored(DirectDebitFile._meta.db_table, ("content",), record.pk)["content"]
    assert "12345678" not in stored and "309434" not in stored
    assert decrypt_text(stored) == record.content


def test_the_collection_command_writes_the_payers_account_in_full(mandate, tmp_path):
    out = tmp_path / "collections.txt"
    with time_machine.travel(FILE_ON):
        call_command(
            "direct_debit_collections",
            f"--date={FIRST_ON.isoformat()}",
            f"--out={out}",
            stdout=StringIO(),
        )

    assert out.read_text(encoding="ascii").startswith("30943412345678")


def test_addacs_new_bank_details_are_stored_encrypted_and_masked(mandate):
    mandate_report_apply(
        report="addacs",
        reference="40001234-01",
        code="C",
        today=FILE_ON,
        new_details=NewBankDetails(sort_code="20-00-00", account_number="87654321"),
    )

    stored = _stored_bank_details(mandate)
    assert "87654321" not in stored["account_number"] and "200000" not in stored["sort_code"]
    assert decrypt_text(stored["account_number"]) == "87654321"
    mandate.refresh_from_db()
    assert (mandate.masked_sort_code, mandate.masked_account_number) == ("**-**-00", "****4321")


def test_the_pages_and_admin_still_show_bank_details_masked(client, admin_client, team, mandate):
    client.force_login(team.alice)

    page = client.get(reverse("case_direct_debits", args=[mandate.account.case_id]))
    admin = admin_client.get(reverse("admin:payments_directdebitmandate_changelist"))

    page, admin = page.content.decode(), admin.content.decode()

    for shown in (page, admin):
        assert "**-**-34" in shown and "****5678" in shown and "12345678" not in shown
    assert "J SMITH" in admin


@pytest.mark.parametrize(
    "lookup",
    [
        {"account_number": "12345678"},
        {"sort_code__startswith": "30"},
        {"payer_name__icontains": "smith"},
    ],
)
def test_encrypted_bank_details_cannot_be_searched(mandate, lookup):
    with pytest.raises(FieldError, match="encrypted at rest"):
        DirectDebitMandate.objects.filter(**lookup).exists()


def test_rotated_key_still_reads_old_values_and_rotation_rewrites_them(mandate, settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    before = _stored_bank_details(mandate)
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    assert DirectDebitMandate.objects.get().account_number == "12345678"
    out = StringIO()
    call_command("rotate_field_keys", stdout=out)

    assert "payments.DirectDebitMandate: 3 value(s) in 1 row(s) re-encrypted" in out.getvalue()
    after = _stored_bank_details(mandate)
    for name, token in after.items():
        assert token != before[name]
        assert Fernet(new_key).decrypt(token.encode()).decode() == PLAIN[name]
        with pytest.raises(InvalidToken):
            Fernet(old_key).decrypt(token.encode())
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert DirectDebitMandate.objects.get().account_number == "12345678"
    again = StringIO()
    call_command("rotate_field_keys", stdout=again)
    assert "0 value(s) re-encrypted in all" in again.getvalue()
    assert _stored_bank_details(mandate) == after


def test_rotation_in_batches_gives_each_row_back_its_own_details(account, team, settings):
    first = direct_debits._set_up(account, team.alice)
    DirectDebitMandate.objects.filter(pk=first.pk).update(status="cancelled")
    second = direct_debits._set_up(account, team.alice, sort_code="20-00-00")
    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]

    call_command("rotate_field_keys", batch_size=1, stdout=StringIO())

    assert DirectDebitMandate.objects.get(pk=first.pk).sort_code == "309434"
    assert DirectDebitMandate.objects.get(pk=second.pk).sort_code == "200000"


def test_a_value_no_key_decrypts_is_reported_naming_the_setting(mandate, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(UndecryptableValue, match="holds a value no key in FIELD_ENCRYPTION_KEYS"):
        DirectDebitMandate.objects.get()
    with pytest.raises(CommandError, match="cannot be decrypted with any key in FIELD_EN"):
        call_command("rotate_field_keys", stdout=StringIO())


def _start_in_production(**changes: str) -> subprocess.CompletedProcess:
    """`manage.py check --deploy` in a process of its own (settings are read once, at
    start-up), with the production settings of tests/accounts/test_deploy_check.py but
    no encryption key unless given one."""
    env = {k: v for k, v in os.environ.items() if k != "FIELD_ENCRYPTION_KEYS"}
    env |= {k: v for k, v in PRODUCTION.items() if k != "FIELD_ENCRYPTION_KEYS"} | changes
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_an_encryption_key():
    result = _start_in_production()

    assert result.returncode != 0
    assert "ImproperlyConfigured: FIELD_ENCRYPTION_KEYS is not set" in result.stderr


@pytest.mark.parametrize(
    "keys", ["not-a-key", f"{Fernet.generate_key().decode()},short"], ids=["one", "second"]
)
def test_production_refuses_to_start_with_a_malformed_encryption_key(keys):
    result = _start_in_production(FIELD_ENCRYPTION_KEYS=keys)

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS: key" in result.stderr and "is not a Fernet key" in result.stderr


def test_production_starts_with_a_new_and_an_old_key():
    keys = f"{Fernet.generate_key().decode()}, {Fernet.generate_key().decode()}"

    result = _check_deploy({"FIELD_ENCRYPTION_KEYS": keys})

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# --- The migration ----------------------------------------------------------------------

BEFORE = ("payments", "0010_ledger_dashboard_partial_indexes")
ENCRYPTED = ("payments", "0011_mandate_bank_details_encrypted")


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_the_bank_details_already_there_and_reverses(mandate):
    table = DirectDebitMandate._meta.db_table
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([BEFORE])
        assert _stored(table, BANK_DETAILS, mandate.pk) == PLAIN

        executor = MigrationExecutor(connection)
        executor.migrate([ENCRYPTED])
        stored = _stored(table, BANK_DETAILS, mandate.pk)
        assert "12345678" not in stored["account_number"]
        assert {name: decrypt_text(token) for name, token in stored.items()} == PLAIN

        executor = MigrationExecutor(connection)
        executor.migrate([BEFORE])
        assert _stored(table, BANK_DETAILS, mandate.pk) == PLAIN
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert DirectDebitMandate.objects.get().account_number == "12345678"
