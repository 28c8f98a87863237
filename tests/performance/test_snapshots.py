"""Daily snapshots per patch: the nightly run writes them, a rebuild from the ledger agrees."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from arrears.services import nightly_run
from payments.models import PaymentMethod
from payments.services import charge_post, payment_post, reversal_post
from performance import figures
from performance.models import PatchSnapshot
from performance.snapshots import snapshots_rebuild, snapshots_take
from tests.factories import PatchFactory

from .conftest import LONDON, TODAY, _rent, build_council

pytestmark = pytest.mark.django_db
D = Decimal
FIELDS = ("current_arrears", "accounts_owing", "former_arrears", "collected_ytd", "due_ytd")


def _rows(day: date) -> dict[str, tuple]:
    return {
        s.patch.code: tuple(getattr(s, f) for f in FIELDS)
        for s in PatchSnapshot.objects.filter(day=day).select_related("patch")
    }


def _at(day: date, hour: int = 2):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, tzinfo=LONDON), tick=False
    )


def test_a_snapshot_holds_each_patchs_arrears_and_collection_for_the_year_to_date(council, team):
    snapshots_take(day=TODAY)
    assert _rows(TODAY) == {
        # A1 owes £180 (A2's credit counts as nothing); A3 ended owing £100; collected
        # A1 £220 + A2 £80 of A1 £300 + A2 £50 + A3 £100 due this year.
        "A01": (D("180.00"), 1, D("100.00"), D("300.00"), D("450.00")),
        # B1 owes £200 (its garage is not rent); B2's former tenancy arrears £60 less £20.
        "B01": (D("200.00"), 1, D("40.00"), D("0.00"), D("200.00")),
    }


def test_the_snapshot_agrees_with_the_dashboard_figures_for_the_same_day(council, team):
    snapshots_take(day=TODAY)
    collected = figures.rent_collected(today=TODAY, by="patch")
    current = figures.current_tenant_arrears(today=TODAY, by="patch")
    former = figures.former_tenant_arrears(today=TODAY, by="patch")
    for snapshot in PatchSnapshot.objects.filter(day=TODAY):
        key = snapshot.patch_id
        assert (snapshot.collected_ytd, snapshot.due_ytd) == (
            collected[key].numerator,
            collected[key].denominator,
        )
        assert snapshot.current_arrears == current[key].numerator
        assert snapshot.former_arrears == former[key].numerator


def test_the_nightly_run_writes_one_snapshot_per_patch_as_its_last_step(team):
    empty = PatchFactory(code="C01", name="No cases yet")
    with _at(TODAY, hour=9):
        build_council(team)
    with _at(TODAY):
        run = nightly_run(run_date=TODAY, start_letters=False)
    assert run.counts["snapshots"] == 3
    assert set(_rows(TODAY)) == {"A01", "B01", "C01"}
    assert PatchSnapshot.objects.get(patch=empty, day=TODAY).collected_ytd == D("0.00")
    assert set(PatchSnapshot.objects.values_list("source", flat=True)) == {"run"}


def test_snapshots_are_one_insert_for_every_patch_not_a_query_per_patch(council, team):
    with CaptureQueriesContext(connection) as few:
        snapshots_take(day=TODAY)
    PatchFactory.create_batch(20)
    with CaptureQueriesContext(connection) as many:
        snapshots_take(day=TODAY + timedelta(days=1))
    assert len(many) == len(few)
    inserts = [
        q for q in many.captured_queries if "INSERT INTO performance_patchsnapshot" in q["sql"]
    ]
    assert len(inserts) == 1
    # Nothing was dated after the day before: only the lines posted since are read.
    assert "new_lines" in inserts[0]["sql"]
    assert PatchSnapshot.objects.filter(day=TODAY + timedelta(days=1)).count() == 22


_refs = iter(range(1, 1000))


def _pay_on(account, amount: str, day: date, *, posted_on: date | None = None):
    return payment_post(
        account=account,
        amount=D(amount),
        effective_date=day,
        method=PaymentMethod.CASH,
        source="payment_file",
        source_reference=f"SNAP-P{next(_refs)}",
        today=posted_on or day,
    )


def _charge_on(account, amount: str, day: date) -> None:
    charge_post(
        account=account,
        amount=D(amount),
        effective_date=day,
        source_reference=f"SNAP-C{next(_refs)}",
        description="Rent",
        today=day,
    )


def _week_of_runs(team, start: date) -> list[date]:
    """A run each night for a week, with the day's money posted before it, and a Direct
    Debit collection posted three days ahead of its date (as the Bacs file is)."""
    a1, b1 = team.council.a1, team.council.b1
    days = [start + timedelta(days=n) for n in range(7)]
    bounced = None
    for n, day in enumerate(days):
        with _at(day, hour=1):
            if n % 2 == 0:
                paid = _pay_on(_rent(a1), f"{10 + n}.00", day)
                bounced = bounced or paid
            if n == 3:
                reversal_post(original=bounced, reason="Bounced", today=day, actor=None)
            if day.weekday() == 0:
                _charge_on(_rent(b1), "200.00", day)
            if n == 1:
                # A collection dated two days on, posted now: counted on its own date.
                _ahead = day + timedelta(days=2)
                payment_post(
                    account=_rent(b1),
                    amount=D("75.00"),
                    effective_date=_ahead,
                    method=PaymentMethod.DIRECT_DEBIT,
                    source="direct_debit",
                    source_reference="DD-AHEAD-1",
                    today=_ahead,
                )
        with _at(day):
            nightly_run(run_date=day, start_letters=False)
    return days


@pytest.fixture
def week(team):
    with _at(TODAY, hour=9):
        team.council = build_council(team)
    return _week_of_runs(team, TODAY + timedelta(days=1))


def test_snapshots_rebuilt_from_the_ledger_equal_those_the_run_wrote(week):
    written = {day: _rows(day) for day in week}
    # The £10 of the first day was reversed on the fourth.
    assert written[week[-1]]["A01"][3] == D("300.00") + D("12") + D("14") + D("16")
    assert written[week[2]]["A01"][3] == D("300.00") + D("10") + D("12")
    assert written[week[-1]]["B01"][3] == D("75.00")
    assert written[week[1]]["B01"][3] == D("0.00")  # the collection is dated the day after next
    with _at(week[-1], hour=9):
        call_command("rebuild_snapshots", "--from", str(week[0]), "--to", str(week[-1]))
    assert {day: _rows(day) for day in week} == written
    assert set(PatchSnapshot.objects.filter(day__in=week).values_list("source", flat=True)) == {
        "rebuild"
    }


def test_a_late_payment_for_an_earlier_day_counts_next_run_and_that_day_keeps_what_it_showed(
    week, team
):
    last = week[-1]
    before = _rows(last)
    earlier = week[2]
    earlier_as_run = _rows(earlier)
    with _at(last, hour=10):
        _pay_on(_rent(team.council.a1), "40.00", earlier, posted_on=last)
    next_day = last + timedelta(days=1)
    with _at(next_day):
        nightly_run(run_date=next_day, start_letters=False)
    assert _rows(next_day)["A01"][3] == before["A01"][3] + D("40.00")
    shown_then = _rows(earlier)
    assert shown_then == earlier_as_run
    # Rebuilding the earlier day from today's ledger includes the late payment.
    with _at(next_day, hour=9):
        snapshots_rebuild(start=earlier, end=earlier, today=next_day)
    assert _rows(earlier)["A01"][3] == shown_then["A01"][3] + D("40.00")
    assert _rows(earlier)["A01"][0] == shown_then["A01"][0] - D("40.00")


def test_rebuild_refuses_a_range_backwards_or_in_the_future_and_writes_nothing(council):
    with pytest.raises(CommandError, match="is after the last"):
        call_command("rebuild_snapshots", "--from", "2026-11-20", "--to", "2026-11-13")
    with pytest.raises(CommandError, match="after today"):
        call_command("rebuild_snapshots", "--from", "2026-11-20", "--to", "2026-11-24")
    with pytest.raises(CommandError, match="not a date"):
        call_command("rebuild_snapshots", "--from", "20/11/2026", "--to", "2026-11-21")
    assert not PatchSnapshot.objects.exists()


def test_a_new_financial_year_counts_collection_from_1_april_again(team):
    with time_machine.travel(datetime(2027, 3, 31, 9, tzinfo=LONDON), tick=False):
        build_council(team)
        snapshots_take(day=date(2027, 3, 31))
    april = date(2027, 4, 1)
    with time_machine.travel(datetime(2027, 4, 1, 9, tzinfo=LONDON), tick=False):
        snapshots_take(day=april)
    assert _rows(april)["A01"][3:] == (D("0.00"), D("0.00"))
    assert _rows(date(2027, 3, 31))["A01"][3] > 0
