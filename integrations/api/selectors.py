"""The API's reads: a fixed number of queries per response, whatever the page length."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from cases.caseload import active_holds
from cases.models import Case, Hold
from payments.models import Account


def api_cases() -> QuerySet[Case]:
    return Case.objects.select_related("tenancy", "patch")


@dataclass(frozen=True)
class CaseBalance:
    """A case's balances, read from its accounts (the ledger's running balances) rather
    than the copy the nightly run leaves on the case, so a payment taken today shows."""

    case: Case
    accounts: list[Account]

    @property
    def balance(self) -> Decimal:
        return sum((a.balance for a in self.accounts), Decimal("0.00"))

    @property
    def rent_arrears(self) -> Decimal:
        """Rent lawfully due and unpaid: the only debt a rent possession ground rests on
        (legal-reference.md §17)."""
        return sum((a.balance for a in self.accounts if a.rent_lawfully_due), Decimal("0.00"))


def case_balance(*, case: Case) -> CaseBalance:
    accounts = list(
        Account.objects.filter(case=case).order_by("-rent_lawfully_due", "status", "reference")
    )
    return CaseBalance(case=case, accounts=accounts)


def holds_in_force(*, case: Case, today: date) -> list[Hold]:
    return list(active_holds(today).filter(case=case).order_by("starts_on", "id"))


def cases_with_holds(*, today: date) -> QuerySet[Case]:
    return api_cases().prefetch_related(
        Prefetch("holds", queryset=active_holds(today).order_by("starts_on", "id"))
    )
