"""Each figure against the small council worked by hand in conftest.py."""

from datetime import date
from decimal import Decimal

import pytest

from performance import figures
from performance.figures import Scope
from performance.models import PatchSnapshot

from .conftest import TODAY, _charge, _pay

pytestmark = pytest.mark.django_db
D = Decimal


def test_rent_collected_is_money_received_over_rent_due_this_year_excluding_arrears_brought_forward(
    council,
):
    # A1 £220 (the bounced £50 reversed) + A2 £80 UC, over A1 £300 + A2 £50 + A3 £100 +
    # B1 £200; A1's March charge is last year's, the garage's £10 not rent.
    result = council_of(figures.rent_collected(today=TODAY))
    assert (result.numerator, result.denominator) == (D("300"), D("650"))
    assert result.percent == D("46.15")


def test_rent_collected_by_patch_and_by_officer(council, team):
    by_patch = figures.rent_collected(today=TODAY, by="patch")
    assert by_patch[team.patch_a.pk].percent == D("66.67")
    assert by_patch[team.patch_b.pk].percent == D("0.00")
    by_officer = figures.rent_collected(today=TODAY, by="officer")
    assert by_officer[team.alice.pk].percent == D("55.00")  # A1 and A3: 220 of 400
    assert by_officer[team.carol.pk].percent == D("160.00")  # A2, assigned to carol
    assert by_officer[team.bob.pk].percent == D("0.00")


def test_rent_collected_for_one_officer_counts_only_cases_they_answer_for(council, team):
    alice = council_of(figures.rent_collected(today=TODAY, scope=Scope(officer_id=team.alice.pk)))
    assert (alice.numerator, alice.denominator) == (D("220"), D("400"))


def council_of(breakdown):
    return figures.council(breakdown)


def test_annual_rent_roll_is_weekly_rent_of_current_tenancies_times_52(council, team):
    assert council_of(figures.annual_rent_roll(today=TODAY)) == D("18200.00")  # 350 x 52
    by_patch = figures.annual_rent_roll(today=TODAY, by="patch")
    assert by_patch == {team.patch_a.pk: D("7800.00"), team.patch_b.pk: D("10400.00")}


def test_current_tenant_arrears_are_rent_lawfully_due_owed_by_current_tenants_over_rent_roll(
    council, team
):
    # A1 £180 + B1 £200; A2's £30 credit is not netted off; B1's garage is not rent.
    result = council_of(figures.current_tenant_arrears(today=TODAY))
    assert (result.numerator, result.denominator, result.percent) == (
        D("380.00"),
        D("18200.00"),
        D("2.09"),
    )
    patch = figures.current_tenant_arrears(today=TODAY, scope=Scope(patch_id=team.patch_a.pk))
    assert council_of(patch).percent == D("2.31")  # 180 of 7,800


def test_former_tenant_arrears_are_ended_tenancies_and_former_arrears_accounts_over_rent_roll(
    council, team
):
    # A3's rent account of an ended tenancy £100 + B2's former arrears account £40.
    result = council_of(figures.former_tenant_arrears(today=TODAY))
    assert (result.numerator, result.percent) == (D("140.00"), D("0.77"))
    by_patch = figures.former_tenant_arrears(today=TODAY, by="patch")
    assert by_patch[team.patch_a.pk].percent == D("1.28")
    assert by_patch[team.patch_b.pk].percent == D("0.38")


def test_write_offs_in_the_year_count_and_amount(council, team):
    assert council_of(figures.write_offs_in_year(today=TODAY)) == figures.WriteOffs(1, D("20.00"))
    assert figures.write_offs_in_year(today=date(2027, 4, 1)) == {
        None: figures.WriteOffs(0, D("0.00"))
    }


def test_tenancies_more_than_7_and_13_weeks_in_arrears_out_of_current_tenancies(council, team):
    # Current: A1 7.5, A2 0, A4 13.0, B1 14.0 weeks; 13.0 is not more than 13.
    over_7 = council_of(figures.tenancies_in_arrears_over(weeks=7, today=TODAY))
    over_13 = council_of(figures.tenancies_in_arrears_over(weeks=13, today=TODAY))
    assert (over_7.numerator, over_7.denominator, over_7.percent) == (3, 4, D("75.00"))
    assert (over_13.numerator, over_13.percent) == (1, D("25.00"))
    patch_a = figures.tenancies_in_arrears_over(weeks=7, today=TODAY, by="patch")[team.patch_a.pk]
    assert (patch_a.numerator, patch_a.denominator) == (2, 3)


def test_legal_actions_for_rent_arrears_in_the_period(council, team):
    november = dict(start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert council_of(figures.legal_actions(**november)) == figures.LegalActions(
        notices_served=1, claims_issued=1, orders=1, warrants=1, evictions=1
    )
    by_patch = figures.legal_actions(**november, by="patch")
    assert by_patch[team.patch_a.pk] == figures.LegalActions(1, 0, 1, 1, 1)
    assert by_patch[team.patch_b.pk] == figures.LegalActions(0, 1, 0, 0, 0)
    year = council_of(figures.legal_actions(start=date(2026, 4, 1), end=TODAY))
    assert (year.notices_served, year.claims_issued) == (2, 2)


def test_universal_credit_tenancies_their_average_arrears_and_managed_payments(council, team):
    # A2: UC paid to us (a managed payment), in credit; A4: a UC claim pending, £1,300.
    result = council_of(figures.universal_credit(today=TODAY))
    assert result == figures.UniversalCredit(
        tenancies=2, total_arrears=D("1300.00"), managed_payments=1
    )
    assert result.average_arrears == D("650.00")


def test_technical_arrears_are_shown_apart_from_real_arrears(council, team):
    result = council_of(figures.technical_arrears_apart(today=TODAY))
    assert (result.arrears, result.technical, result.real, result.cases_with_technical) == (
        D("1680.00"),
        D("60.00"),
        D("1620.00"),
        1,
    )


def test_financial_year_runs_from_1_april():
    assert figures.financial_year_start(date(2027, 3, 31)) == date(2026, 4, 1)
    assert figures.financial_year_start(date(2026, 4, 1)) == date(2026, 4, 1)
    assert figures.financial_year_label(2026) == "2026/27"


def test_a_figure_with_nothing_to_divide_by_has_no_percentage():
    assert figures.Ratio(0, 0).percent is None


# Rent collected on from the latest snapshot (figures._rent_collected_on_from_snapshot):
# the same figure as summing the year's ledger, without summing it.


def _counted_from_the_ledger(scope=figures.COUNCIL, by=None):
    return figures._rent_collected_in(figures.rent_lines_this_year(TODAY), scope=scope, by=by)


def _same(a, b) -> bool:
    return {k: (v.numerator, v.denominator) for k, v in a.items()} == {
        k: (v.numerator, v.denominator) for k, v in b.items()
    }


def test_rent_collected_on_from_yesterdays_snapshot_equals_the_year_summed(council, team):
    from performance.snapshots import snapshots_take

    snapshots_take(day=TODAY)
    rent = council.a1.accounts.get(kind="rent")
    # Another payment today, and a charge for last week posted late.
    _pay(rent, "75.00", TODAY)
    _charge(council.b1.accounts.get(kind="rent"), "40.00", date(2026, 11, 17))

    for scope, by in (
        (figures.COUNCIL, None),
        (figures.COUNCIL, "patch"),
        (Scope(patch_id=team.patch_a.pk), None),
        (Scope(patch_id=team.patch_b.pk), None),
    ):
        assert figures._rent_collected_on_from_snapshot(today=TODAY, scope=scope, by=by)
        assert _same(
            figures.rent_collected(today=TODAY, scope=scope, by=by),
            _counted_from_the_ledger(scope, by),
        )
    total = council_of(figures.rent_collected(today=TODAY))
    assert (total.numerator, total.denominator) == (D("375"), D("690"))


def test_rent_collected_sums_the_year_when_a_line_was_dated_after_the_snapshot(council, team):
    """Yesterday's snapshot was written with today's lines already on the ledger (below
    its high-water mark, dated after its day): it cannot tell them apart, so the year is
    summed."""
    from performance.snapshots import snapshots_take

    snapshots_take(day=date(2026, 11, 22))

    assert PatchSnapshot.objects.filter(ledger_last_date=TODAY).exists()
    assert (
        figures._rent_collected_on_from_snapshot(today=TODAY, scope=figures.COUNCIL, by=None)
        is None
    )
    total = council_of(figures.rent_collected(today=TODAY))
    assert (total.numerator, total.denominator) == (D("300"), D("650"))


def test_rent_collected_for_an_officer_is_not_read_from_patch_snapshots(council, team):
    from performance.snapshots import snapshots_take

    snapshots_take(day=TODAY)

    assert (
        figures._rent_collected_on_from_snapshot(
            today=TODAY, scope=Scope(officer_id=team.alice.pk), by=None
        )
        is None
    )
    alice = council_of(figures.rent_collected(today=TODAY, scope=Scope(officer_id=team.alice.pk)))
    assert (alice.numerator, alice.denominator) == (D("220"), D("400"))
