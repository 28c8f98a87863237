"""Payment and benefit files: all or nothing, never twice, totals kept, suspense never lost."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import Hold, Referral
from cases.services.support import referral_make
from payments.imports import services as import_services
from payments.imports.formats import file_formats
from payments.imports.selectors import suspense_items_open
from payments.imports.services import FileRefused, payment_file_import
from payments.models import (
    Account,
    ImportLine,
    PaymentImport,
    SuspenseItem,
    Transaction,
    TransactionKind,
    TransactionSource,
)
from payments.selectors import accounts_out_of_balance
from payments.services import payment_post
from tests.arrears.conftest import eager_tasks  # noqa: F401  (fixture)
from tests.factories import AccountFactory, CaseFactory, TenancyFactory, UserFactory

TODAY = date(2026, 11, 23)
FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts() -> dict[str, Account]:
    tenancy = TenancyFactory(reference="TY-REF-9")
    return {
        "one": AccountFactory(reference="1000000001"),
        "two": AccountFactory(reference="1000000002"),
        "by_tenancy": AccountFactory(reference="1000000003", case=CaseFactory(tenancy=tenancy)),
        "closed": AccountFactory(reference="1000000009", status=Account.Status.CLOSED),
    }


def _import(name: str, fmt: str, **kwargs):
    return payment_file_import(
        content=(FIXTURES / name).read_bytes(),
        filename=name,
        format_name=fmt,
        today=TODAY,
        **kwargs,
    )


def _ledger_count() -> int:
    return Transaction.objects.count()


def test_every_shipped_layout_loads_as_data():
    assert set(file_formats()) >= {
        "hackney_cash",
        "channel_csv",
        "housing_benefit",
        "universal_credit",
    }


def test_good_cash_file_posts_exactly_its_lines_and_keeps_totals(accounts):
    result = _import("cash_good.txt", "hackney_cash")

    record = result.payment_import
    assert (record.line_count, record.total) == (4, Decimal("87.84"))
    assert (record.matched_count, record.matched_total) == (3, Decimal("75.50"))
    assert (record.suspense_count, record.suspense_total) == (1, Decimal("12.34"))
    assert record.control_total == Decimal("87.84")
    assert record.per_method["cash"] == {"count": 2, "total": "37.34"}
    lines = Transaction.objects.filter(source=TransactionSource.PAYMENT_FILE)
    assert lines.count() == 3
    one = Account.objects.get(reference="1000000001")
    assert one.balance == Decimal("-35.00")
    assert (one.last_payment_on, one.last_payment_amount) == (date(2026, 11, 18), Decimal("10.00"))
    two = Account.objects.get(reference="1000000002")
    assert (two.balance, two.last_payment_amount) == (Decimal("-40.50"), Decimal("40.50"))
    assert not accounts_out_of_balance().exists()


def test_good_cash_file_line_matching_no_account_goes_to_suspense_with_file_and_line(accounts):
    _import("cash_good.txt", "hackney_cash")

    [item] = suspense_items_open()
    assert item.amount == Decimal("12.34")
    assert item.line.line_number == 4
    assert item.line.account_reference == "9999999999"
    assert item.line.payment_import.filename == "cash_good.txt"


def test_last_payment_is_not_moved_back_by_an_older_file_line(accounts):
    payment_post(
        account=accounts["one"],
        amount=Decimal("7.00"),
        effective_date=date(2026, 11, 20),
        method="cash",
        source=TransactionSource.TELEPHONE,
        source_reference="T-1",
        today=TODAY,
    )
    _import("cash_good.txt", "hackney_cash")

    one = Account.objects.get(reference="1000000001")
    assert (one.last_payment_on, one.last_payment_amount) == (date(2026, 11, 20), Decimal("7.00"))
    assert not accounts_out_of_balance().exists()


def test_cash_file_with_bad_lines_names_each_and_posts_nothing(accounts):
    with pytest.raises(FileRefused) as refused:
        _import("cash_bad_lines.txt", "hackney_cash")

    named = {(p.line_number, p.field) for p in refused.value.problems}
    assert named == {(1, "amount"), (2, "method"), (3, "date")}
    assert _ledger_count() == 0
    assert not PaymentImport.objects.exists()
    assert not ImportLine.objects.exists()


def test_cash_file_whose_trailer_control_total_differs_is_refused(accounts):
    with pytest.raises(FileRefused) as refused:
        _import("cash_bad_control.txt", "hackney_cash")

    [problem] = refused.value.problems
    assert (problem.line_number, problem.field) == (3, "control total")
    assert _ledger_count() == 0


def test_cash_file_without_its_trailer_is_refused(accounts, tmp_path):
    text = (FIXTURES / "cash_good.txt").read_text().splitlines()[:-1]
    with pytest.raises(FileRefused) as refused:
        payment_file_import(
            content="\n".join(text).encode(), filename="x", format_name="hackney_cash", today=TODAY
        )
    assert [p.field for p in refused.value.problems] == ["trailer"]


def test_a_file_already_imported_is_refused_and_posts_nothing_more(accounts):
    _import("cash_good.txt", "hackney_cash")
    before = _ledger_count()

    with pytest.raises(FileRefused, match="already imported"):
        _import("cash_good.txt", "hackney_cash")
    assert _ledger_count() == before
    assert PaymentImport.objects.count() == 1


def test_a_crash_while_posting_leaves_nothing_and_the_re_import_posts_once(accounts, monkeypatch):
    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(import_services, "_balances_update", crash)
    with pytest.raises(RuntimeError):
        _import("cash_good.txt", "hackney_cash")
    assert _ledger_count() == 0 and not PaymentImport.objects.exists()

    monkeypatch.undo()
    _import("cash_good.txt", "hackney_cash")
    assert _ledger_count() == 3
    assert not accounts_out_of_balance().exists()


def test_a_line_already_on_the_ledger_is_skipped_not_posted_twice(accounts):
    # As if an earlier, interrupted run had committed line 1 without its import record.
    checksum = import_services.file_checksum((FIXTURES / "cash_good.txt").read_bytes())
    fmt = file_formats()["hackney_cash"]
    payment_post(
        account=accounts["one"],
        amount=Decimal("25.00"),
        effective_date=date(2026, 11, 16),
        method="cash",
        source=TransactionSource.PAYMENT_FILE,
        today=TODAY,
        source_reference=import_services.line_source_reference(
            fmt=fmt, checksum=checksum, line_number=1
        ),
    )
    result = _import("cash_good.txt", "hackney_cash")

    assert result.payment_import.already_posted_count == 1
    assert Transaction.objects.filter(source=TransactionSource.PAYMENT_FILE).count() == 3
    assert Account.objects.get(reference="1000000001").balance == Decimal("-35.00")
    assert not accounts_out_of_balance().exists()


def test_dry_run_totals_the_file_and_posts_nothing(accounts):
    result = _import("cash_good.txt", "hackney_cash", dry_run=True)

    assert result.payment_import is None
    assert (result.totals.lines, result.totals.suspense) == (4, 1)
    assert _ledger_count() == 0 and not PaymentImport.objects.exists()


def test_channel_csv_matches_by_tenancy_reference_and_sends_a_closed_account_to_suspense(accounts):
    result = _import("channel_good.csv", "channel_csv")

    assert (result.totals.matched, result.totals.suspense) == (2, 1)
    assert Account.objects.get(reference="1000000003").balance == Decimal("-20.00")
    assert Account.objects.get(reference="1000000009").balance == Decimal("0.00")
    assert SuspenseItem.objects.get().amount == Decimal("5.00")
    assert not accounts_out_of_balance().exists()


def test_channel_csv_with_bad_lines_names_each_and_posts_nothing(accounts):
    with pytest.raises(FileRefused) as refused:
        _import("channel_bad.csv", "channel_csv")

    named = {(p.line_number, p.field) for p in refused.value.problems}
    assert named == {(2, "amount"), (3, "receipt_date"), (4, "line")}
    assert _ledger_count() == 0


def test_housing_benefit_schedule_posts_net_of_adjustments_as_housing_benefit(accounts):
    result = _import("hb_good.csv", "housing_benefit")

    assert result.payment_import.control_total == Decimal("160.00")
    two = Transaction.objects.get(account__reference="1000000002")
    assert (two.kind, two.amount) == (TransactionKind.HOUSING_BENEFIT, Decimal("-80.00"))
    assert two.effective_date == date(2026, 11, 15)
    assert two.source == TransactionSource.BENEFIT_SCHEDULE
    assert not accounts_out_of_balance().exists()


def test_housing_benefit_schedule_with_bad_lines_posts_nothing(accounts):
    with pytest.raises(FileRefused) as refused:
        _import("hb_bad.csv", "housing_benefit")

    named = {(p.line_number, p.field) for p in refused.value.problems}
    assert named == {(2, "period_to"), (3, "amount")}
    assert _ledger_count() == 0


def test_universal_credit_schedule_reads_pence_and_posts_on_the_periods_last_day(accounts):
    result = _import("uc_good.csv", "universal_credit")

    line = Transaction.objects.get(account__reference="1000000001")
    assert (line.kind, line.amount) == (TransactionKind.UNIVERSAL_CREDIT, Decimal("-450.00"))
    assert (line.effective_date, line.source) == (date(2026, 10, 31), TransactionSource.DWP)
    assert result.totals.suspense_total == Decimal("300.50")


def test_universal_credit_schedule_with_bad_lines_posts_nothing(accounts):
    with pytest.raises(FileRefused) as refused:
        _import("uc_bad.csv", "universal_credit")

    named = {(p.line_number, p.field) for p in refused.value.problems}
    assert named == {(2, "amount"), (3, "period")}
    assert _ledger_count() == 0


def test_unknown_format_is_refused():
    with pytest.raises(Exception, match="no file format called"):
        payment_file_import(content=b"x", filename="x", format_name="nope", today=TODAY)


@time_machine.travel(date(2026, 11, 23), tick=False)
def test_command_prints_totals_and_posts(accounts, capsys):
    call_command("import_payments", str(FIXTURES / "cash_good.txt"), "--format", "hackney_cash")

    out = capsys.readouterr().out
    assert "Lines: 4, totalling £87.84" in out
    assert "To suspense: 1 (£12.34)" in out
    assert PaymentImport.objects.count() == 1


@time_machine.travel(date(2026, 11, 23), tick=False)
def test_command_dry_run_posts_nothing(accounts, capsys):
    call_command(
        "import_payments", str(FIXTURES / "cash_good.txt"), "--format", "hackney_cash", "--dry-run"
    )
    assert "Dry run" in capsys.readouterr().out
    assert _ledger_count() == 0


@time_machine.travel(date(2026, 11, 23), tick=False)
def test_command_exits_non_zero_naming_the_bad_line(accounts, capsys):
    with pytest.raises(CommandError, match="refused"):
        call_command(
            "import_payments", str(FIXTURES / "cash_bad_lines.txt"), "--format", "hackney_cash"
        )
    assert "Line 2, method" in capsys.readouterr().err


@pytest.mark.usefixtures("eager_tasks")
def test_celery_task_imports_one_file(accounts):
    from payments.tasks import import_payment_file

    with time_machine.travel(date(2026, 11, 23), tick=False):
        import_id = import_payment_file.delay(str(FIXTURES / "hb_good.csv"), "housing_benefit").get(
            timeout=30
        )
    assert PaymentImport.objects.get(pk=import_id).line_count == 2


def test_suspense_list_is_oldest_first_in_a_fixed_number_of_queries(
    accounts, django_assert_num_queries
):
    _import("uc_good.csv", "universal_credit")
    _import("cash_good.txt", "hackney_cash")

    with django_assert_num_queries(1):
        items = [(i.received_on, i.line.payment_import.filename) for i in suspense_items_open()]
    assert items == [(date(2026, 10, 31), "uc_good.csv"), (date(2026, 11, 18), "cash_good.txt")]


def test_a_universal_credit_line_clears_the_pending_managed_payment_hold_on_the_case():

    account = AccountFactory(reference="1000000001")
    officer = UserFactory()
    referral = referral_make(
        case=account.case,
        actor=officer,
        kind=Referral.Kind.MANAGED_PAYMENT,
        referred_to="DWP landlord portal",
        notes="",
        today=date(2026, 10, 1),
    )
    other = AccountFactory(reference="1000000002")
    still_pending = referral_make(
        case=other.case,
        actor=officer,
        kind=Referral.Kind.MANAGED_PAYMENT,
        referred_to="DWP landlord portal",
        notes="",
        today=date(2026, 10, 1),
    )

    _import("uc_good.csv", "universal_credit")

    referral.refresh_from_db()
    assert (referral.outcome, referral.outcome_on) == (Referral.Outcome.APPROVED, TODAY)
    assert "uc_good.csv, line 2 (settlement UC-SET-1)" in referral.outcome_notes
    hold = Hold.objects.get(pk=referral.hold_id)
    assert hold.ended_on == TODAY and not hold.is_active_on(TODAY)
    # The second line went to suspense, so the other case's request is still pending.
    assert Referral.objects.get(pk=still_pending.pk).outcome == Referral.Outcome.PENDING
    assert Hold.objects.get(pk=still_pending.hold_id).is_active_on(TODAY)


def test_a_cash_payment_does_not_clear_a_pending_managed_payment_hold(accounts):

    referral = referral_make(
        case=accounts["one"].case,
        actor=UserFactory(),
        kind=Referral.Kind.MANAGED_PAYMENT,
        referred_to="DWP landlord portal",
        notes="",
        today=date(2026, 10, 1),
    )

    _import("cash_good.txt", "hackney_cash")

    assert Referral.objects.get(pk=referral.pk).outcome == Referral.Outcome.PENDING
