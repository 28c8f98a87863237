"""A realistic day's money for a benchmarked night, posted before the run (PostgreSQL).

The seed leaves two years of history in which every account pays as its story says
(weekly, fortnightly, four-weekly and monthly direct debits, Housing Benefit with the
Monday charge, Universal Credit monthly, managed payments, the occasional payer, the one
who stopped). A day is that history carried forward, read from the ledger itself:

- **Rent charges** on a charge day: each account charged on the Monday a week before is
  charged the same again (a rent-free week charges nothing), and monthly-charged accounts
  on the first of the month. The service has no rent run of its own (charges arrive from
  the housing management system), so these go in as the import path posts: one
  INSERT ... SELECT into the ledger and one UPDATE of the balances.
- **Payments** through the real import path (`payments.imports.services
  .payment_file_import`): a channel CSV of what each account paid four weeks ago on the
  same weekday (which repeats weekly, fortnightly and four-weekly cycles) and what each
  monthly payer paid a month ago; about 3% of payers are two days late (their payment
  comes on the day after next), so some fall due and do not arrive.
- **Housing Benefit** on Mondays: last week's credits as a benefit schedule for the
  week just ended; **Universal Credit** managed payments a month after the last, as the
  DWP schedule.
- **Returns**: about 1 in 500 of the direct debits collected three days before is
  returned unpaid and reversed (`payments.services.reversal_post`), as an ARUDD report
  is acted on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta

METHOD_CODES = {
    "cash": "CASH",
    "debit_card": "CARD",
    "telephone_card": "PHONE",
    "online_card": "ONLINE",
    "direct_debit": "DD",
    "standing_order": "SO",
    "bank_transfer": "BACS",
    "paypoint": "PAYPOINT",
    "cheque": "CHEQUE",
}
LATE_PERCENT = 3
LATE_DAYS = 2
RETURN_ONE_IN = 500


@dataclass
class PostedDay:
    day: date
    lines: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.lines.values())

    def describe(self) -> str:
        parts = ", ".join(f"{count:,} {what}" for what, count in self.lines.items() if count)
        return f"{self.total:,} lines ({parts or 'none'}) in {self.seconds:.1f} s"


def _month_before(day: date) -> date:
    month = day.month - 1 or 12
    year = day.year - (day.month == 1)
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _rows(sql: str, params: list) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _source_dates(day: date) -> list[date]:
    cycle = day - timedelta(weeks=4)
    return sorted(
        {
            *(day - timedelta(weeks=w) for w in (1, 2, 3)),
            cycle,
            cycle - timedelta(days=LATE_DAYS),
            _month_before(day),
            day - timedelta(days=3),
        }
    )


def post_day(day: date) -> PostedDay:
    """Post `day`'s charges, payments, benefits and returns; returns what was posted."""
    from django.db import connection

    started = time.monotonic()
    posted = PostedDay(day)
    # One pass over the ledger for every day this one repeats (the ledger has no index
    # on the date alone, and each query below would otherwise scan it again).
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_day_source")
        cursor.execute(
            """
            CREATE TEMP TABLE bench_day_source AS
            SELECT t.id, t.account_id, a.reference, t.kind, t.effective_date, t.amount,
                   t.method, t.source, t.description
            FROM payments_transaction t
            JOIN payments_account a ON a.id = t.account_id AND a.status = 'open'
            WHERE t.effective_date = ANY(%s) AND t.reverses_id IS NULL
            """,
            [_source_dates(day)],
        )
        cursor.execute("ANALYZE bench_day_source")
    posted.lines["rent charges"] = _charges(day)
    posted.lines["payments"] = _payments(day)
    posted.lines["Housing Benefit"] = _housing_benefit(day)
    posted.lines["Universal Credit"] = _universal_credit(day)
    posted.lines["returned direct debits"] = _returns(day)
    posted.seconds = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_day_source")
    return posted


def _charges(day: date) -> int:
    from django.db import connection, transaction

    from payments.calendar import charge_weeks_between

    sources: list[date] = []
    if day.weekday() == 0 and charge_weeks_between(day, day).get(day, True):
        # The last charged Monday: a week ago, or before a rent-free week.
        for weeks in (1, 2, 3):
            before = day - timedelta(weeks=weeks)
            if _rows(
                "SELECT 1 FROM bench_day_source WHERE effective_date = %s"
                " AND source = 'rent_run' AND kind = 'charge' LIMIT 1",
                [before],
            ):
                sources.append(before)
                break
    if day.day == 1:
        sources.append(_month_before(day))
    written = 0
    for source in sources:
        monthly = source.day == 1 and day.day == 1
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                WITH posted AS (
                    INSERT INTO payments_transaction (account_id, kind, effective_date,
                        posted_at, amount, method, source, source_reference, description,
                        created_by_id, reverses_id)
                    SELECT t.account_id, 'charge', %s, now(), t.amount, '', 'rent_run',
                           'bench-rent:' || %s || ':' || t.id, t.description, NULL, NULL
                    FROM bench_day_source t
                    WHERE t.effective_date = %s AND t.source = 'rent_run' AND t.kind = 'charge'
                      AND (%s OR t.description <> 'Rent for the month')
                    ON CONFLICT (source, source_reference) DO NOTHING
                    RETURNING account_id, amount
                ), totals AS (
                    SELECT account_id, sum(amount) AS total, count(*) AS lines
                    FROM posted GROUP BY account_id
                ), moved AS (
                    UPDATE payments_account a SET balance = a.balance + totals.total
                    FROM totals WHERE a.id = totals.account_id
                    RETURNING totals.lines
                )
                SELECT coalesce(sum(lines), 0) FROM moved
                """,
                [day, day.isoformat(), source, monthly],
            )
            written += int(cursor.fetchone()[0])
    return written


def _late(account_id: int, on: date) -> bool:
    return (account_id * 7919 + on.toordinal()) % 100 < LATE_PERCENT


def _payments(day: date) -> int:
    """What each payer paid on this day of their cycle, less the late, plus those late
    from two days before."""
    cycle = day - timedelta(weeks=4)
    late_from = cycle - timedelta(days=LATE_DAYS)
    month = _month_before(day)
    rows = _rows(
        """
        SELECT t.account_id, t.reference, t.effective_date, -t.amount, t.method
        FROM bench_day_source t
        WHERE t.kind = 'payment' AND t.source = 'payment_file' AND t.amount < 0
          AND t.effective_date IN (%s, %s)
        UNION ALL
        SELECT t.account_id, t.reference, t.effective_date, -t.amount, t.method
        FROM bench_day_source t
        WHERE t.kind = 'payment' AND t.source = 'payment_file' AND t.amount < 0
          AND t.effective_date = %s
          AND NOT EXISTS (SELECT 1 FROM bench_day_source w
                          WHERE w.account_id = t.account_id AND w.kind = 'payment'
                            AND w.effective_date = %s)
        """,
        [cycle, late_from, month, cycle],
    )
    lines = ["Receipt date,Account reference,Amount,Method,Reference"]
    for account_id, reference, paid_on, amount, method in rows:
        if paid_on == late_from:
            if not _late(account_id, paid_on):
                continue
        elif _late(account_id, paid_on):
            continue
        code = METHOD_CODES.get(method, "CARD")
        lines.append(f"{day:%d/%m/%Y},{reference},{amount},{code},BENCH-{account_id}-{day:%Y%m%d}")
    return _import("channel_csv", f"bench-payments-{day}.csv", lines, day)


def _housing_benefit(day: date) -> int:
    if day.weekday() != 0:
        return 0
    week = day - timedelta(weeks=1)
    rows = _rows(
        """
        SELECT t.reference, -sum(t.amount) FROM bench_day_source t
        WHERE t.kind = 'housing_benefit' AND t.effective_date = %s
        GROUP BY t.reference HAVING sum(t.amount) < 0
        """,
        [week],
    )
    period_from, period_to = week, day - timedelta(days=1)
    lines = ["Account,Period from,Period to,Amount,Adjustments"]
    total = 0
    for reference, amount in rows:
        lines.append(f"{reference},{period_from:%d/%m/%Y},{period_to:%d/%m/%Y},{amount},")
        total += amount
    if len(lines) == 1:
        return 0
    lines.append(f"TOTAL,,,{total},")
    return _import("housing_benefit", f"bench-hb-{day}.csv", lines, day)


def _universal_credit(day: date) -> int:
    month = _month_before(day)
    rows = _rows(
        """
        SELECT t.account_id, t.reference, -t.amount FROM bench_day_source t
        WHERE t.kind = 'universal_credit' AND t.effective_date = %s AND t.amount < 0
        """,
        [month],
    )
    period_to = day - timedelta(days=1)
    period_from = _month_before(day)
    lines = ["Settlement reference,Claimant,Account,Amount,Period"]
    for account_id, reference, amount in rows:
        pence = int(amount * 100)
        lines.append(
            f"UC-BENCH-{account_id}-{day:%Y%m%d},Claimant {account_id},{reference},{pence},"
            f"{period_from:%d/%m/%Y}-{period_to:%d/%m/%Y}"
        )
    return _import("universal_credit", f"bench-uc-{day}.csv", lines, day)


def _import(format_name: str, filename: str, lines: list[str], day: date) -> int:
    from payments.imports.services import payment_file_import

    if len(lines) <= 1:
        return 0
    result = payment_file_import(
        content=("\n".join(lines) + "\n").encode(),
        filename=filename,
        format_name=format_name,
        today=day,
    )
    return result.totals.lines


def _returns(day: date) -> int:
    from payments.models import Transaction, TransactionSource
    from payments.services import reversal_post

    collected = day - timedelta(days=3)
    returned = 0
    ids = [
        row[0]
        for row in _rows(
            "SELECT id FROM bench_day_source WHERE kind = 'payment' AND method = 'direct_debit'"
            " AND effective_date = %s AND account_id %% %s = 0",
            [collected, RETURN_ONE_IN],
        )
    ]
    for original in Transaction.objects.filter(pk__in=ids, reversed_by=None):
        reversal_post(
            original=original,
            reason="Direct debit returned unpaid (ARUDD 0: refer to payer)",
            today=day,
            actor=None,
            source=TransactionSource.PAYMENT_FILE,
            source_reference=f"bench-arudd:{original.pk}",
        )
        returned += 1
    return returned
