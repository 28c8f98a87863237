from django.apps import AppConfig


class IntegrationsRevenuesConfig(AppConfig):
    """Council Tax and Housing Benefit overpayment debts from the revenues and benefits
    system, shown beside the housing debts so an officer sees what a household owes the
    council as one. They are the revenues system's debts, recovered by it: they are kept
    as its balances, never posted to the rent ledger and never counted as rent lawfully
    due (integrations/revenues/README.md)."""

    name = "integrations.revenues"
    label = "integrations_revenues"
    verbose_name = "Council systems: revenues and benefits debts"

    def other_debts_for_case(self, case):
        """The case page's view of these debts (cases/other_debts.py)."""
        from cases.other_debts import OtherDebt
        from core.money import format_money
        from integrations.revenues.selectors import revenues_debts_for
        from payments.arrangements import monthly_equivalent

        debts = []
        for debt in revenues_debts_for(case=case):
            detail = [debt.recovery_stage] if debt.recovery_stage else []
            if debt.instalment:
                frequency = debt.instalment_frequency.replace("_", "-")
                detail.append(f"paying {format_money(debt.instalment)} {frequency}")
            debts.append(
                OtherDebt(
                    label=debt.get_kind_display(),
                    reference=debt.reference,
                    balance=debt.balance,
                    balance_on=debt.balance_on,
                    kept_by="Revenues and benefits",
                    detail="; ".join(detail),
                    monthly_instalment=(
                        monthly_equivalent(debt.instalment, debt.instalment_frequency)
                        if debt.instalment
                        else None
                    ),
                )
            )
        return debts
