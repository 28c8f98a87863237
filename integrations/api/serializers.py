"""What the API says of a case. Only references, figures and dates: no names, addresses
or contact details leave through it, and a hold says its kind and dates, never why
(a Breathing Space for a mental health crisis is health data)."""

from rest_framework import serializers

from cases.models import Case, Hold, Stage
from payments.models import Account


class CaseSerializer(serializers.ModelSerializer):
    """Scope `cases`."""

    tenancy_reference = serializers.CharField(source="tenancy.reference")
    patch = serializers.CharField(source="patch.code")
    stage_label = serializers.SerializerMethodField()
    tenure_label = serializers.CharField(source="get_tenure_display")

    class Meta:
        model = Case
        fields = [
            "reference",
            "tenancy_reference",
            "patch",
            "tenure",
            "tenure_label",
            "status",
            "opened_on",
            "closed_on",
            "stage",
            "stage_label",
            "stage_changed_on",
            "next_action",
            "next_action_label",
            "next_action_due",
            "guard",
            "guard_label",
            "arrangement_state",
            "last_contact_on",
            "figures_on",
        ]

    def get_stage_label(self, case: Case) -> str:
        return Stage.label_of(case.stage)


class AccountBalanceSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = Account
        fields = [
            "reference",
            "kind",
            "kind_label",
            "rent_lawfully_due",
            "status",
            "balance",
            "weekly_charge",
            "last_payment_on",
            "last_payment_amount",
        ]


class CaseBalanceSerializer(serializers.Serializer):
    """Scope `balances`. Positive is owed; negative is in credit."""

    reference = serializers.CharField(source="case.reference")
    balance = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="All debts.")
    rent_arrears = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Rent lawfully due and unpaid."
    )
    weeks_in_arrears = serializers.DecimalField(
        source="case.weeks_in_arrears", max_digits=7, decimal_places=1
    )
    technical_arrears = serializers.DecimalField(
        source="case.technical_arrears", max_digits=12, decimal_places=2
    )
    figures_on = serializers.DateField(source="case.figures_on")
    accounts = AccountBalanceSerializer(many=True)


class HoldSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = Hold
        fields = ["kind", "kind_label", "starts_on", "until"]


class CaseHoldsSerializer(serializers.Serializer):
    """Scope `holds`: the holds in force today."""

    reference = serializers.CharField()
    on_hold = serializers.SerializerMethodField()
    holds = HoldSerializer(many=True)

    def get_on_hold(self, data: dict) -> bool:
        return bool(data["holds"])
