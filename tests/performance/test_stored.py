"""The dashboard's heavy figures as the nightly run keeps them (performance/stored.py)."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from arrears.services import nightly_run
from cases.models import Case
from performance.figures import COUNCIL, Scope
from performance.models import FigureSnapshot
from performance.selectors import council_dashboard, figure_sets
from performance.stored import count_heavy, figures_as_at, figures_take

from .conftest import LONDON, TODAY, build_council


def _levels(team) -> list[tuple[Scope, str | None]]:
    """Every scope and grouping a dashboard asks for."""
    return [
        (COUNCIL, "patch"),
        (COUNCIL, None),
        (Scope(patch_id=team.patch_a.pk), "officer"),
        (Scope(patch_id=team.patch_a.pk), None),
        (Scope(patch_id=team.patch_b.pk), "officer"),
        (Scope(officer_id=team.alice.pk), None),
        (Scope(officer_id=team.carol.pk), None),
        (Scope(officer_id=team.bob.pk), None),
    ]


def _parts(heavy) -> tuple:
    return heavy.accounts, heavy.over, heavy.technical, heavy.uc


def test_the_figures_the_run_keeps_equal_those_counted_live_at_every_level(council, team):
    figures_take(day=TODAY)

    for scope, by in _levels(team):
        kept = figures_as_at(today=TODAY, scope=scope, by=by)
        assert kept is not None and kept.day == TODAY
        assert _parts(kept) == _parts(count_heavy(today=TODAY, scope=scope, by=by)), (scope, by)


def test_the_kept_figures_are_the_hand_worked_ones(council, team):
    figures_take(day=TODAY)
    sets = figure_sets(today=TODAY, scope=COUNCIL, by="patch")
    a = sets[team.patch_a.pk]

    # Patch A01's rent roll is (100 + 50 + 0) a week for 52 weeks; A3's tenancy ended.
    assert a.current.denominator == Decimal("7800.00")
    assert a.current.numerator == Decimal("180.00")  # A1's account; A4 has none
    assert a.over_7.numerator == 2 and a.over_7.denominator == 3
    assert a.over_13.numerator == 0  # A4 is 13.0 weeks: not more than 13
    assert a.technical.technical == Decimal("60.00")
    assert a.uc.tenancies == 2 and a.uc.managed_payments == 1


def test_the_dashboard_shows_the_figures_as_at_the_run_until_the_next_one(council, team):
    figures_take(day=TODAY)
    # Later in the day a case's figures change (a manager corrects them, say).
    Case.objects.filter(pk=council.b1.pk).update(weeks_in_arrears=Decimal("0.0"))

    shown = figure_sets(today=TODAY, scope=COUNCIL, by="patch")[team.patch_b.pk]
    live = count_heavy(today=TODAY, scope=Scope(patch_id=team.patch_b.pk), by=None)

    assert shown.over_13.numerator == 1
    assert live.over[13][None].numerator == 0
    assert council_dashboard(today=TODAY).figures_as_at == TODAY


def test_figures_kept_more_than_a_day_ago_are_counted_live_instead(council, team):
    figures_take(day=TODAY - timedelta(days=2))
    Case.objects.filter(pk=council.b1.pk).update(weeks_in_arrears=Decimal("0.0"))

    assert figures_as_at(today=TODAY, scope=COUNCIL, by=None) is None
    assert figure_sets(today=TODAY, scope=COUNCIL, by=None)[None].over_13.numerator == 0
    assert council_dashboard(today=TODAY).figures_as_at is None


def test_taking_the_figures_again_for_a_day_replaces_them(council, team):
    figures_take(day=TODAY)
    rows = FigureSnapshot.objects.count()
    Case.objects.filter(pk=council.b1.pk).update(weeks_in_arrears=Decimal("0.0"))

    assert figures_take(day=TODAY) == rows
    assert FigureSnapshot.objects.count() == rows
    kept = figures_as_at(today=TODAY, scope=COUNCIL, by=None)
    assert kept is not None and kept.over[13][None].numerator == 0


@pytest.mark.django_db(transaction=False)
def test_the_nightly_run_keeps_the_dashboard_figures_as_a_finishing_step(team):
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=LONDON), tick=False):
        build_council(team)
    with time_machine.travel(datetime(2026, 11, 23, 2, 0, tzinfo=LONDON), tick=False):
        run = nightly_run(run_date=TODAY, start_letters=False)

    assert run.counts["figure_rows"] == FigureSnapshot.objects.filter(day=TODAY).count() > 0
    # What the run kept is what the run's own case figures give, counted live.
    for scope, by in _levels(team):
        kept = figures_as_at(today=TODAY, scope=scope, by=by)
        assert kept is not None
        assert _parts(kept) == _parts(count_heavy(today=TODAY, scope=scope, by=by)), (scope, by)
