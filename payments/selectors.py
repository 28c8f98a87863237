"""Reads of accounts and the ledger."""

from decimal import Decimal

from django.db.models import DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from payments.models import Account


def accounts_out_of_balance() -> QuerySet[Account]:
    """Accounts whose running balance differs from the sum of their ledger lines.

    One grouped scan of the ledger; the answer should always be empty. PostgreSQL
    sums numerics exactly; SQLite sums floats, so a difference under half a penny
    is representation, not money.
    """
    half_penny = Decimal("0.005")
    money = DecimalField(max_digits=14, decimal_places=2)
    return (
        Account.objects.annotate(
            ledger_total=Coalesce(Sum("transactions__amount"), Value(0), output_field=money)
        )
        .annotate(difference=F("balance") - F("ledger_total"))
        .filter(Q(difference__gte=half_penny) | Q(difference__lte=-half_penny))
        .order_by("reference")
    )
