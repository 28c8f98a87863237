"""Arrangements to pay: agreeing one from an income and expenditure statement,
cancelling it, and replacing it with new terms.

An informal arrangement is current rent plus an instalment towards the arrears. The
Pre-Action Protocol asks for "affordable sums based on the tenant's income and
expenditure" (legal-reference.md §8 para 2, §12): the statement's figures decide
whether rent plus the instalment fits, and an officer who agrees terms that do not
must say so explicitly. Court-ordered terms are the court's to vary, not an officer's.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from cases.models import Case, CourtCase, IncomeExpenditure
from cases.other_debts import other_debts_for, other_monthly_instalments
from cases.rules import income_statement_is_current
from cases.services import case_event_record
from core.models import User
from core.money import format_money, to_money
from payments.models import (
    LIVE_ARRANGEMENT_STATES,
    Account,
    Arrangement,
    ArrangementCheck,
    ArrangementFrequency,
    ArrangementState,
)

# How many instalments fall due in a year at each frequency. Instalments fall due in
# rent-free weeks too (glossary: rent-free weeks; legal-reference.md §16 convention 3).
INSTALMENTS_PER_YEAR = {
    ArrangementFrequency.WEEKLY: 52,
    ArrangementFrequency.FORTNIGHTLY: 26,
    ArrangementFrequency.FOUR_WEEKLY: 13,
    ArrangementFrequency.MONTHLY: 12,
}


def monthly_equivalent(amount: Decimal, frequency: str) -> Decimal:
    """An instalment as a monthly amount, to compare with a monthly I&E."""
    return to_money(amount * INSTALMENTS_PER_YEAR[ArrangementFrequency(frequency)] / 12)


def monthly_rent(weekly_rent: Decimal, *, rent_free_weeks: int | None = None) -> Decimal:
    """Weekly rent as a monthly amount: weekly x charge weeks / 12 (legal-reference.md §16
    convention 4; UC Regs 2013 Sch 4 para 7(3) uses the same basis)."""
    if rent_free_weeks is None:
        rent_free_weeks = settings.RENT_FREE_WEEKS_PER_YEAR
    return to_money(weekly_rent * (52 - rent_free_weeks) / 12)


@dataclass(frozen=True)
class Affordability:
    """Rent plus the instalment against what the tenant has for them each month."""

    available: Decimal
    rent: Decimal
    instalment: Decimal
    # Paid each month on the council's other debts (Council Tax, HB overpayments) under
    # the revenues system's arrangements (cases/other_debts.py).
    other_instalments: Decimal = Decimal("0.00")

    @property
    def total(self) -> Decimal:
        return self.rent + self.instalment + self.other_instalments

    @property
    def left_over(self) -> Decimal:
        return self.available - self.total

    @property
    def exceeds(self) -> bool:
        return self.total > self.available

    def warning(self) -> str:
        others = (
            f" and the {format_money(self.other_instalments)} paid to the council's other debts"
            if self.other_instalments
            else ""
        )
        return (
            f"Rent plus this instalment{others} is {format_money(self.total)} a month, "
            f"{format_money(-self.left_over)} more than the {format_money(self.available)} "
            "the income and expenditure statement leaves for rent and arrears"
        )


def affordability(
    *,
    statement: IncomeExpenditure,
    instalment: Decimal,
    frequency: str,
    other_instalments: Decimal = Decimal("0.00"),
) -> Affordability:
    """Does current rent plus the instalment fit the statement's surplus before rent?

    A sustainable agreement is current rent plus the arrears instalment no more than
    the surplus available for priority debts (legal-reference.md §12, "Judging
    sustainability"). The rent is the statement's own rent line; `other_instalments` is
    what the household already pays each month on the council's other debts (Council
    Tax and HB overpayment arrangements), which comes out of the same surplus.
    """
    return Affordability(
        available=statement.available_for_rent_and_arrears,
        rent=statement.rent,
        instalment=monthly_equivalent(instalment, frequency),
        other_instalments=other_instalments,
    )


def _check_terms(
    *,
    case: Case,
    account: Account,
    statement: IncomeExpenditure,
    frequency: str,
    instalment: Decimal,
    starts_on: date,
    lump_sum: Decimal | None,
    lump_sum_due_on: date | None,
    today: date,
) -> None:
    errors: dict[str, str] = {}
    if account.case_id != case.pk:
        raise ValidationError({"account": "Choose one of this case's accounts"})
    if statement.case_id != case.pk:
        raise ValidationError({"statement": "Choose one of this case's statements"})
    if not income_statement_is_current(taken_on=statement.taken_on, today=today):
        errors["statement"] = (
            f"The income and expenditure statement of {statement.taken_on:%-d %B %Y} is too "
            "old to agree an arrangement from: record a new one"
        )
    if frequency not in ArrangementFrequency.values:
        errors["frequency"] = "Choose how often the tenant will pay"
    if isinstance(instalment, float) or not isinstance(instalment, Decimal):
        raise TypeError("The instalment must be a Decimal")
    if instalment <= 0:
        errors["instalment"] = "The instalment must be more than £0"
    elif instalment != to_money(instalment):
        errors["instalment"] = "The instalment must be in pounds and whole pence"
    if starts_on < today:
        errors["starts_on"] = "The first instalment date must be today or in the future"
    if (lump_sum is None) != (lump_sum_due_on is None):
        errors["lump_sum"] = "Enter both the lump sum and the date it is due, or neither"
    elif lump_sum is not None:
        if lump_sum <= 0:
            errors["lump_sum"] = "The lump sum must be more than £0"
        if lump_sum_due_on < today:
            errors["lump_sum_due_on"] = "The lump sum's date must be today or in the future"
    if errors:
        raise ValidationError(errors)


def _create(
    *,
    case: Case,
    account: Account,
    actor: User,
    statement: IncomeExpenditure,
    frequency: str,
    instalment: Decimal,
    starts_on: date,
    today: date,
    lump_sum: Decimal | None,
    lump_sum_due_on: date | None,
    notes: str,
    accept_unaffordable: bool,
    replaces: Arrangement | None,
) -> Arrangement:
    """Create the arrangement; the caller holds the transaction and the account lock."""
    if not account.is_open:
        raise ValidationError({"account": f"Account {account.reference} is closed"})
    if account.balance <= 0:
        raise ValidationError(
            {"account": f"Account {account.reference} owes nothing, so there is nothing to arrange"}
        )
    if instalment > account.balance:
        raise ValidationError(
            {
                "instalment": f"The instalment is more than the {format_money(account.balance)} "
                f"owed on {account.reference}"
            }
        )
    if lump_sum is not None and lump_sum > account.balance:
        raise ValidationError(
            {"lump_sum": f"The lump sum is more than the {format_money(account.balance)} owed"}
        )
    live = Arrangement.objects.filter(account=account, state__in=LIVE_ARRANGEMENT_STATES)
    if replaces is not None:
        live = live.exclude(pk=replaces.pk)
    current = live.first()
    if current is not None:
        raise ValidationError(
            f"Account {account.reference} already has a live arrangement of "
            f"{format_money(current.instalment)} {current.get_frequency_display().lower()}: "
            "replace or cancel it instead"
        )
    check = affordability(
        statement=statement,
        instalment=instalment,
        frequency=frequency,
        other_instalments=other_monthly_instalments(other_debts_for(case)),
    )
    if check.exceeds and not accept_unaffordable:
        raise ValidationError(check.warning(), code="unaffordable")
    arrangement = Arrangement(
        case=case,
        account=account,
        kind=Arrangement.Kind.INFORMAL,
        frequency=frequency,
        instalment=instalment,
        starts_on=starts_on,
        lump_sum=lump_sum,
        lump_sum_due_on=lump_sum_due_on,
        starting_balance=account.balance,
        state=ArrangementState.LIVE,
        state_changed_on=today,
        notes=(notes or "").strip(),
        replaces=replaces,
        created_by=actor,
    )
    arrangement.full_clean(exclude=["replaces"])
    arrangement.save()
    ArrangementCheck.objects.create(
        arrangement=arrangement,
        state=ArrangementState.LIVE,
        checked_on=today,
        description="Arrangement made"
        if replaces is None
        else "Arrangement made, replacing another",
    )
    Case.objects.filter(pk=case.pk).update(arrangement_state=ArrangementState.LIVE)
    case_event_record(
        case=case,
        actor=actor,
        verb="arrangement_created",
        payload={
            "arrangement_id": arrangement.pk,
            "account": account.reference,
            "frequency": frequency,
            "frequency_label": arrangement.get_frequency_display(),
            "instalment": str(instalment),
            "starts_on": starts_on.isoformat(),
            "lump_sum": str(lump_sum) if lump_sum is not None else None,
            "statement_id": statement.pk,
            "surplus": str(statement.surplus),
            "rent_and_instalment_monthly": str(check.total),
            "warning": check.warning() if check.exceeds else "",
            "replaces": replaces.pk if replaces is not None else None,
        },
    )
    return arrangement


def arrangement_create(
    *,
    case: Case,
    account: Account,
    actor: User,
    statement: IncomeExpenditure,
    frequency: str,
    instalment: Decimal,
    starts_on: date,
    today: date,
    lump_sum: Decimal | None = None,
    lump_sum_due_on: date | None = None,
    notes: str = "",
    accept_unaffordable: bool = False,
) -> Arrangement:
    """Agree an informal arrangement from an income and expenditure statement.

    Refuses (code "unaffordable") when rent plus the instalment is more than the
    statement leaves for them, unless the officer accepts that explicitly.
    """
    _check_terms(
        case=case,
        account=account,
        statement=statement,
        frequency=frequency,
        instalment=instalment,
        starts_on=starts_on,
        lump_sum=lump_sum,
        lump_sum_due_on=lump_sum_due_on,
        today=today,
    )
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)
        locked = Account.objects.select_for_update().get(pk=account.pk)
        return _create(
            case=case,
            account=locked,
            actor=actor,
            statement=statement,
            frequency=frequency,
            instalment=instalment,
            starts_on=starts_on,
            today=today,
            lump_sum=lump_sum,
            lump_sum_due_on=lump_sum_due_on,
            notes=notes,
            accept_unaffordable=accept_unaffordable,
            replaces=None,
        )


def _end(*, arrangement: Arrangement, actor: User, reason: str, today: date) -> Arrangement:
    """End a live informal arrangement as cancelled; the caller holds the transaction."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the arrangement is ending"})
    locked = Arrangement.objects.select_for_update().get(pk=arrangement.pk)
    if locked.kind == Arrangement.Kind.COURT_ORDERED:
        raise ValidationError(
            "These are court-ordered terms: only the court can vary them. Apply to the court, "
            "or record a breach"
        )
    if not locked.is_live:
        raise ValidationError(
            f"This arrangement is already {locked.get_state_display().lower()}: "
            "only a live arrangement can be cancelled or replaced"
        )
    locked.state = ArrangementState.CANCELLED
    locked.state_changed_on = today
    locked.ended_on = today
    locked.end_reason = reason[:200]
    locked.save(update_fields=["state", "state_changed_on", "ended_on", "end_reason"])
    ArrangementCheck.objects.create(
        arrangement=locked,
        state=ArrangementState.CANCELLED,
        checked_on=today,
        description=f"Cancelled by {actor}: {reason}"[:200],
    )
    case_event_record(
        case=locked.case,
        actor=actor,
        verb="arrangement_cancelled",
        payload={"arrangement_id": locked.pk, "reason": reason},
    )
    return locked


def arrangement_cancel(
    *, arrangement: Arrangement, actor: User, reason: str, today: date
) -> Arrangement:
    """Cancel a live informal arrangement, with the reason."""
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=arrangement.case_id)
        ended = _end(arrangement=arrangement, actor=actor, reason=reason, today=today)
        Case.objects.filter(pk=ended.case_id).update(arrangement_state=ArrangementState.CANCELLED)
    return ended


def arrangement_replace(
    *,
    arrangement: Arrangement,
    actor: User,
    reason: str,
    statement: IncomeExpenditure,
    frequency: str,
    instalment: Decimal,
    starts_on: date,
    today: date,
    lump_sum: Decimal | None = None,
    lump_sum_due_on: date | None = None,
    notes: str = "",
    accept_unaffordable: bool = False,
) -> Arrangement:
    """Replace a live arrangement with new terms: the old one is cancelled and the new
    one names it, in one transaction, so the account is never without terms or with two."""
    case = arrangement.case
    if not (reason or "").strip():
        raise ValidationError({"reason": "Enter why the arrangement is being replaced"})
    _check_terms(
        case=case,
        account=arrangement.account,
        statement=statement,
        frequency=frequency,
        instalment=instalment,
        starts_on=starts_on,
        lump_sum=lump_sum,
        lump_sum_due_on=lump_sum_due_on,
        today=today,
    )
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)
        account = Account.objects.select_for_update().get(pk=arrangement.account_id)
        old = _end(
            arrangement=arrangement, actor=actor, reason=f"Replaced: {reason}".strip(), today=today
        )
        return _create(
            case=case,
            account=account,
            actor=actor,
            statement=statement,
            frequency=frequency,
            instalment=instalment,
            starts_on=starts_on,
            today=today,
            lump_sum=lump_sum,
            lump_sum_due_on=lump_sum_due_on,
            notes=notes,
            accept_unaffordable=accept_unaffordable,
            replaces=old,
        )


def court_terms_create(
    *,
    case: Case,
    account: Account,
    court_case: CourtCase,
    frequency: str,
    instalment: Decimal,
    starts_on: date,
    actor: User,
    today: date,
) -> Arrangement:
    """The terms of a suspended or postponed order, or an adjournment on terms, as the
    court-ordered arrangement the nightly run monitors for breach.

    The court's terms replace whatever was live on the account (an officer's
    arrangement, or earlier terms the court has now varied), naming the order. No
    affordability check: the court decided the terms (HA 1985 s85; legal-reference.md §9).
    """
    if frequency not in ArrangementFrequency.values:
        raise ValidationError({"terms_frequency": "Choose how often the order says to pay"})
    if isinstance(instalment, float) or not isinstance(instalment, Decimal):
        raise TypeError("The instalment must be a Decimal")
    if instalment < 0 or instalment != to_money(instalment):
        raise ValidationError(
            {"terms_instalment": "Enter the instalment in pounds and pence, like 5.00"}
        )
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        for live in Arrangement.objects.filter(account=locked, state__in=LIVE_ARRANGEMENT_STATES):
            live.state = ArrangementState.CANCELLED
            live.state_changed_on = today
            live.ended_on = today
            live.end_reason = f"Superseded by the court's order in claim {court_case}"[:200]
            live.save(update_fields=["state", "state_changed_on", "ended_on", "end_reason"])
            ArrangementCheck.objects.create(
                arrangement=live,
                state=ArrangementState.CANCELLED,
                checked_on=today,
                description=live.end_reason,
            )
        arrangement = Arrangement(
            case=case,
            account=locked,
            kind=Arrangement.Kind.COURT_ORDERED,
            court_case=court_case,
            frequency=frequency,
            instalment=instalment,
            starts_on=starts_on,
            starting_balance=locked.balance,
            state=ArrangementState.LIVE,
            state_changed_on=today,
            notes=f"Terms of the order in claim {court_case}",
            created_by=actor,
        )
        arrangement.full_clean(exclude=["replaces"])
        arrangement.save()
        ArrangementCheck.objects.create(
            arrangement=arrangement,
            state=ArrangementState.LIVE,
            checked_on=today,
            description="Court-ordered terms recorded",
        )
        Case.objects.filter(pk=case.pk).update(arrangement_state=ArrangementState.LIVE)
        case_event_record(
            case=case,
            actor=actor,
            verb="arrangement_created",
            payload={
                "arrangement_id": arrangement.pk,
                "account": locked.reference,
                "frequency": frequency,
                "frequency_label": arrangement.get_frequency_display(),
                "instalment": str(instalment),
                "starts_on": starts_on.isoformat(),
                "court_case_id": court_case.pk,
                "court_ordered": True,
            },
        )
    return arrangement
