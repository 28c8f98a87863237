"""Loading the housing management system's export: a first load builds the council, a
later set applies only what changed, the same set twice changes nothing, a bad row
applies nothing and is named, and no HMS transaction is ever posted twice."""

from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from arrears.models import Recommendation
from arrears.services import nightly_run
from cases.models import Case, CaseEvent, Patch, Property, Tenancy, Tenant
from cases.timeline import describe
from integrations.hms.sync import FileSetRefused, hms_file_set_import
from integrations.models import HmsAccount, HmsImport, HmsTenant
from payments.models import Account, Transaction
from tests.integrations.hms_files import (
    TODAY,
    account,
    base_council,
    charge,
    edited,
    find,
    line,
    prop,
    tenancy,
    tenant,
    write_set,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-10 01:15 +00:00", tick=False):
        yield


def _load(tmp_path, files, name="night", **kwargs):
    return hms_file_set_import(directory=write_set(tmp_path / name, files), today=TODAY, **kwargs)


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Patch, Property, Tenancy, Case, Tenant, Account, Transaction, CaseEvent)
    }


def _snapshot() -> dict:
    return {
        "counts": _counts(),
        "accounts": list(
            Account.objects.order_by("reference").values_list(
                "reference", "balance", "weekly_charge", "status", "last_payment_on"
            )
        ),
        "tenants": list(Tenant.objects.order_by("pk").values()),
        "tenancies": list(Tenancy.objects.order_by("pk").values()),
    }


def test_a_first_load_builds_the_council_from_the_hms_ids(tmp_path):
    report = _load(tmp_path, base_council())

    assert report.first_load
    assert Patch.objects.get(code="N01").name == "North"
    lees = Tenancy.objects.get(reference="TN1")
    assert lees.tenure == "secure" and lees.period_start_weekday == 0  # ISO 1 is Monday
    case = Case.objects.get(tenancy=lees)
    assert (case.reference, case.patch.code, case.tenure, case.opened_on.isoformat()) == (
        "TN1",
        "N01",
        "secure",
        "2020-04-06",
    )
    khan = Tenancy.objects.get(reference="TN2")
    assert khan.tenure == "introductory" and khan.trial_period_end.isoformat() == "2027-06-01"
    assert [t.first_name for t in lees.tenants.all()] == ["Ann", "Carl"]
    assert lees.tenants.get(is_lead=True).email == "ann@example.com"
    rent = Account.objects.get(reference="10000001")
    assert (rent.case_id, rent.kind, rent.rent_lawfully_due) == (case.pk, "rent", True)
    # The charge in force today, not next April's.
    assert rent.weekly_charge == Decimal("105.00")
    assert rent.balance == Decimal("160.00")
    assert (rent.last_payment_on.isoformat(), rent.last_payment_amount) == (
        "2026-11-04",
        Decimal("50.00"),
    )
    assert Account.objects.get(reference="10000002").balance == Decimal("0.00")
    lines = Transaction.objects.filter(account=rent).order_by("effective_date")
    assert [(t.kind, t.amount, t.source, t.source_reference) for t in lines] == [
        ("charge", Decimal("105.00"), "rent_run", "hms:X1"),
        ("charge", Decimal("105.00"), "rent_run", "hms:X2"),
        ("payment", Decimal("-50.00"), "payment_file", "hms:X3"),
    ]
    assert HmsAccount.objects.get(hms_id="A1").account == rent
    assert HmsTenant.objects.get(hms_id="P3").tenant.last_name == "Khan"
    # A first load is the council arriving, not news on every case's timeline.
    assert not CaseEvent.objects.exists()
    assert HmsImport.objects.get().outcome == HmsImport.Outcome.APPLIED
    assert report.counts["tenancy_new"] == 2 and report.posted.lines == 5


def test_a_later_set_applies_only_what_changed(tmp_path):
    first = base_council()
    _load(tmp_path, first, "night1")
    # An officer corrected Mr Khan's language in the service; his HMS row has not changed.
    Tenant.objects.filter(first_name="Bob").update(language="Urdu")

    later = edited(first)
    find(later["tenants.csv"], "tenant_id", "P1")["mobile"] = "07700 900999"
    later["properties.csv"].append(prop("PR3"))
    later["tenancies.csv"].append(tenancy("TN3", "PR3", start_date="2026-11-02"))
    later["tenants.csv"].append(tenant("P4", "TN3", "Dee", "Ray"))
    later["accounts.csv"].append(account("A3", "TN3", "10000003", opened_on="2026-11-02"))
    later["rent_charges.csv"].append(charge("A3", "2026-11-02", "95.00"))
    later["transactions.csv"] += [
        line("X6", "A3", "2026-11-02", "charge", "95.00"),
        line("X7", "A1", "2026-11-09", "charge", "105.00"),
    ]
    report = _load(tmp_path, later, "night2")

    assert dict(+report.counts) == {
        "property_new": 1,
        "tenancy_new": 1,
        "tenant_new": 1,
        "account_new": 1,
        "tenant_contact_changed": 1,
    }
    assert (report.posted.lines, report.posted.already_posted) == (2, 5)
    assert Tenant.objects.get(first_name="Ann").mobile == "07700 900999"
    assert Tenant.objects.get(first_name="Bob").language == "Urdu"
    assert Account.objects.get(reference="10000001").balance == Decimal("265.00")
    assert Account.objects.get(reference="10000003").balance == Decimal("95.00")
    new_case = Case.objects.get(reference="TN3")
    assert new_case.events.get().verb == "tenancy_loaded"


def test_the_same_set_twice_changes_nothing_the_second_time(tmp_path):
    files = base_council()
    _load(tmp_path, files, "night1")
    before = _snapshot()

    report = _load(tmp_path, files, "night2")

    assert not report.changed
    assert (report.posted.lines, report.posted.already_posted) == (0, 5)
    assert _snapshot() == before
    assert report.lines() == [
        "Transactions already on the ledger, skipped: 5",
    ]


def test_a_dry_run_says_what_would_change_and_writes_nothing(tmp_path):
    _load(tmp_path, base_council(), "night1")
    later = edited(base_council())
    find(later["tenancies.csv"], "tenancy_id", "TN1")["end_date"] = "2026-11-08"
    later["transactions.csv"].append(line("X6", "A1", "2026-11-09", "charge", "15.00"))
    before = _snapshot()

    report = _load(tmp_path, later, "night2", dry_run=True)

    assert _snapshot() == before
    assert report.counts["tenancy_ended"] == 1
    assert "Tenancies ended: 1" in report.lines()
    assert "  TN1 on 2026-11-08" in report.lines()
    assert "Transactions to post: 1, net £15.00" in report.lines()
    assert HmsImport.objects.order_by("-id").first().outcome == HmsImport.Outcome.DRY_RUN


def test_a_bad_row_is_named_by_file_line_and_field_and_nothing_is_applied(tmp_path):
    files = base_council()
    find(files["tenancies.csv"], "tenancy_id", "TN2")["trial_period_end"] = ""
    files["transactions.csv"][3]["amount"] = "110"
    files["transactions.csv"][4]["date"] = "2026-11-31"
    files["tenants.csv"].append(tenant("P9", "TN9", "Nobody", "Here"))

    with pytest.raises(FileSetRefused) as refused:
        _load(tmp_path, files)

    assert [str(p) for p in refused.value.problems.kept] == [
        "tenancies.csv, line 3, trial_period_end: an introductory tenancy needs its trial "
        "period end",
        "tenants.csv, line 5, tenancy_id: tenancy TN9 is in neither tenancies.csv nor the service",
        "transactions.csv, line 5, amount: '110' is not an amount in pounds and pence, like "
        "95.50 or -12.00",
        "transactions.csv, line 6, date: '2026-11-31' is not a date as YYYY-MM-DD",
    ]
    assert set(_counts().values()) == {0}
    assert HmsImport.objects.get().outcome == HmsImport.Outcome.REFUSED


def test_the_command_prints_each_bad_row_and_exits_non_zero(tmp_path, capsys):
    files = base_council()
    files["transactions.csv"][0]["kind"] = "payment"  # a payment of +105.00
    directory = write_set(tmp_path / "night", files)

    with pytest.raises(CommandError, match="1 problem"):
        call_command("hms_import", str(directory))

    assert "transactions.csv, line 2, amount: a payment must be negative" in capsys.readouterr().err
    assert not Account.objects.exists()


def test_a_set_with_a_file_missing_is_refused(tmp_path):
    directory = write_set(tmp_path / "night", base_council())
    (directory / "tenants.csv").unlink()

    with pytest.raises(FileSetRefused, match="incomplete"):
        hms_file_set_import(directory=directory, today=TODAY)

    assert not Property.objects.exists()


def test_an_hms_transaction_already_posted_is_never_posted_again(tmp_path):
    _load(tmp_path, base_council(), "night1")
    # The next night's file repeats the last week's lines alongside the new one.
    later = edited(base_council())
    later["transactions.csv"] = [
        line("X2", "A1", "2026-11-02", "charge", "105.00"),
        line("X3", "A1", "2026-11-04", "payment", "-50.00", method="cash"),
        line("X8", "A1", "2026-11-09", "payment", "-20.00", method="cash"),
    ]

    report = _load(tmp_path, later, "night2")

    assert (report.posted.lines, report.posted.already_posted) == (1, 2)
    assert Transaction.objects.filter(source_reference="hms:X3").count() == 1
    assert Account.objects.get(reference="10000001").balance == Decimal("140.00")


def test_a_transaction_id_given_twice_in_one_file_is_refused(tmp_path):
    files = base_council()
    files["transactions.csv"].append(line("X3", "A1", "2026-11-05", "payment", "-5.00"))

    with pytest.raises(FileSetRefused) as refused:
        _load(tmp_path, files)

    assert [str(p) for p in refused.value.problems.kept] == [
        "transactions.csv, line 7, transaction_id: X3 is given twice (first on line 4)"
    ]
    assert not Transaction.objects.exists()


def test_an_hms_reversal_names_the_line_it_reverses(tmp_path):
    _load(tmp_path, base_council(), "night1")
    later = edited(base_council())
    later["transactions.csv"] = [
        line("X9", "A1", "2026-11-09", "reversal", "50.00", reverses="X3", description="Bounced")
    ]

    _load(tmp_path, later, "night2")

    reversal = Transaction.objects.get(source_reference="hms:X9")
    assert reversal.reverses == Transaction.objects.get(source_reference="hms:X3")
    assert Account.objects.get(reference="10000001").balance == Decimal("210.00")


def test_an_ended_tenancy_is_on_the_timeline_and_puts_the_case_on_the_former_tenant_ladder(
    tmp_path,
):
    _load(tmp_path, base_council(), "night1")
    later = edited(base_council())
    find(later["tenancies.csv"], "tenancy_id", "TN1")["end_date"] = "2026-11-08"

    _load(tmp_path, later, "night2")

    case = Case.objects.get(reference="TN1")
    assert case.tenancy.end_date.isoformat() == "2026-11-08"
    event = case.events.get()
    assert event.verb == "tenancy_ended" and event.actor is None
    assert describe(event.verb, event.payload) == (
        "Tenancy ended on 8 November 2026 (from the housing management system)"
    )
    nightly_run(run_date=TODAY, start_letters=False)
    assert Recommendation.objects.get(case=case).action == "contact_former_tenant"


def test_a_change_of_contact_details_is_on_the_timeline(tmp_path):
    _load(tmp_path, base_council(), "night1")
    later = edited(base_council())
    khan = find(later["tenants.csv"], "tenant_id", "P3")
    khan["email"], khan["preferred_contact"] = "bob@example.com", "email"
    khan["last_name"] = "Khan-Ali"

    report = _load(tmp_path, later, "night2")

    event = Case.objects.get(reference="TN2").events.get()
    assert event.verb == "tenant_contact_changed"
    assert event.payload["changes"] == {
        "email": ["", "bob@example.com"],
        "preferred_contact": [
            "phone",
            "email",
        ],
    }
    assert describe(event.verb, event.payload) == (
        "Contact details of Bob Khan-Ali changed in the housing management system: email, "
        "preferred contact"
    )
    assert report.counts["tenant_changed"] == 1  # the name: recorded, not on the timeline


def test_a_new_lead_tenant_takes_over_from_the_old_one(tmp_path):
    _load(tmp_path, base_council(), "night1")
    later = edited(base_council())
    find(later["tenants.csv"], "tenant_id", "P1").update(is_lead="N", moved_out_on="2026-11-01")
    find(later["tenants.csv"], "tenant_id", "P2")["is_lead"] = "Y"

    _load(tmp_path, later, "night2")

    assert Tenant.objects.get(is_lead=True, tenancy__reference="TN1").first_name == "Carl"
    verbs = set(Case.objects.get(reference="TN1").events.values_list("verb", flat=True))
    assert verbs == {"tenant_moved_out"}


def test_an_account_the_hms_closed_with_a_balance_is_refused(tmp_path):
    _load(tmp_path, base_council(), "night1")
    later = edited(base_council())
    find(later["accounts.csv"], "account_id", "A1")["closed_on"] = "2026-11-09"

    with pytest.raises(FileSetRefused, match="1 problem"):
        _load(tmp_path, later, "night2")
    assert Account.objects.get(reference="10000001").status == "open"

    later["transactions.csv"].append(line("X9", "A1", "2026-11-09", "adjustment", "-160.00"))
    report = _load(tmp_path, later, "night3")

    closed = Account.objects.get(reference="10000001")
    assert (closed.status, closed.balance, closed.closed_on.isoformat()) == (
        "closed",
        Decimal("0.00"),
        "2026-11-09",
    )
    assert report.counts["account_closed"] == 1


def test_a_new_record_may_not_take_over_one_the_service_made_itself(tmp_path):
    from tests.factories import PropertyFactory

    PropertyFactory(reference="PR1")

    with pytest.raises(FileSetRefused) as refused:
        _load(tmp_path, base_council())

    assert str(refused.value.problems.kept[0]) == (
        "properties.csv, line 2, property_id: the service already has a property PR1 that was "
        "not loaded from the HMS"
    )


def test_a_new_weekly_charge_applies_from_its_date(tmp_path):
    _load(tmp_path, base_council(), "night1")
    later = edited(base_council())
    later["rent_charges.csv"].append(charge("A2", "2026-11-09", "112.50"))

    report = _load(tmp_path, later, "night2")

    assert Account.objects.get(reference="10000002").weekly_charge == Decimal("112.50")
    assert Account.objects.get(reference="10000001").weekly_charge == Decimal("105.00")
    assert report.counts["charge_changed"] == 1
    assert "  A2: £112.50 a week" in report.lines()


def test_a_property_moved_to_another_patch_takes_its_open_case_with_it(tmp_path):
    _load(tmp_path, base_council(), "night1")
    later = edited(base_council())
    find(later["properties.csv"], "property_id", "PR1").update(patch_code="S02", patch_name="South")

    report = _load(tmp_path, later, "night2")

    case = Case.objects.get(reference="TN1")
    assert case.patch.code == "S02" and Patch.objects.get(code="S02").name == "South"
    event = case.events.get()
    assert describe(event.verb, event.payload) == (
        "Case moved from patch N01 to S02 with its property (housing management system)"
    )
    assert (report.counts["patch_new"], report.counts["property_changed"]) == (1, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_large_transactions_file_is_read_in_a_second_process_with_the_same_result(
    tmp_path, monkeypatch
):
    from integrations.hms import child

    monkeypatch.setattr(child, "CHILD_ABOVE_BYTES", 0)
    report = _load(tmp_path, base_council(), "night1")

    assert report.posted.lines == 5
    rent = Account.objects.get(reference="10000001")
    assert (rent.balance, rent.last_payment_on.isoformat(), rent.last_payment_amount) == (
        Decimal("160.00"),
        "2026-11-04",
        Decimal("50.00"),
    )
    bad = edited(base_council())
    bad["transactions.csv"].append(line("X6", "A1", "2026-11-09", "charge", "-5.00"))
    with pytest.raises(FileSetRefused) as refused:
        _load(tmp_path, bad, "night2")
    assert str(refused.value.problems.kept[0]) == (
        "transactions.csv, line 7, amount: a charge must be positive (what is owed)"
    )


# A first load large enough for the reading child goes straight onto the empty ledger by
# COPY (integrations/hms/sync.py `_first_load`); these hold it to the staged path's rules.


@pytest.fixture
def straight_onto_ledger(monkeypatch):
    from integrations.hms import child

    monkeypatch.setattr(child, "CHILD_ABOVE_BYTES", 0)


def _ledger_indexes() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'payments_transaction'")
        return {row[0] for row in cursor.fetchall()}


def _ledger() -> list[tuple]:
    return list(
        Transaction.objects.order_by("source_reference").values_list(
            "account__reference",
            "kind",
            "effective_date",
            "amount",
            "source",
            "source_reference",
            "reverses__source_reference",
        )
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_first_load_straight_onto_the_ledger_posts_what_the_staged_path_posts(
    tmp_path, monkeypatch
):
    from integrations.hms import child

    files = base_council()
    files["transactions.csv"].append(
        line("X9", "A1", "2026-11-09", "reversal", "50.00", reverses="X3", description="Bounced")
    )
    monkeypatch.setattr(child, "CHILD_ABOVE_BYTES", 0)
    straight = _load(tmp_path, files, "straight")
    assert straight.straight_onto_ledger
    ledger, balances = _ledger(), _snapshot()["accounts"]
    indexes = _ledger_indexes()
    call_command("flush", interactive=False, verbosity=0)

    monkeypatch.setattr(child, "CHILD_ABOVE_BYTES", 10**12)
    staged = _load(tmp_path, files, "staged")

    assert not staged.straight_onto_ledger
    assert (straight.posted.lines, straight.posted.total) == (
        staged.posted.lines,
        staged.posted.total,
    )
    assert ledger == _ledger() and balances == _snapshot()["accounts"]
    assert ("hms:X9", "hms:X3") in {(r[5], r[6]) for r in ledger}
    assert indexes == _ledger_indexes()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_bad_line_in_a_first_load_straight_onto_the_ledger_applies_nothing(
    tmp_path, straight_onto_ledger
):
    indexes = _ledger_indexes()
    files = base_council()
    files["transactions.csv"].append(line("X6", "A1", "2026-11-09", "charge", "-5.00"))

    with pytest.raises(FileSetRefused) as refused:
        _load(tmp_path, files)

    assert [str(p) for p in refused.value.problems.kept] == [
        "transactions.csv, line 7, amount: a charge must be positive (what is owed)"
    ]
    assert _counts() == dict.fromkeys(_counts(), 0)
    assert _ledger_indexes() == indexes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_transaction_id_given_twice_in_a_first_load_straight_onto_the_ledger_is_refused(
    tmp_path, straight_onto_ledger
):
    files = base_council()
    files["transactions.csv"].append(line("X3", "A1", "2026-11-05", "payment", "-5.00"))
    files["transactions.csv"].append(
        line("X1", "A1", "2026-11-09", "reversal", "5.00", reverses="X3", description="Bounced")
    )

    with pytest.raises(FileSetRefused) as refused:
        _load(tmp_path, files)

    assert [str(p) for p in refused.value.problems.kept] == [
        "transactions.csv, line 8, transaction_id: X1 is given twice (first on line 2)",
        "transactions.csv, line 7, transaction_id: X3 is given twice (first on line 4)",
    ]
    assert not Transaction.objects.exists() and not Account.objects.exists()
