"""Posting a whole file: checked first, then staged and posted set-based, in one transaction.

A file posts everything or nothing. Its checksum is kept, so the same file is refused a
second time; every line posts under a reference unique to the file and line, and a line
whose reference is already on the ledger is skipped, so a re-import after a crash adds
nothing twice. Posting is one INSERT ... SELECT from the staged lines and one UPDATE of
the balances grouped by account, never a save per line.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, DecimalField, F, OuterRef, Q, Subquery, Sum, When
from django.utils import timezone

from cases.models import Referral, Tenancy
from cases.services.support import referral_outcome_record
from core.models import User
from core.money import format_money
from payments.imports.formats import FileFormat, file_format
from payments.imports.parsing import LineProblem, ParsedLine, parse_file
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

CHUNK = 500


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


@dataclass
class ImportResult:
    format: FileFormat
    checksum: str
    totals: ImportTotals
    control_total: Decimal | None
    payment_import: PaymentImport | None  # None on a dry run


def file_checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def line_source_reference(*, fmt: FileFormat, checksum: str, line_number: int) -> str:
    """Unique per file and line, so no line can post twice."""
    return f"{fmt.name}:{checksum[:24]}:{line_number}"


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _rent_accounts_by_tenancy(tenancy_ids) -> dict[int, Account]:
    """Each tenancy's open rent account (the newest, should a tenancy have two)."""
    found: dict[int, Account] = {}
    rent = Account.objects.filter(
        tenancy_id__in=tenancy_ids, status=Account.Status.OPEN, rent_lawfully_due=True
    )
    for account in rent.order_by("id"):
        found[account.tenancy_id] = account
    return found


def _accounts_by(lookup: str, refs: list[str]) -> dict[str, Account]:
    """Reference as the file has it -> the open account it finds by one lookup."""
    if lookup == "account":
        return {
            a.reference: a
            for a in Account.objects.filter(reference__in=refs, status=Account.Status.OPEN)
        }
    if lookup == "tenancy":
        tenancies = dict(Tenancy.objects.filter(reference__in=refs).values_list("pk", "reference"))
        return {
            tenancies[tenancy_id]: account
            for tenancy_id, account in _rent_accounts_by_tenancy(tenancies).items()
        }
    # A tenant reference finds the tenancy of a tenant who has not moved out.
    tenants = dict(
        TenantReference.objects.filter(
            reference__in=refs, tenant__is_tenant=True, tenant__moved_out_on__isnull=True
        ).values_list("reference", "tenant__tenancy_id")
    )
    rent = _rent_accounts_by_tenancy(set(tenants.values()))
    return {ref: rent[tenancy_id] for ref, tenancy_id in tenants.items() if tenancy_id in rent}


def accounts_matching(*, fmt: FileFormat, lines: list[ParsedLine]) -> dict[int, Account]:
    """Line number -> the open account it finds, trying the format's match order in turn
    (rent account reference, then payment reference, then tenant reference)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        for field_name, lookup in fmt.match:
            if line.match_values[field_name]:
                wanted[lookup].add(line.match_values[field_name])
    found: dict[str, dict[str, Account]] = defaultdict(dict)
    for lookup, values in wanted.items():
        for refs in _chunks(sorted(values)):
            found[lookup].update(_accounts_by(lookup, refs))
    matched = {}
    for line in lines:
        for field_name, lookup in fmt.match:
            account = found[lookup].get(line.match_values[field_name])
            if account is not None:
                matched[line.line_number] = account
                break
    return matched


def _totals(
    lines: list[ParsedLine], matched: dict[int, Account], already: set[int]
) -> ImportTotals:
    totals = ImportTotals()
    per_method: dict[str, list] = defaultdict(lambda: [0, Decimal("0.00")])
    for line in lines:
        totals.lines += 1
        totals.total += line.amount
        per_method[line.method][0] += 1
        per_method[line.method][1] += line.amount
        if line.line_number in already:
            totals.already_posted += 1
        elif line.line_number in matched:
            totals.matched += 1
            totals.matched_total += line.amount
        else:
            totals.suspense += 1
            totals.suspense_total += line.amount
    totals.per_method = {m: {"count": c, "total": str(t)} for m, (c, t) in per_method.items()}
    return totals


def _already_posted(fmt: FileFormat, references: dict[int, str]) -> set[int]:
    by_reference = {ref: number for number, ref in references.items()}
    posted: set[int] = set()
    for refs in _chunks(list(by_reference)):
        for ref in Transaction.objects.filter(
            source=fmt.source, source_reference__in=refs
        ).values_list("source_reference", flat=True):
            posted.add(by_reference[ref])
    return posted


def payment_file_import(
    *,
    content: bytes,
    filename: str,
    format_name: str,
    today: date,
    actor: User | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Check a whole file and post it, or refuse it with every bad line named."""
    fmt = file_format(format_name)
    checksum = file_checksum(content)
    earlier = PaymentImport.objects.filter(checksum=checksum).first()
    if earlier is not None:
        raise FileRefused(
            f"This file was already imported on {timezone.localtime(earlier.imported_at):%d %B %Y}"
            f" as {earlier.filename} (import {earlier.pk}); it cannot be imported twice."
        )
    parsed = parse_file(content, fmt, today=today)
    if parsed.problems:
        raise FileRefused(
            f"{filename} was refused and nothing was posted: {len(parsed.problems)} problem(s).",
            parsed.problems,
        )
    references = {
        line.line_number: line_source_reference(
            fmt=fmt, checksum=checksum, line_number=line.line_number
        )
        for line in parsed.lines
    }
    if dry_run:
        matched = accounts_matching(fmt=fmt, lines=parsed.lines)
        already = _already_posted(fmt, references)
        return ImportResult(
            fmt, checksum, _totals(parsed.lines, matched, already), parsed.control_total, None
        )
    try:
        with transaction.atomic():
            result = _post(
                fmt, checksum, filename, parsed.lines, references, parsed.control_total, actor
            )
            managed_payments_confirm(payment_import=result.payment_import, actor=actor, today=today)
            return result
    except IntegrityError as exc:
        raise FileRefused(
            f"{filename} is being or has been imported by someone else; nothing was posted."
        ) from exc


def _post(fmt, checksum, filename, lines, references, control_total, actor) -> ImportResult:
    record = PaymentImport.objects.create(
        format_name=fmt.name,
        filename=filename[:200],
        checksum=checksum,
        imported_by=actor,
        control_total=control_total,
    )
    matched = accounts_matching(fmt=fmt, lines=lines)
    already = _already_posted(fmt, references)
    totals = _totals(lines, matched, already)
    staged = []
    for line in lines:
        account = matched.get(line.line_number)
        if line.line_number in already:
            outcome = ImportLine.Outcome.ALREADY_POSTED
        elif account is not None:
            outcome = ImportLine.Outcome.POSTED
        else:
            outcome = ImportLine.Outcome.SUSPENSE
        first_ref = next((v for v in line.match_values.values() if v), "")
        staged.append(
            ImportLine(
                payment_import=record,
                line_number=line.line_number,
                account=account,
                account_reference=first_ref[:40],
                payment_reference=line.payment_reference,
                amount=line.amount,
                effective_date=line.effective_date,
                kind=fmt.kind,
                method=line.method,
                source_reference=references[line.line_number],
                description=f"{fmt.label}, {filename}, line {line.line_number}"[:200],
                outcome=outcome,
            )
        )
    ImportLine.objects.bulk_create(staged, batch_size=CHUNK)
    _ledger_insert(record, fmt, actor)
    _balances_update(record, fmt)
    SuspenseItem.objects.bulk_create(
        [
            SuspenseItem(line=line, amount=line.amount, received_on=line.effective_date)
            for line in record.lines.filter(outcome=ImportLine.Outcome.SUSPENSE)
        ],
        batch_size=CHUNK,
    )
    record.line_count = totals.lines
    record.total = totals.total
    record.matched_count = totals.matched
    record.matched_total = totals.matched_total
    record.suspense_count = totals.suspense
    record.suspense_total = totals.suspense_total
    record.already_posted_count = totals.already_posted
    record.per_method = totals.per_method
    record.save()
    return ImportResult(fmt, checksum, totals, control_total, record)


def _ledger_insert(record: PaymentImport, fmt: FileFormat, actor: User | None) -> None:
    """One INSERT ... SELECT of the staged lines that match an account."""
    ledger = Transaction._meta.db_table
    staging = ImportLine._meta.db_table
    posted_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {ledger} (account_id, kind, effective_date, posted_at, amount, method,
                                  source, source_reference, description, created_by_id,
                                  reverses_id)
            SELECT account_id, kind, effective_date, %s, -amount, method, %s,
                   source_reference, description, %s, NULL
            FROM {staging}
            WHERE payment_import_id = %s AND outcome = %s
            """,
            [
                posted_at,
                fmt.source,
                actor.pk if actor else None,
                record.pk,
                ImportLine.Outcome.POSTED,
            ],
        )


def _balances_update(record: PaymentImport, fmt: FileFormat) -> None:
    """One UPDATE of the accounts posted to: balance by the sum of their lines, and the
    last payment by their latest line when it is newer than the one held."""
    money = DecimalField(max_digits=12, decimal_places=2)
    posted = ImportLine.objects.filter(payment_import=record, outcome=ImportLine.Outcome.POSTED)
    mine = posted.filter(account_id=OuterRef("pk")).order_by()
    received = Subquery(
        mine.values("account_id").annotate(total=Sum("amount")).values("total"), output_field=money
    )
    updates: dict = {"balance": F("balance") - received}
    if fmt.kind in RECEIPT_KINDS:
        latest = mine.order_by("-effective_date", "-line_number")
        latest_on = Subquery(latest.values("effective_date")[:1])
        newer = Q(last_payment_on__isnull=True) | Q(last_payment_on__lte=latest_on)
        updates["last_payment_on"] = Case(When(newer, then=latest_on), default=F("last_payment_on"))
        updates["last_payment_amount"] = Case(
            When(newer, then=Subquery(latest.values("amount")[:1], output_field=money)),
            default=F("last_payment_amount"),
            output_field=money,
        )
    Account.objects.filter(pk__in=posted.values("account_id")).update(**updates)


def managed_payment_shown_by(kind: str) -> bool:
    """A Universal Credit line on DWP's schedule is DWP paying the housing costs to us:
    the managed payment to landlord (APA) asked for is in place, so DWP has decided the
    request and its hold on the case ends (gov.uk APA guidance; legal-reference.md §11,
    §19 rule 7: the hold lasts only while the request is pending)."""
    return kind == TransactionKind.UNIVERSAL_CREDIT


def managed_payments_confirm(
    *, payment_import: PaymentImport, actor: User | None, today: date
) -> list[Referral]:
    """Record DWP's approval on each pending managed-payment request whose case a posted
    UC line landed on, which ends the "benefit pending" hold the request put there."""
    posted = payment_import.lines.filter(outcome=ImportLine.Outcome.POSTED)
    if not managed_payment_shown_by(posted.values_list("kind", flat=True).first() or ""):
        return []
    first_line = {}
    for case_id, number, reference in posted.order_by("line_number").values_list(
        "account__case_id", "line_number", "payment_reference"
    ):
        first_line.setdefault(case_id, (number, reference))
    pending = Referral.objects.filter(
        case_id__in=first_line,
        kind=Referral.Kind.MANAGED_PAYMENT,
        outcome=Referral.Outcome.PENDING,
    ).select_related("case")
    done = []
    for referral in pending:
        number, reference = first_line[referral.case_id]
        done.append(
            referral_outcome_record(
                referral=referral,
                actor=actor,
                outcome=Referral.Outcome.APPROVED,
                notes=(
                    f"Universal Credit paid direct to the council: {payment_import.filename}"
                    f", line {number}" + (f" (settlement {reference})" if reference else "")
                ),
                today=today,
            )
        )
    return done
