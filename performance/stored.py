"""The dashboard's heaviest figures, counted once a night instead of on every request.

The rent roll with current and former arrears over it (`figures.rent_accounts`), the
tenancies more than 7 and 13 weeks in arrears with the technical split
(`figures.current_case_figures`) and Universal Credit (`figures.universal_credit`) each
read every account or case of the council: about a second a council page at 200,000
accounts. The case figures they read (weeks in arrears, technical arrears) are the
nightly run's own, so a manager's dashboard is a report as at the run, as the council's
performance returns are.

So the run's finishing step (`figures_after_run`) calls those same functions once,
grouped by patch and responsible officer (`by="patch_officer"`, the grain every level
adds up from), and keeps the sums (`FigureSnapshot`). A page reads them
(`figures_as_at`) when the latest were written for today or yesterday; otherwise
(no run yet, or a run missed) it counts live, which is the same figure, only slower.
tests/performance/test_stored.py holds the stored and the live figures equal.

Rent collected, write-offs and legal actions are counted to the moment on the page:
they are cheap (snapshot plus the day's lines, and small tables).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from performance import figures
from performance.figures import (
    WEEK_THRESHOLDS,
    Breakdown,
    By,
    Ratio,
    RentAccounts,
    Scope,
    TechnicalSplit,
    UniversalCredit,
)
from performance.models import FigureSnapshot

ZERO = Decimal("0.00")
# A run's figures stand for the day it ran for and the day after (the run goes in the
# small hours); older than that, the page counts live rather than show a stale report.
FRESH_FOR = timedelta(days=1)
# The columns of FigureSnapshot that add up across patches and officers. The weeks
# columns are WEEK_THRESHOLDS' (7 and 13).
SUMMED = (
    "weekly_rent_roll", "current_arrears", "former_arrears", "tenancies", "over_7_weeks",
    "over_13_weeks", "case_arrears", "technical_arrears", "cases_with_technical",
    "uc_tenancies", "uc_arrears", "uc_managed",
)  # fmt: skip
assert WEEK_THRESHOLDS == (7, 13)


@dataclass(frozen=True)
class HeavyFigures:
    """What the dashboard takes from the run's figures, per key of the breakdown."""

    day: date | None  # the run's day; None when counted on the request
    accounts: Breakdown[RentAccounts]
    over: dict[int, Breakdown[Ratio]]
    technical: Breakdown[TechnicalSplit]
    uc: Breakdown[UniversalCredit]


def figures_take(*, day: date) -> int:
    """Count the heavy figures as at `day` for every (patch, responsible officer) and
    keep them, replacing any kept for that day. Returns the rows written."""
    counted = count_heavy(today=day, scope=figures.COUNCIL, by="patch_officer")
    accounts, over, technical, uc = counted.accounts, counted.over, counted.technical, counted.uc
    weeks = figures.charge_weeks_in_year(day)
    now = timezone.now()
    empty_split = TechnicalSplit(ZERO, ZERO, 0)
    empty_uc = UniversalCredit(0, ZERO, 0)
    rows = []
    for key in sorted(set(accounts) | set(technical) | set(uc), key=str):
        patch_id, officer_id = key  # type: ignore[misc]
        account = accounts.get(key)
        split = technical.get(key, empty_split)
        on_uc = uc.get(key, empty_uc)
        rows.append(
            FigureSnapshot(
                day=day,
                patch_id=patch_id,
                officer_id=officer_id,
                # The annual roll is the weekly charges times the charge weeks.
                weekly_rent_roll=account.roll / weeks if account else ZERO,
                current_arrears=account.current.numerator if account else ZERO,
                former_arrears=account.former.numerator if account else ZERO,
                tenancies=over[7].get(key, Ratio(0, 0)).denominator,
                over_7_weeks=over[7].get(key, Ratio(0, 0)).numerator,
                over_13_weeks=over[13].get(key, Ratio(0, 0)).numerator,
                case_arrears=split.arrears,
                technical_arrears=split.technical,
                cases_with_technical=split.cases_with_technical,
                uc_tenancies=on_uc.tenancies,
                uc_arrears=on_uc.total_arrears,
                uc_managed=on_uc.managed_payments,
                written_at=now,
            )
        )
    with transaction.atomic():
        FigureSnapshot.objects.filter(day=day).delete()
        FigureSnapshot.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def count_heavy(*, today: date, scope: Scope, by: By) -> HeavyFigures:
    """The heavy figures counted now. Those that read the same rows are read together
    (figures.rent_accounts, figures.current_case_figures): each pass costs a few hundred
    milliseconds at 200,000 accounts."""
    args: dict[str, Any] = {"today": today, "scope": scope, "by": by}
    over, technical = figures.current_case_figures(weeks=WEEK_THRESHOLDS, **args)
    return HeavyFigures(
        None, figures.rent_accounts(**args), over, technical, figures.universal_credit(**args)
    )


def heavy_figures(*, today: date, scope: Scope, by: By) -> HeavyFigures:
    """The heavy figures for a page: as the run kept them when it ran for today or
    yesterday (`figures_as_at`), else counted now (`count_heavy`)."""
    kept = figures_as_at(today=today, scope=scope, by=by)
    return kept if kept is not None else count_heavy(today=today, scope=scope, by=by)


def figures_after_run(*, run_date: date) -> dict[str, Any]:
    """The nightly run's finishing step (registered in PerformanceConfig.ready)."""
    started = time.perf_counter()
    rows = figures_take(day=run_date)
    return {"figure_rows": rows, "figure_seconds": round(time.perf_counter() - started, 3)}


def _count(value: int | None) -> int:
    return value or 0  # a Sum over no rows


def latest_day(today: date) -> date | None:
    """The day of the run's latest figures, if they are fresh enough to show for today."""
    day = FigureSnapshot.objects.filter(day__lte=today).aggregate(day=Max("day"))["day"]
    if day is None or today - day > FRESH_FOR:
        return None
    return day


def figures_as_at(*, today: date, scope: Scope, by: By) -> HeavyFigures | None:
    """The run's latest figures for `scope`, grouped `by` patch or officer or not at all,
    or None when there are none fresh enough (`latest_day`): count live then."""
    day = latest_day(today)
    if day is None:
        return None
    rows = FigureSnapshot.objects.filter(day=day)
    if scope.patch_id is not None:
        rows = rows.filter(patch_id=scope.patch_id)
    if scope.officer_id is not None:
        # The rows are by responsible officer: exactly the cases Scope.q finds for them.
        rows = rows.filter(officer_id=scope.officer_id)
    sums = {name: Sum(name) for name in SUMMED}
    if by is None:
        grouped = {None: rows.aggregate(**sums)}
    else:
        column = {"patch": "patch_id", "officer": "officer_id"}[by]
        grouped = {row.pop(column): row for row in rows.order_by().values(column).annotate(**sums)}
    weeks = figures.charge_weeks_in_year(day)
    money = figures._money

    accounts, technical, uc = {}, {}, {}
    over: dict[int, Breakdown[Ratio]] = {n: {} for n in WEEK_THRESHOLDS}
    for key, held in grouped.items():
        roll = money(held["weekly_rent_roll"]) * weeks
        accounts[key] = RentAccounts(
            roll,
            Ratio(money(held["current_arrears"]), roll),
            Ratio(money(held["former_arrears"]), roll),
        )
        # As counted live, a group with no current tenancy (or none on UC) has no entry
        # for those figures rather than zeros: the page shows a dash for it, not 0%.
        if held["tenancies"] or by is None:
            for n in WEEK_THRESHOLDS:
                over[n][key] = Ratio(_count(held[f"over_{n}_weeks"]), _count(held["tenancies"]))
            technical[key] = TechnicalSplit(
                money(held["case_arrears"]),
                money(held["technical_arrears"]),
                _count(held["cases_with_technical"]),
            )
        if held["uc_tenancies"] or by is None:
            uc[key] = UniversalCredit(
                _count(held["uc_tenancies"]), money(held["uc_arrears"]), _count(held["uc_managed"])
            )
    return HeavyFigures(day, accounts, over, technical, uc)
