"""Write-offs: an officer proposes, a second person within their limit approves, and the
ledger service posts it. Former tenant tracing is recorded here too.

The rules are small pure functions (`approval_problem`, `untraceable_problem`); the
services check them, lock what they change, write the timeline in the same transaction,
and refuse with a ValidationError that says what to do, writing nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from arrears.limitation import LIMITATION_KINDS, LimitationPosition
from arrears.selectors import account_limitation, policy_in_force
from cases.models import Case
from cases.services import case_event_record
from core.models import User
from core.money import PENNY, format_money
from payments.models import Account, AccountKind
from payments.services import reversal_post, write_off_post
from performance.models import TracingAttempt, WriteOff, WriteOffLimit, WriteOffReason

UNLIMITED = Decimal("Infinity")
# Welwyn Hatfield traces in-house, then through an agency, before writing off
# (legal-reference.md §13): two attempts by different means.
TRACING_METHODS_NEEDED = 2


def limit_text(limit: Decimal | None) -> str:
    if limit is None:
        return "no write-off authority"
    return "no upper limit" if limit == UNLIMITED else f"up to {format_money(limit)}"


def write_off_limit_for(user: User) -> Decimal | None:
    """The most this person may approve in one write-off: the highest of their roles'
    limits (UNLIMITED for a role with no upper limit); None if they may approve none."""
    if not user.has_perm("payments.approve_write_off"):
        return None
    if user.is_superuser:
        return UNLIMITED
    limits = list(WriteOffLimit.objects.filter(group__user=user).values_list("limit", flat=True))
    if not limits:
        return None
    return UNLIMITED if None in limits else max(limits)


def approval_problem(
    *, amount: Decimal, proposer_id: int, approver_id: int, limit: Decimal | None
) -> str | None:
    """Why this person may not approve this write-off, or None: the person who proposed
    it never approves it, and no one approves more than their role's limit (the
    council's Financial Regulations, set in the admin)."""
    if approver_id == proposer_id:
        return (
            "You proposed this write-off, so someone else must approve it: "
            "a write-off needs two people."
        )
    if limit is None:
        return "Your role has no write-off authority. Ask a senior officer or a manager."
    if amount > limit:
        return (
            f"This write-off of {format_money(amount)} is over your limit of "
            f"{format_money(limit)}. Ask someone whose limit covers it."
        )
    return None


def untraceable_problem(attempts: Sequence[tuple[str, str, date]]) -> str | None:
    """Why a former tenant may not yet be written off as untraceable, or None.

    `attempts` are (method, result, attempted on). There must be attempts by at least
    TRACING_METHODS_NEEDED different methods, and the latest must not have found them."""
    if not attempts:
        return (
            "Record the attempts to trace the former tenant before writing the debt off "
            f"as untraceable: at least {TRACING_METHODS_NEEDED}, by different methods."
        )
    methods = {method for method, _result, _on in attempts}
    if len(methods) < TRACING_METHODS_NEEDED:
        return (
            f"Only {len(methods)} tracing method has been tried. Try at least "
            f"{TRACING_METHODS_NEEDED} different methods (for example council records, "
            "then a tracing agent) before writing the debt off as untraceable."
        )
    _method, result, on = max(attempts, key=lambda a: a[2])
    if result == TracingAttempt.Result.FOUND:
        return (
            f"The latest tracing attempt, on {on:%-d %B %Y}, found the former tenant: "
            "pursue the debt at the new address instead."
        )
    return None


def _tracing_of(case: Case) -> list[tuple[str, str, date]]:
    return list(case.tracing_attempts.values_list("method", "result", "attempted_on"))


def statute_barred_problem(
    *, amount: Decimal, kind: str, position: LimitationPosition, today: date
) -> str | None:
    """A debt written off as statute-barred must be barred, and no more of it than is:
    six years from each sum falling due, begun again by a payment or a signed
    acknowledgment while in time (Limitation Act 1980 ss5, 19, 29(5), 30;
    legal-reference.md §13). Rent of a current tenancy is collected, not written off
    as barred, and court costs are a judgment debt under other rules (s24)."""
    if kind not in LIMITATION_KINDS:
        return (
            f"A {AccountKind(kind).label.lower()} debt is not written off as statute-barred: "
            "the six-year clock is counted on former tenancy arrears, garage rent, service "
            "charges and rechargeable repairs (Limitation Act 1980 ss5, 19)."
        )
    if position.barred <= 0:
        upcoming = (
            f" The oldest sum still owed becomes barred on {position.next_barred_on:%d %B %Y}."
            if position.next_barred_on
            else ""
        )
        return (
            f"None of this debt is statute-barred on {today:%d %B %Y}: every sum still owed "
            "fell due, or was paid towards or acknowledged, within six years." + upcoming
        )
    if amount > position.barred:
        return (
            f"Only {format_money(position.barred)} of this debt is statute-barred on "
            f"{today:%d %B %Y}; write off no more than that as statute-barred."
        )
    return None


def _reason_problem(*, account: Account, reason: str, amount: Decimal, today: date) -> str | None:
    if reason == WriteOffReason.STATUTE_BARRED:
        return statute_barred_problem(
            amount=amount,
            kind=account.kind,
            position=account_limitation(account=account, today=today),
            today=today,
        )
    tenancy = account.tenancy
    former = account.kind == AccountKind.FORMER_TENANCY_ARREARS or (
        tenancy.end_date is not None and tenancy.end_date <= today
    )
    if reason == WriteOffReason.UNTRACEABLE:
        if not former:
            return "Only a former tenant's debt can be written off as untraceable."
        return untraceable_problem(_tracing_of(account.case))
    if reason == WriteOffReason.SMALL_BALANCE:
        ceiling = policy_in_force().write_off_below
        if account.balance >= ceiling:
            return (
                f"A small balance is under {format_money(ceiling)} (the escalation policy's "
                f"write-off threshold); this account owes {format_money(account.balance)}."
            )
    deceased = reason == WriteOffReason.DECEASED_NO_ESTATE
    if deceased and tenancy.tenants.filter(is_tenant=True).count() > 1:
        return (
            "This is a joint tenancy: the surviving tenant remains liable, so the "
            "debt is not written off because one tenant has died."
        )
    return None


def write_off_propose(
    *,
    account: Account,
    amount: Decimal,
    reason: str,
    evidence: str,
    actor: User,
    today: date,
) -> WriteOff:
    """An officer proposes writing off part or all of one debt, with the evidence."""
    if isinstance(amount, float) or not isinstance(amount, Decimal | int):
        raise ValidationError({"amount": "Enter the amount as pounds and pence, like 25.00."})
    amount = Decimal(amount)
    if amount <= 0 or amount != amount.quantize(PENNY):
        raise ValidationError({"amount": "Enter an amount of more than £0, in pounds and pence."})
    if reason not in WriteOffReason.values:
        raise ValidationError({"reason": "Choose the reason for the write-off."})
    if not (evidence or "").strip():
        raise ValidationError({"evidence": "Describe the evidence that the reason applies."})
    with transaction.atomic():
        locked = (
            Account.objects.select_for_update(of=("self",))
            .select_related("case", "tenancy")
            .get(pk=account.pk)
        )
        if not locked.is_open:
            raise ValidationError(f"Account {locked.reference} is closed.")
        if amount > locked.balance:
            raise ValidationError(
                {
                    "amount": f"Only the {format_money(locked.balance)} owed on "
                    f"{locked.reference} can be written off."
                }
            )
        if WriteOff.objects.filter(account=locked, status=WriteOff.Status.PROPOSED).exists():
            raise ValidationError(
                f"A write-off on {locked.reference} is already awaiting a decision."
            )
        problem = _reason_problem(account=locked, reason=reason, amount=amount, today=today)
        if problem:
            raise ValidationError({"reason": problem})
        try:
            with transaction.atomic():
                write_off = WriteOff.objects.create(
                    case=locked.case,
                    account=locked,
                    amount=amount,
                    reason=reason,
                    evidence=evidence.strip(),
                    proposed_by=actor,
                )
        except IntegrityError as exc:
            raise ValidationError(
                f"A write-off on {locked.reference} is already awaiting a decision."
            ) from exc
        case_event_record(
            case=locked.case,
            actor=actor,
            verb="write_off_proposed",
            payload={
                "write_off_id": write_off.pk,
                "account": locked.reference,
                "amount": str(amount),
                "reason": reason,
                "reason_label": WriteOffReason(reason).label,
                "evidence": write_off.evidence,
            },
        )
    return write_off


def _lock_proposed(write_off: WriteOff) -> WriteOff:
    locked = (
        WriteOff.objects.select_for_update(of=("self",))
        .select_related("account", "case", "proposed_by")
        .get(pk=write_off.pk)
    )
    if locked.status != WriteOff.Status.PROPOSED:
        raise ValidationError(
            f"This write-off has already been decided: {locked.get_status_display().lower()}."
        )
    return locked


def write_off_approve(*, write_off: WriteOff, actor: User, today: date, note: str = "") -> WriteOff:
    """A second person, within their limit, approves; the ledger posts the write-off."""
    with transaction.atomic():
        locked = _lock_proposed(write_off)
        problem = approval_problem(
            amount=locked.amount,
            proposer_id=locked.proposed_by_id,
            approver_id=actor.pk,
            limit=write_off_limit_for(actor),
        )
        if problem is None:
            problem = _reason_problem(
                account=locked.account, reason=locked.reason, amount=locked.amount, today=today
            )
        if problem:
            raise ValidationError(problem)
        label = WriteOffReason(locked.reason).label
        line = write_off_post(
            account=locked.account,
            amount=locked.amount,
            reason=f"{label} (write-off {locked.reference})",
            source_reference=f"WRITE-OFF-{locked.pk}",
            today=today,
            actor=actor,
        )
        locked.status = WriteOff.Status.APPROVED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = (note or "").strip()
        locked.transaction = line
        locked.save(
            update_fields=["status", "decided_by", "decided_at", "decision_note", "transaction"]
        )
        case_event_record(
            case=locked.case,
            actor=actor,
            verb="write_off_approved",
            payload={
                "write_off_id": locked.pk,
                "account": locked.account.reference,
                "amount": str(locked.amount),
                "reason_label": label,
                "proposed_by": str(locked.proposed_by),
                "note": locked.decision_note,
                "transaction_id": line.pk,
            },
        )
    return locked


def write_off_refuse(*, write_off: WriteOff, actor: User, note: str) -> WriteOff:
    """A second person refuses, saying why; nothing is posted."""
    if not (note or "").strip():
        raise ValidationError({"note": "Say why the write-off is refused."})
    with transaction.atomic():
        locked = _lock_proposed(write_off)
        if locked.proposed_by_id == actor.pk:
            raise ValidationError("You proposed this write-off, so someone else must decide it.")
        if write_off_limit_for(actor) is None:
            raise ValidationError("Your role has no write-off authority.")
        locked.status = WriteOff.Status.REFUSED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = note.strip()
        locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        case_event_record(
            case=locked.case,
            actor=actor,
            verb="write_off_refused",
            payload={
                "write_off_id": locked.pk,
                "account": locked.account.reference,
                "amount": str(locked.amount),
                "reason_label": WriteOffReason(locked.reason).label,
                "note": locked.decision_note,
            },
        )
    return locked


def reinstatement_problem(*, status: str, limit: Decimal | None) -> str | None:
    """Why this write-off cannot be put back, or None. Only a posted write-off can be
    reinstated, once, and only by someone who may approve write-offs: a debt written off
    as untraceable or uneconomic is reinstated when the debtor surfaces, for example by
    applying for rehousing (Gateshead's former tenant arrears policy, legal-reference.md
    §13: "a reinstatement flag"). Writing off stops pursuit; it does not end the debt."""
    if status == WriteOff.Status.REINSTATED:
        return "This write-off has already been reinstated."
    if status != WriteOff.Status.APPROVED:
        return "Only a write-off that was approved and posted can be reinstated."
    if limit is None:
        return "Your role has no write-off authority, so it cannot reinstate a write-off."
    return None


def write_off_reinstate(*, write_off: WriteOff, actor: User, reason: str, today: date) -> WriteOff:
    """Put a written-off debt back on the account: the write-off line is reversed (the
    ledger is only appended to), the debt shows again on the case and in the figures,
    and the next nightly run takes it up."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the debt is reinstated (who was traced, how)."})
    with transaction.atomic():
        locked = (
            WriteOff.objects.select_for_update(of=("self",))
            .select_related("account", "case", "transaction")
            .get(pk=write_off.pk)
        )
        problem = reinstatement_problem(status=locked.status, limit=write_off_limit_for(actor))
        if problem:
            raise ValidationError(problem)
        line = reversal_post(
            original=locked.transaction,
            reason=f"Write-off {locked.reference} reinstated: {reason}"[:200],
            today=today,
            actor=actor,
            source_reference=f"REINSTATE-{locked.pk}",
        )
        locked.status = WriteOff.Status.REINSTATED
        locked.reinstated_by = actor
        locked.reinstated_at = timezone.now()
        locked.reinstatement_reason = reason
        locked.reinstatement = line
        locked.save(
            update_fields=[
                "status",
                "reinstated_by",
                "reinstated_at",
                "reinstatement_reason",
                "reinstatement",
            ]
        )
        case_event_record(
            case=locked.case,
            actor=actor,
            verb="write_off_reinstated",
            payload={
                "write_off_id": locked.pk,
                "account": locked.account.reference,
                "amount": str(locked.amount),
                "reason": reason,
                "transaction_id": line.pk,
            },
        )
    return locked


def tracing_attempt_record(
    *,
    case: Case,
    actor: User,
    method: str,
    result: str,
    attempted_on: date,
    details: str,
    today: date,
) -> TracingAttempt:
    """Record one attempt to trace a former tenant and what it found."""
    problems = {}
    if method not in TracingAttempt.Method.values:
        problems["method"] = "Choose how you tried to trace the former tenant."
    if result not in TracingAttempt.Result.values:
        problems["result"] = "Choose what the attempt found."
    if not isinstance(attempted_on, date) or attempted_on > today:
        problems["attempted_on"] = "The date must be today or in the past."
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        attempt = TracingAttempt.objects.create(
            case=case,
            method=method,
            result=result,
            attempted_on=attempted_on,
            details=(details or "").strip(),
            recorded_by=actor,
        )
        case_event_record(
            case=case,
            actor=actor,
            verb="tracing_attempt_recorded",
            payload={
                "attempt_id": attempt.pk,
                "method_label": attempt.get_method_display(),
                "result_label": attempt.get_result_display(),
                "attempted_on": attempted_on.isoformat(),
                "details": attempt.details,
            },
        )
    return attempt
