"""Posting to the ledger. The only way money moves.

Every posting runs in one transaction that locks the account row, checks the
input, appends the line and moves the running balance by the same amount, so the
balance always equals the sum of the ledger (proved by `reconcile_balances`).
A refused posting raises ValidationError with a message an officer can act on
and writes nothing.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from cases.models import Case, Tenant
from cases.services import case_event_record
from core.models import User
from core.money import PENNY, format_money, weeks_of
from payments.models import (
    RECEIPT_KINDS,
    RENT_LAWFULLY_DUE_BY_KIND,
    Account,
    AccountKind,
    PaymentMethod,
    TenantReference,
    Transaction,
    TransactionKind,
    TransactionSource,
)

MAX_SINGLE_POSTING = Decimal("100000.00")


@dataclass(frozen=True)
class Posting:
    """What a caller asks to post; `amount` is signed (positive is owed)."""

    account_id: int
    kind: TransactionKind
    amount: Decimal
    effective_date: date
    source: TransactionSource
    source_reference: str
    method: str = ""
    description: str = ""
    reverses_id: int | None = None


def _check_amount(amount: object, *, allow_negative: bool) -> Decimal:
    if isinstance(amount, float) or not isinstance(amount, Decimal | int):
        raise ValidationError({"amount": "Enter the amount as pounds and pence, like 25.00."})
    amount = Decimal(amount)
    if amount != amount.quantize(PENNY):
        raise ValidationError({"amount": "The amount must be in pounds and whole pence."})
    if amount == 0:
        raise ValidationError({"amount": "The amount must not be zero."})
    if amount < 0 and not allow_negative:
        raise ValidationError({"amount": "The amount must be more than zero."})
    if abs(amount) > MAX_SINGLE_POSTING:
        raise ValidationError(
            {"amount": f"The amount must be no more than {format_money(MAX_SINGLE_POSTING)}."}
        )
    return amount


def _check_date(effective_date: date, *, today: date) -> None:
    if not isinstance(effective_date, date):
        raise ValidationError({"effective_date": "Enter a real date."})
    if effective_date > today:
        raise ValidationError(
            {"effective_date": f"The date must not be in the future (today is {today:%d %B %Y})."}
        )


def _check_reference(source: TransactionSource, source_reference: str) -> None:
    if not source_reference or not source_reference.strip():
        raise ValidationError(
            {"source_reference": "Enter the reference of this payment or charge."}
        )
    if len(source_reference) > 64:
        raise ValidationError({"source_reference": "The reference must be 64 characters or fewer."})
    if Transaction.objects.filter(source=source, source_reference=source_reference).exists():
        raise ValidationError(
            {
                "source_reference": f"Reference {source_reference} has already been posted "
                f"({TransactionSource(source).label}); it cannot be posted twice."
            }
        )


def _lock_open_account(account_id: int) -> Account:
    account = (
        Account.objects.select_for_update(of=("self",)).select_related("case").get(pk=account_id)
    )
    if not account.is_open:
        raise ValidationError(
            f"Account {account.reference} is closed; reopen it before posting to it."
        )
    return account


def _append(posting: Posting, *, actor: User | None) -> tuple[Account, Transaction]:
    """Append one line and move the balance with it. Call inside transaction.atomic()."""
    account = _lock_open_account(posting.account_id)
    line = Transaction(
        account=account,
        kind=posting.kind,
        amount=posting.amount,
        effective_date=posting.effective_date,
        posted_at=timezone.now(),
        method=posting.method,
        source=posting.source,
        source_reference=posting.source_reference,
        description=posting.description,
        reverses_id=posting.reverses_id,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            line.save(force_insert=True)
    except IntegrityError as exc:
        # Two postings with one reference raced past the check above.
        raise ValidationError(
            {"source_reference": f"Reference {posting.source_reference} has already been posted."}
        ) from exc

    updates: dict = {"balance": F("balance") + posting.amount}
    is_newer_receipt = posting.kind in RECEIPT_KINDS and (
        account.last_payment_on is None or posting.effective_date >= account.last_payment_on
    )
    if is_newer_receipt:
        updates["last_payment_on"] = posting.effective_date
        updates["last_payment_amount"] = -posting.amount
    Account.objects.filter(pk=account.pk).update(**updates)
    account.refresh_from_db(fields=["balance", "last_payment_on", "last_payment_amount"])
    return account, line


def charge_post(
    *,
    account: Account,
    amount: Decimal,
    effective_date: date,
    source_reference: str,
    description: str,
    today: date,
    source: TransactionSource = TransactionSource.RENT_RUN,
    actor: User | None = None,
) -> Transaction:
    """Post a charge (rent, a rechargeable repair, court costs) that the debtor owes."""
    amount = _check_amount(amount, allow_negative=False)
    _check_date(effective_date, today=today)
    _check_reference(source, source_reference)
    with transaction.atomic():
        account, line = _append(
            Posting(
                account_id=account.pk,
                kind=TransactionKind.CHARGE,
                amount=amount,
                effective_date=effective_date,
                source=source,
                source_reference=source_reference,
                description=description,
            ),
            actor=actor,
        )
        if actor is not None:
            case_event_record(
                case=account.case,
                actor=actor,
                verb="charge_posted",
                payload={
                    "account": account.reference,
                    "amount": str(amount),
                    "description": description,
                    "transaction_id": line.pk,
                },
            )
    return line


def payment_post(
    *,
    account: Account,
    amount: Decimal,
    effective_date: date,
    method: PaymentMethod,
    source: TransactionSource,
    source_reference: str,
    today: date,
    kind: TransactionKind = TransactionKind.PAYMENT,
    actor: User | None = None,
    description: str = "",
) -> Transaction:
    """Post money received (a payment or a benefit credit); `amount` is what was paid."""
    if kind not in RECEIPT_KINDS:
        raise ValidationError(f"{TransactionKind(kind).label} is not a kind of payment.")
    if method not in PaymentMethod.values:
        raise ValidationError({"method": "Choose how the payment was made."})
    amount = _check_amount(amount, allow_negative=False)
    _check_date(effective_date, today=today)
    _check_reference(source, source_reference)
    with transaction.atomic():
        account, line = _append(
            Posting(
                account_id=account.pk,
                kind=kind,
                amount=-amount,
                effective_date=effective_date,
                source=source,
                source_reference=source_reference,
                method=method,
                description=description,
            ),
            actor=actor,
        )
        if actor is not None:
            case_event_record(
                case=account.case,
                actor=actor,
                verb="payment_taken",
                payload={
                    "account": account.reference,
                    "amount": str(amount),
                    "method": method,
                    "method_label": PaymentMethod(method).label,
                    "reference": source_reference,
                    "transaction_id": line.pk,
                    "balance_after": str(account.balance),
                },
            )
    return line


def adjustment_post(
    *,
    account: Account,
    amount: Decimal,
    effective_date: date,
    reason: str,
    source_reference: str,
    today: date,
    actor: User,
) -> Transaction:
    """Correct a balance by a signed amount, with the reason on the line and the timeline."""
    amount = _check_amount(amount, allow_negative=True)
    _check_date(effective_date, today=today)
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for the adjustment."})
    _check_reference(TransactionSource.OFFICER, source_reference)
    with transaction.atomic():
        account, line = _append(
            Posting(
                account_id=account.pk,
                kind=TransactionKind.ADJUSTMENT,
                amount=amount,
                effective_date=effective_date,
                source=TransactionSource.OFFICER,
                source_reference=source_reference,
                description=reason,
            ),
            actor=actor,
        )
        case_event_record(
            case=account.case,
            actor=actor,
            verb="ledger_adjusted",
            payload={
                "account": account.reference,
                "amount": str(amount),
                "reason": reason,
                "transaction_id": line.pk,
                "balance_after": str(account.balance),
            },
        )
    return line


def write_off_post(
    *,
    account: Account,
    amount: Decimal,
    reason: str,
    source_reference: str,
    today: date,
    actor: User,
) -> Transaction:
    """Write off part or all of a debt. Only what is owed can be written off."""
    amount = _check_amount(amount, allow_negative=False)
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for the write-off."})
    _check_reference(TransactionSource.OFFICER, source_reference)
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        if amount > locked.balance:
            raise ValidationError(
                {
                    "amount": f"Only the {format_money(locked.balance)} owed on "
                    f"{locked.reference} can be written off."
                }
            )
        account, line = _append(
            Posting(
                account_id=account.pk,
                kind=TransactionKind.WRITE_OFF,
                amount=-amount,
                effective_date=today,
                source=TransactionSource.OFFICER,
                source_reference=source_reference,
                description=reason,
            ),
            actor=actor,
        )
        case_event_record(
            case=account.case,
            actor=actor,
            verb="ledger_written_off",
            payload={
                "account": account.reference,
                "amount": str(amount),
                "reason": reason,
                "transaction_id": line.pk,
                "balance_after": str(account.balance),
            },
        )
    return line


def reversal_post(
    *,
    original: Transaction,
    reason: str,
    today: date,
    actor: User | None,
    source: TransactionSource = TransactionSource.OFFICER,
    source_reference: str | None = None,
) -> Transaction:
    """Undo a ledger line with an equal and opposite line that names it.

    A bounced direct debit or a charge posted in error is reversed, never edited.
    """
    if not reason.strip():
        raise ValidationError({"reason": "Enter the reason for the reversal."})
    if original.kind == TransactionKind.REVERSAL:
        raise ValidationError("A reversal cannot itself be reversed; post a new line instead.")
    if Transaction.objects.filter(reverses=original).exists():
        raise ValidationError(
            f"This {original.get_kind_display().lower()} of {format_money(abs(original.amount))} "
            f"on {original.effective_date:%d %B %Y} has already been reversed."
        )
    reference = source_reference or f"REV-{original.pk}"
    _check_reference(source, reference)
    with transaction.atomic():
        account, line = _append(
            Posting(
                account_id=original.account_id,
                kind=TransactionKind.REVERSAL,
                amount=-original.amount,
                effective_date=today,
                source=source,
                source_reference=reference,
                description=reason,
                reverses_id=original.pk,
            ),
            actor=actor,
        )
        if original.kind in RECEIPT_KINDS:
            _recompute_last_payment(account)
        case_event_record(
            case=account.case,
            actor=actor,
            verb="ledger_reversed",
            payload={
                "account": account.reference,
                "kind_label": original.get_kind_display(),
                "original_amount": str(abs(original.amount)),
                "original_id": original.pk,
                "reason": reason,
                "transaction_id": line.pk,
                "balance_after": str(account.balance),
            },
        )
    return line


def _recompute_last_payment(account: Account) -> None:
    """After a receipt is reversed, the last payment is the latest one still standing."""
    latest = (
        Transaction.objects.filter(
            account=account, kind__in=RECEIPT_KINDS, reversed_by__isnull=True
        )
        .order_by("-effective_date", "-id")
        .values_list("effective_date", "amount")
        .first()
    )
    Account.objects.filter(pk=account.pk).update(
        last_payment_on=latest[0] if latest else None,
        last_payment_amount=-latest[1] if latest else None,
    )


CARD_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,39}$")


def telephone_payment_take(
    *,
    account: Account,
    amount: Decimal,
    card_reference: str,
    actor: User,
    today: date,
    confirm_same_amount: bool = False,
) -> Transaction:
    """Post a card payment an officer took by telephone, under the card provider's reference.

    A reference already posted is refused (by payment_post: it is the same payment). A
    second payment of the same amount on the same account and day is refused too, with
    the code "possible_duplicate", unless the officer confirms it is a second payment:
    a repeated call or a resubmitted form would otherwise take the money twice.
    The case's own figures move with the payment until the nightly run recomputes them.
    """
    reference = (card_reference or "").strip().upper()
    if not CARD_REFERENCE.match(reference):
        raise ValidationError(
            {
                "source_reference": "Enter the card payment reference: 4 to 40 letters, "
                "numbers or hyphens, as the card payment screen shows it"
            }
        )
    amount = _check_amount(amount, allow_negative=False)
    with transaction.atomic():
        locked = _lock_open_account(account.pk)
        earlier = (
            Transaction.objects.filter(
                account=locked,
                source=TransactionSource.TELEPHONE,
                effective_date=today,
                amount=-amount,
            )
            .order_by("-posted_at")
            .first()
        )
        if earlier is not None and not confirm_same_amount:
            raise ValidationError(
                f"A telephone payment of {format_money(amount)} was already taken on "
                f"{locked.reference} today at {timezone.localtime(earlier.posted_at):%H:%M} "
                f"(reference {earlier.source_reference}). If this is a second payment, "
                "confirm it and submit again",
                code="possible_duplicate",
            )
        line = payment_post(
            account=locked,
            amount=amount,
            effective_date=today,
            method=PaymentMethod.TELEPHONE_CARD,
            source=TransactionSource.TELEPHONE,
            source_reference=reference,
            today=today,
            actor=actor,
            description="Card payment by telephone",
        )
        _case_figures_move(locked, received=amount, on=today)
    return line


def _case_figures_move(account: Account, *, received: Decimal, on: date) -> None:
    """Move the case's balance and arrears by money just received on one of its accounts."""
    case = Case.objects.select_for_update().get(pk=account.case_id)
    case.balance -= received
    if account.rent_lawfully_due:
        case.rent_arrears -= received
        case.weeks_in_arrears = weeks_of(case.rent_arrears, case.weekly_charge) or Decimal("0.0")
    if case.last_payment_on is None or on > case.last_payment_on:
        case.last_payment_on = on
    case.save(update_fields=["balance", "rent_arrears", "weeks_in_arrears", "last_payment_on"])


# The suffix of an account the service opens beside a case's own (its reference is the
# case's, so anyone reading a statement can tell which case it belongs to).
OPENED_ACCOUNT_SUFFIX = {AccountKind.COURT_COSTS: "CC", AccountKind.FORMER_TENANCY_ARREARS: "FTA"}


def account_for_debt(*, case: Case, kind: AccountKind, today: date) -> Account:
    """The case's open account of `kind`, opened now if it has none: court costs are a
    judgment debt apart from the rent (legal-reference.md §17), and a former tenant's
    debt is recovered on its own account (§13). Call inside the caller's transaction."""
    found = (
        Account.objects.select_for_update()
        .filter(case=case, kind=kind, status=Account.Status.OPEN)
        .order_by("id")
        .first()
    )
    if found is not None:
        return found
    return Account.objects.create(
        reference=f"{case.reference}-{OPENED_ACCOUNT_SUFFIX[kind]}"[:20],
        case=case,
        tenancy=case.tenancy,
        kind=kind,
        rent_lawfully_due=RENT_LAWFULLY_DUE_BY_KIND[kind],
        opened_on=today,
    )


def balance_transfer(
    *,
    source: Account,
    target: Account,
    effective_date: date,
    reason: str,
    source_reference: str,
    today: date,
    actor: User,
) -> tuple[Transaction, Transaction] | None:
    """Move the whole balance of `source` (a debt or a credit) to `target`: two lines,
    one taking it off and one putting it on, in one transaction, so both ledgers stay
    true and nothing is edited. None when there is nothing to move."""
    with transaction.atomic():
        locked = _lock_open_account(source.pk)
        amount = locked.balance
        if amount == 0:
            return None
        _check_date(effective_date, today=today)
        _check_reference(TransactionSource.OFFICER, f"{source_reference}-out")
        _check_reference(TransactionSource.OFFICER, f"{source_reference}-in")
        _, out = _append(
            Posting(
                account_id=locked.pk,
                kind=TransactionKind.ADJUSTMENT,
                amount=-amount,
                effective_date=effective_date,
                source=TransactionSource.OFFICER,
                source_reference=f"{source_reference}-out",
                description=f"Transferred to account {target.reference}: {reason}"[:200],
            ),
            actor=actor,
        )
        target_account, into = _append(
            Posting(
                account_id=target.pk,
                kind=TransactionKind.ADJUSTMENT,
                amount=amount,
                effective_date=effective_date,
                source=TransactionSource.OFFICER,
                source_reference=f"{source_reference}-in",
                description=f"Transferred from account {locked.reference}: {reason}"[:200],
            ),
            actor=actor,
        )
        case_event_record(
            case=locked.case,
            actor=actor,
            verb="ledger_transferred",
            payload={
                "from": locked.reference,
                "to": target_account.reference,
                "amount": str(amount),
                "reason": reason,
                "transaction_ids": [out.pk, into.pk],
            },
        )
    return out, into


def account_close(*, account: Account, today: date) -> Account:
    """Close an account that owes nothing and is owed nothing; its ledger stays."""
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        if locked.balance != 0:
            raise ValidationError(
                f"Account {locked.reference} has a balance of {format_money(locked.balance)}: "
                "transfer or clear it before closing the account."
            )
        if locked.is_open:
            locked.status = Account.Status.CLOSED
            locked.closed_on = today
            locked.save(update_fields=["status", "closed_on"])
    return locked


def tenant_reference_add(
    *, case: Case, tenant: Tenant, reference: str, issued_by: str, actor: User
) -> TenantReference:
    """Record a reference another system knows a tenant of this case by, so a payment or
    benefit line carrying only that finds their rent account (payments/imports, the
    `tenant` match). One reference names one tenant: a reference already given to
    someone is refused rather than moved, since lines would then post to another home."""
    reference = reference.strip()
    if not reference:
        raise ValidationError({"reference": "Enter the reference"})
    if tenant.tenancy_id != case.tenancy_id or tenant.moved_out_on is not None:
        raise ValidationError({"tenant": "Choose someone who lives in this tenancy"})
    with transaction.atomic():
        held = TenantReference.objects.select_related("tenant").filter(reference=reference).first()
        if held is not None:
            whose = "this tenant's" if held.tenant_id == tenant.pk else "another tenant's"
            raise ValidationError(
                {
                    "reference": f"{reference} is already {whose} reference: one reference "
                    "names one person"
                }
            )
        try:
            with transaction.atomic():
                created = TenantReference.objects.create(
                    tenant=tenant, reference=reference, issued_by=issued_by.strip()
                )
        except IntegrityError as exc:
            raise ValidationError(
                {"reference": f"{reference} was given to someone else just now"}
            ) from exc
        case_event_record(
            case=case,
            actor=actor,
            verb="tenant_reference_added",
            payload={
                "tenant": tenant.full_name,
                "reference": reference,
                "issued_by": created.issued_by,
            },
        )
    return created


def tenant_reference_remove(
    *, case: Case, reference: TenantReference, reason: str, actor: User
) -> None:
    """Take off a reference recorded for a tenant of this case by mistake (a typing
    slip, another person's claim). Lines already posted by it stay where they are: a
    payment posted to the wrong account is moved with a reversal, as any other."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the reference is being taken off"})
    if reference.tenant.tenancy_id != case.tenancy_id:
        raise ValidationError("That reference is not one of this household's.")
    with transaction.atomic():
        TenantReference.objects.filter(pk=reference.pk).delete()
        case_event_record(
            case=case,
            actor=actor,
            verb="tenant_reference_removed",
            payload={
                "tenant": reference.tenant.full_name,
                "reference": reference.reference,
                "reason": reason.strip(),
            },
        )
