"""The cases behind a dashboard figure, for the figures the caseload cannot filter to.

Each drill-down starts from the same records as its figure (the querysets in
performance/figures.py and performance/activity.py), scoped the same way, and groups
them by case with the case's share of the figure. The page lists the cases with the
largest share first and links to each; its CSV has every case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from cases.models import Case, Contact, Stage
from payments.models import Account
from performance import activity, figures
from performance.figures import Scope

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))


@dataclass(frozen=True)
class Drill:
    title: str
    columns: list[tuple[str, str]]  # (heading, kind: money, count or date)
    rows: QuerySet  # dicts with "case_pk" and a value per column, largest share first


@dataclass(frozen=True)
class Params:
    today: date
    scope: Scope
    start: date  # of the activity period; legal action and write-offs are the year to date
    end: date
    stage: str = ""
    user_id: int | None = None


def _by_case(records: QuerySet, to_case: str, **values: Any) -> QuerySet:
    return records.order_by().values(case_pk=F(f"{to_case}id")).annotate(**values)


def _rent_collected(p: Params) -> Drill:
    rows = _by_case(
        figures.rent_lines_this_year(p.today).filter(p.scope.q("account__case__")),
        "account__case__",
        collected=Coalesce(-Sum("amount", filter=figures.COLLECTED), ZERO),
        due=Coalesce(Sum("amount", filter=figures.DUE), ZERO),
    ).order_by(F("due").desc(nulls_last=True), "case_pk")
    return Drill(
        "Rent collected and rent due this year, by case",
        [("Collected", "money"), ("Due", "money")],
        rows,
    )


def _rent_roll(p: Params) -> Drill:
    rows = _by_case(
        figures.rent_roll_accounts(p.today).filter(p.scope.q("case__")),
        "case__",
        weekly=Sum("weekly_charge"),
    ).order_by("-weekly", "case_pk")
    return Drill("The rent roll: current tenancies' weekly rent", [("Weekly rent", "money")], rows)


def _former(p: Params) -> Drill:
    rows = _by_case(
        Account.objects.filter(figures.former_owed(p.today), p.scope.q("case__"), balance__gt=0),
        "case__",
        owed=Sum("balance"),
    ).order_by("-owed", "case_pk")
    return Drill("Former tenant arrears", [("Owed", "money")], rows)


def _current_cases(p: Params) -> QuerySet[Case]:
    return figures._current_cases(p.today).filter(p.scope.q())


def _tenancies(p: Params) -> Drill:
    rows = (
        _current_cases(p)
        .order_by()
        .values(case_pk=F("id"))
        .annotate(weeks=F("weeks_in_arrears"))
        .order_by("-weeks", "case_pk")
    )
    return Drill("Current tenancies with an open case", [("Weeks in arrears", "count")], rows)


def _real_arrears(p: Params) -> Drill:
    rows = (
        _current_cases(p)
        .filter(rent_arrears__gt=0)
        .order_by()
        .values(case_pk=F("id"))
        .annotate(arrears=F("rent_arrears"), technical=F("technical_arrears"))
        .order_by("-arrears", "case_pk")
    )
    return Drill(
        "Current tenants' rent arrears, technical arrears apart",
        [("Rent arrears", "money"), ("Technical arrears", "money")],
        rows,
    )


def _legal(name: str, title: str) -> Callable[[Params], Drill]:
    def drill(p: Params) -> Drill:
        records, to_case = figures.legal_action_records(
            figures.financial_year_start(p.today), p.today
        )[name]
        rows = _by_case(records.filter(p.scope.q(to_case)), to_case, n=Count("id")).order_by(
            "-n", "case_pk"
        )
        return Drill(f"{title}, year to date", [("Number", "count")], rows)

    return drill


def _uc(managed: bool) -> Callable[[Params], Drill]:
    def drill(p: Params) -> Drill:
        cases = figures.universal_credit_cases(p.today).filter(p.scope.q())
        if managed:
            cases = cases.filter(figures.UC_MANAGED)
        rows = (
            cases.order_by()
            .values(case_pk=F("id"))
            .annotate(arrears=F("rent_arrears"))
            .order_by("-arrears", "case_pk")
        )
        title = "Universal Credit tenancies" + (" with a managed payment" if managed else "")
        return Drill(title, [("Rent arrears", "money")], rows)

    return drill


def _write_offs(p: Params) -> Drill:
    rows = _by_case(
        figures.write_off_lines_this_year(p.today).filter(p.scope.q("account__case__")),
        "account__case__",
        amount=-Sum("amount"),
    ).order_by("-amount", "case_pk")
    return Drill("Debt written off this year", [("Written off", "money")], rows)


def _moved_on(p: Params) -> Drill:
    rows = _by_case(
        activity.stage_moves_off(today=p.today, scope=p.scope).filter(left=p.stage),
        "case__",
        n=Count("id"),
    ).order_by("-n", "case_pk")
    return Drill(
        f"Cases that moved on from {Stage.label_of(p.stage)} this week",
        [("Moves", "count")],
        rows,
    )


def _reached(p: Params) -> Drill:
    rows = (
        Case.objects.filter(
            p.scope.q(),
            status=Case.Status.OPEN,
            stage=p.stage,
            stage_changed_on__gte=activity.week_start(p.today),
        )
        .order_by()
        .values(case_pk=F("id"))
        .annotate(on=F("stage_changed_on"))
        .order_by("-on", "case_pk")
    )
    return Drill(f"Cases that reached {Stage.label_of(p.stage)} this week", [("On", "date")], rows)


def _activity(kind: str) -> Callable[[Params], Drill]:
    def drill(p: Params) -> Drill:
        contacts, arrangements, payments = activity.activity_records(
            start=p.start, end=p.end, scope=p.scope
        )
        if p.user_id is not None:
            contacts = contacts.filter(recorded_by_id=p.user_id)
            arrangements = arrangements.filter(created_by_id=p.user_id)
            payments = payments.filter(actor_id=p.user_id)
        if kind == "contacts":
            rows = _by_case(contacts, "case__", n=Count("id"))
            title, columns = "Contacts recorded", [("Contacts", "count")]
        elif kind == "reached":
            rows = _by_case(contacts.filter(outcome__in=Contact.REACHED), "case__", n=Count("id"))
            title, columns = "Contacts that reached someone", [("Contacts", "count")]
        elif kind == "arrangements":
            rows = _by_case(arrangements, "case__", n=Count("id"))
            title, columns = "Arrangements made", [("Arrangements", "count")]
        else:
            rows = _by_case(
                payments,
                "case__",
                n=Count("id"),
                amount=Coalesce(Sum(activity.PAYMENT_AMOUNT), ZERO),
            )
            title, columns = "Payments taken", [("Payments", "count"), ("Amount", "money")]
        return Drill(
            f"{title}, {p.start:%-d %b} to {p.end:%-d %b %Y}",
            columns,
            rows.order_by("-n", "case_pk"),
        )

    return drill


DRILLS: dict[str, Callable[[Params], Drill]] = {
    "rent-collected": _rent_collected,
    "rent-roll": _rent_roll,
    "former-arrears": _former,
    "tenancies": _tenancies,
    "real-arrears": _real_arrears,
    "notices-served": _legal("notices_served", "Notices served"),
    "claims-issued": _legal("claims_issued", "Possession claims issued"),
    "orders": _legal("orders", "Possession orders"),
    "warrants": _legal("warrants", "Warrants applied for"),
    "evictions": _legal("evictions", "Evictions"),
    "universal-credit": _uc(managed=False),
    "managed-payments": _uc(managed=True),
    "write-offs": _write_offs,
    "moved-on": _moved_on,
    "reached": _reached,
    "contacts": _activity("contacts"),
    "contacts-reached": _activity("reached"),
    "arrangements": _activity("arrangements"),
    "payments-taken": _activity("payments"),
}
# These need a rung of the ladder.
NEEDS_STAGE = frozenset({"moved-on", "reached"})


def cases_behind(figure: str, params: Params) -> Drill:
    if figure in NEEDS_STAGE and params.stage not in Stage.values:
        raise KeyError(figure)
    return DRILLS[figure](params)


def cases_of(case_ids: list[int]) -> dict[int, Case]:
    """The cases to list, with what the table shows of each, in one query."""
    return {
        case.pk: case
        for case in Case.objects.filter(pk__in=case_ids).select_related(
            "patch", "officer", "patch__officer", "tenancy__property"
        )
    }
