"""Reads of accounts and the ledger."""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from cases.models import Case
from cases.timeline import TimelineEntry, TimelineSource, moment_of, when_of
from core.money import format_money, to_money
from payments.models import (
    Account,
    DirectDebitCollection,
    DirectDebitMandate,
    TenantReference,
    Transaction,
    TransactionKind,
)


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


@dataclass(frozen=True)
class Reconciliation:
    accounts: int
    lines: int
    out_of_balance: int
    shown: list[tuple[str, Decimal, Decimal]]  # reference, balance, ledger total


def ledger_reconciliation(*, shown: int = 200) -> Reconciliation:
    """Every account's running balance against the sum of its ledger, with the counts,
    in one grouped pass over the ledger (a parallel scan on PostgreSQL): the per-account
    sums and line counts are computed once and read for the totals and the list."""
    ledger, accounts = Transaction._meta.db_table, Account._meta.db_table
    sql = f"""
        WITH sums AS (
            SELECT account_id, SUM(amount) AS total, COUNT(*) AS lines
            FROM {ledger} GROUP BY account_id
        ), joined AS (
            SELECT a.reference, a.balance, COALESCE(s.total, 0) AS total,
                   COALESCE(s.lines, 0) AS lines,
                   ABS(a.balance - COALESCE(s.total, 0)) >= 0.005 AS broken
            FROM {accounts} a LEFT JOIN sums s ON s.account_id = a.id
        )
        SELECT reference, balance, total, broken, accounts, all_lines, out_of_balance
        FROM (
            SELECT reference, balance, total, broken,
                   COUNT(*) OVER () AS accounts,
                   SUM(lines) OVER () AS all_lines,
                   SUM(CASE WHEN broken THEN 1 ELSE 0 END) OVER () AS out_of_balance,
                   ROW_NUMBER() OVER (PARTITION BY broken ORDER BY reference) AS place
            FROM joined
        ) AS counted
        -- The accounts out of balance (the first few), or one other row for the totals.
        WHERE (broken AND place <= %s) OR (NOT broken AND place = 1)
        ORDER BY reference
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [shown])
        rows = cursor.fetchall()
    if not rows:
        return Reconciliation(accounts=0, lines=0, out_of_balance=0, shown=[])
    _, _, _, _, count, lines, broken = rows[0]
    # str() first: SQLite sums decimals as floats.
    return Reconciliation(
        accounts=int(count),
        lines=int(lines),
        out_of_balance=int(broken),
        shown=[
            (reference, to_money(str(balance)), to_money(str(total)))
            for reference, balance, total, is_broken, *_ in rows
            if is_broken
        ],
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


# Events services write beside a ledger line; the timeline reads the line itself.
LEDGER_EVENT_VERBS = frozenset(
    {
        "payment_taken",
        "ledger_adjusted",
        "ledger_written_off",
        "ledger_reversed",
        "ledger_transferred",
    }
)


def ledger_timeline(*, case: Case) -> TimelineSource:
    """The case's ledger on its timeline: money received, benefit credits, adjustments,
    write-offs and reversals, whatever posted them (an officer, a payment file, the
    housing system). Charges are left to the statement: a weekly rent charge on the
    timeline would bury everything else."""
    lines = Transaction.objects.filter(account__case=case).exclude(kind=TransactionKind.CHARGE)
    rows = (
        lines.annotate(at=moment_of("effective_date", "posted_at"), origin=Value("ledger"))
        .order_by()
        .values_list("at", "origin", "pk")
    )

    def entries(ids: list[int]) -> dict[int, TimelineEntry]:
        found = Transaction.objects.filter(pk__in=ids).select_related(
            "account", "created_by", "reverses"
        )
        return {line.pk: _ledger_entry(line) for line in found}

    return TimelineSource(
        name="ledger", kind="payments", rows=rows, entries=entries, replaces=LEDGER_EVENT_VERBS
    )


def ledger_line_sentence(line: Transaction) -> str:
    """What a ledger line other than a charge reads as on the timeline."""
    amount = format_money(abs(line.amount))
    match line.kind:
        case TransactionKind.PAYMENT:
            how = f" by {line.get_method_display()}" if line.method else ""
            return f"Payment of {amount} received{how}"
        case TransactionKind.ADJUSTMENT:
            direction = "debit" if line.amount > 0 else "credit"
            return f"Adjustment ({direction}) of {amount}"
        case TransactionKind.WRITE_OFF:
            return f"{amount} written off"
        case TransactionKind.REVERSAL:
            original = line.reverses
            what = original.get_kind_display() if original else "Line"
            when = f" of {original.effective_date:%-d %B %Y}" if original else ""
            return f"{what} of {amount}{when} reversed"
    return f"{line.get_kind_display()} of {amount} received"


def _ledger_entry(line: Transaction) -> TimelineEntry:
    text = [line.description] if line.description else []
    if not line.account.rent_lawfully_due:  # rent goes without saying; other debts are named
        text.append(f"{line.account.get_kind_display()} account {line.account.reference}")
    return TimelineEntry(
        verb=f"ledger_{line.kind}",
        title=ledger_line_sentence(line),
        text="\n".join(text),
        byline=str(line.created_by) if line.created_by_id else line.get_source_display(),
        when=when_of(line.effective_date, line.posted_at),
    )


def mandates_for_case(*, case: Case) -> list[DirectDebitMandate]:
    """The case's direct debits, live first, newest first (one query)."""
    return sorted(
        DirectDebitMandate.objects.filter(account__case=case).select_related("account"),
        key=lambda m: (not m.is_live, -m.created_at.timestamp(), -m.pk),
    )


def collections_for_case(*, case: Case, limit: int = 12) -> list[DirectDebitCollection]:
    """The case's latest direct debit collections, with any return (one query)."""
    return list(
        DirectDebitCollection.objects.filter(account__case=case)
        .select_related("mandate")
        .order_by("-collected_on", "-id")[:limit]
    )


def tenant_references_for(*, case: Case) -> dict[int, list[TenantReference]]:
    """The references other systems know each person of the case's tenancy by, by tenant."""
    found: dict[int, list[TenantReference]] = {}
    for reference in TenantReference.objects.filter(tenant__tenancy_id=case.tenancy_id):
        found.setdefault(reference.tenant_id, []).append(reference)
    return found
