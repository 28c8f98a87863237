"""Streams generated rows into the database: COPY on PostgreSQL, batched inserts on SQLite.

Columns the generator does not know (fields added to a model later) are filled
with the field's default, so the seed keeps working as the schema grows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.apps import apps
from django.db import connection
from django.db.models import Field, Model

from demo.generator import COLUMNS, LEDGER_IS_TEXT

LEDGER_TABLE = "payments_transaction"


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date | Decimal | int):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _default(field: Field) -> str | None:
    if field.has_default():
        return _text(field.get_default())
    if field.null:
        return None
    if field.get_internal_type() in ("CharField", "TextField", "EmailField", "SlugField"):
        return ""
    raise ValueError(
        f"{field.model._meta.label}.{field.name} has no default: add it to demo/generator.py"
    )


@dataclass
class TablePlan:
    model: type[Model]
    table: str
    columns: list[str]
    padding: tuple[str | None, ...]
    escape: bool
    text_lines: bool


def _plan(label: str) -> TablePlan:
    model = apps.get_model(label)
    known = COLUMNS[label]
    fields = {f.column: f for f in model._meta.concrete_fields}
    unknown = [c for c in known if c not in fields]
    if unknown:
        raise ValueError(f"{label} has no column(s) {', '.join(unknown)}")
    missing = [f for column, f in fields.items() if column not in known]
    padding = tuple(_default(f) for f in missing)
    return TablePlan(
        model=model,
        table=model._meta.db_table,
        columns=[*known, *(f.column for f in missing)],
        padding=padding,
        escape=label != LEDGER_IS_TEXT,
        text_lines=label == LEDGER_IS_TEXT,
    )


def _escape_copy(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


class BulkLoader:
    """Writes batches of generated rows; `finish()` restores indexes and sequences."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.plans = {label: _plan(label) for label in COLUMNS}
        self._ledger_ddl: list[str] = []
        self.rows_written: dict[str, int] = dict.fromkeys(COLUMNS, 0)
        self._freeze_ledger = False

    # PostgreSQL: maintaining the ledger's secondary indexes and foreign keys row by
    # row (Django's are deferred, so every row queues a check) costs several times
    # more than building them once at the end.
    def start(self) -> None:
        if self.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {LEDGER_TABLE})")
            if cursor.fetchone()[0]:
                return
            cursor.execute(
                """
                SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                WHERE conrelid = %s::regclass AND contype IN ('f', 'u')
                """,
                [LEDGER_TABLE],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.tablename = %s AND i.indexname NOT IN (
                    SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass
                )
                """,
                [LEDGER_TABLE, LEDGER_TABLE],
            )
            indexes = cursor.fetchall()
            for name, definition in constraints:
                cursor.execute(f'ALTER TABLE {LEDGER_TABLE} DROP CONSTRAINT "{name}"')
                self._ledger_ddl.append(
                    f'ALTER TABLE {LEDGER_TABLE} ADD CONSTRAINT "{name}" {definition}'
                )
            for name, definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
                self._ledger_ddl.append(definition)
            # Emptied in this transaction, the ledger can be loaded with COPY FREEZE: its
            # pages are written already frozen and marked all-visible, so the nightly
            # run's index-only scans need no heap visits (and no VACUUM first), as on a
            # live database that autovacuum keeps up. CASCADE: the tables that refer to
            # ledger lines (the court app's fees) can hold nothing while the ledger is
            # empty, but PostgreSQL will not truncate a referenced table alone.
            cursor.execute(f"TRUNCATE {LEDGER_TABLE} CASCADE")
            self._freeze_ledger = True

    def write(self, batch: dict[str, list[tuple]]) -> None:
        for label in COLUMNS:
            rows = batch.get(label)
            if rows:
                self._write_table(self.plans[label], rows)
                self.rows_written[label] += len(rows)

    def _write_table(self, plan: TablePlan, rows: list) -> None:
        padding = plan.padding
        if plan.text_lines and (padding or self.vendor != "postgresql"):
            # Back to tuples: for SQLite, or when the ledger has columns the generator
            # does not fill (the generated lines have no NULLs, so a split is exact).
            rows = [tuple(line[:-1].split("\t")) for line in rows]
            plan = TablePlan(plan.model, plan.table, plan.columns, padding, False, False)
        if self.vendor == "postgresql":
            cols = ", ".join(f'"{c}"' for c in plan.columns)
            freeze = " WITH (FREEZE)" if self._freeze_ledger and plan.table == LEDGER_TABLE else ""
            raw = connection.connection
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {plan.table} ({cols}) FROM STDIN{freeze}") as copy,
            ):
                pad = "".join("\t" + ("\\N" if v is None else _escape_copy(v)) for v in padding)
                if plan.text_lines:
                    copy.write("".join(rows))
                    return
                lines = []
                if plan.escape:
                    for row in rows:
                        lines.append(
                            "\t".join("\\N" if v is None else _escape_copy(v) for v in row)
                            + pad
                            + "\n"
                        )
                else:
                    for row in rows:
                        lines.append("\t".join("\\N" if v is None else v for v in row) + pad + "\n")
                copy.write("".join(lines))
            return
        placeholders = ", ".join(["%s"] * len(plan.columns))
        cols = ", ".join(connection.ops.quote_name(c) for c in plan.columns)
        sql = f"INSERT INTO {plan.table} ({cols}) VALUES ({placeholders})"
        with connection.cursor() as cursor:
            cursor.executemany(sql, [row + padding for row in rows])

    def finish(self) -> None:
        with connection.cursor() as cursor:
            if self.vendor == "postgresql" and self._ledger_ddl:
                cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for ddl in self._ledger_ddl:
                cursor.execute(ddl)
            self._ledger_ddl.clear()
            if self.vendor == "postgresql":
                for plan in self.plans.values():
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{plan.table}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {plan.table}), 1), "
                        f"(SELECT MAX(id) IS NOT NULL FROM {plan.table}))"
                    )


def analyze() -> None:
    """Refresh planner statistics after a bulk load (PostgreSQL); SQLite needs nothing."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
