"""Applying a revenues debt file: checked whole first, then one transaction; the same
file twice changes nothing, and a row older than what is held changes nothing either."""

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from cases.models import Tenancy
from core.models import User
from integrations.revenues.models import RevenuesDebt, RevenuesImport
from integrations.revenues.parsing import DebtRow, RowProblem, parse_debt_file

FIELDS = [
    "kind",
    "tenancy_id",
    "debtor_name",
    "balance",
    "balance_on",
    "recovery_stage",
    "instalment",
    "instalment_frequency",
]


class RevenuesFileRefused(Exception):
    """The file has problems; nothing from it was applied."""

    def __init__(self, problems: list[RowProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass
class RevenuesImportResult:
    file_name: str
    sha256: str
    rows: int = 0
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    older: list[str] = field(default_factory=list)
    already_imported: RevenuesImport | None = None
    dry_run: bool = False

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "new": len(self.new),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "older": len(self.older),
        }


def _values(row: DebtRow, tenancy_id: int) -> dict:
    return {
        "kind": row.kind.value,
        "tenancy_id": tenancy_id,
        "debtor_name": row.debtor_name,
        "balance": row.balance,
        "balance_on": row.balance_on,
        "recovery_stage": row.recovery_stage,
        "instalment": row.instalment,
        "instalment_frequency": row.instalment_frequency,
    }


def revenues_import(
    *,
    path: Path,
    today: date,
    actor: User | None = None,
    dry_run: bool = False,
) -> RevenuesImportResult:
    """Apply a debt file from the revenues system (layout: integrations/revenues/README.md).

    Refuses with RevenuesFileRefused, listing every problem with its line and field, and
    writes nothing, if any row is bad or names a tenancy the service does not have.
    """
    content = path.read_bytes()
    checksum = hashlib.sha256(content).hexdigest()
    result = RevenuesImportResult(file_name=path.name, sha256=checksum, dry_run=dry_run)
    earlier = RevenuesImport.objects.filter(sha256=checksum).first()
    if earlier is not None:
        result.already_imported = earlier
        return result
    rows, problems = parse_debt_file(content, today=today)
    tenancies = dict(
        Tenancy.objects.filter(reference__in={r.tenancy_reference for r in rows}).values_list(
            "reference", "pk"
        )
    )
    problems += [
        RowProblem(
            r.line, "tenancy_reference", f"no tenancy has the reference {r.tenancy_reference}"
        )
        for r in rows
        if r.tenancy_reference not in tenancies
    ]
    if problems:
        raise RevenuesFileRefused(sorted(problems, key=lambda p: p.line))
    result.rows = len(rows)
    with transaction.atomic():
        held = {
            d.reference: d
            for d in RevenuesDebt.objects.select_for_update().filter(
                reference__in=[r.reference for r in rows]
            )
        }
        now = timezone.now()
        record = RevenuesImport(
            file_name=path.name, sha256=checksum, imported_by=actor, imported_at=now
        )
        if not dry_run:
            record.save()
        to_create: list[RevenuesDebt] = []
        to_update: list[RevenuesDebt] = []
        for row in rows:
            values = _values(row, tenancies[row.tenancy_reference])
            debt = held.get(row.reference)
            if debt is None:
                result.new.append(row.reference)
                to_create.append(
                    RevenuesDebt(
                        reference=row.reference,
                        last_import=record,
                        first_seen_at=now,
                        updated_at=now,
                        **values,
                    )
                )
            elif row.balance_on < debt.balance_on:
                # A file sent late must not put back a balance revenues has moved on from.
                result.older.append(row.reference)
            elif all(getattr(debt, f) == values[f] for f in FIELDS):
                result.unchanged += 1
            else:
                result.updated.append(row.reference)
                for name, value in values.items():
                    setattr(debt, name, value)
                debt.last_import = record
                debt.updated_at = now
                to_update.append(debt)
        if dry_run:
            transaction.set_rollback(True)
            return result
        RevenuesDebt.objects.bulk_create(to_create, batch_size=1000)
        RevenuesDebt.objects.bulk_update(
            to_update, [*FIELDS, "last_import", "updated_at"], batch_size=1000
        )
        record.rows = result.rows
        record.counts = result.counts
        record.save(update_fields=["rows", "counts"])
    return result
