"""Reads of cases for pages, each a fixed number of queries however many rows."""

from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from cases.models import Case, Tenant
from cases.permissions import patch_ids_worked_by
from core.models import User

MONEY = DecimalField(max_digits=14, decimal_places=2)


def cases_worked_by(*, user: User, today: date) -> QuerySet[Case]:
    """The officer's cases: their patches and covered patches, less cases assigned away,
    plus cases assigned to them elsewhere. Managers see every case."""
    cases = Case.objects.filter(status=Case.Status.OPEN)
    if user.has_perm("cases.act_on_any_case"):
        return cases
    patch_ids = patch_ids_worked_by(user, today=today)
    return cases.filter(
        (Q(patch_id__in=patch_ids) & (Q(officer__isnull=True) | Q(officer=user))) | Q(officer=user)
    )


def with_debt_figures(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate each case with its total balance, rent arrears and weekly charge.

    Weeks in arrears (core.money.weeks_of) are rent arrears over the weekly charge.
    """
    lead_name = Tenant.objects.filter(tenancy=OuterRef("tenancy"), is_lead=True).values(
        "first_name", "last_name"
    )
    rent = Q(accounts__rent_lawfully_due=True)
    return (
        cases.select_related("tenancy__property", "patch")
        .annotate(
            total_balance=Coalesce(Sum("accounts__balance"), Value(Decimal("0")), output_field=MONEY),
            rent_arrears=Coalesce(
                Sum("accounts__balance", filter=rent), Value(Decimal("0")), output_field=MONEY
            ),
            weekly_charge=Sum("accounts__weekly_charge", filter=rent),
            lead_first_name=Subquery(lead_name.values("first_name")[:1]),
            lead_last_name=Subquery(lead_name.values("last_name")[:1]),
        )
    )


def my_cases_in_arrears(*, user: User, today: date) -> QuerySet[Case]:
    """The first page: the officer's cases that owe money, most owed first."""
    return (
        with_debt_figures(cases_worked_by(user=user, today=today))
        .filter(total_balance__gt=0)
        .order_by("-rent_arrears", "-total_balance", "reference")
    )
