"""Posting a whole file: checked first, then staged and posted set-based, in one transaction.

A file posts everything or nothing. Its checksum is kept, so the same file is refused a
second time; every line posts under a reference unique to the file and line, and a line
whose reference is already on the ledger is skipped, so a re-import after a crash adds
nothing twice.

Posting is a fixed number of SQL statements whatever the file's size, never a save per
line: the checked lines go into a temporary table (COPY on PostgreSQL); one CREATE ... AS
SELECT finds every line's account by the layout's match rules in order; one INSERT ...
SELECT appends the matched lines to the ledger; one UPDATE ... FROM moves each account's
balance by the sum of its lines; one INSERT ... SELECT keeps the lines that did not post
(`ImportLine`) and one more holds those in suspense; the totals are one GROUP BY.
"""

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cases.models import Referral, Tenancy, Tenant
from cases.services.support import referral_outcome_record
from core.models import User
from core.money import format_money
from payments.imports.formats import FileFormat, file_format
from payments.imports.parsing import LineProblem, parse_file
from payments.models import (
    RECEIPT_KINDS,
    Account,
    ImportLine,
    PaymentImport,
    SuspenseItem,
    TenantReference,
    Transaction,
    TransactionKind,
)

BATCH = 2000


class FileRefused(ValidationError):
    """The file posts nothing; `problems` names each bad line, field and reason."""

    def __init__(self, message: str, problems: list[LineProblem] | None = None) -> None:
        self.problems = problems or []
        super().__init__([message, *(str(p) for p in self.problems)])
        self.summary = message


@dataclass
class ImportTotals:
    lines: int = 0
    total: Decimal = Decimal("0.00")
    matched: int = 0
    matched_total: Decimal = Decimal("0.00")
    suspense: int = 0
    suspense_total: Decimal = Decimal("0.00")
    already_posted: int = 0
    per_method: dict[str, dict[str, str | int]] = field(default_factory=dict)

    def lines_text(self) -> list[str]:
        rows = [
            f"Lines: {self.lines}, totalling {format_money(self.total)}",
            f"Matched to an account: {self.matched} ({format_money(self.matched_total)})",
            f"To suspense: {self.suspense} ({format_money(self.suspense_total)})",
        ]
        if self.already_posted:
            rows.append(f"Already on the ledger, skipped: {self.already_posted}")
        for method, figures in sorted(self.per_method.items()):
            rows.append(f"  {method}: {figures['count']} ({format_money(figures['total'])})")
        return rows


class ImportStep(StrEnum):
    """The steps of an import in order, as the finance page shows them."""

    CHECK = "Checking every line"
    STAGE = "Staging the lines"
    MATCH = "Finding each line's account"
    LEDGER = "Posting to the accounts' ledgers"
    BALANCES = "Updating the balances"
    SUSPENSE = "Holding unmatched lines in suspense"


# Told the step starting, the lines done so far and the lines in all (None while the
# file is still being read, as its line count is not known until then).
Progress = Callable[[ImportStep, int, int | None], None]


def _no_progress(step: ImportStep, done: int, total: int | None) -> None:
    pass


@dataclass
class ImportResult:
    format: FileFormat
    checksum: str
    totals: ImportTotals
    control_total: Decimal | None
    payment_import: PaymentImport | None  # None on a dry run


class _DryRun(Exception):
    """Raised inside the posting transaction to roll a dry run back."""

    def __init__(self, result: "ImportResult") -> None:
        self.result = result


def file_checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def line_source_reference(*, fmt: FileFormat, checksum: str, line_number: int) -> str:
    """Unique per file and line, so no line can post twice."""
    return f"{fmt.name}:{checksum[:24]}:{line_number}"


def payment_file_import(
    *,
    content: bytes,
    filename: str,
    format_name: str,
    today: date,
    actor: User | None = None,
    dry_run: bool = False,
    progress: "Progress | None" = None,
) -> ImportResult:
    """Check a whole file and post it, or refuse it with every bad line named. A dry
    run goes through the very same posting and is rolled back, so its totals are the
    ones a real import would give. `progress`, if given, is told each step as it starts
    (and, while the lines are checked, how many of them have been)."""
    step = progress or _no_progress
    fmt = file_format(format_name)
    checksum = file_checksum(content)
    earlier = PaymentImport.objects.filter(checksum=checksum).first()
    if earlier is not None:
        raise FileRefused(
            f"This file was already imported on {timezone.localtime(earlier.imported_at):%d %B %Y}"
            f" as {earlier.filename} (import {earlier.pk}); it cannot be imported twice."
        )
    step(ImportStep.CHECK, 0, None)
    parsed = parse_file(
        content, fmt, today=today, progress=lambda done: step(ImportStep.CHECK, done, None)
    )
    if parsed.problems:
        raise FileRefused(
            f"{filename} was refused and nothing was posted: {len(parsed.problems)} problem(s).",
            parsed.problems,
        )
    try:
        with transaction.atomic():
            result, evidence = _post(
                fmt, checksum, filename, parsed.lines, parsed.control_total, actor, step
            )
            if dry_run:
                raise _DryRun(result)
            managed_payments_confirm_for(evidence=evidence, actor=actor, today=today)
            return result
    except _DryRun as rolled_back:
        rolled_back.result.payment_import = None
        return rolled_back.result
    except IntegrityError as exc:
        raise FileRefused(
            f"{filename} is being or has been imported by someone else; nothing was posted."
        ) from exc


def _post(
    fmt, checksum, filename, lines, control_total, actor, step: "Progress"
) -> tuple[ImportResult, dict[int, str]]:
    """Post the checked lines; the result, and the managed-payment evidence by case."""
    count = len(lines)
    record = PaymentImport.objects.create(
        format_name=fmt.name,
        filename=filename[:200],
        checksum=checksum,
        imported_by=actor,
        control_total=control_total,
    )
    with connection.cursor() as cursor:
        step(ImportStep.STAGE, count, count)
        _stage(cursor, fmt, lines)
        step(ImportStep.MATCH, count, count)
        _match(cursor, fmt, checksum, filename)
        _already_posted_mark(cursor, fmt, ImportLine.Outcome.SUSPENSE)
        before = _last_ledger_id(cursor)
        step(ImportStep.LEDGER, count, count)
        inserted = _ledger_insert(cursor, fmt, actor)
        if inserted < _count(cursor, ImportLine.Outcome.POSTED):
            # Some matched lines were on the ledger already (the unique reference left
            # them out): mark them, so the balances move only by what was added. No
            # other import can add this file's references meanwhile: its checksum is
            # unique, so a second import of it waits on this one and is refused.
            _already_posted_mark(cursor, fmt, ImportLine.Outcome.POSTED, up_to_id=before)
        step(ImportStep.BALANCES, count, count)
        _balances_update(cursor, fmt)
        step(ImportStep.SUSPENSE, count, count)
        _unposted_keep(cursor, record, fmt)
        _suspense_hold(cursor, record)
        totals = _totals(cursor)
        evidence = _managed_payment_evidence(cursor, fmt, filename)
        cursor.execute(f"DROP TABLE {MATCHED}")
    record.line_count = totals.lines
    record.total = totals.total
    record.matched_count = totals.matched
    record.matched_total = totals.matched_total
    record.suspense_count = totals.suspense
    record.suspense_total = totals.suspense_total
    record.already_posted_count = totals.already_posted
    record.per_method = totals.per_method
    record.save()
    return ImportResult(fmt, checksum, totals, control_total, record), evidence


# --- Staging and matching -----------------------------------------------------------

# Two temporary tables, gone when the posting is done: the checked lines as read, then
# the same lines with the account each finds and its outcome. Temporary tables are not
# written to the write-ahead log and need no vacuum, and the posted lines are not kept
# anywhere but the ledger (under their reference); only the lines that did not post
# (to suspense, or already on the ledger) are kept as ImportLines.
STAGE = "payments_import_stage"
MATCHED = "payments_import_matched"

# COPY's text format: a backslash, tab, newline or carriage return in a value is escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _stage(cursor, fmt: FileFormat, lines) -> None:
    """Every checked line into the first temporary table: COPY on PostgreSQL (the lines
    written as COPY text in one pass), batched INSERTs elsewhere."""
    fields = fmt.match_fields
    columns = ["line_number", "payment_reference", "amount", "effective_date", "method"]
    columns += [f"v{k}" for k in range(len(fields))]
    for table in (STAGE, MATCHED):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {STAGE} (line_number integer NOT NULL,"
        " payment_reference varchar(64) NOT NULL, amount numeric(12, 2) NOT NULL,"
        " effective_date date NOT NULL, method varchar(20) NOT NULL"
        + "".join(f", v{k} varchar(64)" for k in range(len(fields)))
        + ")"
    )
    if connection.vendor == "postgresql":
        escapes = _COPY_ESCAPES
        days: dict[date, str] = {}
        buffer = io.StringIO()
        write = buffer.write
        for number, amount, day, method, values, reference in lines:
            matches = "\t".join([v[:64].translate(escapes) or "\\N" for v in values])
            write(
                f"{number}\t{reference.translate(escapes)}\t{amount}\t"
                f"{days.get(day) or days.setdefault(day, day.isoformat())}\t{method}\t{matches}\n"
            )
        with cursor.copy(f"COPY {STAGE} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        # The planner has no figures for a table this transaction just filled.
        cursor.execute(f"ANALYZE {STAGE}")
    else:
        rows = (
            (
                line.line_number,
                line.payment_reference,
                line.amount,
                line.effective_date,
                line.method,
                *(v[:64] or None for v in line.match_values),
            )
            for line in lines
        )
        _insert_many(cursor, STAGE, columns, rows)


def _match(cursor, fmt: FileFormat, checksum: str, filename: str) -> None:
    """The second temporary table: each staged line with the account it finds, the
    layout's match rules tried in order for every line at once (one LEFT JOIN a rule),
    its ledger reference and description, and its outcome (posted or to suspense)."""
    fields = fmt.match_fields
    joins, join_params = [], []
    for rule, (field_name, lookup) in enumerate(fmt.match):
        sql, params = _lookup_sql(lookup)
        joins.append(
            f"LEFT JOIN {sql} r{rule} ON r{rule}.reference = s.v{fields.index(field_name)}"
        )
        join_params += params
    found = _first_of([f"r{rule}.id" for rule in range(len(fmt.match))])
    first_value = f"COALESCE({', '.join(f's.v{k}' for k in range(len(fields)))}, '')"
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE {MATCHED} AS
        SELECT s.line_number, {found} AS account_id,
               SUBSTR({first_value}, 1, 40) AS account_reference, s.payment_reference,
               s.amount, s.effective_date, s.method,
               %s || s.line_number AS source_reference,
               SUBSTR(%s || s.line_number, 1, 200) AS description,
               CASE WHEN {found} IS NULL THEN %s ELSE %s END AS outcome
        FROM {STAGE} s {" ".join(joins)}
        """,
        [
            f"{fmt.name}:{checksum[:24]}:",
            f"{fmt.label}, {filename}, line ",
            str(ImportLine.Outcome.SUSPENSE),
            str(ImportLine.Outcome.POSTED),
            *join_params,
        ],
    )
    cursor.execute(f"DROP TABLE {STAGE}")
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {MATCHED}")


def _first_of(expressions: list[str]) -> str:
    """The first that is not NULL (SQLite's COALESCE wants two at least)."""
    return expressions[0] if len(expressions) == 1 else f"COALESCE({', '.join(expressions)})"


def _plain(value: object) -> object:
    """What SQLite's driver takes: text for money, dates and choices."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    if isinstance(value, Decimal | date | str):
        return str(value)
    return value


def _insert_many(cursor, table: str, columns, rows) -> None:
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    batch = []
    for row in rows:
        batch.append(tuple(_plain(v) for v in row))
        if len(batch) == BATCH:
            cursor.executemany(sql, batch)
            batch = []
    if batch:
        cursor.executemany(sql, batch)


# Match rules: rent account reference, payment reference, tenant reference. Each is a
# relation of (reference, open account id) with at most one row per reference: account
# references are unique, and a tenancy (or a tenant's tenancy) gives its newest open rent
# account.


def _lookup_sql(lookup: str) -> tuple[str, list]:
    accounts = Account._meta.db_table
    open_ = str(Account.Status.OPEN)
    if lookup == "account":
        return (f"(SELECT reference, id FROM {accounts} WHERE status = %s)", [open_])
    if lookup == "tenancy":
        return (
            f"(SELECT t.reference, MAX(a.id) AS id FROM {Tenancy._meta.db_table} t"
            f" JOIN {accounts} a ON a.tenancy_id = t.id"
            " WHERE a.status = %s AND a.rent_lawfully_due = %s GROUP BY t.reference)",
            [open_, True],
        )
    # A tenant reference finds the tenancy of a tenant who has not moved out.
    return (
        f"(SELECT r.reference, MAX(a.id) AS id FROM {TenantReference._meta.db_table} r"
        f" JOIN {Tenant._meta.db_table} p ON p.id = r.tenant_id"
        f" JOIN {accounts} a ON a.tenancy_id = p.tenancy_id"
        " WHERE p.is_tenant = %s AND p.moved_out_on IS NULL AND a.status = %s"
        " AND a.rent_lawfully_due = %s GROUP BY r.reference)",
        [True, open_, True],
    )


# --- Posting ------------------------------------------------------------------------


def _already_posted_mark(
    cursor, fmt: FileFormat, outcome: str, *, up_to_id: int | None = None
) -> None:
    """Lines of this outcome whose reference is already on the ledger are skipped. After
    the insert, only ledger lines up to `up_to_id` (the last before it) count: the rest
    are this import's own."""
    earlier = " AND t.id <= %s" if up_to_id is not None else ""
    cursor.execute(
        f"""
        UPDATE {MATCHED} SET outcome = %s
        WHERE outcome = %s AND EXISTS (
            SELECT 1 FROM {Transaction._meta.db_table} t
            WHERE t.source = %s AND t.source_reference = {MATCHED}.source_reference{earlier})
        """,
        [
            ImportLine.Outcome.ALREADY_POSTED,
            outcome,
            fmt.source,
            *([up_to_id] if up_to_id is not None else []),
        ],
    )


def _last_ledger_id(cursor) -> int:
    cursor.execute(f"SELECT MAX(id) FROM {Transaction._meta.db_table}")
    return cursor.fetchone()[0] or 0


def _count(cursor, outcome: str) -> int:
    cursor.execute(f"SELECT COUNT(*) FROM {MATCHED} WHERE outcome = %s", [outcome])
    return cursor.fetchone()[0]


def _ledger_insert(cursor, fmt: FileFormat, actor: User | None) -> int:
    """One INSERT ... SELECT of the matched lines; returns the lines added. In account
    and date order, so the ledger's (account, date) index is written in one sweep rather
    than a page read per line (it is the largest cost on a big ledger).

    A line whose reference is already on the ledger must be left out. That is all but
    impossible (the reference names this file's checksum, and a checksum imports once),
    so the lines go in by a plain INSERT under a savepoint, and only if one clashes with
    the unique reference again with ON CONFLICT DO NOTHING, which would cost a
    speculative insertion for every line of every file."""
    sql = f"""
        INSERT INTO {Transaction._meta.db_table} (account_id, kind, effective_date, posted_at,
            amount, method, source, source_reference, description, created_by_id, reverses_id)
        SELECT account_id, %s, effective_date, %s, -amount, method, %s,
               source_reference, description, %s, NULL
        FROM {MATCHED}
        WHERE outcome = %s
        ORDER BY account_id, effective_date
        """
    params = [
        str(fmt.kind),
        connection.ops.adapt_datetimefield_value(timezone.now()),
        fmt.source,
        actor.pk if actor else None,
        ImportLine.Outcome.POSTED,
    ]
    try:
        with transaction.atomic():
            cursor.execute(sql, params)
    except IntegrityError:
        cursor.execute(sql + " ON CONFLICT (source, source_reference) DO NOTHING", params)
    return cursor.rowcount


def _balances_update(cursor, fmt: FileFormat) -> None:
    """One UPDATE ... FROM of the accounts posted to: the balance by the sum of their
    lines, and the last payment by their latest line when it is not older than the one
    held (receipts only)."""
    accounts = Account._meta.db_table
    receipt = fmt.kind in RECEIPT_KINDS
    newer = "(last_payment_on IS NULL OR last_payment_on <= s.latest_on)"
    last_payment = (
        f", last_payment_on = CASE WHEN {newer} THEN s.latest_on ELSE last_payment_on END"
        f", last_payment_amount = CASE WHEN {newer} THEN s.latest_amount"
        " ELSE last_payment_amount END"
        if receipt
        else ""
    )
    cursor.execute(
        f"""
        UPDATE {accounts} SET balance = balance - s.received {last_payment}
        FROM (
            SELECT account_id, SUM(amount) AS received,
                   MAX(CASE WHEN latest = 1 THEN effective_date END) AS latest_on,
                   MAX(CASE WHEN latest = 1 THEN amount END) AS latest_amount
            FROM (
                SELECT account_id, amount, effective_date,
                       ROW_NUMBER() OVER (PARTITION BY account_id
                                          ORDER BY effective_date DESC, line_number DESC)
                           AS latest
                FROM {MATCHED} WHERE outcome = %s
            ) lines
            GROUP BY account_id
        ) s
        WHERE {accounts}.id = s.account_id
        """,
        [ImportLine.Outcome.POSTED],
    )


def _unposted_keep(cursor, record: PaymentImport, fmt: FileFormat) -> None:
    """The lines that did not post (to suspense, or already on the ledger) are kept with
    the import, as the file had them; a posted line is on the ledger under its reference."""
    cursor.execute(
        f"""
        INSERT INTO {ImportLine._meta.db_table} (payment_import_id, line_number, account_id,
            account_reference, payment_reference, amount, effective_date, kind, method,
            source_reference, description, outcome)
        SELECT %s, line_number, account_id, account_reference, payment_reference, amount,
               effective_date, %s, method, source_reference, description, outcome
        FROM {MATCHED} WHERE outcome <> %s
        ORDER BY line_number
        """,
        [record.pk, str(fmt.kind), ImportLine.Outcome.POSTED],
    )


def _suspense_hold(cursor, record: PaymentImport) -> None:
    """The lines that found no open account are held in suspense, never lost."""
    cursor.execute(
        f"""
        INSERT INTO {SuspenseItem._meta.db_table} (line_id, amount, received_on, status,
            created_at, reason)
        SELECT id, amount, effective_date, %s, %s, ''
        FROM {ImportLine._meta.db_table} WHERE payment_import_id = %s AND outcome = %s
        """,
        [
            SuspenseItem.Status.OPEN,
            connection.ops.adapt_datetimefield_value(timezone.now()),
            record.pk,
            ImportLine.Outcome.SUSPENSE,
        ],
    )


def _totals(cursor) -> ImportTotals:
    """The import's totals in one GROUP BY over its lines."""
    cursor.execute(
        f"SELECT outcome, method, COUNT(*), SUM(amount) FROM {MATCHED} GROUP BY outcome, method"
    )
    totals = ImportTotals()
    per_method: dict[str, list] = {}
    for outcome, method, count, amount in cursor.fetchall():
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
        totals.lines += count
        totals.total += amount
        figures = per_method.setdefault(method, [0, Decimal("0.00")])
        figures[0] += count
        figures[1] += amount
        if outcome == ImportLine.Outcome.POSTED:
            totals.matched += count
            totals.matched_total += amount
        elif outcome == ImportLine.Outcome.SUSPENSE:
            totals.suspense += count
            totals.suspense_total += amount
        else:
            totals.already_posted += count
    totals.per_method = {m: {"count": c, "total": str(t)} for m, (c, t) in per_method.items()}
    return totals


def _managed_payment_evidence(cursor, fmt: FileFormat, filename: str) -> dict[int, str]:
    """For a Universal Credit schedule: each case a line posted to, with its first line
    as the evidence that DWP pays us (managed_payments_confirm_for)."""
    if not managed_payment_shown_by(fmt.kind):
        return {}
    cursor.execute(
        f"SELECT a.case_id, m.line_number, m.payment_reference FROM {MATCHED} m"
        f" JOIN {Account._meta.db_table} a ON a.id = m.account_id"
        " WHERE m.outcome = %s ORDER BY m.line_number",
        [ImportLine.Outcome.POSTED],
    )
    evidence: dict[int, str] = {}
    for case_id, number, reference in cursor.fetchall():
        evidence.setdefault(case_id, uc_line_evidence(filename, number, reference))
    return evidence


def managed_payment_shown_by(kind: str) -> bool:
    """A Universal Credit line on DWP's schedule is DWP paying the housing costs to us:
    the managed payment to landlord (APA) asked for is in place, so DWP has decided the
    request and its hold on the case ends (gov.uk APA guidance; legal-reference.md §11,
    §19 rule 7: the hold lasts only while the request is pending)."""
    return kind == TransactionKind.UNIVERSAL_CREDIT


def uc_line_evidence(filename: str, line_number: int, settlement: str) -> str:
    """What an approved managed-payment request records as DWP's decision: the line."""
    return f"Universal Credit paid direct to the council: {filename}, line {line_number}" + (
        f" (settlement {settlement})" if settlement else ""
    )


def managed_payments_confirm_for(
    *, evidence: dict[int, str], actor: User | None, today: date
) -> list[Referral]:
    """Approve the pending managed-payment request of each case in `evidence` (case id:
    the UC line that shows DWP paying us), ending its "benefit pending" hold."""
    pending = Referral.objects.filter(
        case_id__in=evidence,
        kind=Referral.Kind.MANAGED_PAYMENT,
        outcome=Referral.Outcome.PENDING,
    ).select_related("case")
    return [
        referral_outcome_record(
            referral=referral,
            actor=actor,
            outcome=Referral.Outcome.APPROVED,
            notes=evidence[referral.case_id],
            today=today,
        )
        for referral in pending
    ]
