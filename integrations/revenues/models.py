"""Council Tax and Housing Benefit overpayment debts, as the revenues and benefits system
reports them. Its ledger stays its own: we keep each debt's balance at a date, keyed by
the revenues system's reference, never lines on our ledger."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from cases.models import Tenancy

MONEY = {"max_digits": 12, "decimal_places": 2}


class RevenuesDebtKind(models.TextChoices):
    COUNCIL_TAX = "council_tax", "Council Tax"
    HB_OVERPAYMENT = "hb_overpayment", "Housing Benefit overpayment"


class RevenuesImport(models.Model):
    """One file from the revenues system, kept by checksum so the same file twice changes
    nothing."""

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True, help_text="New, updated, unchanged, older.")

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = "revenues file"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%d %b %Y %H:%M})"


class RevenuesDebt(models.Model):
    """What a household owes on one Council Tax account or HB overpayment, at a date.

    Not rent lawfully due: a Council Tax or benefit overpayment debt supports no rent
    possession ground (Housing Act 1985 s84 and Sch 2 Ground 1 / Housing Act 1988 Sch 2
    Grounds 8, 10, 11 rest on rent; legal-reference.md §17), so nothing here is read by the
    arrears engine or the notice checks. It is shown beside the housing debts so the
    officer's conversation covers everything the household owes the council.
    """

    reference = models.CharField(
        "revenues reference",
        max_length=30,
        unique=True,
        help_text="The revenues system's own reference for the debt.",
    )
    kind = models.CharField(max_length=20, choices=RevenuesDebtKind.choices)
    tenancy = models.ForeignKey(Tenancy, on_delete=models.PROTECT, related_name="revenues_debts")
    debtor_name = models.CharField(
        max_length=120, help_text="The liable person, as revenues has it."
    )
    balance = models.DecimalField(**MONEY, help_text="Owed (negative: in credit).")
    balance_on = models.DateField(help_text="The date revenues gave the balance for.")
    recovery_stage = models.CharField(max_length=60, blank=True)
    instalment = models.DecimalField(**MONEY, null=True, blank=True)
    instalment_frequency = models.CharField(max_length=20, blank=True)
    last_import = models.ForeignKey(RevenuesImport, on_delete=models.PROTECT, related_name="+")
    first_seen_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "reference"]
        verbose_name = "revenues debt"
        indexes = [models.Index(fields=["tenancy", "kind"], name="revenues_debt_tenancy")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"

    # Read by nothing that decides escalation; here so a reader of the model sees it.
    rent_lawfully_due = False

    @property
    def owes(self) -> bool:
        return self.balance > Decimal("0.00")
