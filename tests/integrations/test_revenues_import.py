"""Council Tax and HB overpayment debts from the revenues system: a documented CSV keyed
by the revenues references, checked whole first (a bad row named by line and field,
nothing applied), the same file twice changing nothing, and a late file never putting
back an older balance."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from integrations.revenues.models import RevenuesDebt, RevenuesImport
from integrations.revenues.services import RevenuesFileRefused, revenues_import
from tests.casework.conftest import TODAY, make_case

pytestmark = pytest.mark.django_db

HEADER = (
    "debt_reference,debt_type,tenancy_reference,debtor_name,balance,balance_date,"
    "recovery_stage,instalment,instalment_frequency\n"
)


@pytest.fixture
def tenancies(team):
    return [make_case(team.patch_a).tenancy for _ in range(2)]


def _file(tmp_path, body: str, name="revenues.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body)
    return path


def _good_body(tenancies) -> str:
    a, b = tenancies
    return (
        f"CT1001,CTAX,{a.reference},Jane Smith,1432.50,2026-11-20,Liability order,50.00,monthly\n"
        f"HB2002,HBOP,{a.reference},Jane Smith,310.00,20/11/2026,,,\n"
        f"CT1003,CTAX,{b.reference},Omar Baker,-12.00,2026-11-20,,,\n"
    )


def test_a_first_file_creates_each_debt_on_its_tenancy(tmp_path, tenancies):
    result = revenues_import(path=_file(tmp_path, _good_body(tenancies)), today=TODAY)

    assert result.counts == {"rows": 3, "new": 3, "updated": 0, "unchanged": 0, "older": 0}
    ct = RevenuesDebt.objects.get(reference="CT1001")
    assert (ct.kind, ct.tenancy, ct.balance, ct.balance_on) == (
        "council_tax",
        tenancies[0],
        Decimal("1432.50"),
        date(2026, 11, 20),
    )
    assert (ct.recovery_stage, ct.instalment, ct.instalment_frequency) == (
        "Liability order",
        Decimal("50.00"),
        "monthly",
    )
    assert RevenuesDebt.objects.get(reference="HB2002").kind == "hb_overpayment"
    assert RevenuesDebt.objects.get(reference="CT1003").balance == Decimal("-12.00")
    assert RevenuesImport.objects.get().counts["new"] == 3


def test_the_same_file_twice_changes_nothing(tmp_path, tenancies):
    path = _file(tmp_path, _good_body(tenancies))
    revenues_import(path=path, today=TODAY)
    before = list(RevenuesDebt.objects.values().order_by("reference"))

    again = revenues_import(path=path, today=TODAY)

    assert again.already_imported is not None
    assert list(RevenuesDebt.objects.values().order_by("reference")) == before
    assert RevenuesImport.objects.count() == 1


def test_a_later_file_updates_by_revenues_reference_and_counts_the_unchanged(tmp_path, tenancies):
    a, _ = tenancies
    revenues_import(path=_file(tmp_path, _good_body(tenancies)), today=TODAY)
    later = _file(
        tmp_path,
        f"CT1001,CTAX,{a.reference},Jane Smith,1382.50,2026-11-23,Liability order,50.00,monthly\n"
        f"HB2002,HBOP,{a.reference},Jane Smith,310.00,20/11/2026,,,\n",
        name="later.csv",
    )

    result = revenues_import(path=later, today=TODAY)

    assert (result.updated, result.unchanged) == (["CT1001"], 1)
    assert RevenuesDebt.objects.get(reference="CT1001").balance == Decimal("1382.50")
    assert RevenuesDebt.objects.count() == 3


def test_a_row_older_than_the_balance_held_is_left_alone(tmp_path, tenancies):
    a, _ = tenancies
    revenues_import(path=_file(tmp_path, _good_body(tenancies)), today=TODAY)
    late = _file(
        tmp_path, f"CT1001,CTAX,{a.reference},Jane Smith,2000.00,2026-11-01,,,\n", name="late.csv"
    )

    result = revenues_import(path=late, today=TODAY)

    assert result.older == ["CT1001"]
    assert RevenuesDebt.objects.get(reference="CT1001").balance == Decimal("1432.50")


def test_a_bad_file_names_each_problem_by_line_and_field_and_applies_nothing(tmp_path, tenancies):
    a, b = tenancies
    body = (
        f"CT1001,CTAX,{a.reference},Jane Smith,1432.50,2026-11-20,,,\n"  # fine on its own
        f"CT1002,RATES,{a.reference},Jane Smith,12.3x,2026-11-20,,,\n"
        f"CT1003,CTAX,NO-SUCH-TENANCY,Omar Baker,10.00,2026-11-20,,,\n"
        f"CT1004,CTAX,{b.reference},,10.00,2027-01-01,,,\n"
        f"CT1001,CTAX,{b.reference},Omar Baker,10.00,2026-11-20,,25.00,\n"
    )

    with pytest.raises(RevenuesFileRefused) as refused:
        revenues_import(path=_file(tmp_path, body), today=TODAY)

    assert [str(p) for p in refused.value.problems] == [
        "Line 3, debt_type: 'RATES' is not CTAX or HBOP",
        "Line 3, balance: '12.3x' is not an amount of money in pounds",
        "Line 4, tenancy_reference: no tenancy has the reference NO-SUCH-TENANCY",
        "Line 5, debtor_name: is empty",
        "Line 5, balance_date: 1 January 2027 is in the future",
        "Line 6, instalment_frequency: must be one of fortnightly, four_weekly, monthly, weekly",
        "Line 6, debt_reference: CT1001 is also on line 2",
    ]
    assert not RevenuesDebt.objects.exists()
    assert not RevenuesImport.objects.exists()


def test_a_file_without_a_required_column_is_refused_at_the_header(tmp_path, tenancies):
    path = tmp_path / "short.csv"
    path.write_text("debt_reference,debt_type,balance\nCT1,CTAX,10.00\n")

    with pytest.raises(RevenuesFileRefused) as refused:
        revenues_import(path=path, today=TODAY)

    assert str(refused.value.problems[0]) == (
        "Line 1, header: missing column tenancy_reference, debtor_name, balance_date"
    )


def test_the_command_prints_the_problems_and_exits_non_zero(tmp_path, tenancies, capsys):
    path = _file(tmp_path, f"CT1,CTAX,{tenancies[0].reference},Jane Smith,abc,2026-11-20,,,\n")

    with pytest.raises(CommandError, match="1 problem"):
        call_command("revenues_import", str(path))

    assert "Line 2, balance: 'abc' is not an amount of money in pounds" in capsys.readouterr().err
    assert not RevenuesDebt.objects.exists()


def test_a_dry_run_says_what_would_change_and_writes_nothing(tmp_path, tenancies, capsys, today):
    call_command("revenues_import", str(_file(tmp_path, _good_body(tenancies))), "--dry-run")

    assert "3 new" in capsys.readouterr().out
    assert not RevenuesDebt.objects.exists()
    assert not RevenuesImport.objects.exists()


def test_the_nightly_task_loads_each_new_file_in_the_folder_and_skips_a_refused_one(
    tmp_path, tenancies, settings, today
):
    from integrations.revenues.tasks import revenues_import_folder

    settings.REVENUES_IMPORT_DIR = tmp_path
    _file(tmp_path, _good_body(tenancies), name="2026-11-20.csv")
    _file(tmp_path, f"CT9,CTAX,{tenancies[0].reference},X,oops,2026-11-21,,,\n", name="bad.csv")

    first = revenues_import_folder.apply().get()
    again = revenues_import_folder.apply().get()

    assert first == {
        "2026-11-20.csv": "rows 3, new 3, updated 0, unchanged 0, older 0",
        "bad.csv": "refused: 1 problem(s)",
    }
    assert again["2026-11-20.csv"] == "already imported"
    assert RevenuesDebt.objects.count() == 3 and not RevenuesDebt.objects.filter(reference="CT9")
    assert "integrations-revenues-import" in settings.CELERY_BEAT_SCHEDULE
