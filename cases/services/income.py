"""Income and expenditure statements in the Standard Financial Statement format."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from cases.models import (
    Case,
    IncomeExpenditure,
    Tenant,
)
from cases.services.events import case_event_record, lock_case, stripped
from core.models import User
from core.money import to_money


def income_expenditure_record(
    *,
    case: Case,
    actor: User,
    taken_on: date,
    today: date,
    figures: dict[str, Decimal],
    household: dict[str, object],
    tenant: Tenant | None = None,
    notes: str = "",
) -> IncomeExpenditure:
    """Record an income and expenditure statement in the Standard Financial Statement
    categories (legal-reference.md §12); every amount is per month."""
    money_fields = {
        *IncomeExpenditure.INCOME_FIELDS,
        *IncomeExpenditure.FIXED_COST_FIELDS,
        *IncomeExpenditure.FLEXIBLE_COST_FIELDS,
        "savings_contribution",
    }
    unknown = set(figures) - money_fields
    if unknown:
        raise ValueError(f"Not Standard Financial Statement categories: {sorted(unknown)}")
    errors = {}
    for name, amount in figures.items():
        if isinstance(amount, float) or not isinstance(amount, Decimal):
            raise TypeError(f"{name} must be a Decimal")
        if amount < 0:
            errors[name] = "Enter an amount of £0 or more"
    if taken_on > today:
        errors["taken_on"] = "The date must not be in the future"
    if tenant is not None and tenant.tenancy_id != case.tenancy_id:
        errors["tenant"] = "Choose someone in this household"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = lock_case(case)
        statement = IncomeExpenditure(
            case=locked,
            tenant=tenant,
            taken_on=taken_on,
            recorded_by=actor,
            notes=stripped(notes),
            **household,
            **{name: to_money(amount) for name, amount in figures.items()},
        )
        statement.full_clean()
        statement.save()
        case_event_record(
            case=locked,
            actor=actor,
            verb="income_expenditure_recorded",
            payload={
                "statement_id": statement.pk,
                "taken_on": taken_on.isoformat(),
                "income": str(statement.total_income),
                "outgoings": str(statement.total_outgoings),
                "surplus": str(statement.surplus),
            },
        )
    return statement
