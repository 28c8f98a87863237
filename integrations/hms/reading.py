"""Reading an HMS file set: every file checked row by row, every problem named with its
file, line, field and reason. Nothing here writes to the database.

The master files (properties, tenancies, tenants, accounts, rent charges) are held in
memory: a council's are a few hundred thousand rows each. Transactions can run to tens
of millions, so they stream through in batches to a sink (the staging table) and only
the counts and problems are kept.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from integrations.hms.layouts import (
    FILE_NAMES,
    ID,
    MAX_LINE,
    MONEY,
    SOURCE_BY_KIND,
    TRANSACTIONS,
    Bad,
    Layout,
    transaction_sign_problem,
)
from payments.models import RECEIPT_KINDS, PaymentMethod, TransactionKind

# Problems kept in full; beyond this a file set is plainly wrong and only counted.
PROBLEMS_KEPT = 200
BATCH = 20_000
MAX_PENCE = int(MAX_LINE * 100)
RECEIPTS = frozenset(str(k) for k in RECEIPT_KINDS)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{where}, {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


@dataclass
class Problems:
    kept: list[Problem] = field(default_factory=list)
    count: int = 0

    def add(self, file: str, line: int, column: str, reason: str) -> None:
        self.count += 1
        if len(self.kept) < PROBLEMS_KEPT:
            self.kept.append(Problem(file, line, column, reason))

    def __bool__(self) -> bool:
        return self.count > 0


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, Any]
    fingerprint: str


def fingerprint(raw: list[str]) -> str:
    """A digest of a row's values as written, so an unchanged row is known without
    reading the record it made."""
    return hashlib.md5("\x1f".join(raw).encode(), usedforsecurity=False).hexdigest()


def file_set_checksum(directory: Path) -> str:
    digest = hashlib.sha256()
    for name in FILE_NAMES:
        path = directory / name
        digest.update(name.encode())
        if path.exists():
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()


def missing_files(directory: Path) -> list[str]:
    """Every file must be there, even with only its header: a set with a file missing
    is an export that failed, not a night with no changes."""
    return [name for name in FILE_NAMES if not (directory / name).is_file()]


def _rows(path: Path, layout: Layout, problems: Problems) -> Iterator[tuple[int, list[str]]]:
    """Each data row as its layout's columns in order (extra columns are ignored)."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        problems.add(layout.name, 0, "", f"cannot be read: {exc.strerror}")
        return
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                problems.add(layout.name, 1, "", "is empty: it needs at least its header row")
                return
            header = [h.strip() for h in header]
            absent = [c for c in layout.column_names if c not in header]
            if absent:
                problems.add(layout.name, 1, "", f"has no column {', '.join(absent)}")
                return
            positions = [header.index(c) for c in layout.column_names]
            width = len(header)
            for raw in reader:
                line = reader.line_num
                if not raw:
                    continue
                if len(raw) != width:
                    problems.add(
                        layout.name, line, "", f"has {len(raw)} values; the header has {width}"
                    )
                    continue
                yield line, [raw[p] for p in positions]
        except UnicodeDecodeError:
            problems.add(layout.name, reader.line_num + 1, "", "is not UTF-8 text")
        except csv.Error as exc:
            problems.add(layout.name, reader.line_num, "", f"is not well-formed CSV: {exc}")


def read_keyed(
    path: Path, layout: Layout, problems: Problems, rejected: set[str] | None = None
) -> dict[str, Row]:
    """A master file as its rows by key; a key given twice is a problem. The keys of
    rows refused are added to `rejected`, so rows that refer to them are not reported
    a second time for it."""
    rows: dict[str, Row] = {}
    key_at = layout.column_names.index(layout.key)
    for line, raw in _rows(path, layout, problems):
        values = _values(layout, line, raw, problems)
        if values is None:
            if rejected is not None:
                rejected.add(raw[key_at].strip())
            continue
        key = values[layout.key]
        if key in rows:
            problems.add(
                layout.name,
                line,
                layout.key,
                f"{key} is given twice (first on line {rows[key].line})",
            )
            continue
        rows[key] = Row(line, values, fingerprint([r.strip() for r in raw]))
    return rows


def read_charges(
    path: Path, layout: Layout, problems: Problems, *, today: date
) -> dict[str, tuple[int, Decimal]]:
    """Each account's weekly charge in force today (the latest row from on or before
    today): account id -> (line, charge). A charge from a later date is not yet due."""
    current: dict[str, tuple[date, int, Decimal]] = {}
    seen: dict[tuple[str, date], int] = {}
    for line, raw in _rows(path, layout, problems):
        values = _values(layout, line, raw, problems)
        if values is None:
            continue
        key = (values["account_id"], values["effective_from"])
        if key in seen:
            problems.add(
                layout.name,
                line,
                "effective_from",
                f"account {key[0]} has two charges from {key[1]} (first on line {seen[key]})",
            )
            continue
        seen[key] = line
        if values["weekly_charge"] < 0:
            problems.add(layout.name, line, "weekly_charge", "must not be negative")
            continue
        if values["effective_from"] > today:
            continue
        held = current.get(values["account_id"])
        if held is None or held[0] < values["effective_from"]:
            current[values["account_id"]] = (
                values["effective_from"],
                line,
                values["weekly_charge"],
            )
    return {account: (line, charge) for account, (_, line, charge) in current.items()}


def _values(layout: Layout, line: int, raw: list[str], problems: Problems) -> dict | None:
    values: dict[str, Any] = {}
    bad = False
    for column, cell in zip(layout.columns, raw, strict=True):
        try:
            values[column.name] = column.value(cell)
        except Bad as exc:
            problems.add(layout.name, line, column.name, str(exc))
            bad = True
    if bad:
        return None
    for column_name, reason in layout.check(values):
        problems.add(layout.name, line, column_name, reason)
        bad = True
    return None if bad else values


# A staged transaction: (line, hms id, account hms id, date, kind, amount, method,
# description, reverses, source), all text but the line.
Staged = tuple[int, str, str, str, str, str, str, str, str, str]


@dataclass
class TransactionsRead:
    lines: int = 0
    total: Decimal = Decimal("0.00")
    # Per account: the sum of its lines in pence, and its latest receipt as (date, line,
    # pence), so a load with nothing already posted moves the accounts' figures without
    # another pass over the staged lines.
    sums: dict[str, int] = field(default_factory=dict)
    latest: dict[str, tuple[str, int, int]] = field(default_factory=dict)


def read_transactions(
    path: Path,
    problems: Problems,
    *,
    known_accounts: Callable[[str], bool],
    closed_on: dict[str, date],
    today: date,
    sink: Callable[[list[Staged]], None],
) -> TransactionsRead:
    """Check every transaction and hand the good ones to `sink` in batches.

    Per row this is the hot loop of a first load (tens of millions of rows), so the
    checks are done on the text as written wherever that is exact: an amount matched
    by the money pattern, a date parsed once per distinct value.
    """
    name = TRANSACTIONS.name
    read = TransactionsRead()
    batch: list[Staged] = []
    columns = TRANSACTIONS.columns
    today_iso = today.isoformat()
    total_pence = 0
    kinds = frozenset(TransactionKind.values)
    methods = frozenset(PaymentMethod.values) | {""}
    good_dates: dict[str, date] = {}
    id_match = ID.match
    money_match = MONEY.match
    sums = read.sums
    latest = read.latest
    receipts = RECEIPTS
    for line, raw in _rows(path, TRANSACTIONS, problems):
        hms_id, account, day, kind, amount, method, description, reverses = (
            cell.strip() for cell in raw
        )
        # The common case checked inline; any doubt goes to the column readers below,
        # which name every bad column of the row.
        on = good_dates.get(day)
        if on is None and len(day) == 10:
            try:
                on = good_dates[day] = date.fromisoformat(day)
            except ValueError:
                on = None
        if not (
            on is not None
            and 0 < len(hms_id) <= 60
            and id_match(hms_id)
            and kind in kinds
            and money_match(amount)
            and method in methods
            and len(description) <= 200
            and (not reverses or (len(reverses) <= 60 and id_match(reverses)))
            and 0 < len(account) <= 64
        ):
            reported = False
            for column, cell in zip(columns, raw, strict=True):
                try:
                    column.value(cell)
                except Bad as reason:
                    problems.add(name, line, column.name, str(reason))
                    reported = True
            if reported:
                continue
        if not known_accounts(account):
            problems.add(
                name,
                line,
                "account_id",
                f"account {account} is in neither accounts.csv nor the service",
            )
            continue
        if day > today_iso:
            problems.add(name, line, "date", f"{day} is in the future (today is {today_iso})")
            continue
        closed = closed_on.get(account)
        if closed is not None and on > closed:
            problems.add(
                name,
                line,
                "date",
                f"account {account} closed on {closed}; a line dated {day} cannot post to it",
            )
            continue
        sign = transaction_sign_problem(kind, amount)
        if sign:
            problems.add(name, line, "amount", sign)
            continue
        pence = int(amount.replace(".", ""))
        if pence == 0:
            problems.add(name, line, "amount", "must not be zero")
            continue
        if abs(pence) > MAX_PENCE:
            problems.add(name, line, "amount", f"is more than £{MAX_LINE:,} on one line")
            continue
        if (kind == "reversal") != bool(reverses):
            problems.add(
                name,
                line,
                "reverses",
                "a reversal must name the transaction it reverses"
                if not reverses
                else "only a reversal names a transaction it reverses",
            )
            continue
        total_pence += pence
        read.lines += 1
        sums[account] = sums.get(account, 0) + pence
        if kind in receipts:
            held = latest.get(account)
            if held is None or (day, line) >= held[:2]:
                latest[account] = (day, line, pence)
        batch.append(
            (
                line,
                hms_id,
                account,
                day,
                kind,
                amount,
                method,
                description,
                reverses,
                SOURCE_BY_KIND[kind],
            )
        )
        if len(batch) >= BATCH:
            sink(batch)
            batch = []
    if batch:
        sink(batch)
    read.total = (Decimal(total_pence) / 100).quantize(Decimal("0.01"))
    return read


def duplicate_lines(path: Path, hms_ids: list[str]) -> list[tuple[str, int, int]]:
    """For transaction ids known to be given more than once: (id, first line, a later
    line), by reading the file again (only when there are any, which is rare)."""
    if not hms_ids:
        return []
    wanted = set(hms_ids)
    first: dict[str, int] = {}
    later: dict[str, int] = {}
    for line, raw in _rows(path, TRANSACTIONS, Problems()):
        hms_id = raw[0].strip()
        if hms_id not in wanted:
            continue
        if hms_id in first:
            later.setdefault(hms_id, line)
        else:
            first[hms_id] = line
    return sorted(
        ((hms_id, first[hms_id], later[hms_id]) for hms_id in later), key=lambda found: found[1]
    )
