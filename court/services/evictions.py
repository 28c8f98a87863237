"""The eviction day, and what follows when it goes ahead: the tenancy ends, the rent
balance moves to a former tenancy arrears account, the case joins the former-tenant
ladder."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from cases.models import Tenancy, Warrant
from cases.services import case_event_record
from core.models import User
from court.models import Eviction, SuspensionApplication
from notices.contexts import load_case
from payments.models import (
    LIVE_ARRANGEMENT_STATES,
    AccountKind,
    Arrangement,
    ArrangementCheck,
    ArrangementState,
)
from payments.services import account_close, account_for_debt, balance_transfer


def eviction_record(
    *,
    warrant: Warrant,
    actor: User,
    today: date,
    attended_on: date,
    went_ahead: bool,
    attended_by: str,
    reason_not_ahead: str = "",
    locks_changed: bool = False,
    belongings: str = "",
    belongings_stored_at: str = "",
    referrals: str = "",
    notes: str = "",
) -> Eviction:
    """Record the eviction day.

    When it went ahead: the warrant is executed, the tenancy ends that day, every rent
    account's balance (owed or in credit) moves to the case's former tenancy arrears
    account by two ledger lines and the rent account closes, and court-ordered terms end.
    Nothing is edited; the ledger still reconciles.
    """
    problems: dict[str, str] = {}
    if attended_on > today:
        problems["attended_on"] = "The eviction date must not be in the future"
    if not attended_by.strip():
        problems["attended_by"] = "Enter who attended: officers, the bailiff and anyone else"
    if not went_ahead and not reason_not_ahead.strip():
        problems["reason_not_ahead"] = "Say why the eviction did not go ahead"
    if belongings.strip() and not belongings_stored_at.strip():
        problems["belongings_stored_at"] = "Say where the belongings are stored"
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        warrant = (
            Warrant.objects.select_for_update().select_related("court_case").get(pk=warrant.pk)
        )
        if warrant.outcome != Warrant.Outcome.ISSUED or warrant.eviction_date is None:
            raise ValidationError(
                "Only an issued warrant with the bailiff's appointment booked can be executed."
            )
        if Eviction.objects.filter(warrant=warrant).exists():
            raise ValidationError("The eviction day is already recorded for this warrant.")
        if warrant.suspensions.filter(outcome=SuspensionApplication.Outcome.PENDING).exists():
            raise ValidationError(
                "The tenant's application to suspend the warrant is still to be heard: record "
                "its outcome first."
            )
        if attended_on < warrant.eviction_date:
            raise ValidationError(
                {"attended_on": "The eviction cannot be before the bailiff's appointment"}
            )
        case = load_case(warrant.court_case.case_id)
        eviction = Eviction.objects.create(
            warrant=warrant,
            case=case,
            attended_on=attended_on,
            went_ahead=went_ahead,
            reason_not_ahead=reason_not_ahead.strip(),
            attended_by=attended_by.strip(),
            locks_changed=locks_changed,
            belongings=belongings.strip(),
            belongings_stored_at=belongings_stored_at.strip(),
            referrals=referrals.strip(),
            notes=notes.strip(),
            recorded_by=actor,
        )
        if went_ahead:
            _end_tenancy(eviction, warrant=warrant, case=case, actor=actor, today=today)
        case_event_record(
            case=case,
            actor=actor,
            verb="eviction_recorded",
            payload={
                "eviction_id": eviction.pk,
                "warrant_id": warrant.pk,
                "attended_on": attended_on.isoformat(),
                "went_ahead": went_ahead,
                "reason": eviction.reason_not_ahead,
                "balance_moved": str(eviction.balance_moved)
                if eviction.balance_moved is not None
                else None,
                "former_account": eviction.former_account.reference
                if eviction.former_account_id
                else None,
            },
        )
    return eviction


def _end_tenancy(eviction: Eviction, *, warrant: Warrant, case, actor: User, today: date) -> None:
    warrant.outcome = Warrant.Outcome.EXECUTED
    warrant.save(update_fields=["outcome"])
    Tenancy.objects.filter(pk=case.tenancy_id).update(end_date=eviction.attended_on)
    for arrangement in Arrangement.objects.filter(case=case, state__in=LIVE_ARRANGEMENT_STATES):
        arrangement.state = ArrangementState.CANCELLED
        arrangement.state_changed_on = arrangement.ended_on = today
        arrangement.end_reason = "The tenancy ended by eviction"
        arrangement.save(update_fields=["state", "state_changed_on", "ended_on", "end_reason"])
        ArrangementCheck.objects.create(
            arrangement=arrangement,
            state=ArrangementState.CANCELLED,
            checked_on=today,
            description=arrangement.end_reason,
        )
    former = account_for_debt(case=case, kind=AccountKind.FORMER_TENANCY_ARREARS, today=today)
    moved = Decimal("0.00")
    for account in case.accounts.all():
        if not account.rent_lawfully_due or not account.is_open:
            continue
        lines = balance_transfer(
            source=account,
            target=former,
            effective_date=eviction.attended_on,
            reason=f"tenancy ended by eviction on {eviction.attended_on:%-d %B %Y}",
            source_reference=f"eviction-{eviction.pk}-{account.pk}",
            today=today,
            actor=actor,
        )
        if lines is not None:
            moved += lines[1].amount
        account_close(account=account, today=today)
    eviction.balance_moved = moved
    eviction.former_account = former
    eviction.save(update_fields=["balance_moved", "former_account"])
