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
