"""Reads of cases for pages, each a fixed number of queries however many rows."""

from datetime import date

from django.db.models import OuterRef, Q, QuerySet, Subquery

from cases.models import Case, Tenant
from cases.permissions import patch_ids_worked_by
from core.models import User


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


def with_lead_tenant(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Add the lead tenant's name and the address, in the same query."""
    lead = Tenant.objects.filter(tenancy=OuterRef("tenancy"), is_lead=True)
    return cases.select_related("tenancy__property", "patch").annotate(
        lead_first_name=Subquery(lead.values("first_name")[:1]),
        lead_last_name=Subquery(lead.values("last_name")[:1]),
    )


def my_cases_in_arrears(*, user: User, today: date) -> QuerySet[Case]:
    """The first page: the officer's cases that owe money, most rent owed first.

    Reads the figures the nightly run (and the seed) keep on the case itself.
    """
    return (
        with_lead_tenant(cases_worked_by(user=user, today=today))
        .filter(balance__gt=0)
        .order_by("-rent_arrears", "-balance", "reference")
    )
