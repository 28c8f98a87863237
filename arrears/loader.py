"""Loading a chunk of cases for the engine: a fixed number of set-based queries.

The figures come from each account's running balance and its recent ledger lines only
(the index `ledger_account_date` on (account, effective_date)), so the cost grows with
the number of accounts, not with the years of history behind them. On PostgreSQL a
LATERAL join makes that an index range scan per account; SQLite gets the same query
with a plain join. Arrangements read their lines since they started, which only the
few accounts with a live arrangement need.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import Max, Q
from django.utils import timezone

from arrears.arrangements import ArrangementTerms, payment_cutoff
from arrears.facts import (
    AccountFigures,
    ArrangementFact,
    AssessmentFact,
    CaseInput,
    CourtFact,
    FlagFact,
    HoldFact,
    PreviousRecommendation,
    WarrantFact,
)
from arrears.limitation import (
    DEBTOR_PAYMENTS,
    LIMITATION_KINDS,
    LIMITATION_YEARS,
    limitation_position,
)
from arrears.models import LetterKind, LetterRequest, Recommendation, RunChunk
from arrears.policy import Policy
from arrears.rules import NoticeFact, add_years
from arrears.technical import payment_pattern, technical_arrears
from cases.models import (
    Case,
    Contact,
    CourtCase,
    Hold,
    ProportionalityAssessment,
    VulnerabilityFlag,
    Warrant,
)
from core.dates import rent_year_containing, week_start
from payments.calendar import charge_weeks_between, rent_year_ensure
from payments.models import Arrangement, RentWeek

BUCKETS = 14  # the current rent week and the 13 before it
RECEIPTS = ("payment", "housing_benefit", "universal_credit", "dwp_deduction", "dhp")
PAYER_STREAM = ("payment", "universal_credit")
TECHNICAL_KINDS = frozenset({"rent", "garage"})
ZERO = Decimal("0.00")
LETTER_KINDS = tuple(kind.value for kind in LetterKind)
CENTS = Decimal("0.01")


def pounds(pence: int | None) -> Decimal:
    """Whole pence from SQL to pounds, exactly."""
    return Decimal(int(pence)).scaleb(-2) if pence else ZERO


def as_date(value: Any) -> date | None:
    """SQLite returns dates as text; PostgreSQL as dates."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class RunCalendar:
    """The rent weeks the figures are bucketed by, and which of them charge rent."""

    today: date
    mondays: tuple[date, ...]  # newest first: the current rent week, then the 13 before
    charge_week: tuple[bool, ...]
    charge_weeks_this_year: int

    @property
    def window_start(self) -> date:
        return self.mondays[-1]

    @property
    def in_rent_free_week(self) -> bool:
        return not self.charge_week[0]

    def charge_weeks_in_last(self, weeks: int) -> int:
        return sum(self.charge_week[:weeks])


def run_calendar(today: date) -> RunCalendar:
    """The rent weeks around `today`, creating any rent year the calendar lacks."""
    monday = week_start(today)
    mondays = tuple(monday - timedelta(days=7 * k) for k in range(BUCKETS))
    charge = charge_weeks_between(mondays[-1], today)
    year = rent_year_ensure(rent_year_containing(today)[0].year)
    this_year = RentWeek.objects.filter(rent_year=year, is_charge_week=True).count()
    return RunCalendar(
        today=today,
        mondays=mondays,
        charge_week=tuple(charge.get(m, True) for m in mondays),
        charge_weeks_this_year=this_year or 52,
    )


# --------------------------------------------------------------------------- SQL


def _pence(expression: str) -> str:
    kind = "BIGINT" if connection.vendor == "postgresql" else "INTEGER"
    return f"CAST(ROUND(({expression}) * 100) AS {kind})"


def _in(values: Iterable[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)


# Money received (a reversed payment counts against it) and rent due (a reversed
# charge counts against it), as SQL over the ledger line `t`.
RECEIPT_FILTER = f"(t.kind IN ({_in(RECEIPTS)}) OR (t.kind = 'reversal' AND t.amount > 0))"
DUE_FILTER = "(t.kind = 'charge' OR (t.kind = 'reversal' AND t.amount < 0))"


def account_figures_sql_postgresql() -> str:
    """Per account, one index range scan of its recent lines, aggregated where it lies:
    the balance after the run date, money received and due over 4 and 13 weeks, Housing
    Benefit over 4 weeks, and (as arrays of day offsets and pence) the charges, payments
    and Housing Benefit credits the payment patterns are read from."""
    day = "(t.effective_date - CAST(%(today)s AS date))"
    upto = "t.effective_date <= %(today)s"
    return f"""
SELECT a.id, a.case_id, a.reference, a.kind, a.rent_lawfully_due,
       {_pence("a.weekly_charge")}, {_pence("a.balance")}, a.last_payment_on,
       {_pence("a.last_payment_amount")},
       {_pence("w.after_today")}, {_pence("w.paid_4")}, {_pence("w.paid_13")},
       {_pence("w.due_4")}, {_pence("w.due_13")}, {_pence("w.hb_4")}, w.last_receipt_on,
       w.charge_days, w.charge_pence, w.payer_days, w.payer_pence, w.hb_days, w.hb_pence
FROM payments_account a
CROSS JOIN LATERAL (
  SELECT
    SUM(t.amount) FILTER (WHERE t.effective_date > %(today)s) AS after_today,
    SUM(-t.amount) FILTER (WHERE {RECEIPT_FILTER} AND t.effective_date >= %(m3)s AND {upto})
        AS paid_4,
    SUM(-t.amount) FILTER (WHERE {RECEIPT_FILTER} AND t.effective_date >= %(m12)s AND {upto})
        AS paid_13,
    SUM(t.amount) FILTER (WHERE {DUE_FILTER} AND t.effective_date >= %(m3)s AND {upto}) AS due_4,
    SUM(t.amount) FILTER (WHERE {DUE_FILTER} AND t.effective_date >= %(m12)s AND {upto})
        AS due_13,
    SUM(-t.amount) FILTER (WHERE t.kind = 'housing_benefit' AND t.effective_date >= %(m3)s
        AND {upto}) AS hb_4,
    MAX(t.effective_date) FILTER (WHERE {RECEIPT_FILTER} AND {upto}) AS last_receipt_on,
    array_agg({day}) FILTER (WHERE t.kind = 'charge' AND {upto}) AS charge_days,
    array_agg(CAST(t.amount * 100 AS bigint)) FILTER (WHERE t.kind = 'charge' AND {upto})
        AS charge_pence,
    array_agg({day}) FILTER (WHERE t.kind IN ({_in(PAYER_STREAM)}) AND {upto}) AS payer_days,
    array_agg(CAST(t.amount * -100 AS bigint))
        FILTER (WHERE t.kind IN ({_in(PAYER_STREAM)}) AND {upto}) AS payer_pence,
    array_agg({day}) FILTER (WHERE t.kind = 'housing_benefit' AND {upto}) AS hb_days,
    array_agg(CAST(t.amount * -100 AS bigint)) FILTER (WHERE t.kind = 'housing_benefit'
        AND {upto}) AS hb_pence
  FROM payments_transaction t
  WHERE t.account_id = a.id AND t.effective_date >= %(window_start)s
) w
WHERE a.case_id >= %(first_case)s AND a.case_id <= %(last_case)s
ORDER BY a.case_id, a.id
"""


ACCOUNTS_SQL = """
SELECT a.id, a.case_id, a.reference, a.kind, a.rent_lawfully_due,
       {weekly}, {balance}, a.last_payment_on, {last_amount}
FROM payments_account a
WHERE a.case_id >= %(first_case)s AND a.case_id <= %(last_case)s
ORDER BY a.case_id, a.id
"""

WINDOW_LINES_SQL = """
SELECT t.account_id, t.kind, t.effective_date, {amount}
FROM payments_account a
JOIN payments_transaction t ON t.account_id = a.id AND t.effective_date >= %(window_start)s
WHERE a.case_id >= %(first_case)s AND a.case_id <= %(last_case)s
"""


def limitation_lines_sql() -> str:
    """The debits and the debtor's payments of each owing account in the chunk that has
    a line old enough (six years) for any of it to be statute-barred: few accounts, so
    their whole ledger is read (arrears/limitation.py)."""
    return f"""
SELECT t.account_id, t.effective_date, {_pence("t.amount")}, t.amount > 0
FROM payments_account a
JOIN payments_transaction t ON t.account_id = a.id
WHERE a.case_id >= %(first_case)s AND a.case_id <= %(last_case)s
  AND a.kind IN ({_in(LIMITATION_KINDS)})
  AND a.balance > 0
  AND EXISTS (
    SELECT 1 FROM payments_transaction o
    WHERE o.account_id = a.id AND o.effective_date <= %(old)s
  )
  AND t.effective_date <= %(today)s
  AND (t.amount > 0 OR t.kind IN ({_in(DEBTOR_PAYMENTS)}))
ORDER BY t.account_id, t.effective_date
"""


@dataclass(slots=True)
class Window:
    """An account's recent lines, reduced to what the figures need (pence, day offsets
    from the run date: 0 is the run date, -1 the day before)."""

    after_today: int = 0
    paid_4: int = 0
    paid_13: int = 0
    due_4: int = 0
    due_13: int = 0
    hb_4: int = 0
    last_receipt_on: date | None = None
    # Day offsets and pence of each charge, payment and Housing Benefit credit.
    charge_days: list[int] | None = None
    charge_pence: list[int] | None = None
    payer_days: list[int] | None = None
    payer_pence: list[int] | None = None
    hb_days: list[int] | None = None
    hb_pence: list[int] | None = None


def _windows_postgresql(params: dict[str, Any]) -> list[tuple[tuple, Window]]:
    with connection.cursor() as cursor:
        cursor.execute(account_figures_sql_postgresql(), params)
        rows = cursor.fetchall()
    windows = []
    for row in rows:
        (after, paid_4, paid_13, due_4, due_13, hb_4, *rest) = row[9:]
        windows.append(
            (
                row[:9],
                Window(
                    after or 0, paid_4 or 0, paid_13 or 0, due_4 or 0, due_13 or 0, hb_4 or 0, *rest
                ),
            )
        )
    return windows


def _add(window: Window, stream: str, offset: int, pence: int) -> None:
    if getattr(window, f"{stream}_days") is None:
        setattr(window, f"{stream}_days", [])
        setattr(window, f"{stream}_pence", [])
    getattr(window, f"{stream}_days").append(offset)
    getattr(window, f"{stream}_pence").append(pence)


def _windows_portable(params: dict[str, Any], calendar: RunCalendar) -> list[tuple[tuple, Window]]:
    """The same figures from the raw recent lines, summed here (SQLite, the try-it database)."""
    today = calendar.today
    with connection.cursor() as cursor:
        cursor.execute(
            ACCOUNTS_SQL.format(
                weekly=_pence("a.weekly_charge"),
                balance=_pence("a.balance"),
                last_amount=_pence("a.last_payment_amount"),
            ),
            params,
        )
        accounts = cursor.fetchall()
        cursor.execute(WINDOW_LINES_SQL.format(amount=_pence("t.amount")), params)
        lines = cursor.fetchall()
    windows: dict[int, Window] = {row[0]: Window() for row in accounts}
    four, thirteen = calendar.mondays[3], calendar.mondays[12]
    for account_id, kind, effective, pence in lines:
        window = windows[account_id]
        day = as_date(effective)
        if day > today:
            window.after_today += pence
            continue
        offset = (day - today).days
        receipt = kind in RECEIPTS or (kind == "reversal" and pence > 0)
        due = kind == "charge" or (kind == "reversal" and pence < 0)
        if receipt:
            if day >= four:
                window.paid_4 -= pence
            if day >= thirteen:
                window.paid_13 -= pence
            if window.last_receipt_on is None or day > window.last_receipt_on:
                window.last_receipt_on = day
        if due:
            if day >= four:
                window.due_4 += pence
            if day >= thirteen:
                window.due_13 += pence
        if kind == "charge":
            _add(window, "charge", offset, pence)
        elif kind in PAYER_STREAM:
            _add(window, "payer", offset, -pence)
        elif kind == "housing_benefit":
            _add(window, "hb", offset, -pence)
            if day >= four:
                window.hb_4 -= pence
    return [(row, windows[row[0]]) for row in accounts]


def arrangement_sums_sql(count: int) -> str:
    """Rent fallen due (past each arrangement's cutoff) and money paid since each started."""
    rows = ", ".join(["(%s, %s, %s, %s)"] * count)
    if connection.vendor == "postgresql":
        lines = (
            "FROM arr CROSS JOIN LATERAL ("
            " SELECT t.kind, t.effective_date, t.amount FROM payments_transaction t"
            " WHERE t.account_id = arr.account_id AND t.effective_date >= arr.starts_on"
            " ORDER BY t.effective_date) t"
        )
        values = f"SELECT * FROM (VALUES {rows}) AS v(id, account_id, starts_on, cutoff)"
        values = values.replace("(%s, %s, %s, %s)", "(%s::bigint, %s::bigint, %s::date, %s::date)")
    else:
        lines = (
            "FROM arr JOIN payments_transaction t"
            " ON t.account_id = arr.account_id AND t.effective_date >= arr.starts_on"
        )
        values = f"VALUES {rows}"
    receipts = _in(RECEIPTS)
    return f"""
WITH arr(id, account_id, starts_on, cutoff) AS ({values})
SELECT arr.id,
  {
        _pence(
            "SUM(CASE WHEN t.effective_date <= arr.cutoff AND (t.kind IN ('charge', 'adjustment'))"
            " THEN t.amount WHEN t.effective_date <= arr.cutoff AND t.kind = 'reversal'"
            " AND t.amount < 0 THEN t.amount ELSE 0 END)"
        )
    } AS rent_due,
  {
        _pence(
            f"SUM(CASE WHEN t.effective_date <= %s AND (t.kind IN ({receipts})"
            " OR (t.kind = 'reversal' AND t.amount > 0)) THEN -t.amount ELSE 0 END)"
        )
    } AS paid
{lines}
GROUP BY arr.id
"""


# --------------------------------------------------------------------------- the chunk


def _top_days(
    days: list[int] | None, amounts: list[int] | None, today: date
) -> list[tuple[date, Decimal]]:
    """The three latest days money arrived (same-day receipts added), newest first."""
    if not days or not amounts:
        return []
    by_day: dict[int, int] = {}
    for offset, pence in zip(days, amounts, strict=True):
        by_day[offset] = by_day.get(offset, 0) + pence
    latest = sorted(by_day.items(), reverse=True)[:3]
    return [(today + timedelta(days=offset), pounds(pence)) for offset, pence in latest]


def _account_figures(
    row: tuple, window: Window, calendar: RunCalendar, policy: Policy
) -> tuple[int, AccountFigures]:
    (
        account_id,
        case_id,
        reference,
        kind,
        rent_lawfully_due,
        weekly_pence,
        balance_pence,
        last_payment_on,
        last_payment_pence,
    ) = row
    today = calendar.today
    weekly = pounds(weekly_pence)
    balance = pounds((balance_pence or 0) - window.after_today)
    charge_weeks_4 = calendar.charge_weeks_in_last(4)
    hb_weekly = ZERO
    if window.hb_4 and charge_weeks_4:
        hb_weekly = min(weekly, (pounds(window.hb_4) / charge_weeks_4).quantize(CENTS))
    last_on = as_date(last_payment_on)
    last_amount = pounds(last_payment_pence) if last_payment_pence is not None else None
    if last_on is not None and last_on > today:  # a rerun of an earlier date
        last_on, last_amount = as_date(window.last_receipt_on), None
    figures = AccountFigures(
        id=account_id,
        reference=reference,
        kind=kind,
        rent_lawfully_due=bool(rent_lawfully_due),
        weekly_charge=weekly,
        balance=balance,
        hb_weekly=hb_weekly,
        due_4_weeks=pounds(window.due_4),
        paid_4_weeks=pounds(window.paid_4),
        due_13_weeks=pounds(window.due_13),
        paid_13_weeks=pounds(window.paid_13),
        last_payment_on=last_on,
        last_payment_amount=last_amount,
    )
    if kind in TECHNICAL_KINDS and balance > 0 and weekly > 0:
        patterns = [
            found
            for name, days, amounts in (
                ("payments", window.payer_days, window.payer_pence),
                ("housing_benefit", window.hb_days, window.hb_pence),
            )
            if (found := payment_pattern(name, _top_days(days, amounts, today))) is not None
        ]
        if patterns:
            buckets = [0] * BUCKETS
            weekday = today.weekday()
            for offset, pence in zip(
                window.charge_days or (), window.charge_pence or (), strict=True
            ):
                bucket = (6 - weekday - offset) // 7
                if bucket < BUCKETS:
                    buckets[bucket] += pence
            figures.patterns = tuple(patterns)
            figures.charge_buckets = tuple(buckets)
            apply_technical(figures, policy=policy, calendar=calendar)
    return case_id, figures


def apply_technical(figures: AccountFigures, *, policy: Policy, calendar: RunCalendar) -> None:
    """Work out the account's technical arrears under `policy` from its payment patterns."""
    if not figures.patterns:
        return
    mondays = calendar.mondays
    buckets = figures.charge_buckets

    def charges_since(since: date) -> Decimal:
        return pounds(
            sum(pence for monday, pence in zip(mondays, buckets, strict=True) if monday > since)
        )

    figures.technical = technical_arrears(
        arrears=figures.balance,
        weekly_charge=figures.weekly_charge,
        hb_weekly=figures.hb_weekly,
        charge_weeks_per_year=calendar.charge_weeks_this_year,
        patterns=figures.patterns,
        charges_since=charges_since,
        today=calendar.today,
        policy=policy,
    )


def _grouped(rows: Iterable[tuple[int, Any]]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for case_id, value in rows:
        grouped[case_id].append(value)
    return grouped


def _apply_limitation(
    accounts: dict[int, list[AccountFigures]],
    params: dict[str, Any],
    first_case: int,
    last_case: int,
    today: date,
) -> None:
    """Work out the statute-barred part of each old enough debt (arrears/limitation.py).

    Restarts: the account's own payments, and any signed written acknowledgment of the
    debt recorded on the case (a contact with that outcome, Limitation Act 1980 s30).
    """
    # Only a sum fell due by about six years ago can be barred (a day's slack covers the
    # 29th of February): the rest of the chunk's accounts are not read.
    old = add_years(today, -LIMITATION_YEARS) + timedelta(days=1)
    with connection.cursor() as cursor:
        cursor.execute(limitation_lines_sql(), {**params, "old": old})
        lines = cursor.fetchall()
    if not lines:
        return
    charges: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    payments: dict[int, list[date]] = defaultdict(list)
    for account_id, effective, pence, is_debit in lines:
        day = as_date(effective)
        if is_debit:
            charges[account_id].append((day, pounds(pence)))
        else:
            payments[account_id].append(day)
    acknowledged = _grouped(
        Contact.objects.filter(
            case_id__gte=first_case,
            case_id__lte=last_case,
            outcome=Contact.Outcome.ACKNOWLEDGED_DEBT,
            contacted_on__lte=today,
        ).values_list("case_id", "contacted_on")
    )
    for case_id, figures in accounts.items():
        for account in figures:
            if account.id in charges:
                account.limitation = limitation_position(
                    balance=account.balance,
                    charges=charges[account.id],
                    restarts=[*payments.get(account.id, ()), *acknowledged.get(case_id, ())],
                    today=today,
                )


def _later_runs_covered(first_case: int, last_case: int, today: date) -> list[tuple[int, int]]:
    """The case ranges of finished chunks of runs for dates after `today` that overlap
    this chunk's range: their figures stand over an earlier date's."""
    return list(
        RunChunk.objects.filter(
            run__run_date__gt=today,
            status=RunChunk.Status.DONE,
            first_case_id__lte=last_case,
            last_case_id__gte=first_case,
        ).values_list("first_case_id", "last_case_id")
    )


def load_chunk(
    *, first_case: int, last_case: int, today: date, policy: Policy, calendar: RunCalendar
) -> tuple[list[CaseInput], int]:
    """Every open case in the id range, with its facts on `today`.

    Returns the inputs and how many cases were skipped because a run for a later date has
    already written their figures (that run's figures stand).
    """
    in_range = Q(case_id__gte=first_case, case_id__lte=last_case)
    cases = list(
        Case.objects.filter(id__gte=first_case, id__lte=last_case, status=Case.Status.OPEN)
        .order_by("id")
        .values_list(
            "id",
            "reference",
            "stage",
            "stage_changed_on",
            "last_contact_on",
            "figures_on",
            "tenancy__tenure",
            "tenancy__landlord_registered_provider",
            "tenancy__ta_duty",
            "tenancy__rent_period",
            "tenancy__trial_period_end",
            "tenancy__fixed_term_end",
            "tenancy__end_date",
            "patch__automatic_letters",
        )
    )
    # A run leaves an unchanged case unwritten, so its figures_on can be older than the
    # run that confirmed them: a case a later date's run has covered is skipped too.
    later = _later_runs_covered(first_case, last_case, today)
    stale = [
        row
        for row in cases
        if row[5] is not None
        and (row[5] > today or any(first <= row[0] <= last for first, last in later))
    ]
    skipped = len(stale)
    if stale:
        taken = {row[0] for row in stale}
        cases = [row for row in cases if row[0] not in taken]
    if not cases:
        return [], skipped

    params: dict[str, Any] = {
        "first_case": first_case,
        "last_case": last_case,
        "today": today,
        "window_start": calendar.window_start,
    }
    for k, monday in enumerate(calendar.mondays):
        params[f"m{k}"] = monday
    if connection.vendor == "postgresql":
        windows = _windows_postgresql(params)
    else:
        windows = _windows_portable(params, calendar)
    accounts = _grouped(_account_figures(row, window, calendar, policy) for row, window in windows)
    _apply_limitation(accounts, params, first_case, last_case, today)

    holds = _grouped(
        (case_id, HoldFact(kind, reason, starts_on, until, reference, evidence))
        for case_id, kind, reason, starts_on, until, reference, evidence in Hold.objects.filter(
            in_range
        )
        .filter(starts_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
        .exclude(kind=Hold.Kind.PAUSE, until__lt=today)
        .order_by("starts_on", "id")
        .values_list(
            "case_id", "kind", "reason", "starts_on", "until", "reference", "all_evidence_supplied"
        )
    )
    flags = _grouped(
        (case_id, FlagFact(kind, recorded_on, review_on))
        for case_id, kind, recorded_on, review_on in VulnerabilityFlag.objects.filter(in_range)
        .filter(recorded_on__lte=today)
        .filter(Q(cleared_on__isnull=True) | Q(cleared_on__gt=today))
        .values_list("case_id", "kind", "recorded_on", "review_on")
    )
    assessments = _grouped(
        (case_id, AssessmentFact(step, decision, assessed_on))
        for case_id, step, decision, assessed_on in ProportionalityAssessment.objects.filter(
            in_range, assessed_on__lte=today
        ).values_list("case_id", "step", "decision", "assessed_on")
    )
    warrants = _grouped(
        (court_case_id, WarrantFact(form, applied_on, eviction_date, outcome))
        for court_case_id, form, applied_on, eviction_date, outcome in Warrant.objects.filter(
            court_case__case_id__gte=first_case,
            court_case__case_id__lte=last_case,
            applied_on__lte=today,
        ).values_list("court_case_id", "form", "applied_on", "eviction_date", "outcome")
    )
    courts = _grouped(
        (
            case_id,
            CourtFact(
                id=court_id,
                outcome=outcome,
                issued_on=issued_on,
                hearing_on=hearing_at.date() if hearing_at else None,
                order_date=order_date,
                possession_date=possession_date,
                warrants=tuple(warrants.get(court_id, ())),
            ),
        )
        for court_id, case_id, outcome, issued_on, hearing_at, order_date, possession_date in (
            CourtCase.objects.filter(in_range)
            .filter(Q(issued_on__isnull=True) | Q(issued_on__lte=today))
            .values_list(
                "id",
                "case_id",
                "outcome",
                "issued_on",
                "hearing_at",
                "order_date",
                "possession_date",
            )
        )
    )
    notice_model = apps.get_model("notices", "Notice")
    notices = _grouped(
        (case_id, NoticeFact(kind, status, served_on, earliest, last))
        for case_id, kind, status, served_on, earliest, last in notice_model.objects.filter(
            in_range, served_on__isnull=False, served_on__lte=today
        )
        .exclude(status="withdrawn")
        .order_by("-served_on", "-id")
        .values_list(
            "case_id",
            "kind",
            "status",
            "served_on",
            "earliest_proceedings_date",
            "last_proceedings_date",
        )
    )
    arrangements = _grouped(_arrangement_facts(first_case, last_case, today, policy))
    letters: dict[int, dict[str, date]] = defaultdict(dict)
    failed: dict[int, dict[str, date]] = defaultdict(dict)
    for case_id, letter, status, latest in (
        LetterRequest.objects.filter(in_range, run_date__lte=today)
        .exclude(status=LetterRequest.Status.CANCELLED)
        .values("case_id", "letter", "status")
        .annotate(latest=Max("run_date"))
        .values_list("case_id", "letter", "status", "latest")
    ):
        (failed if status == LetterRequest.Status.FAILED else letters)[case_id][letter] = as_date(
            latest
        )
    # Letters an officer produced themselves count as sent: the engine neither sends them
    # again within the repeat period nor keeps asking for them (engine/decide.py).
    document_model = apps.get_model("notices", "Document")
    for case_id, letter, latest in (
        document_model.objects.filter(
            in_range,
            kind__in=LETTER_KINDS,
            letter_request__isnull=True,
            is_draft=False,
            requested_at__date__lte=today,
        )
        .exclude(status="failed")
        .values("case_id", "kind")
        .annotate(latest=Max("requested_at"))
        .values_list("case_id", "kind", "latest")
    ):
        day = timezone.localdate(latest)
        if day > letters[case_id].get(letter, date.min):
            letters[case_id][letter] = day
    previous = {
        case_id: PreviousRecommendation(action, since, fingerprint, run_date, due_on)
        for case_id, action, since, fingerprint, run_date, due_on in Recommendation.objects.filter(
            in_range
        ).values_list("case_id", "action", "since", "fingerprint", "run_date", "due_on")
    }

    inputs = []
    for (
        case_id,
        reference,
        stage,
        stage_changed_on,
        last_contact_on,
        _figures_on,
        tenure,
        registered_provider,
        ta_duty,
        rent_period,
        trial_period_end,
        fixed_term_end,
        tenancy_end,
        automatic_letters,
    ) in cases:
        inputs.append(
            CaseInput(
                case_id=case_id,
                reference=reference,
                stage=stage,
                stage_changed_on=stage_changed_on,
                last_contact_on=last_contact_on,
                tenure=tenure,
                registered_provider=registered_provider,
                ta_duty=ta_duty,
                rent_period=rent_period,
                trial_period_end=trial_period_end,
                fixed_term_end=fixed_term_end,
                tenancy_end=tenancy_end,
                accounts=accounts.get(case_id, []),
                holds=holds.get(case_id, []),
                flags=flags.get(case_id, []),
                assessments=assessments.get(case_id, []),
                notices=notices.get(case_id, []),
                court_cases=courts.get(case_id, []),
                arrangements=arrangements.get(case_id, []),
                letters=letters.get(case_id, {}),
                failed_letters={
                    kind: day
                    for kind, day in failed.get(case_id, {}).items()
                    if day > letters.get(case_id, {}).get(kind, date.min)
                },
                previous=previous.get(case_id),
                automatic_letters=automatic_letters,
            )
        )
    return inputs, skipped


def _arrangement_facts(
    first_case: int, last_case: int, today: date, policy: Policy
) -> list[tuple[int, ArrangementFact]]:
    rows = list(
        Arrangement.objects.filter(
            case_id__gte=first_case,
            case_id__lte=last_case,
            state__in=["live", "kept", "missed", "broken"],
            ended_on__isnull=True,
        ).values_list(
            "id",
            "case_id",
            "account_id",
            "kind",
            "court_case_id",
            "frequency",
            "instalment",
            "includes_current_rent",
            "starts_on",
            "lump_sum",
            "lump_sum_due_on",
            "starting_balance",
            "tolerance_days",
            "tolerance_amount",
            "state",
        )
    )
    if not rows:
        return []
    terms = {}
    for row in rows:
        terms[row[0]] = (row[1], ArrangementTerms(row[0], *row[2:]))
    live = [t for _, t in terms.values() if t.state != "broken"]
    sums: dict[int, tuple[Decimal, Decimal]] = {}
    if live:
        params: list[Any] = []
        for t in live:
            grace = (
                t.tolerance_days
                if t.tolerance_days is not None
                else policy.arrangement_tolerance_days
            )
            params += [t.id, t.account_id, t.starts_on, payment_cutoff(today, grace)]
        params.append(today)
        with connection.cursor() as cursor:
            cursor.execute(arrangement_sums_sql(len(live)), params)
            for arrangement_id, rent_due, paid in cursor.fetchall():
                sums[arrangement_id] = (pounds(rent_due), pounds(paid))
    return [
        (case_id, ArrangementFact(t, *sums.get(t.id, (ZERO, ZERO))))
        for case_id, t in terms.values()
    ]
