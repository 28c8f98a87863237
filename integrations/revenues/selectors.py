"""Reads of the revenues debts, for the case page."""

from cases.models import Case
from integrations.revenues.models import RevenuesDebt


def revenues_debts_for(*, case: Case) -> list[RevenuesDebt]:
    return list(
        RevenuesDebt.objects.filter(tenancy_id=case.tenancy_id).order_by("kind", "reference")
    )
