"""Daily snapshots per patch: written by the nightly run, rebuilt from the ledger on demand.

One row per patch per day (`PatchSnapshot`) with the figures the trend needs, as at the
end of the day by effective date: current tenants' rent arrears (and how many accounts
owe), former tenant arrears, and rent collected and rent due in the financial year to
date, on the definitions of performance/figures.py (rent lawfully due only; money
received and charges, each less its reversals).

Both ways of writing them are one `INSERT ... SELECT` for every patch at once:

- **The run** (`snapshots_take`, a finishing step of the nightly run) must not rescan the
  year's ledger every night (about 15 million lines at 200,000 accounts). It starts from
  the previous snapshot in the year and adds (a) every line whose effective date falls
  after that snapshot's day, up to this one, read per account from the covering
  `ledger_account_date` index, and (b) the lines posted since the previous snapshot for
  days it had already covered (late postings, found by ledger id: ids only grow), so
  every line of the year is counted exactly once. Balances as at the day are the
  account's balance less the lines dated after it.
- **A rebuild** (`snapshots_rebuild`, `manage.py rebuild_snapshots`) works the first
  day out from the whole year's ledger as it stands now, and each later day on from it.
  With no correction posted since, it equals what the run wrote
  (tests/performance/test_snapshots.py).

A case is counted in its patch as it is when the row is written; a case moved to
another patch later takes only its later lines with it.
"""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from payments.models import CREDIT_KINDS, AccountKind, TransactionKind
from performance.figures import financial_year_start
from performance.models import PatchSnapshot

logger = logging.getLogger(__name__)

# A rebuild is for repairing a few days or filling in the year so far, not history.
REBUILD_MAX_DAYS = 366


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in sorted(str(v) for v in values))


# Over the ledger line `t` and the line it reverses `r` (figures._of_kind_or_its_reversal).
_CREDITS = _in(CREDIT_KINDS)
_RECEIPT = f"(t.kind IN ({_CREDITS}) OR (t.kind = 'reversal' AND r.kind IN ({_CREDITS})))"
_DUE = "(t.kind = 'charge' OR (t.kind = 'reversal' AND r.kind = 'charge'))"
_FORMER = f"'{AccountKind.FORMER_TENANCY_ARREARS}'"
assert TransactionKind.CHARGE == "charge" and TransactionKind.REVERSAL == "reversal"

# Per account: what is dated after `since` (lines the previous snapshot did not cover),
# split into what is dated after the day (to take off the balance) and the money
# received and rent due up to the day. Only columns of the covering index, so
# PostgreSQL reads it alone; reversals, which need the line they reverse, are few and
# counted apart (the `reversals` part, through the unique index on reverses_id).
_WINDOW_COLUMNS = f"""
    SUM(CASE WHEN t.effective_date > %(day)s THEN t.amount ELSE 0 END) AS after_day,
    SUM(CASE WHEN t.effective_date <= %(day)s AND t.kind IN ({_CREDITS})
             THEN -t.amount ELSE 0 END) AS collected,
    SUM(CASE WHEN t.effective_date <= %(day)s AND t.kind = 'charge'
             THEN t.amount ELSE 0 END) AS due,
    MAX(t.effective_date) AS last_date
"""
# The lines a snapshot counts towards the year: dated after the previous snapshot's
# day up to this one, or dated on a day it covered but posted after it.
_COUNTED = """(
    (t.effective_date > %(since)s AND t.effective_date <= %(day)s)
    OR (t.id > %(previous_line)s AND t.id <= (SELECT id FROM high_water)
        AND t.effective_date >= %(year_start)s AND t.effective_date <= %(since)s)
)"""


def _window_join() -> str:
    if connection.vendor == "postgresql":
        # One index range scan per account, like the nightly figures (arrears/loader.py).
        return f"""
        CROSS JOIN LATERAL (
          SELECT {_WINDOW_COLUMNS}
          FROM payments_transaction t
          WHERE t.account_id = a.id AND t.effective_date > %(since)s
        ) w"""
    return f"""
        LEFT JOIN (
          SELECT t.account_id, {_WINDOW_COLUMNS}
          FROM payments_transaction t
          WHERE t.effective_date > %(since)s
          GROUP BY t.account_id
        ) w ON w.account_id = a.id"""


# When no line was dated after the previous snapshot's day, every line this one counts
# was posted since it: the ledger lines above its high-water mark, read by primary key
# (a day's postings), with no need to look into each account.
_NEW_LINES = f"""
new_lines AS (
  SELECT t.account_id,
    SUM(CASE WHEN t.effective_date > %(day)s THEN t.amount ELSE 0 END) AS after_day,
    SUM(CASE WHEN t.effective_date <= %(day)s AND t.effective_date >= %(year_start)s
             AND {_RECEIPT} THEN -t.amount ELSE 0 END) AS collected,
    SUM(CASE WHEN t.effective_date <= %(day)s AND t.effective_date >= %(year_start)s
             AND {_DUE} THEN t.amount ELSE 0 END) AS due,
    MAX(t.effective_date) AS last_date
  FROM payments_transaction t
  LEFT JOIN payments_transaction r ON r.id = t.reverses_id
  WHERE t.id > %(previous_line)s AND t.id <= (SELECT id FROM high_water)
  GROUP BY t.account_id
),
late AS (SELECT 0 AS patch_id, 0 AS collected, 0 AS due WHERE 1 = 0),
reversals AS (SELECT 0 AS patch_id, 0 AS collected, 0 AS due WHERE 1 = 0),"""


_LATE = (
    """,
late AS ("""
    + f"""
  SELECT c.patch_id,
    SUM(CASE WHEN t.kind IN ({_CREDITS}) THEN -t.amount ELSE 0 END) AS collected,
    SUM(CASE WHEN t.kind = 'charge' THEN t.amount ELSE 0 END) AS due
  FROM payments_transaction t
  JOIN payments_account a ON a.id = t.account_id
  JOIN cases_case c ON c.id = a.case_id
  WHERE t.id > %(previous_line)s
    AND t.id <= (SELECT id FROM high_water)
    AND t.effective_date >= %(year_start)s
    AND t.effective_date <= %(since)s
    AND a.rent_lawfully_due
  GROUP BY c.patch_id
),
reversals AS (
  SELECT c.patch_id,
    SUM(CASE WHEN {_RECEIPT} THEN -t.amount ELSE 0 END) AS collected,
    SUM(CASE WHEN {_DUE} THEN t.amount ELSE 0 END) AS due
  FROM payments_transaction t
  JOIN payments_transaction r ON r.id = t.reverses_id
  JOIN payments_account a ON a.id = t.account_id
  JOIN cases_case c ON c.id = a.case_id
  WHERE t.reverses_id IS NOT NULL AND a.rent_lawfully_due AND {_COUNTED}
  GROUP BY c.patch_id
)
"""
)


def _snapshot_sql(*, new_lines_only: bool = False) -> str:
    window = "LEFT JOIN new_lines w ON w.account_id = a.id" if new_lines_only else _window_join()
    return f"""
WITH high_water AS (
  SELECT COALESCE(MAX(id), 0) AS id FROM payments_transaction
),{_NEW_LINES if new_lines_only else ""}
accounts AS (
  SELECT c.patch_id, a.kind, a.rent_lawfully_due, a.status, a.weekly_charge,
         CASE WHEN tn.end_date IS NULL OR tn.end_date > %(day)s THEN 1 ELSE 0 END AS is_current,
         a.balance - COALESCE(w.after_day, 0) AS balance_on_day,
         COALESCE(w.collected, 0) AS collected,
         COALESCE(w.due, 0) AS due,
         w.last_date
  FROM payments_account a
  JOIN cases_case c ON c.id = a.case_id
  JOIN cases_tenancy tn ON tn.id = a.tenancy_id
  {window}
  WHERE a.rent_lawfully_due OR a.kind = {_FORMER}
),
per_patch AS (
  SELECT patch_id,
    SUM(CASE WHEN rent_lawfully_due AND is_current = 1 AND balance_on_day > 0
             THEN balance_on_day ELSE 0 END) AS current_arrears,
    SUM(CASE WHEN rent_lawfully_due AND is_current = 1 AND balance_on_day > 0
             THEN 1 ELSE 0 END) AS accounts_owing,
    SUM(CASE WHEN (kind = {_FORMER} OR (rent_lawfully_due AND is_current = 0))
                  AND balance_on_day > 0
             THEN balance_on_day ELSE 0 END) AS former_arrears,
    SUM(CASE WHEN rent_lawfully_due THEN collected ELSE 0 END) AS collected,
    SUM(CASE WHEN rent_lawfully_due THEN due ELSE 0 END) AS due,
    SUM(CASE WHEN rent_lawfully_due AND is_current = 1 AND status = 'open'
             THEN weekly_charge ELSE 0 END) AS weekly_rent_roll
  FROM accounts
  GROUP BY patch_id
){"" if new_lines_only else _LATE}
INSERT INTO performance_patchsnapshot
  (patch_id, day, current_arrears, accounts_owing, former_arrears, collected_ytd, due_ytd,
   weekly_rent_roll, ledger_line_id, ledger_last_date, source, written_at)
SELECT p.id, %(day)s,
  COALESCE(pp.current_arrears, 0),
  COALESCE(pp.accounts_owing, 0),
  COALESCE(pp.former_arrears, 0),
  COALESCE(b.collected_ytd, 0) + COALESCE(pp.collected, 0) + COALESCE(l.collected, 0)
    + COALESCE(rv.collected, 0),
  COALESCE(b.due_ytd, 0) + COALESCE(pp.due, 0) + COALESCE(l.due, 0) + COALESCE(rv.due, 0),
  COALESCE(pp.weekly_rent_roll, 0),
  (SELECT id FROM high_water),
  CASE WHEN (SELECT MAX(last_date) FROM accounts) > %(day)s
       THEN (SELECT MAX(last_date) FROM accounts) ELSE %(day)s END,
  %(source)s, %(now)s
FROM cases_patch p
LEFT JOIN per_patch pp ON pp.patch_id = p.id
LEFT JOIN late l ON l.patch_id = p.id
LEFT JOIN reversals rv ON rv.patch_id = p.id
LEFT JOIN performance_patchsnapshot b ON b.patch_id = p.id AND b.day = %(base_day)s
WHERE 1 = 1
ON CONFLICT (patch_id, day) DO UPDATE SET
  current_arrears = excluded.current_arrears,
  accounts_owing = excluded.accounts_owing,
  former_arrears = excluded.former_arrears,
  collected_ytd = excluded.collected_ytd,
  due_ytd = excluded.due_ytd,
  weekly_rent_roll = excluded.weekly_rent_roll,
  ledger_line_id = excluded.ledger_line_id,
  ledger_last_date = excluded.ledger_last_date,
  source = excluded.source,
  written_at = excluded.written_at
"""


def _write(*, day: date, base: dict[str, Any] | None, source: str) -> int:
    """Write every patch's snapshot for `day` in one statement; returns the rows written.

    `base` is the previous snapshot day in the same financial year and its ledger high
    water mark, to count on from; None counts the year from its start."""
    year_start = financial_year_start(day)
    params = {
        "day": day,
        "year_start": year_start,
        "since": base["day"] if base else year_start - timedelta(days=1),
        "base_day": base["day"] if base else None,
        "previous_line": base["ledger_line_id"] if base else 0,
        "source": source,
        "now": timezone.now(),
    }
    with connection.cursor() as cursor:
        cursor.execute(_snapshot_sql(new_lines_only=_nothing_dated_after(base)), params)
        if cursor.rowcount >= 0:
            return cursor.rowcount
    # SQLite does not count the rows of an INSERT that starts with WITH.
    return PatchSnapshot.objects.filter(day=day).count()


def _nothing_dated_after(base: dict[str, Any] | None) -> bool:
    """Whether no line of the ledger was dated after the previous snapshot's day when it
    was written (no Direct Debit collection posted ahead, say): then every line this
    snapshot counts was posted since it."""
    return base is not None and base["ledger_last_date"] <= base["day"]


def _previous(day: date) -> dict[str, Any] | None:
    """The latest snapshot day before `day` in its financial year, if any."""
    return (
        PatchSnapshot.objects.filter(day__lt=day, day__gte=financial_year_start(day))
        .order_by("-day")
        .values("day", "ledger_line_id", "ledger_last_date")
        .first()
    )


def snapshots_take(*, day: date) -> dict[str, Any]:
    """The nightly run's step: every patch's snapshot for the run date, counted on from
    the previous one. Returns what the run records in its counts."""
    started = time.perf_counter()
    with transaction.atomic():
        rows = _write(day=day, base=_previous(day), source=PatchSnapshot.Source.RUN)
    return {"snapshots": rows, "snapshot_seconds": round(time.perf_counter() - started, 3)}


def snapshots_rebuild(*, start: date, end: date, today: date) -> int:
    """Work out again, from the ledger as it now stands, every patch's snapshot for each
    day from `start` to `end` (both included), replacing what is there. All or nothing."""
    if start > end:
        raise ValidationError(
            f"The first day ({start:%d %B %Y}) is after the last ({end:%d %B %Y})."
        )
    if end > today:
        raise ValidationError(
            f"Snapshots can only be rebuilt for days that have passed: "
            f"{end:%d %B %Y} is after today."
        )
    days = (end - start).days + 1
    if days > REBUILD_MAX_DAYS:
        raise ValidationError(f"That is {days} days; rebuild at most {REBUILD_MAX_DAYS} at a time.")
    rows = 0
    base: dict[str, Any] | None = None
    with transaction.atomic():
        for offset in range(days):
            day = start + timedelta(days=offset)
            if base is not None and financial_year_start(base["day"]) != financial_year_start(day):
                base = None
            # The first day counts its year from the ledger; each later one counts on from
            # the day before, just rebuilt from the same ledger, which gives the same
            # figures as counting the year again for far less reading.
            rows += _write(day=day, base=base, source=PatchSnapshot.Source.REBUILD)
            base = _previous(day + timedelta(days=1))
    return rows


def snapshots_after_run(*, run_date: date) -> dict[str, Any]:
    """The nightly run's finishing step (registered in PerformanceConfig.ready)."""
    return snapshots_take(day=run_date)
