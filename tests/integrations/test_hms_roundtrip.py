"""The demo council round trip (seed, export as HMS files, load into an empty database:
the same council), and the nightly task that picks up each night's file set."""

from datetime import date

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from cases.models import Case, Property, Tenancy, Tenant
from demo.seed import reset_data, seed_council
from integrations.models import HmsImport
from integrations.tasks import hms_import_nightly
from payments.models import Account, Transaction
from tests.integrations.hms_files import base_council, edited, line, write_set

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 10)


def _council() -> dict:
    return {
        "accounts": sorted(
            Account.objects.values_list(
                "reference",
                "kind",
                "status",
                "balance",
                "weekly_charge",
                "last_payment_on",
                "last_payment_amount",
            )
        ),
        "tenancies": sorted(
            Tenancy.objects.values_list(
                "reference", "tenure", "rent_period", "start_date", "end_date", "property__postcode"
            )
        ),
        "tenants": sorted(
            Tenant.objects.values_list(
                "tenancy__reference", "first_name", "last_name", "is_lead", "mobile", "email"
            )
        ),
        "properties": sorted(Property.objects.values_list("reference", "patch__code", "kind")),
        "ledger": Transaction.objects.count(),
    }


# Committed as it goes, as seed_demo and a load really run (PostgreSQL will not empty
# tables with foreign key checks still pending in one test transaction).
@pytest.mark.django_db(transaction=True)
@time_machine.travel("2026-11-10 09:00 +00:00", tick=False)
def test_the_demo_council_exported_as_hms_files_loads_back_the_same(tmp_path):
    seed_council(accounts=60, years=1, seed=7, today=TODAY)
    seeded = _council()
    call_command("hms_export_demo", str(tmp_path / "export"))
    reset_data()
    assert not Account.objects.exists()

    call_command("hms_import", str(tmp_path / "export"))

    assert _council() == seeded
    assert Case.objects.count() == Tenancy.objects.count()
    call_command("reconcile_balances")  # exits non-zero if any balance differs from its ledger
    # Loading the same export again changes nothing.
    call_command("hms_import", str(tmp_path / "export"))
    assert _council() == seeded


@time_machine.travel("2026-11-10 01:15 +00:00", tick=False)
def test_the_nightly_task_applies_each_new_nights_set_in_order_and_only_once(tmp_path):
    first = base_council()
    later = edited(first)
    later["transactions.csv"].append(line("X6", "A1", "2026-11-09", "charge", "105.00"))
    write_set(tmp_path / "2026-11-09", first)
    write_set(tmp_path / "2026-11-10", later)

    with override_settings(HMS_IMPORT_DIR=str(tmp_path)):
        done = hms_import_nightly.apply().get()
        again = hms_import_nightly.apply().get()

    assert [d.rsplit("/", 1)[-1] for d in done] == ["2026-11-09", "2026-11-10"]
    assert again == []
    assert Transaction.objects.filter(source_reference="hms:X6").count() == 1
    assert HmsImport.objects.filter(outcome=HmsImport.Outcome.APPLIED).count() == 2


def test_the_nightly_task_does_nothing_without_an_export_folder():
    with override_settings(HMS_IMPORT_DIR=""):
        assert hms_import_nightly() == []
    assert not HmsImport.objects.exists()
