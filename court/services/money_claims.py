"""Money claims for debts other than rent, where the debt ladders reach "refer for
recovery": the claim summary and statement, its issue and its judgment."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from cases.models import Case
from cases.services import case_event_record
from core.models import User
from court import rules
from court.documents import money_claim_context
from court.fees import LABELS, Fee, money_claim_fee
from court.models import MoneyClaim
from court.rules import MONEY_CLAIM_KINDS
from notices.catalogue import template_for
from notices.contexts import load_case, statement_context
from notices.documents import document_request
from notices.models import DocumentKind
from notices.periods import add_months
from payments.models import Account, AccountKind, TransactionSource
from payments.services import account_for_debt, charge_post


def money_claim_prepare(
    *,
    account: Account,
    actor: User,
    today: date,
    steps_taken: str,
    interest_from: date | None = None,
) -> MoneyClaim:
    """Prepare the money claim summary (amount, interest if the council claims it, the
    fee, the steps taken) with a statement of the account."""
    if not steps_taken.strip():
        raise ValidationError(
            {"steps_taken": "Say what was done to recover the debt before claiming"}
        )
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        case = load_case(account.case_id)
        if account.kind not in MONEY_CLAIM_KINDS:
            raise ValidationError(
                f"A money claim recovers former tenancy arrears, rechargeable repairs or garage "
                f"rent, not {account.get_kind_display().lower()}."
            )
        if account.balance <= 0:
            raise ValidationError(f"Account {account.reference} owes nothing to claim.")
        if MoneyClaim.objects.filter(account=account, status__in=["prepared", "issued"]).exists():
            raise ValidationError(f"A money claim on {account.reference} is already open.")
        rate = Decimal(str(settings.MONEY_CLAIM_INTEREST_PERCENT))
        since = interest_from or account.opened_on
        interest = rules.interest_on(
            amount=account.balance, percent_a_year=rate, since=since, until=today
        )
        fee = money_claim_fee(account.balance + interest)
        summary = document_request(
            case=case,
            kind=DocumentKind.MONEY_CLAIM,
            actor=actor,
            context=money_claim_context(
                case,
                account=account,
                amount=account.balance,
                interest=interest,
                interest_from=since if interest else None,
                fee=fee,
                steps_taken=steps_taken.strip(),
                today=today,
                actor=actor,
            ),
        )
        statement = document_request(
            case=case,
            kind=DocumentKind.STATEMENT,
            actor=actor,
            context=statement_context(
                case,
                template=template_for(DocumentKind.STATEMENT),
                today=today,
                start=max(account.opened_on, add_months(today, -72) + timedelta(days=1)),
                end=today,
                actor=actor,
                accounts=[account],
            ),
        )
        claim = MoneyClaim.objects.create(
            case=case,
            account=account,
            amount=account.balance,
            interest=interest,
            interest_from=since if interest else None,
            steps_taken=steps_taken.strip(),
            summary=summary,
            statement=statement,
            fee=fee,
            prepared_by=actor,
        )
        case_event_record(
            case=case,
            actor=actor,
            verb="court_money_claim_prepared",
            payload={
                "money_claim_id": claim.pk,
                "account": account.reference,
                "total": str(claim.amount + claim.interest + fee),
            },
        )
    return claim


def money_claim_issue(
    *,
    claim: MoneyClaim,
    actor: User,
    today: date,
    claim_number: str,
    court_name: str,
    issued_on: date,
) -> MoneyClaim:
    if not claim_number.strip():
        raise ValidationError({"claim_number": "Enter the claim number the court gave"})
    if issued_on > today:
        raise ValidationError({"issued_on": "The date of issue must not be in the future"})
    with transaction.atomic():
        claim = MoneyClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != MoneyClaim.Status.PREPARED:
            raise ValidationError(f"This claim is {claim.get_status_display().lower()}.")
        case: Case = claim.case
        claim.claim_number = claim_number.strip().upper()
        claim.court_name = court_name.strip() or "County Court Business Centre"
        claim.issued_on = issued_on
        claim.fee_line = charge_post(
            account=account_for_debt(case=case, kind=AccountKind.COURT_COSTS, today=today),
            amount=claim.fee,
            effective_date=issued_on,
            source_reference=f"court-fee-money-claim-{claim.pk}",
            description=f"{LABELS[Fee.MONEY_CLAIM]}, claim {claim.claim_number}",
            today=today,
            source=TransactionSource.OFFICER,
            actor=actor,
        )
        claim.status = MoneyClaim.Status.ISSUED
        claim.save()
        case_event_record(
            case=case,
            actor=actor,
            verb="court_money_claim_issued",
            payload={
                "money_claim_id": claim.pk,
                "claim_number": claim.claim_number,
                "issued_on": issued_on.isoformat(),
            },
        )
    return claim


def money_claim_judgment(
    *,
    claim: MoneyClaim,
    actor: User,
    today: date,
    judgment_on: date,
    amount: Decimal,
    costs: Decimal | None = None,
) -> MoneyClaim:
    """The judgment: the amount, and costs beyond the fee already charged posted to the
    court-costs account."""
    if judgment_on > today:
        raise ValidationError({"judgment_on": "The date must not be in the future"})
    if amount < 0 or (costs is not None and costs < 0):
        raise ValidationError({"amount": "Enter the amounts in pounds and pence"})
    with transaction.atomic():
        claim = MoneyClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != MoneyClaim.Status.ISSUED:
            raise ValidationError("Judgment is recorded on an issued claim.")
        if judgment_on < claim.issued_on:
            raise ValidationError({"judgment_on": "Judgment comes after the claim was issued"})
        claim.judgment_on = judgment_on
        claim.judgment_amount = amount
        claim.judgment_costs = costs
        claim.status = MoneyClaim.Status.JUDGMENT
        claim.save()
        extra = (
            rules.costs_to_post(awarded=costs, charged=claim.fee or Decimal("0")) if costs else 0
        )
        if extra > 0:
            charge_post(
                account=account_for_debt(
                    case=claim.case, kind=AccountKind.COURT_COSTS, today=today
                ),
                amount=extra,
                effective_date=judgment_on,
                source_reference=f"court-costs-money-claim-{claim.pk}",
                description=f"Costs awarded in claim {claim.claim_number}, beyond the fee charged",
                today=today,
                source=TransactionSource.OFFICER,
                actor=actor,
            )
        case_event_record(
            case=claim.case,
            actor=actor,
            verb="court_money_claim_judgment",
            payload={
                "money_claim_id": claim.pk,
                "judgment_on": judgment_on.isoformat(),
                "amount": str(amount),
                "costs": str(costs) if costs is not None else None,
            },
        )
    return claim
