"""Debts a household owes the council that another of its systems keeps (Council Tax and
Housing Benefit overpayments, from revenues and benefits), for the case page's one view
of what is owed.

An app that knows such debts says so on its AppConfig (`other_debts_for_case(case)`), so
this app imports none of them (docs/architecture.md: imports only go upwards). None of
these is rent lawfully due: they are shown, never escalated (legal-reference.md §17).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.apps import apps

from cases.models import Case


@dataclass(frozen=True)
class OtherDebt:
    label: str  # "Council Tax"
    reference: str  # the other system's reference
    balance: Decimal
    balance_on: date
    kept_by: str  # "Revenues and benefits"
    detail: str = ""  # its recovery stage or arrangement, as that system says
    # What the household pays on it each month under that system's arrangement, if any.
    monthly_instalment: Decimal | None = None
    rent_lawfully_due: bool = False


def other_debts_for(case: Case) -> list[OtherDebt]:
    debts: list[OtherDebt] = []
    for config in apps.get_app_configs():
        provider = getattr(config, "other_debts_for_case", None)
        if provider is not None:
            debts.extend(provider(case))
    return debts


def other_monthly_instalments(debts: list[OtherDebt]) -> Decimal:
    """What the household already pays each month on the council's other debts: money an
    arrangement for the rent cannot also count on (legal-reference.md §12, "Judging
    sustainability": every priority debt is paid from the same surplus)."""
    return sum(
        (d.monthly_instalment for d in debts if d.monthly_instalment and d.balance > 0),
        Decimal("0.00"),
    )
