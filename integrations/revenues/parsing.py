"""The revenues and benefits debt file, read and checked without touching the database.
Layout in integrations/revenues/README.md."""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from integrations.revenues.models import RevenuesDebtKind

COLUMNS = [
    "debt_reference",
    "debt_type",
    "tenancy_reference",
    "debtor_name",
    "balance",
    "balance_date",
    "recovery_stage",
    "instalment",
    "instalment_frequency",
]
REQUIRED = tuple(COLUMNS[:6])

# The revenues systems' own codes, and our words for them.
DEBT_TYPES = {
    "CTAX": RevenuesDebtKind.COUNCIL_TAX,
    "CT": RevenuesDebtKind.COUNCIL_TAX,
    "HBOP": RevenuesDebtKind.HB_OVERPAYMENT,
    "HBO": RevenuesDebtKind.HB_OVERPAYMENT,
    **{k.value.upper(): k for k in RevenuesDebtKind},
}
FREQUENCIES = frozenset({"weekly", "fortnightly", "four_weekly", "monthly"})
MAX_LENGTHS = {
    "debt_reference": 30,
    "tenancy_reference": 20,
    "debtor_name": 120,
    "recovery_stage": 60,
}


@dataclass(frozen=True)
class DebtRow:
    line: int
    reference: str
    kind: RevenuesDebtKind
    tenancy_reference: str
    debtor_name: str
    balance: Decimal
    balance_on: date
    recovery_stage: str
    instalment: Decimal | None
    instalment_frequency: str


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"Line {self.line}, {self.field}: {self.reason}"


def _money(text: str) -> Decimal:
    value = Decimal(text.replace(",", "").removeprefix("£"))
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise InvalidOperation
    return value.quantize(Decimal("0.01"))


def _date(text: str) -> date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError


def parse_debt_file(content: bytes, *, today: date) -> tuple[list[DebtRow], list[RowProblem]]:
    """Every row checked; every problem named by line and field. The rows that parsed are
    returned beside the problems so the caller can check them against the database too;
    it must apply none of them unless there are no problems at all."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [RowProblem(1, "file", "is not UTF-8 text")]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c in REQUIRED and c not in header]
    if missing:
        return [], [RowProblem(1, "header", f"missing column {', '.join(missing)}")]
    reader.fieldnames = header
    rows: list[DebtRow] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        if None in raw:
            problems.append(RowProblem(line, "row", f"has more than {len(header)} fields"))
            continue
        values = {k: (v or "").strip() for k, v in raw.items()}
        row_problems: list[RowProblem] = []

        def bad(field: str, reason: str, *, line=line, row_problems=row_problems) -> None:
            row_problems.append(RowProblem(line, field, reason))

        for field in REQUIRED:
            if not values.get(field):
                bad(field, "is empty")
        for field, limit in MAX_LENGTHS.items():
            if len(values.get(field, "")) > limit:
                bad(field, f"is longer than {limit} characters")
        kind = DEBT_TYPES.get(values.get("debt_type", "").upper())
        if values.get("debt_type") and kind is None:
            bad("debt_type", f"{values['debt_type']!r} is not CTAX or HBOP")
        balance = balance_on = instalment = None
        if values.get("balance"):
            try:
                balance = _money(values["balance"])
            except (InvalidOperation, ValueError):
                bad("balance", f"{values['balance']!r} is not an amount of money in pounds")
        if values.get("balance_date"):
            try:
                balance_on = _date(values["balance_date"])
            except ValueError:
                bad("balance_date", f"{values['balance_date']!r} is not a date (YYYY-MM-DD)")
            else:
                if balance_on > today:
                    bad("balance_date", f"{balance_on:%-d %B %Y} is in the future")
        frequency = values.get("instalment_frequency", "").lower()
        if values.get("instalment"):
            try:
                instalment = _money(values["instalment"])
                if instalment <= 0:
                    bad("instalment", "must be more than £0.00")
            except (InvalidOperation, ValueError):
                bad("instalment", f"{values['instalment']!r} is not an amount of money in pounds")
            if frequency not in FREQUENCIES:
                bad("instalment_frequency", f"must be one of {', '.join(sorted(FREQUENCIES))}")
        elif frequency:
            bad("instalment", "is empty, but a frequency is given")
        reference = values.get("debt_reference", "")
        if reference in seen:
            bad("debt_reference", f"{reference} is also on line {seen[reference]}")
        elif reference:
            seen[reference] = line
        if row_problems:
            problems.extend(row_problems)
            continue
        rows.append(
            DebtRow(
                line=line,
                reference=reference,
                kind=kind,
                tenancy_reference=values["tenancy_reference"],
                debtor_name=values["debtor_name"],
                balance=balance,
                balance_on=balance_on,
                recovery_stage=values.get("recovery_stage", ""),
                instalment=instalment,
                instalment_frequency=frequency if instalment else "",
            )
        )
    if not rows and not problems:
        problems.append(RowProblem(1, "file", "has no debts"))
    return rows, problems
