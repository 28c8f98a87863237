"""A hearing's outcome: the order and its terms, the court-ordered arrangement, costs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from cases.models import CourtCase
from cases.services import case_event_record
from core.models import User
from court import rules
from court.models import Claim, Hearing
from notices.contexts import figures_for, load_case
from payments.arrangements import court_terms_create
from payments.models import Account, AccountKind, Transaction, TransactionSource
from payments.services import account_for_debt, adjustment_post, charge_post

Outcome = Hearing.Outcome
WITH_TERMS = frozenset({Outcome.SUSPENDED, Outcome.POSTPONED, Outcome.ADJOURNED_ON_TERMS})
ORDERS = frozenset({Outcome.OUTRIGHT, Outcome.SUSPENDED, Outcome.POSTPONED})
# The claim is over without an order: the fee charged at issue is not the tenant's.
ENDED_WITHOUT_ORDER = frozenset({Outcome.DISMISSED, Outcome.STRUCK_OUT, Outcome.WITHDRAWN})


def _outcome_problems(
    outcome: str,
    *,
    hearing_at: datetime,
    next_hearing_at: datetime | None,
    possession_date: date | None,
    terms_instalment: Decimal | None,
    terms_frequency: str,
    terms_start: date | None,
) -> dict[str, str]:
    problems: dict[str, str] = {}
    hearing_on = timezone.localtime(hearing_at).date()
    if outcome == Outcome.ADJOURNED_TO_DATE:
        if next_hearing_at is None:
            problems["next_hearing_at"] = "Enter the date and time of the adjourned hearing"
        elif next_hearing_at <= hearing_at:
            problems["next_hearing_at"] = "The adjourned hearing must be after this one"
    if outcome == Outcome.OUTRIGHT:
        if possession_date is None:
            problems["possession_date"] = "Enter the date for possession the order gives"
        elif possession_date < hearing_on:
            problems["possession_date"] = "The date for possession cannot be before the order"
    if outcome in WITH_TERMS:
        if terms_instalment is None:
            problems["terms_instalment"] = "Enter what the order says to pay towards the arrears"
        if not terms_frequency:
            problems["terms_frequency"] = "Choose how often the order says to pay"
        if terms_start is None:
            problems["terms_start"] = "Enter the date the first payment under the order is due"
    return problems


def _fees_charged(claim: Claim | None) -> Decimal:
    """The fees charged to the court-costs account for this claim, and costs posted at
    its earlier hearings, less any taken back."""
    if claim is None:
        return Decimal("0.00")
    ids = [claim.fee_line_id] if claim.fee_line_id else []
    ids += list(
        Hearing.objects.filter(
            court_case_id=claim.court_case_id, costs_line__isnull=False
        ).values_list("costs_line_id", flat=True)
    )
    return Transaction.objects.filter(pk__in=ids).aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal("0.00")


def hearing_record(
    *,
    court_case: CourtCase,
    actor: User,
    today: date,
    outcome: str,
    hearing_at: datetime | None = None,
    next_hearing_at: datetime | None = None,
    possession_date: date | None = None,
    terms_instalment: Decimal | None = None,
    terms_frequency: str = "",
    terms_start: date | None = None,
    money_judgment: Decimal | None = None,
    costs_awarded: Decimal | None = None,
    attended_by: str = "",
    tenant_attended: bool | None = None,
    notes: str = "",
) -> Hearing:
    """Record what the court decided at a hearing.

    A suspended or postponed order, or an adjournment on terms, becomes the court-ordered
    arrangement the nightly run monitors; the costs awarded are posted to the court-costs
    account (less the fee already charged at issue, or the fee taken back when the claim
    ended without an order); the claim's CourtCase carries the new position.
    """
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose what the court decided"})
    hearing_at = hearing_at or court_case.hearing_at
    if hearing_at is None:
        raise ValidationError({"hearing_at": "Enter the date and time of the hearing"})
    for value in (hearing_at, next_hearing_at):
        if value is not None and timezone.is_naive(value):
            raise ValueError("Hearing times must be aware datetimes")
    if hearing_at > timezone.now():
        raise ValidationError({"hearing_at": "The hearing has not happened yet"})
    problems = _outcome_problems(
        outcome,
        hearing_at=hearing_at,
        next_hearing_at=next_hearing_at,
        possession_date=possession_date,
        terms_instalment=terms_instalment,
        terms_frequency=terms_frequency,
        terms_start=terms_start,
    )
    for name, value in (("money_judgment", money_judgment), ("costs_awarded", costs_awarded)):
        if value is not None and value < 0:
            problems[name] = "Enter the amount in pounds and pence"
    if problems:
        raise ValidationError(problems)
    hearing_on = timezone.localtime(hearing_at).date()
    with transaction.atomic():
        court_case = CourtCase.objects.select_for_update().get(pk=court_case.pk)
        if court_case.outcome not in (CourtCase.Outcome.PENDING, CourtCase.Outcome.ADJOURNED):
            raise ValidationError(
                f"The court has already decided this claim ({court_case.get_outcome_display()})."
            )
        if Hearing.objects.filter(court_case=court_case, hearing_at=hearing_at).exists():
            raise ValidationError("The outcome of this hearing is already recorded.")
        case = load_case(court_case.case_id)
        claim = Claim.objects.filter(court_case=court_case).first()
        hearing = Hearing.objects.create(
            court_case=court_case,
            hearing_at=hearing_at,
            outcome=outcome,
            next_hearing_at=next_hearing_at,
            possession_date=possession_date,
            terms_instalment=terms_instalment,
            terms_frequency=terms_frequency,
            terms_start=terms_start,
            money_judgment=money_judgment,
            costs_awarded=costs_awarded,
            attended_by=attended_by.strip(),
            tenant_attended=tenant_attended,
            notes=notes.strip(),
            recorded_by=actor,
        )
        if outcome == Outcome.ADJOURNED_TO_DATE:
            court_case.outcome = CourtCase.Outcome.PENDING
            court_case.hearing_at = next_hearing_at
        else:
            court_case.outcome = outcome
        if outcome in ORDERS or outcome == Outcome.ADJOURNED_ON_TERMS:
            court_case.order_date = hearing_on
            court_case.balance_at_order = figures_for(case, today=today).rent_arrears
            court_case.possession_date = possession_date
            court_case.terms_instalment = terms_instalment
            court_case.terms_frequency = terms_frequency
            court_case.money_judgment = money_judgment
            court_case.costs_awarded = costs_awarded
        court_case.save()
        if outcome in WITH_TERMS:
            rent = next((a for a in case.accounts.all() if a.rent_lawfully_due and a.is_open), None)
            if rent is None:
                raise ValidationError("The case has no open rent account for the order's terms.")
            hearing.arrangement = court_terms_create(
                case=case,
                account=rent,
                court_case=court_case,
                frequency=terms_frequency,
                instalment=terms_instalment,
                starts_on=terms_start,
                actor=actor,
                today=today,
            )
        hearing.costs_line = _post_costs(
            case=case,
            court_case=court_case,
            claim=claim,
            hearing=hearing,
            actor=actor,
            today=today,
        )
        hearing.save(update_fields=["arrangement", "costs_line"])
        case_event_record(
            case=case,
            actor=actor,
            verb="court_hearing_recorded",
            payload={
                "court_case_id": court_case.pk,
                "hearing_id": hearing.pk,
                "hearing_at": hearing_at.isoformat(),
                "outcome": outcome,
                "outcome_label": Outcome(outcome).label,
                "next_hearing_at": next_hearing_at.isoformat() if next_hearing_at else None,
                "possession_date": possession_date.isoformat() if possession_date else None,
                "terms_instalment": str(terms_instalment) if terms_instalment is not None else None,
                "terms_frequency_label": hearing.get_terms_frequency_display(),
                "costs_awarded": str(costs_awarded) if costs_awarded is not None else None,
            },
        )
    return hearing


def _post_costs(
    *,
    case,
    court_case: CourtCase,
    claim: Claim | None,
    hearing: Hearing,
    actor: User,
    today: date,
) -> Transaction | None:
    """Bring the court-costs account to what the court awarded for this claim."""
    if hearing.outcome in ENDED_WITHOUT_ORDER:
        awarded = hearing.costs_awarded or Decimal("0.00")
    elif hearing.costs_awarded is not None:
        awarded = hearing.costs_awarded
    else:
        return None
    difference = rules.costs_to_post(awarded=awarded, charged=_fees_charged(claim))
    if difference == 0:
        return None
    account: Account = account_for_debt(case=case, kind=AccountKind.COURT_COSTS, today=today)
    reference = f"court-costs-hearing-{hearing.pk}"
    order_day = timezone.localtime(hearing.hearing_at).date()
    if difference > 0:
        return charge_post(
            account=account,
            amount=difference,
            effective_date=order_day,
            source_reference=reference,
            description=f"Costs awarded in claim {court_case.claim_number}, beyond the fee charged",
            today=today,
            source=TransactionSource.OFFICER,
            actor=actor,
        )
    return adjustment_post(
        account=account,
        amount=difference,
        effective_date=order_day,
        reason=(
            f"Claim {court_case.claim_number} {hearing.get_outcome_display().lower()}: "
            "costs not awarded, so the court fee charged is taken off"
            if hearing.outcome in ENDED_WITHOUT_ORDER
            else f"Costs awarded in claim {court_case.claim_number} are less than the fee charged"
        ),
        source_reference=reference,
        today=today,
        actor=actor,
    )
