"""Allocating money out of suspense to an account, with a two-person check.

One person asks for an item to go to an account; another approves it, or refuses it
with a reason, which puts it back in the queue. Approval takes
it out of suspense and posts it to the account, through the ledger's own service, under
a reference unique to the file line, so it can land only once. Both steps are in the
timeline of the case the money lands on.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases.services import case_event_record
from core.models import User
from payments.imports.services import (
    managed_payment_shown_by,
    managed_payments_confirm_for,
    uc_line_evidence,
)
from payments.models import Account, SuspenseItem, SuspenseRejection, TransactionSource
from payments.services import payment_post


def allocation_needs_a_second_person(*, requested_by_id: int | None, approver_id: int) -> bool:
    """Separation of duties: the person who asks for an allocation cannot approve it
    (the council's financial regulations on suspense accounts)."""
    return requested_by_id == approver_id


def _lock(item: SuspenseItem) -> SuspenseItem:
    return (
        SuspenseItem.objects.select_for_update(of=("self",))
        .select_related("line__payment_import")
        .get(pk=item.pk)
    )


def suspense_allocation_request(
    *, item: SuspenseItem, account: Account, reason: str, actor: User
) -> SuspenseItem:
    """Ask for a suspense item to go to an account; a second person must approve it."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the money belongs to this account."})
    with transaction.atomic():
        locked = _lock(item)
        if locked.status != SuspenseItem.Status.OPEN:
            raise ValidationError(
                f"This item is {locked.get_status_display().lower()}; it cannot be allocated again."
            )
        if not account.is_open:
            raise ValidationError(f"Account {account.reference} is closed; choose an open account.")
        locked.status = SuspenseItem.Status.AWAITING_APPROVAL
        locked.account = account
        locked.reason = reason.strip()[:200]
        locked.requested_by = actor
        locked.requested_at = timezone.now()
        locked.save(update_fields=["status", "account", "reason", "requested_by", "requested_at"])
        case_event_record(
            case=account.case,
            actor=actor,
            verb="suspense_allocation_requested",
            payload=_payload(locked),
        )
    return locked


def suspense_allocation_approve(*, item: SuspenseItem, actor: User, today: date) -> SuspenseItem:
    """Approve an allocation: out of suspense, onto the account's ledger."""
    with transaction.atomic():
        locked = _lock(item)
        if locked.status != SuspenseItem.Status.AWAITING_APPROVAL:
            raise ValidationError("Only an allocation awaiting approval can be approved.")
        if allocation_needs_a_second_person(
            requested_by_id=locked.requested_by_id, approver_id=actor.pk
        ):
            raise ValidationError("You asked for this allocation, so someone else must approve it.")
        line = locked.line
        posted = payment_post(
            account=locked.account,
            amount=locked.amount,
            effective_date=locked.received_on,
            method=line.method,
            source=TransactionSource(_source_of(line)),
            source_reference=f"{line.source_reference}:suspense"[:64],
            today=today,
            kind=line.kind,
            description=f"From suspense: {line.description}"[:200],
        )
        locked.status = SuspenseItem.Status.ALLOCATED
        locked.approved_by = actor
        locked.approved_at = timezone.now()
        locked.transaction = posted
        locked.save(update_fields=["status", "approved_by", "approved_at", "transaction"])
        case_event_record(
            case=locked.account.case,
            actor=actor,
            verb="suspense_allocated",
            payload={**_payload(locked), "transaction_id": posted.pk},
        )
        _confirm_managed_payment(locked, actor=actor, today=today)
    return locked


def _confirm_managed_payment(item: SuspenseItem, *, actor: User, today: date) -> None:
    """A UC line that had to be allocated by hand shows DWP paying us as surely as one
    that matched at once, so it decides the case's pending managed-payment request too
    (payments.imports.services.managed_payment_shown_by)."""
    line = item.line
    if not managed_payment_shown_by(line.kind):
        return
    evidence = uc_line_evidence(
        line.payment_import.filename, line.line_number, line.payment_reference
    )
    managed_payments_confirm_for(
        evidence={item.account.case_id: f"{evidence}, allocated from suspense"},
        actor=actor,
        today=today,
    )


def suspense_allocation_reject(*, item: SuspenseItem, actor: User, reason: str) -> SuspenseItem:
    """The second person refuses an allocation: the reason is kept, nothing posts, and
    the item goes back to the queue to be allocated again (the asker cannot refuse their
    own request, as they cannot approve it)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the allocation is refused."})
    with transaction.atomic():
        locked = _lock(item)
        if locked.status != SuspenseItem.Status.AWAITING_APPROVAL:
            raise ValidationError("Only an allocation awaiting approval can be refused.")
        if allocation_needs_a_second_person(
            requested_by_id=locked.requested_by_id, approver_id=actor.pk
        ):
            raise ValidationError("You asked for this allocation, so someone else must decide it.")
        refused = SuspenseRejection.objects.create(
            item=locked,
            account=locked.account,
            request_reason=locked.reason,
            requested_by_id=locked.requested_by_id,
            requested_at=locked.requested_at,
            rejected_by=actor,
            reason=reason[:200],
        )
        payload = {**_payload(locked), "refused_because": refused.reason}
        case = locked.account.case
        locked.status = SuspenseItem.Status.OPEN
        locked.account = None
        locked.reason = ""
        locked.requested_by = None
        locked.requested_at = None
        locked.save(update_fields=["status", "account", "reason", "requested_by", "requested_at"])
        case_event_record(
            case=case, actor=actor, verb="suspense_allocation_refused", payload=payload
        )
    return locked


def _source_of(line) -> str:
    from payments.imports.formats import file_format

    return file_format(line.payment_import.format_name).source


def _payload(item: SuspenseItem) -> dict:
    return {
        "account": item.account.reference,
        "amount": str(item.amount),
        "file": item.line.payment_import.filename,
        "line": item.line.line_number,
        "reason": item.reason,
        "requested_by": str(item.requested_by),
    }
