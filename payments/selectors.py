"""Reads of accounts and the ledger."""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from core.money import to_money
from payments.models import Account, Transaction


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


def accounts_for_case(case_id: int) -> list[Account]:
    """The case's accounts, rent first, open before closed."""
    return list(
        Account.objects.filter(case_id=case_id).order_by(
            "-rent_lawfully_due", "status", "reference"
        )
    )


@dataclass
class StatementLine:
    line: Transaction
    running_balance: Decimal

    @property
    def debit(self) -> Decimal | None:
        return self.line.amount if self.line.amount > 0 else None

    @property
    def credit(self) -> Decimal | None:
        return -self.line.amount if self.line.amount < 0 else None


@dataclass
class Statement:
    """An account's ledger between two dates, with the balance after every line.

    The schedule the Pre-Action Protocol and CPR PD 55A ask for: what was due, what was
    paid, and a running total (legal-reference.md §8).
    """

    account: Account
    date_from: date
    date_to: date
    opening_balance: Decimal
    lines: list[StatementLine]

    @property
    def closing_balance(self) -> Decimal:
        return self.lines[-1].running_balance if self.lines else self.opening_balance

    @property
    def total_debits(self) -> Decimal:
        return sum((ln.debit or Decimal("0.00") for ln in self.lines), Decimal("0.00"))

    @property
    def total_credits(self) -> Decimal:
        return sum((ln.credit or Decimal("0.00") for ln in self.lines), Decimal("0.00"))


def statement_for(*, account: Account, date_from: date, date_to: date) -> Statement:
    """Two queries: the total of lines from `date_from` on (to work back from the running
    balance to the opening one), then the lines in the range, in ledger order."""
    money = DecimalField(max_digits=14, decimal_places=2)
    since = Transaction.objects.filter(account=account, effective_date__gte=date_from).aggregate(
        total=Coalesce(Sum("amount"), Value(0), output_field=money)
    )["total"]
    opening = account.balance - since
    lines = []
    running = opening
    for line in (
        Transaction.objects.filter(
            account=account, effective_date__gte=date_from, effective_date__lte=date_to
        )
        .select_related("created_by")
        .order_by("effective_date", "id")
    ):
        running += line.amount
        lines.append(StatementLine(line, running))
    return Statement(account, date_from, date_to, to_money(opening), lines)


def balance_history(
    *, accounts: list[Account], months: int, today: date
) -> list[tuple[date, Decimal]]:
    """The balance owed across these accounts at the end of each of the last `months`
    months, and today: one grouped query over the ledger's recent lines."""
    if not accounts:
        return []
    ends = []
    year, month = today.year, today.month
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        ends.append(date(year, month, monthrange(year, month)[1]))
    ends.reverse()
    start = ends[0]
    by_month = dict(
        Transaction.objects.filter(account__in=accounts, effective_date__gt=start)
        .annotate(month=TruncMonth("effective_date"))
        .order_by()
        .values_list("month")
        .annotate(total=Sum("amount"))
        .values_list("month", "total")
    )
    balance = sum((a.balance for a in accounts), Decimal("0.00"))
    points = [(today, balance)]
    # Walk back from today: the balance at a month's end is today's less what was
    # posted in every later month.
    later = Decimal("0.00")
    for end in reversed(ends):
        following = date(end.year + (end.month == 12), end.month % 12 + 1, 1)
        later += Decimal(by_month.get(following, 0) or 0)
        points.append((end, to_money(balance - later)))
    points.reverse()
    return points
