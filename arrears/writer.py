"""Writing a chunk's decisions in bulk: a handful of set-based statements, one transaction.

Rows go into a temporary table (COPY on PostgreSQL, one executemany on SQLite) and from
there into the real tables with UPDATE ... FROM and INSERT ... SELECT ... ON CONFLICT,
so a chunk of thousands of cases costs the same few statements as a chunk of ten.
Every insert is idempotent: a rerun of the same date finds the unique keys taken (one
letter of a kind per case per run date, one event per idempotency key, one history row
per case per run date) and writes nothing twice.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from arrears.actions import action_label
from arrears.engine import Decision
from arrears.models import LetterKind
from cases.models import Stage

STAGE_LABELS = dict(Stage.choices)
ARRANGEMENT_LETTER_VERB = "arrangement_state_changed"
LETTER_FIGURES = ("balance", "arrears_for_escalation", "escalation_weeks", "weeks_basis")


@dataclass
class ChunkCounts:
    """What a chunk did, summed into the run record."""

    cases: int = 0
    skipped: int = 0
    in_arrears: int = 0
    actions: Counter = field(default_factory=Counter)
    guards: Counter = field(default_factory=Counter)
    stages: Counter = field(default_factory=Counter)
    stage_changes: int = 0
    letters: Counter = field(default_factory=Counter)
    arrangements: Counter = field(default_factory=Counter)
    approvals: int = 0
    events: int = 0
    seconds: Counter = field(default_factory=Counter)  # load, decide, write
    # Rows the run rewrote: a case or recommendation found unchanged is left alone.
    written: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "skipped": self.skipped,
            "in_arrears": self.in_arrears,
            "actions": dict(self.actions),
            "guards": dict(self.guards),
            "stages": dict(self.stages),
            "stage_changes": self.stage_changes,
            "letters": dict(self.letters),
            "arrangements": dict(self.arrangements),
            "approvals": self.approvals,
            "events": self.events,
            "seconds": {part: round(value, 3) for part, value in self.seconds.items()},
            "written": dict(self.written),
        }


def count_decisions(decisions: Sequence[Decision], counts: ChunkCounts) -> None:
    for decision in decisions:
        counts.cases += 1
        counts.actions[decision.action] += 1
        counts.stages[decision.stage] += 1
        if decision.guard:
            counts.guards[decision.guard] += 1
        if decision.case.rent_arrears > 0 or decision.case.balance > 0:
            counts.in_arrears += 1
        if decision.stage_changed:
            counts.stage_changes += 1
        if decision.needs_approval:
            counts.approvals += 1
        for change in decision.arrangement_changes:
            counts.arrangements[change.status.state] += 1


# --------------------------------------------------------------------------- temp tables

PG_TYPES = {
    "id": "bigint",
    "money": "numeric(12,2)",
    "weeks": "numeric(7,1)",
    "date": "date",
    "text": "text",
    "bool": "boolean",
    "json": "jsonb",
    "time": "timestamptz",
    "int": "integer",
}


def _converters(columns: Sequence[tuple[str, str]]) -> list:
    """How each column's values go to the database: psycopg's COPY takes dates and
    Decimals as they are; SQLite gets what Django's own adapters would give it."""
    postgres = connection.vendor == "postgresql"
    ops = connection.ops

    def as_json(value: Any) -> Any:
        return None if value is None else json.dumps(value)

    def as_text(value: Any) -> Any:
        return None if value is None else str(value)

    def as_date(value: Any) -> Any:
        return None if value is None else ops.adapt_datefield_value(value)

    def as_time(value: Any) -> Any:
        return None if value is None else ops.adapt_datetimefield_value(value)

    def as_bool(value: Any) -> Any:
        return None if value is None else int(bool(value))

    converters = []
    for _, kind in columns:
        if kind == "json":
            converters.append(as_json)
        elif postgres:
            converters.append(None)
        elif kind in ("money", "weeks"):
            converters.append(as_text)
        elif kind == "date":
            converters.append(as_date)
        elif kind == "time":
            converters.append(as_time)
        elif kind == "bool":
            converters.append(as_bool)
        else:
            converters.append(None)
    return converters


def load_batch(
    name: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]
) -> None:
    """A temporary table `name` holding `rows`, gone at the end of the transaction."""
    names = ", ".join(column for column, _ in columns)
    converters = _converters(columns)
    if any(converters):
        prepared = [
            tuple(
                value if (convert := converters[i]) is None else convert(value)
                for i, value in enumerate(row)
            )
            for row in rows
        ]
    else:
        prepared = rows
    if connection.vendor == "postgresql":
        definition = ", ".join(f"{column} {PG_TYPES[kind]}" for column, kind in columns)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
            cursor.execute(f"CREATE TEMP TABLE {name} ({definition}) ON COMMIT DROP")
        with (
            connection.connection.cursor() as raw,
            raw.copy(f"COPY {name} ({names}) FROM STDIN") as copy,
        ):
            for row in prepared:
                copy.write_row(row)
        return
    definition = ", ".join(column for column, _ in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS temp.{name}")
        cursor.execute(f"CREATE TEMP TABLE {name} ({definition})")
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {name} ({names}) VALUES ({placeholders})", prepared)


def drop_batch(name: str) -> None:
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS temp.{name}")


def _execute(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


# --------------------------------------------------------------------------- the writes

CASE_COLUMNS = (
    ("case_id", "id"),
    ("stage", "text"),
    ("balance", "money"),
    ("rent_arrears", "money"),
    ("weekly_charge", "money"),
    ("weekly_net_rent", "money"),
    ("weeks_in_arrears", "weeks"),
    ("technical_arrears", "money"),
    ("last_payment_on", "date"),
    ("arrangement_state", "text"),
    ("next_action", "text"),
    ("next_action_label", "text"),
    ("next_action_due", "date"),
    ("guard", "text"),
    ("guard_label", "text"),
)

RECOMMENDATION_COLUMNS = (
    ("case_id", "id"),
    ("action", "text"),
    ("stage", "text"),
    ("needs_approval", "bool"),
    ("due_on", "date"),
    ("guard", "text"),
    ("guards", "json"),
    ("reasons", "json"),
    ("figures", "json"),
    ("technical_arrears", "money"),
    ("technical_reasoning", "text"),
    ("since", "date"),
    ("fingerprint", "text"),
    ("changed", "bool"),
)


# The case columns a run writes, as the batch names them; a case is rewritten only when
# one of them differs.
CASE_WRITTEN = tuple(column for column, _ in CASE_COLUMNS if column != "case_id")


RECOMMENDATION_WRITTEN = (
    "policy_version",
    "action",
    "stage",
    "needs_approval",
    "due_on",
    "guard",
    "guards",
    "reasons",
    "figures",
    "technical_arrears",
    "technical_reasoning",
    "since",
    "fingerprint",
)


def _differs(table: str, batch: str, columns: Sequence[str]) -> str:
    """SQL true when any column of `table` differs from the batch's, NULLs counted equal."""
    if connection.vendor == "postgresql":
        left = ", ".join(f"{table}.{c}" for c in columns)
        right = ", ".join(f"{batch}.{c}" for c in columns)
        return f"(({left}) IS DISTINCT FROM ({right}))"
    return "(" + " OR ".join(f"{table}.{c} IS NOT {batch}.{c}" for c in columns) + ")"


def write_decisions(
    decisions: Sequence[Decision], *, run_date: date, policy_version: int, counts: ChunkCounts
) -> None:
    """Write a chunk's figures, stages, recommendations, letters, events and arrangement
    checks. Call inside the chunk's transaction."""
    if not decisions:
        return
    now = timezone.now()
    counts.written["cases"] += _write_cases(decisions, run_date)
    counts.written["recommendations"] += _write_recommendations(decisions, run_date, policy_version)
    events = _events(decisions, run_date, now)
    events += _write_letters(decisions, run_date, policy_version, now, counts)
    events += _write_arrangements(decisions, run_date, now)
    counts.events += _write_events(events)


def _write_cases(decisions: Sequence[Decision], run_date: date) -> int:
    rows = [
        (
            d.case_id,
            d.stage,
            d.case.balance,
            d.case.rent_arrears,
            d.case.weekly_charge,
            d.case.weekly_net_rent,
            d.case.weeks_in_arrears,
            d.technical_arrears,
            d.case.last_payment_on,
            d.arrangement_state,
            d.action,
            action_label(d.action)[:100],
            d.due_on,
            d.guard,
            d.guard_label[:200],
        )
        for d in decisions
    ]
    load_batch("arrears_case_batch", CASE_COLUMNS, rows)
    # A later date's run has the last word: never overwrite newer figures with older.
    # A case whose figures and next step are what they were is not written at all: most
    # cases are unchanged on most nights, and each rewrite costs a new row version and an
    # entry in every index. `figures_on` is then the run that last changed them; the run
    # that last confirmed them is the latest finished chunk covering the case
    # (arrears.selectors.figures_confirmed_on).
    written = _execute(
        f"""
        UPDATE cases_case SET
            stage_changed_on = CASE WHEN cases_case.stage <> b.stage THEN %s
                                    ELSE cases_case.stage_changed_on END,
            stage = b.stage,
            balance = b.balance,
            rent_arrears = b.rent_arrears,
            weekly_charge = b.weekly_charge,
            weekly_net_rent = b.weekly_net_rent,
            weeks_in_arrears = b.weeks_in_arrears,
            technical_arrears = b.technical_arrears,
            last_payment_on = b.last_payment_on,
            arrangement_state = b.arrangement_state,
            next_action = b.next_action,
            next_action_label = b.next_action_label,
            next_action_due = b.next_action_due,
            guard = b.guard,
            guard_label = b.guard_label,
            figures_on = %s
        FROM arrears_case_batch b
        WHERE cases_case.id = b.case_id
          AND (cases_case.figures_on IS NULL
               OR (cases_case.figures_on <= %s AND {_differs("cases_case", "b", CASE_WRITTEN)}))
        """,
        [run_date, run_date, run_date],
    )
    drop_batch("arrears_case_batch")
    return written


def _write_recommendations(
    decisions: Sequence[Decision], run_date: date, policy_version: int
) -> int:
    rows = [
        (
            d.case_id,
            d.action,
            d.stage,
            d.needs_approval,
            d.due_on,
            d.guard,
            d.guards,
            d.reasons,
            d.figures,
            d.technical_arrears,
            d.technical_reasoning,
            d.since,
            d.fingerprint,
            d.previous_fingerprint != d.fingerprint,
        )
        for d in decisions
        if d.record
    ]
    if not rows:
        return 0
    load_batch("arrears_recommendation_batch", RECOMMENDATION_COLUMNS, rows)
    # As with the cases: a recommendation the same in every respect is left as it is, so
    # its run_date is the run that last changed it.
    written = _execute(
        f"""
        INSERT INTO arrears_recommendation (
            case_id, run_date, policy_version, action, stage, needs_approval, due_on, guard,
            guards, reasons, figures, technical_arrears, technical_reasoning, since, fingerprint)
        SELECT case_id, %s, %s, action, stage, needs_approval, due_on, guard, guards, reasons,
               figures, technical_arrears, technical_reasoning, since, fingerprint
        FROM arrears_recommendation_batch WHERE 1 = 1
        ON CONFLICT (case_id) DO UPDATE SET
            run_date = excluded.run_date,
            policy_version = excluded.policy_version,
            action = excluded.action,
            stage = excluded.stage,
            needs_approval = excluded.needs_approval,
            due_on = excluded.due_on,
            guard = excluded.guard,
            guards = excluded.guards,
            reasons = excluded.reasons,
            figures = excluded.figures,
            technical_arrears = excluded.technical_arrears,
            technical_reasoning = excluded.technical_reasoning,
            since = excluded.since,
            fingerprint = excluded.fingerprint
        WHERE arrears_recommendation.run_date <= excluded.run_date
          AND {_differs("arrears_recommendation", "excluded", RECOMMENDATION_WRITTEN)}
        """,
        [run_date, policy_version],
    )
    _execute(
        """
        INSERT INTO arrears_recommendationhistory (
            case_id, run_date, policy_version, action, stage, needs_approval, guard, guards,
            reasons, figures, technical_arrears, fingerprint)
        SELECT case_id, %s, %s, action, stage, needs_approval, guard, guards, reasons, figures,
               technical_arrears, fingerprint
        FROM arrears_recommendation_batch WHERE changed
        ON CONFLICT (case_id, run_date) DO NOTHING
        """,
        [run_date, policy_version],
    )
    drop_batch("arrears_recommendation_batch")
    return written


EventRow = tuple[int, str, dict[str, Any], datetime, str]


def _events(decisions: Sequence[Decision], run_date: date, now: datetime) -> list[EventRow]:
    """The timeline entries: stage changes and new recommendations that need approval."""
    events: list[EventRow] = []
    day = run_date.isoformat()
    for d in decisions:
        if d.stage_changed:
            why = next(
                (
                    r["text"]
                    for r in reversed(d.reasons)
                    if r["rule"].startswith(("rung:", "order", "notice", "breach", "back_to"))
                ),
                "",
            )
            events.append(
                (
                    d.case_id,
                    "stage_changed",
                    {
                        "from": d.previous_stage,
                        "to": d.stage,
                        "from_label": STAGE_LABELS.get(d.previous_stage, d.previous_stage),
                        "to_label": STAGE_LABELS.get(d.stage, d.stage),
                        "reason": why,
                        "run_date": day,
                    },
                    now,
                    f"nightly:{day}:case:{d.case_id}:stage",
                )
            )
        if d.needs_approval and d.since == run_date:
            events.append(
                (
                    d.case_id,
                    "approval_recommended",
                    {
                        "action": d.action,
                        "action_label": action_label(d.action),
                        "reasons": [r["text"] for r in d.reasons if r["rule"] != "figures"][:4],
                        "run_date": day,
                    },
                    now,
                    f"nightly:{day}:case:{d.case_id}:recommend:{d.action}",
                )
            )
    return events


def _write_letters(
    decisions: Sequence[Decision],
    run_date: date,
    policy_version: int,
    now: datetime,
    counts: ChunkCounts,
) -> list[EventRow]:
    """Queue the letters; returns a timeline entry for each letter newly asked for."""
    rows = []
    day = run_date.isoformat()
    for d in decisions:
        for letter, why in d.letters:
            rows.append(
                (
                    d.case_id,
                    letter,
                    run_date,
                    "pending",
                    {
                        **why,
                        "action": d.action,
                        "policy_version": policy_version,
                        "run_date": day,
                        "figures": {key: d.figures.get(key) for key in LETTER_FIGURES},
                    },
                    now,
                )
            )
    if not rows:
        return []
    load_batch(
        "arrears_letter_batch",
        (
            ("case_id", "id"),
            ("letter", "text"),
            ("run_date", "date"),
            ("status", "text"),
            ("reason", "json"),
            ("requested_at", "time"),
        ),
        rows,
    )
    inserted = _returning(
        """
        INSERT INTO arrears_letterrequest (case_id, letter, run_date, status, reason, error,
                                           requested_at)
        SELECT case_id, letter, run_date, status, reason, '', requested_at
        FROM arrears_letter_batch WHERE 1 = 1
        ON CONFLICT (case_id, letter, run_date) DO NOTHING
        RETURNING case_id, letter
        """
    )
    drop_batch("arrears_letter_batch")
    labels = dict(LetterKind.choices)
    events = []
    for case_id, letter in inserted:
        counts.letters[letter] += 1
        events.append(
            (
                case_id,
                "letter_requested",
                {"letter": letter, "letter_label": labels.get(letter, letter), "run_date": day},
                now,
                f"nightly:{day}:case:{case_id}:letter:{letter}",
            )
        )
    return events


def _returning(sql: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


def _write_arrangements(
    decisions: Sequence[Decision], run_date: date, now: datetime
) -> list[EventRow]:
    """Move arrangements to tonight's state with a check row; an event for each change."""
    changes = [(d, change) for d in decisions for change in d.arrangement_changes]
    if not changes:
        return []
    events: list[EventRow] = []
    day = run_date.isoformat()
    load_batch(
        "arrears_arrangement_batch",
        (
            ("arrangement_id", "id"),
            ("previous", "text"),
            ("state", "text"),
            ("expected_paid", "money"),
            ("actual_paid", "money"),
            ("description", "text"),
        ),
        [
            (
                change.arrangement_id,
                change.previous,
                change.status.state,
                change.status.expected,
                change.status.actual,
                change.status.description[:200],
            )
            for _, change in changes
        ],
    )
    # Only arrangements still in the state the engine read: a rerun finds them moved on.
    moved = _returning_params(
        """
        UPDATE payments_arrangement SET state = b.state, state_changed_on = %s
        FROM arrears_arrangement_batch b
        WHERE payments_arrangement.id = b.arrangement_id
          AND payments_arrangement.state = b.previous
        RETURNING payments_arrangement.id
        """,
        [run_date],
    )
    moved_ids = {row[0] for row in moved}
    _execute(
        f"""
        INSERT INTO payments_arrangementcheck (arrangement_id, state, checked_on, expected_paid,
                                               actual_paid, description, created_at)
        SELECT arrangement_id, state, %s, expected_paid, actual_paid, description, %s
        FROM arrears_arrangement_batch
        WHERE arrangement_id IN ({", ".join(str(i) for i in moved_ids) or "NULL"})
        """,
        [run_date, now],
    )
    drop_batch("arrears_arrangement_batch")
    for d, change in changes:
        if change.arrangement_id not in moved_ids:
            continue
        events.append(
            (
                d.case_id,
                ARRANGEMENT_LETTER_VERB,
                {
                    "arrangement_id": change.arrangement_id,
                    "from": change.previous,
                    "to": change.status.state,
                    "expected": str(change.status.expected),
                    "actual": str(change.status.actual),
                    "description": change.status.description,
                    "court_ordered": change.court_ordered,
                    "run_date": day,
                },
                now,
                f"nightly:{day}:arrangement:{change.arrangement_id}:{change.status.state}",
            )
        )
    return events


def _returning_params(sql: str, params: Sequence[Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _write_events(events: list[EventRow]) -> int:
    if not events:
        return 0
    load_batch(
        "arrears_event_batch",
        (
            ("case_id", "id"),
            ("verb", "text"),
            ("payload", "json"),
            ("occurred_at", "time"),
            ("idempotency_key", "text"),
        ),
        events,
    )
    written = _execute(
        """
        INSERT INTO cases_caseevent (case_id, actor_id, verb, payload, occurred_at,
                                     idempotency_key)
        SELECT case_id, NULL, verb, payload, occurred_at, idempotency_key
        FROM arrears_event_batch WHERE 1 = 1
        ON CONFLICT (idempotency_key) DO NOTHING
        """
    )
    drop_batch("arrears_event_batch")
    return written
