"""HMS transactions onto the ledger: staged, checked, then posted set-based.

The same path as `payments/imports/services.py` posts a payment file by, at HMS scale:
the checked lines are staged in a temporary table (COPY on PostgreSQL, batched inserts
on SQLite); one `INSERT ... SELECT` appends the lines not already on the ledger, and
one `UPDATE` per figure moves each account's balance by the sum of its lines and its
last payment to its latest receipt, so the balance still equals the ledger
(`manage.py reconcile_balances`). Nothing is ever updated or deleted on the ledger.

Never twice: each line posts under the reference `hms:<transaction id>`, unique per
source by the ledger's own constraint; a line whose reference is on the ledger under
any source an HMS line can take is skipped and counted as already posted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from integrations.hms.layouts import HMS_SOURCES, REFERENCE_PREFIX
from integrations.hms.reading import Staged, TransactionsRead
from integrations.models import HmsAccount
from payments.models import RECEIPT_KINDS, Account, Transaction

STAGING = "hms_staged_transaction"
LEDGER = Transaction._meta.db_table
ACCOUNTS = Account._meta.db_table
LINKS = HmsAccount._meta.db_table
COLUMNS = (
    "line",
    "hms_id",
    "account_hms",
    "effective_date",
    "kind",
    "amount",
    "method",
    "description",
    "reverses",
    "source",
)


def _escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def copy_text(batch: list[Staged]) -> str:
    """Staged lines as COPY text: every column but the description is an id, a code, a
    date or an amount already checked to hold no tab, newline or backslash."""
    return "".join(
        f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\t{r[4]}\t{r[5]}\t{r[6]}\t{_escape(r[7])}\t{r[8]}\t{r[9]}\n"
        for r in batch
    )


# The ledger's columns as a first load COPYs them (created_by and reverses are NULL).
LEDGER_COLUMNS = (
    "account_id",
    "kind",
    "effective_date",
    "posted_at",
    "amount",
    "method",
    "source",
    "source_reference",
    "description",
    "created_by_id",
    "reverses_id",
)


def ledger_copy_text(batch: list[Staged], target) -> str:
    """Checked lines that reverse nothing as the ledger's COPY text (`LEDGER_COLUMNS`)."""
    ids, at, prefix = target.account_ids, target.posted_at, target.prefix
    return "".join(
        f"{ids[r[2]]}\t{r[4]}\t{r[3]}\t{at}\t{r[5]}\t{r[6]}\t{r[9]}\t{prefix}{r[1]}"
        f"\t{_escape(r[7])}\t\\N\t\\N\n"
        for r in batch
    )


_SELECT = f"""
    SELECT m.account_id, s.kind, s.effective_date, %s, s.amount, s.method, s.source,
           %s || s.hms_id, s.description, NULL, {{reverses}}
    FROM {STAGING} s JOIN {LINKS} m ON m.hms_id = s.account_hms
    {{join}}
    WHERE s.post AND s.kind {{kind}} 'reversal'
"""
_INSERT = f"INSERT INTO {LEDGER} ({', '.join(LEDGER_COLUMNS)}) "


def posted_now() -> object:
    """When the lines of this load are posted, as the database takes it."""
    return connection.ops.adapt_datetimefield_value(timezone.now())


def _copy_in(table: str, columns: tuple[str, ...], text: str) -> None:
    """COPY text into a table (all its columns when `columns` is empty)."""
    named = f" ({', '.join(columns)})" if columns else ""
    raw = connection.connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table}{named} FROM STDIN") as copy:
        copy.write(text)


@dataclass
class Posted:
    lines: int = 0
    total: Decimal = Decimal("0.00")
    already_posted: int = 0


class Staging:
    """The temporary table of a file set's checked transactions. Create and use it
    inside the import's transaction: on PostgreSQL it is dropped at commit."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.rows = 0
        sources = ", ".join(f"'{s}'" for s in HMS_SOURCES)
        self._hms_sources = f"({sources})"
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
            cursor.execute(
                f"""
                CREATE TEMPORARY TABLE {STAGING} (
                    line integer NOT NULL,
                    hms_id varchar(60) NOT NULL,
                    account_hms varchar(64) NOT NULL,
                    effective_date date NOT NULL,
                    kind varchar(20) NOT NULL,
                    amount numeric(12, 2) NOT NULL,
                    method varchar(20) NOT NULL,
                    description varchar(200) NOT NULL,
                    reverses varchar(60) NOT NULL,
                    source varchar(20) NOT NULL,
                    post boolean NOT NULL DEFAULT TRUE
                ) {"ON COMMIT DROP" if self.postgres else ""}
                """
            )

    def add(self, batch: list[Staged]) -> None:
        if self.postgres:
            self.add_text(copy_text(batch), len(batch))
            return
        self.rows += len(batch)
        marks = ", ".join(["%s"] * len(COLUMNS))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {STAGING} ({', '.join(COLUMNS)}) VALUES ({marks})", batch
            )

    def add_text(self, text: str, rows: int) -> None:
        """Lines already written as COPY text (by `copy_text`, in the reading process)."""
        self.rows += rows
        _copy_in(STAGING, COLUMNS, text)

    def analyze(self) -> None:
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {STAGING}")

    # ------------------------------------------------------------------ checks
    def duplicates(self, limit: int) -> list[tuple[str, int, int]]:
        """Transaction ids given more than once in the file: (id, first line, a later line)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT hms_id, MIN(line), MAX(line) FROM {STAGING}
                GROUP BY hms_id HAVING COUNT(*) > 1 ORDER BY MIN(line) LIMIT %s
                """,
                [limit],
            )
            return list(cursor.fetchall())

    def unknown_reversals(self, limit: int) -> list[tuple[int, str]]:
        """Reversals naming a transaction neither in the file nor on the ledger."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT s.line, s.reverses FROM {STAGING} s
                WHERE s.kind = 'reversal'
                  AND NOT EXISTS (SELECT 1 FROM {STAGING} o WHERE o.hms_id = s.reverses
                                  AND o.kind <> 'reversal')
                  AND NOT EXISTS (SELECT 1 FROM {LEDGER} t WHERE t.source IN {self._hms_sources}
                                  AND t.source_reference = %s || s.reverses)
                ORDER BY s.line LIMIT %s
                """,
                [REFERENCE_PREFIX, limit],
            )
            return list(cursor.fetchall())

    def mark_already_posted(self) -> int:
        """Skip each line whose reference is already on the ledger (an earlier night's
        file held it too). On an empty ledger there is nothing to look for."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {LEDGER})")
            if not cursor.fetchone()[0]:
                return 0
            cursor.execute(
                f"""
                UPDATE {STAGING} SET post = FALSE
                WHERE EXISTS (SELECT 1 FROM {LEDGER} t WHERE t.source IN {self._hms_sources}
                              AND t.source_reference = %s || {STAGING}.hms_id)
                """,
                [REFERENCE_PREFIX],
            )
            return cursor.rowcount

    def to_post(self) -> tuple[int, Decimal, dict[str, int]]:
        """How many lines would post, their sum, and the count by kind (for a dry run)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT kind, COUNT(*), COALESCE(SUM(amount), 0) FROM {STAGING} "
                "WHERE post GROUP BY kind"
            )
            rows = cursor.fetchall()
        count = sum(r[1] for r in rows)
        total = sum((Decimal(str(r[2])) for r in rows), Decimal("0.00"))
        return count, total.quantize(Decimal("0.01")), {r[0]: r[1] for r in rows}

    # ------------------------------------------------------------------ posting
    def post(
        self,
        *,
        staged: TransactionsRead | None = None,
        empty_ledger_fast_path: bool = True,
    ) -> Posted:
        """Append every line still to post, then move the accounts' figures. Call inside
        the import's transaction, after the accounts and their links exist. `staged` is
        the count and sum of the lines staged, when none was already posted (it saves a
        pass over a first load's tens of millions of lines)."""
        posted = Posted()
        count, posted.total = (
            (staged.lines, staged.total) if staged is not None else self.to_post()[:2]
        )
        posted.lines = count
        if not count:
            return posted
        posted_at = posted_now()
        fast = empty_ledger_fast_path and self.postgres and self.ledger_empty()
        with self.ledger_indexes_dropped() if fast else _nothing(), connection.cursor() as cursor:
            cursor.execute(
                _INSERT + _SELECT.format(reverses="NULL", join="", kind="<>"),
                [posted_at, REFERENCE_PREFIX],
            )
        self.reversals_post(posted_at)
        if staged is not None and self.postgres:
            self.figures_update(staged)
        else:
            self._balances_update()
        return posted

    def reversals_post(self, posted_at: object) -> None:
        """The staged reversals, each naming the ledger line it reverses (`reverses_id`),
        once the lines they reverse are on the ledger."""
        with connection.cursor() as cursor:
            cursor.execute(
                _INSERT
                + _SELECT.format(
                    reverses="o.id",
                    join=f"JOIN {LEDGER} o ON o.source IN {self._hms_sources} "
                    f"AND o.source_reference = '{REFERENCE_PREFIX}' || s.reverses",
                    kind="=",
                ),
                [posted_at, REFERENCE_PREFIX],
            )

    # ------------------------------------------------- a first load onto the ledger
    def add_any(self, text: str, rows: int, to_ledger: bool) -> None:
        """A batch from the reading child: the ledger's own COPY text on a first load
        (`child.LedgerTarget`), or the staging table's."""
        if not to_ledger:
            self.add_text(text, rows)
            return
        _copy_in(LEDGER, LEDGER_COLUMNS, text)

    def ledger_duplicates(self, limit: int) -> list[str]:
        """On a first load COPY'd onto the empty ledger, before its unique constraint is
        built again: the HMS ids given to more than one line (under any source). Sorted
        byte-wise (COLLATE "C"): the check wants equality only, and it halves the sort."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT SUBSTR(reference, %s) FROM (
                    SELECT source_reference COLLATE "C" AS reference FROM {LEDGER}
                ) lines GROUP BY reference HAVING COUNT(*) > 1 LIMIT %s
                """,
                [len(REFERENCE_PREFIX) + 1, limit],
            )
            return [row[0] for row in cursor.fetchall()]

    def reversals_clashing(self, limit: int) -> list[tuple[str, int]]:
        """Staged reversals whose own HMS id a line already on the ledger has: (id, line)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT s.hms_id, s.line FROM {STAGING} s
                WHERE EXISTS (SELECT 1 FROM {LEDGER} t WHERE t.source IN {self._hms_sources}
                              AND t.source_reference = %s || s.hms_id)
                ORDER BY s.line LIMIT %s
                """,
                [REFERENCE_PREFIX, limit],
            )
            return list(cursor.fetchall())

    def figures_update(self, read: TransactionsRead) -> None:
        """The accounts' figures from the sums the reader kept (every staged line
        posted): one COPY of a row per account and one UPDATE, rather than grouping and
        ranking every line again."""
        table = "hms_staged_figures"
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {table} (account_hms varchar(64), pence bigint, "
                "last_on date, last_pence bigint) ON COMMIT DROP"
            )
        lines = []
        for account, pence in read.sums.items():
            last = read.latest.get(account)
            on, received = (last[0], str(last[2])) if last else ("\\N", "\\N")
            lines.append(f"{account}\t{pence}\t{on}\t{received}\n")
        self.add_figures(table, "".join(lines))
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
            cursor.execute(
                f"""
                UPDATE {ACCOUNTS} SET
                    balance = {ACCOUNTS}.balance + f.pence / 100.0,
                    last_payment_on = CASE WHEN f.last_on IS NOT NULL AND (
                            {ACCOUNTS}.last_payment_on IS NULL
                            OR {ACCOUNTS}.last_payment_on <= f.last_on)
                        THEN f.last_on ELSE {ACCOUNTS}.last_payment_on END,
                    last_payment_amount = CASE WHEN f.last_on IS NOT NULL AND (
                            {ACCOUNTS}.last_payment_on IS NULL
                            OR {ACCOUNTS}.last_payment_on <= f.last_on)
                        THEN -f.last_pence / 100.0 ELSE {ACCOUNTS}.last_payment_amount END
                FROM {table} f JOIN {LINKS} m ON m.hms_id = f.account_hms
                WHERE {ACCOUNTS}.id = m.account_id
                """
            )

    def add_figures(self, table: str, text: str) -> None:
        _copy_in(table, (), text)

    def ledger_empty(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {LEDGER})")
            return cursor.fetchone()[0]

    @contextmanager
    def ledger_indexes_dropped(self) -> Iterator[None]:
        """A first load into an empty ledger: its secondary indexes and constraints are
        built once after the insert rather than row by row, as the seed loads it
        (demo/loader.py). In the import's transaction, so a failure restores them."""
        with connection.cursor() as cursor:
            # The accounts just created have their foreign keys' deferred checks queued,
            # and PostgreSQL alters no table with checks pending: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
                [LEDGER],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname "
                "NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [LEDGER, LEDGER],
            )
            indexes = cursor.fetchall()
            for name, _ in constraints:
                cursor.execute(f'ALTER TABLE {LEDGER} DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        yield
        with connection.cursor() as cursor:
            for _, definition in indexes:
                cursor.execute(definition)
            for name, definition in constraints:
                cursor.execute(f'ALTER TABLE {LEDGER} ADD CONSTRAINT "{name}" {definition}')

    def _balances_update(self) -> None:
        # ROUND: SQLite sums decimals as binary floats; PostgreSQL's numeric is exact.
        receipts = ", ".join(f"'{k}'" for k in sorted(RECEIPT_KINDS))
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {ACCOUNTS} SET balance = ROUND({ACCOUNTS}.balance + g.total, 2)
                FROM (SELECT m.account_id AS id, SUM(s.amount) AS total
                      FROM {STAGING} s JOIN {LINKS} m ON m.hms_id = s.account_hms
                      WHERE s.post GROUP BY m.account_id) g
                WHERE {ACCOUNTS}.id = g.id
                """
            )
            cursor.execute(
                f"""
                UPDATE {ACCOUNTS} SET last_payment_on = r.effective_date,
                                      last_payment_amount = -r.amount
                FROM (SELECT m.account_id AS id, s.effective_date, s.amount,
                             ROW_NUMBER() OVER (PARTITION BY m.account_id
                                                ORDER BY s.effective_date DESC, s.line DESC) AS n
                      FROM {STAGING} s JOIN {LINKS} m ON m.hms_id = s.account_hms
                      WHERE s.post AND s.kind IN ({receipts})) r
                WHERE r.n = 1 AND {ACCOUNTS}.id = r.id
                  AND ({ACCOUNTS}.last_payment_on IS NULL
                       OR {ACCOUNTS}.last_payment_on <= r.effective_date)
                """
            )

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")


@contextmanager
def _nothing() -> Iterator[None]:
    yield
