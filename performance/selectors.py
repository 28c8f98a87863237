"""Reads for the dashboard: the figures as tables, for the page and its CSV alike.

A level is the council (a row per patch), a patch (a row per officer) or an officer
(one row); each has a total row. Each figure is computed once per level, grouped, so a
page costs the same couple of dozen queries however many patches there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.http import QueryDict
from django.urls import reverse

from cases.models import Patch
from core.models import User
from core.money import format_money
from performance import activity, figures, stored
from performance.figures import (
    By,
    LegalActions,
    Ratio,
    Scope,
    TechnicalSplit,
    UniversalCredit,
    WriteOffs,
    financial_year_of,
    financial_year_start,
)
from performance.models import (
    LOWER_IS_BETTER,
    Measure,
    PatchSnapshot,
    Target,
    WriteOff,
    WriteOffReason,
)

ZERO = Decimal("0.00")
NONE = "\N{EN DASH}"  # a figure with nothing to divide by
NO_RATIO = Ratio(0, 0)
NO_TECHNICAL = TechnicalSplit(ZERO, ZERO, 0)
NO_WRITE_OFFS = WriteOffs(0, ZERO)
NO_LEGAL_ACTIONS = LegalActions(0, 0, 0, 0, 0)
NO_UC = UniversalCredit(0, ZERO, 0)


@dataclass(frozen=True)
class FigureSet:
    """Every figure for one row."""

    collection: Ratio = NO_RATIO
    current: Ratio = NO_RATIO
    former: Ratio = NO_RATIO
    over_7: Ratio = NO_RATIO
    over_13: Ratio = NO_RATIO
    technical: TechnicalSplit = NO_TECHNICAL
    write_offs: WriteOffs = NO_WRITE_OFFS
    legal: LegalActions = NO_LEGAL_ACTIONS
    uc: UniversalCredit = NO_UC


def figure_sets(*, today: date, scope: Scope, by: By) -> dict[int | None, FigureSet]:
    """All the figures for a scope, grouped by patch or officer (or not): one query each."""
    args: dict[str, Any] = {"today": today, "scope": scope, "by": by}
    heavy = stored.heavy_figures(**args)
    accounts = heavy.accounts
    parts = {
        "collection": figures.rent_collected(**args),
        "current": {key: row.current for key, row in accounts.items()},
        "former": {key: row.former for key, row in accounts.items()},
        "over_7": heavy.over[7],
        "over_13": heavy.over[13],
        "technical": heavy.technical,
        "write_offs": figures.write_offs_in_year(**args),
        "legal": figures.legal_actions(
            start=financial_year_start(today), end=today, scope=scope, by=by
        ),
        "uc": heavy.uc,
    }
    keys = set().union(*parts.values())
    return {
        key: FigureSet(**{name: part[key] for name, part in parts.items() if key in part})
        for key in keys
    }


def _sum_ratios(ratios: list[Ratio]) -> Ratio:
    return Ratio(sum(r.numerator for r in ratios), sum(r.denominator for r in ratios))


def total_of(rows: list[FigureSet]) -> FigureSet:
    """The council's figures as the sum of its patches' rows, rather than every query
    again without the grouping. Every figure adds up across patches: money and counts,
    and the tenancies counted once each, as a tenancy's cases are on its property's
    patch (`tests/performance/test_dashboard.py` holds the two ways equal)."""

    def each(name: str) -> list:
        return [getattr(row, name) for row in rows]

    technical, write_offs, legal, uc = (
        each("technical"), each("write_offs"), each("legal"), each("uc")
    )  # fmt: skip
    return FigureSet(
        **{
            name: _sum_ratios(each(name))
            for name in ("collection", "current", "former", "over_7", "over_13")
        },
        technical=TechnicalSplit(
            sum((t.arrears for t in technical), ZERO),
            sum((t.technical for t in technical), ZERO),
            sum(t.cases_with_technical for t in technical),
        ),
        write_offs=WriteOffs(
            sum(w.count for w in write_offs), sum((w.amount for w in write_offs), ZERO)
        ),
        legal=LegalActions(
            *(sum(getattr(a, f) for a in legal) for f in LegalActions.__dataclass_fields__)
        ),
        uc=UniversalCredit(
            sum(u.tenancies for u in uc),
            sum((u.total_arrears for u in uc), ZERO),
            sum(u.managed_payments for u in uc),
        ),
    )


@dataclass(frozen=True)
class Cell:
    value: Any  # as the CSV has it
    text: str
    href: str = ""
    status: str = ""  # "met" or "missed" against a target


@dataclass
class Row:
    label: str
    href: str
    cells: list[Cell]
    is_total: bool = False


@dataclass
class Table:
    key: str
    caption: str
    row_heading: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    csv_url: str = ""


@dataclass(frozen=True)
class RowSpec:
    """Who a row is about, where its label links, and the caseload filter behind it."""

    key: int | None
    label: str
    href: str
    caseload: dict[str, str]
    targets: dict[str, Decimal]
    is_total: bool = False
    # The scope as the cases-behind page reads it: patch and officer ids.
    behind: dict[str, str] = field(default_factory=dict)


def _caseload(base: dict[str, str], **extra: str) -> str:
    data = QueryDict(mutable=True)
    for name, value in {**base, **extra}.items():
        data[name] = value
    query = data.urlencode()
    return reverse("home") + (f"?{query}" if query else "")


def _behind(figure: str, base: dict[str, str], **extra: str) -> str:
    """The page listing the cases behind a figure the caseload cannot filter to."""
    data = QueryDict(mutable=True)
    for name, value in {**base, **extra}.items():
        data[name] = value
    query = data.urlencode()
    return reverse("performance:cases_behind", args=[figure]) + (f"?{query}" if query else "")


def _percent(ratio: Ratio) -> Cell:
    percent = ratio.percent
    return Cell(percent, NONE if percent is None else f"{percent}%")


def _money(amount: Decimal, href: str = "") -> Cell:
    return Cell(amount, format_money(amount), href)


def _count(n: int, href: str = "") -> Cell:
    return Cell(n, f"{n:,}", href)


def target_met(measure: str, actual: Decimal | None, target: Decimal | None) -> str:
    """'met' or 'missed'; '' when there is no figure or no target."""
    if actual is None or target is None:
        return ""
    met = actual <= target if measure in LOWER_IS_BETTER else actual >= target
    return "met" if met else "missed"


def _against(measure: str, ratio: Ratio, spec: RowSpec, href: str = "") -> list[Cell]:
    target = spec.targets.get(measure)
    percent = ratio.percent
    actual = Cell(
        percent,
        NONE if percent is None else f"{percent}%",
        href,
        target_met(measure, percent, target),
    )
    return [actual, Cell(target, "Not set" if target is None else f"{target}%")]


def _tables(sets: dict[int | None, FigureSet], specs: list[RowSpec]) -> list[Table]:
    money = Table(
        "rent",
        "Rent collected and arrears",
        "",
        [
            "Rent collected, year to date",
            "Target",
            "Current tenant arrears",
            "% of rent roll",
            "Target",
            "Former tenant arrears",
            "% of rent roll",
            "Target",
            "Technical arrears",
            "Real arrears",
        ],
    )
    weeks = Table(
        "weeks",
        "Tenancies in arrears by weeks",
        "",
        [
            "Current tenancies",
            "More than 7 weeks",
            "% of tenancies",
            "Target",
            "More than 13 weeks",
            "% of tenancies",
            "Target",
        ],
    )
    legal = Table(
        "legal",
        "Legal action for rent arrears, year to date",
        "",
        [
            "Notices served",
            "Claims issued",
            "Possession orders",
            "Warrants applied for",
            "Evictions",
        ],
    )
    uc = Table(
        "uc",
        "Universal Credit and write-offs, year to date",
        "",
        [
            "Universal Credit tenancies",
            "Their average arrears",
            "With a managed payment",
            "Write-offs",
            "Amount written off",
        ],
    )
    for spec in specs:
        s = sets.get(spec.key, FigureSet())
        base = spec.caseload
        on = spec.behind

        def to(figure: str, on: dict[str, str] = on) -> str:
            return _behind(figure, on)

        def row(cells: list[Cell], spec: RowSpec = spec) -> Row:
            return Row(spec.label, spec.href, cells, spec.is_total)

        money.rows.append(
            row(
                [
                    *_against(Measure.COLLECTION_RATE, s.collection, spec, to("rent-collected")),
                    _money(s.current.numerator, _caseload(base)),
                    *_against(Measure.CURRENT_ARREARS, s.current, spec, to("rent-roll")),
                    _money(s.former.numerator, to("former-arrears")),
                    *_against(Measure.FORMER_ARREARS, s.former, spec, to("former-arrears")),
                    _money(s.technical.technical, _caseload(base, technical="yes")),
                    _money(s.technical.real, to("real-arrears")),
                ]
            )
        )
        weeks.rows.append(
            row(
                [
                    _count(s.over_7.denominator, to("tenancies")),
                    _count(s.over_7.numerator, _caseload(base, weeks_over="7")),
                    *_against(
                        Measure.OVER_7_WEEKS, s.over_7, spec, _caseload(base, weeks_over="7")
                    ),
                    _count(s.over_13.numerator, _caseload(base, weeks_over="13")),
                    *_against(
                        Measure.OVER_13_WEEKS, s.over_13, spec, _caseload(base, weeks_over="13")
                    ),
                ]
            )
        )
        legal.rows.append(
            row(
                [
                    _count(s.legal.notices_served, to("notices-served")),
                    _count(s.legal.claims_issued, to("claims-issued")),
                    _count(s.legal.orders, to("orders")),
                    _count(s.legal.warrants, to("warrants")),
                    _count(s.legal.evictions, to("evictions")),
                ]
            )
        )
        average = s.uc.average_arrears
        uc.rows.append(
            row(
                [
                    _count(s.uc.tenancies, to("universal-credit")),
                    Cell(
                        average,
                        NONE if average is None else format_money(average),
                        to("universal-credit"),
                    ),
                    _count(s.uc.managed_payments, to("managed-payments")),
                    _count(s.write_offs.count, to("write-offs")),
                    _money(s.write_offs.amount, to("write-offs")),
                ]
            )
        )
    return [money, weeks, legal, uc]


@dataclass
class Dashboard:
    level: str  # council, patch or officer
    title: str
    today: date
    year: int
    tables: list[Table]
    collection_chart: list[tuple[str, Decimal | None, Decimal | None]]
    write_offs: Table
    patch: Patch | None = None
    officer: User | None = None
    trend: list[TrendPoint] = field(default_factory=list)
    trend_target: Decimal | None = None  # the patch's collection target, on its chart
    # The trend, the stage funnel and officer activity, by key.
    more: dict[str, Table] = field(default_factory=dict)
    period: str = "week"  # of the officer activity (ACTIVITY_PERIODS)
    # The nightly run's day whose kept figures are shown (performance/stored.py), or None
    # when they were counted on the request.
    figures_as_at: date | None = None

    @property
    def year_label(self) -> str:
        return figures.financial_year_label(self.year)

    @property
    def trend_end(self) -> date | None:
        return self.trend[-1].day if self.trend else None

    @property
    def all_tables(self) -> list[Table]:
        return [*self.tables, self.write_offs, *self.more.values()]

    def table(self, key: str) -> Table:
        return next(t for t in self.all_tables if t.key == key)


def _targets(year: int, patch_ids: list[int]) -> dict[int, dict[str, Decimal]]:
    found: dict[int, dict[str, Decimal]] = {}
    for patch_id, measure, value in Target.objects.filter(
        year=year, patch_id__in=patch_ids
    ).values_list("patch_id", "measure", "value"):
        found.setdefault(patch_id, {})[measure] = value
    return found


def write_offs_by_reason_and_approver(*, today: date, scope: Scope) -> Table:
    """Write-offs approved in the financial year to date, by reason and by approver."""
    rows = (
        WriteOff.objects.filter(
            scope.q("case__"),
            status=WriteOff.Status.APPROVED,
            transaction__effective_date__gte=financial_year_start(today),
            transaction__effective_date__lte=today,
        )
        .order_by()
        .values("reason", "decided_by")
        .annotate(n=Count("id"), amount=Sum("amount"))
        .order_by("reason", "decided_by")
    )
    rows = list(rows)
    people = {u.pk: str(u) for u in User.objects.filter(pk__in={r["decided_by"] for r in rows})}
    labels = dict(WriteOffReason.choices)
    table = Table(
        "write_offs",
        "Write-offs approved this year, by reason and approver",
        "Reason",
        ["Approved by", "Write-offs", "Amount"],
    )
    for r in rows:
        table.rows.append(
            Row(
                str(labels.get(r["reason"], r["reason"])),
                "",
                [
                    Cell(people.get(r["decided_by"], ""), people.get(r["decided_by"], "")),
                    _count(r["n"]),
                    _money(r["amount"] or ZERO),
                ],
            )
        )
    return table


def _chart(table: Table) -> list[tuple[str, Decimal | None, Decimal | None]]:
    """Rent collected against target for each row but the total."""
    return [(r.label, r.cells[0].value, r.cells[1].value) for r in table.rows if not r.is_total]


def council_dashboard(*, today: date, period: str = "week") -> Dashboard:
    year = financial_year_of(today)
    patches = list(Patch.objects.order_by("code"))
    targets = _targets(year, [p.pk for p in patches])
    sets = figure_sets(today=today, scope=figures.COUNCIL, by="patch")
    sets[None] = total_of(list(sets.values()))
    specs = [
        RowSpec(
            p.pk,
            f"{p.code} {p.name}",
            reverse("performance:patch", args=[p.pk]),
            {"patch": p.code},
            targets.get(p.pk, {}),
            behind={"patch": str(p.pk)},
        )
        for p in patches
    ]
    specs.append(RowSpec(None, "Council", "", {}, {}, is_total=True))
    tables = _tables(sets, specs)
    for table in tables:
        table.row_heading = "Patch"
    dashboard = Dashboard(
        level="council",
        title="Performance: the council",
        today=today,
        year=year,
        tables=tables,
        collection_chart=_chart(tables[0]),
        write_offs=write_offs_by_reason_and_approver(today=today, scope=figures.COUNCIL),
        **_trend_parts(today=today, patch_ids=None),
    )
    return _with_work(dashboard, scope=figures.COUNCIL, caseload={}, behind={}, period=period)


def patch_dashboard(*, patch: Patch, today: date, period: str = "week") -> Dashboard:
    year = financial_year_of(today)
    scope = Scope(patch_id=patch.pk)
    targets = _targets(year, [patch.pk]).get(patch.pk, {})
    sets = figure_sets(today=today, scope=scope, by="officer")
    sets_total = figure_sets(today=today, scope=scope, by=None)[None]
    officers = {u.pk: u for u in User.objects.filter(pk__in=[k for k in sets if k is not None])}
    specs = [
        RowSpec(
            officer.pk,
            str(officer),
            reverse("performance:officer", args=[officer.pk]),
            {"patch": patch.code, "officer": str(officer.pk)},
            {},
            behind={"patch": str(patch.pk), "officer": str(officer.pk)},
        )
        for officer in sorted(officers.values(), key=str)
    ]
    # Unassigned cases on a patch with no officer fall under no one.
    specs.append(
        RowSpec(
            -1,
            f"{patch.code} {patch.name}",
            "",
            {"patch": patch.code},
            targets,
            True,
            behind={"patch": str(patch.pk)},
        )
    )
    sets[-1] = sets_total
    tables = _tables(sets, specs)
    for table in tables:
        table.row_heading = "Officer"
    dashboard = Dashboard(
        level="patch",
        title=f"Performance: patch {patch.code} {patch.name}",
        today=today,
        year=year,
        tables=tables,
        collection_chart=_chart(tables[0]),
        write_offs=write_offs_by_reason_and_approver(today=today, scope=scope),
        patch=patch,
        **_trend_parts(
            today=today, patch_ids=[patch.pk], target=targets.get(Measure.COLLECTION_RATE)
        ),
    )
    return _with_work(
        dashboard,
        scope=scope,
        caseload={"patch": patch.code},
        behind={"patch": str(patch.pk)},
        period=period,
    )


def officer_dashboard(*, officer: User, today: date, period: str = "week") -> Dashboard:
    year = financial_year_of(today)
    scope = Scope(officer_id=officer.pk)
    sets = figure_sets(today=today, scope=scope, by=None)
    patches = list(officer.patches.order_by("code"))
    specs = [
        RowSpec(
            None,
            str(officer),
            "",
            {"officer": str(officer.pk)},
            {},
            True,
            behind={"officer": str(officer.pk)},
        )
    ]
    tables = _tables(sets, specs)
    for table in tables:
        table.row_heading = "Officer"
    dashboard = Dashboard(
        level="officer",
        title=f"Performance: {officer}",
        today=today,
        year=year,
        tables=tables,
        collection_chart=[],
        write_offs=write_offs_by_reason_and_approver(today=today, scope=scope),
        officer=officer,
        **_trend_parts(today=today, patch_ids=[p.pk for p in patches]),
    )
    dashboard.more.update(
        (f"patch-{p.code.lower()}", patch_against_target_and_last_year(patch=p, today=today))
        for p in patches
    )
    return _with_work(
        dashboard,
        scope=scope,
        caseload={"officer": str(officer.pk)},
        behind={"officer": str(officer.pk)},
        period=period,
        only_user_id=officer.pk,
    )


def _with_work(
    dashboard: Dashboard,
    *,
    scope: Scope,
    caseload: dict[str, str],
    behind: dict[str, str],
    period: str,
    only_user_id: int | None = None,
) -> Dashboard:
    """Add the stage funnel and the activity in the period to a dashboard."""
    today = dashboard.today
    dashboard.figures_as_at = stored.latest_day(today)
    start, end, label = activity_period(today=today, period=period)
    dashboard.period = period if period in ACTIVITY_PERIODS else "week"
    dashboard.more["funnel"] = funnel_table(
        today=today, scope=scope, caseload=caseload, behind=behind
    )
    # An officer's own work counts on any case, not only those they answer for.
    dashboard.more["activity"] = activity_table(
        start=start,
        end=end,
        label=label,
        scope=figures.COUNCIL if only_user_id is not None else scope,
        only_user_id=only_user_id,
        behind={**({} if only_user_id is not None else behind), "period": dashboard.period},
    )
    return dashboard


def _trend_parts(
    *, today: date, patch_ids: list[int] | None, target: Decimal | None = None
) -> dict[str, Any]:
    points = trend(end=trend_end(today=today), patch_ids=patch_ids)
    return {"trend": points, "trend_target": target, "more": {"trend": trend_table(points)}}


def targets_for(*, patch: Patch, year: int) -> dict[str, Target]:
    return {t.measure: t for t in Target.objects.filter(patch=patch, year=year)}


# The 52-week trend, from the daily snapshots (performance/snapshots.py).

TREND_WEEKS = 52


@dataclass(frozen=True)
class TrendPoint:
    day: date
    current_arrears: Decimal | None
    accounts_owing: int | None
    collected_ytd: Decimal | None
    due_ytd: Decimal | None
    former_arrears: Decimal | None = None
    # None when any of its patches' rows predates the rent roll being kept.
    weekly_rent_roll: Decimal | None = None

    @property
    def collection(self) -> Ratio | None:
        if self.collected_ytd is None or self.due_ytd is None:
            return None
        return Ratio(self.collected_ytd, self.due_ytd)

    def over_rent_roll(self, owed: Decimal | None) -> Ratio | None:
        """`owed` as a share of the annual rent roll then: the week's charges times the
        charge weeks of that rent year (figures.annual_rent_roll's definition)."""
        if owed is None or self.weekly_rent_roll is None:
            return None
        return Ratio(owed, self.weekly_rent_roll * figures.charge_weeks_in_year(self.day))


def trend_end(*, today: date) -> date:
    """The last day the trend reaches: the latest snapshot on or before today."""
    latest = (
        PatchSnapshot.objects.filter(day__lte=today).order_by("-day").values_list("day", flat=True)
    ).first()
    return latest or today


def trend(
    *, end: date, patch_ids: list[int] | None = None, weeks: int = TREND_WEEKS
) -> list[TrendPoint]:
    """One point a week for `weeks` weeks to `end`: the snapshots of those days summed
    over the patches (all of them, or `patch_ids`); a week with no snapshot has no figures.
    One query."""
    days = [end - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    rows = PatchSnapshot.objects.filter(day__in=days)
    if patch_ids is not None:
        rows = rows.filter(patch_id__in=patch_ids)
    found = {
        row["day"]: row
        for row in rows.order_by()
        .values("day")
        .annotate(
            current_arrears=Sum("current_arrears"),
            accounts_owing=Sum("accounts_owing"),
            collected_ytd=Sum("collected_ytd"),
            due_ytd=Sum("due_ytd"),
            former_arrears=Sum("former_arrears"),
            # Counted before the sum below takes the field's name.
            roll_missing=Count("id", filter=Q(weekly_rent_roll__isnull=True)),
            weekly_rent_roll=Sum("weekly_rent_roll"),
        )
    }

    def pounds(value) -> Decimal:
        return Decimal(value).quantize(Decimal("0.01"))

    return [
        TrendPoint(
            day,
            pounds(found[day]["current_arrears"]),
            found[day]["accounts_owing"],
            pounds(found[day]["collected_ytd"]),
            pounds(found[day]["due_ytd"]),
            pounds(found[day]["former_arrears"]),
            None if found[day]["roll_missing"] else pounds(found[day]["weekly_rent_roll"]),
        )
        if day in found
        else TrendPoint(day, None, None, None, None)
        for day in days
    ]


def trend_table(points: list[TrendPoint]) -> Table:
    table = Table(
        "trend",
        "Arrears and collection, week by week",
        "Week ending",
        [
            "Current tenant arrears",
            "Accounts owing",
            "Rent collected, year to date",
            "Rent due, year to date",
            "% collected",
        ],
    )
    for point in reversed(points):
        if point.current_arrears is None:
            cells = [Cell(None, "No snapshot")] + [Cell(None, NONE)] * 4
        else:
            cells = [
                _money(point.current_arrears),
                _count(point.accounts_owing or 0),
                _money(point.collected_ytd),
                _money(point.due_ytd),
                _percent(point.collection),
            ]
        table.rows.append(Row(f"{point.day:%-d %b %Y}", "", cells))
    return table


# The stage funnel and officer activity (performance/activity.py).

ACTIVITY_PERIODS = {
    "week": "this week",
    "4weeks": "the last 4 weeks",
    "year": "this financial year",
}


def activity_period(*, today: date, period: str) -> tuple[date, date, str]:
    """The days an activity period covers, and how to say it."""
    if period == "4weeks":
        start = today - timedelta(days=27)
    elif period == "year":
        start = financial_year_start(today)
    else:
        period, start = "week", activity.week_start(today)
    return start, today, ACTIVITY_PERIODS[period]


def funnel_table(
    *, today: date, scope: Scope, caseload: dict[str, str], behind: dict[str, str]
) -> Table:
    monday = activity.week_start(today)
    table = Table(
        "funnel",
        f"The stage funnel: open cases at each rung, and this week's moves (since {monday:%-d %B})",
        "Stage",
        ["Open cases", "Reached it this week", "Moved on this week"],
    )
    for rung in activity.stage_funnel(today=today, scope=scope):
        at_rung = {**caseload, "stage": rung.stage, "show": "all"}
        table.rows.append(
            Row(
                rung.label,
                "",
                [
                    _count(rung.cases, _caseload(at_rung) if rung.cases else ""),
                    _count(
                        rung.reached_this_week,
                        _behind("reached", behind, stage=rung.stage)
                        if rung.reached_this_week
                        else "",
                    ),
                    _count(
                        rung.moved_on_this_week,
                        _behind("moved-on", behind, stage=rung.stage)
                        if rung.moved_on_this_week
                        else "",
                    ),
                ],
            )
        )
    return table


def activity_table(
    *,
    start: date,
    end: date,
    label: str,
    scope: Scope,
    behind: dict[str, str],
    only_user_id: int | None = None,
) -> Table:
    rows = activity.officer_activity(start=start, end=end, scope=scope, only_user_id=only_user_id)
    people = {u.pk: u for u in User.objects.filter(pk__in=list(rows))}
    table = Table(
        "activity",
        f"Officer activity, {label} ({start:%-d %b} to {end:%-d %b %Y})",
        "Officer",
        [
            "Contacts recorded",
            "Reached someone",
            "Arrangements made",
            "Payments taken",
            "Amount taken",
        ],
    )

    def cells(a: activity.Activity, who: dict[str, str]) -> list[Cell]:
        def to(figure: str, n: int) -> str:
            return _behind(figure, {**behind, **who}) if n else ""

        return [
            _count(a.contacts, to("contacts", a.contacts)),
            _count(a.reached, to("contacts-reached", a.reached)),
            _count(a.arrangements, to("arrangements", a.arrangements)),
            _count(a.payments, to("payments-taken", a.payments)),
            _money(a.taken, to("payments-taken", a.payments)),
        ]

    for user in sorted(people.values(), key=str):
        href = reverse("performance:officer", args=[user.pk])
        table.rows.append(Row(str(user), href, cells(rows[user.pk], {"user": str(user.pk)})))
    if len(rows) != 1:
        total = activity.activity_total(rows)
        table.rows.append(Row("Total", "", cells(total, {}), is_total=True))
    return table


def patch_against_target_and_last_year(*, patch: Patch, today: date) -> Table:
    """The officer's own view of their patch: this year's figures against the patch's
    targets and the same week last year (the snapshot 52 weeks before the latest)."""
    scope = Scope(patch_id=patch.pk)
    year = financial_year_of(today)
    targets = _targets(year, [patch.pk]).get(patch.pk, {})
    collected = figures.council(figures.rent_collected(today=today, scope=scope))
    accounts = figures.council(stored.heavy_figures(today=today, scope=scope, by=None).accounts)
    current, former = accounts.current, accounts.former
    then = trend(end=trend_end(today=today) - timedelta(weeks=52), patch_ids=[patch.pk], weeks=1)[0]
    table = Table(
        f"patch-{patch.code.lower()}",
        f"Patch {patch.code} {patch.name}: against its target and the same week last year",
        "Measure",
        ["This year", "Target", "Same week last year"],
    )
    spec = RowSpec(patch.pk, "", "", {"patch": patch.code}, targets)

    def last_year(value: Cell | None) -> Cell:
        return value if value is not None else Cell(None, "No snapshot")

    def rent_roll_then(owed: Decimal | None) -> Cell:
        ratio = then.over_rent_roll(owed)
        return last_year(_percent(ratio) if ratio is not None else None)

    table.rows = [
        Row(
            "Rent collected as a percentage of rent due, year to date",
            "",
            [
                *_against(Measure.COLLECTION_RATE, collected, spec),
                last_year(_percent(then.collection) if then.collection else None),
            ],
        ),
        Row(
            "Current tenant arrears",
            "",
            [
                _money(current.numerator, _caseload({"patch": patch.code})),
                Cell(None, ""),
                last_year(
                    _money(then.current_arrears) if then.current_arrears is not None else None
                ),
            ],
        ),
        Row(
            "Current tenant arrears as a percentage of rent roll",
            "",
            [
                *_against(Measure.CURRENT_ARREARS, current, spec),
                rent_roll_then(then.current_arrears),
            ],
        ),
        Row(
            "Former tenant arrears as a percentage of rent roll",
            "",
            [*_against(Measure.FORMER_ARREARS, former, spec), rent_roll_then(then.former_arrears)],
        ),
    ]
    return table
