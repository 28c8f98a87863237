"""Targets per patch per year, write-off authority, write-offs and former tenant tracing."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from cases.models import Case, Patch
from payments.models import Account, Transaction

MONEY = {"max_digits": 12, "decimal_places": 2}


class Measure(models.TextChoices):
    """The figures a manager may set a target for (definitions: performance/figures.py)."""

    COLLECTION_RATE = "collection_rate", "Rent collected as a percentage of rent due"
    CURRENT_ARREARS = "current_arrears", "Current tenant arrears as a percentage of rent roll"
    FORMER_ARREARS = "former_arrears", "Former tenant arrears as a percentage of rent roll"
    OVER_7_WEEKS = "over_7_weeks", "Tenancies more than 7 weeks in arrears (%)"
    OVER_13_WEEKS = "over_13_weeks", "Tenancies more than 13 weeks in arrears (%)"


# For these a lower figure is better: the target is a ceiling, not a floor.
LOWER_IS_BETTER = frozenset(
    {
        Measure.CURRENT_ARREARS,
        Measure.FORMER_ARREARS,
        Measure.OVER_7_WEEKS,
        Measure.OVER_13_WEEKS,
    }
)


class Target(models.Model):
    """A manager's target for one patch, one financial year (1 April to 31 March), one
    measure. Setting it again replaces the figure; who set it and when is kept."""

    patch = models.ForeignKey(Patch, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(
        help_text="The financial year by the year it starts: 2026 is 2026/27."
    )
    measure = models.CharField(max_length=30, choices=Measure.choices)
    value = models.DecimalField(max_digits=6, decimal_places=2, help_text="A percentage.")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["patch__code", "year", "measure"]
        constraints = [
            models.UniqueConstraint(
                fields=["patch", "year", "measure"], name="one_target_per_patch_year_measure"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0) & Q(value__lte=100), name="target_is_a_percentage"
            ),
        ]
        permissions = [("set_target", "Can set patch targets")]

    def __str__(self) -> str:
        return f"{self.patch.code} {self.year}/{(self.year + 1) % 100:02d} {self.measure}"


class WriteOffLimit(models.Model):
    """How much one write-off a role may authorise (the council's Financial Regulations).

    No amount: no upper limit (the head of service). A role with no row cannot approve.
    """

    group = models.OneToOneField(
        Group, on_delete=models.CASCADE, related_name="write_off_limit", verbose_name="role"
    )
    limit = models.DecimalField(**MONEY, null=True, blank=True, help_text="Blank: no upper limit.")

    class Meta:
        ordering = ["limit"]
        verbose_name = "write-off authorisation limit"

    def __str__(self) -> str:
        return f"{self.group.name}: {self.limit if self.limit is not None else 'no limit'}"


class WriteOffReason(models.TextChoices):
    """Reasons councils write debt off (legal-reference.md §13: Gateshead, Camden, Angus,
    Welwyn Hatfield)."""

    STATUTE_BARRED = "statute_barred", "Statute-barred (Limitation Act 1980 s19)"
    DECEASED_NO_ESTATE = "deceased_no_estate", "Deceased with no estate"
    INSOLVENCY = "insolvency", "Bankruptcy or debt relief order"
    UNECONOMIC = "uneconomic", "Uneconomic to pursue"
    UNTRACEABLE = "untraceable", "Untraceable former tenant"
    SMALL_BALANCE = "small_balance", "Small balance"


class WriteOff(models.Model):
    """An officer's proposal to write a debt off, and a second person's decision on it.

    Approval posts the write-off line through payments.services.write_off_post; the
    proposal keeps the reason, the evidence and both people."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Awaiting approval"
        APPROVED = "approved", "Approved and posted"
        REFUSED = "refused", "Refused"
        REINSTATED = "reinstated", "Reinstated"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="write_offs")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="write_offs")
    amount = models.DecimalField(**MONEY)
    reason = models.CharField(max_length=30, choices=WriteOffReason.choices)
    evidence = models.TextField(help_text="What shows the reason applies.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="write_off"
    )
    # A written-off debt put back, when the former tenant is traced or the reason was wrong.
    reinstated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reinstated_at = models.DateTimeField(null=True, blank=True)
    reinstatement_reason = models.TextField(blank=True)
    reinstatement = models.OneToOneField(
        Transaction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="write_off_reinstated",
        help_text="The reversal of the write-off line that put the debt back.",
    )

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="write_off_amount_positive"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="write_off_two_people",
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status="proposed"),
                name="one_write_off_proposed_per_account",
            ),
        ]

    def __str__(self) -> str:
        return f"Write-off of {self.amount} on {self.account_id} ({self.get_status_display()})"

    @property
    def reference(self) -> str:
        return f"WO{self.pk:06d}"


class TracingAttempt(models.Model):
    """One attempt to find a former tenant, and what it found (Welwyn Hatfield: trace
    in-house, then through an agency, before writing off as untraceable)."""

    class Method(models.TextChoices):
        IN_HOUSE_RECORDS = "in_house_records", "Council records (council tax, benefits, housing)"
        CREDIT_REFERENCE = "credit_reference", "Credit reference agency"
        TRACING_AGENT = "tracing_agent", "Tracing or debt collection agency"
        LAST_ADDRESS = "last_address", "Visit or letter to the last known address"
        CONTACTS = "contacts", "Next of kin, employer or other contacts"
        OPEN_SOURCES = "open_sources", "Electoral roll and open sources"

    class Result(models.TextChoices):
        NOT_FOUND = "not_found", "Not found"
        FOUND = "found", "Found: a new address or contact"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tracing_attempts")
    method = models.CharField(max_length=30, choices=Method.choices)
    attempted_on = models.DateField()
    result = models.CharField(max_length=20, choices=Result.choices)
    details = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-attempted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} on {self.attempted_on:%d %b %Y}"


class PatchSnapshot(models.Model):
    """One patch's arrears and collection as at the end of one day, written by the nightly
    run (performance/snapshots.py) or rebuilt from the ledger, so the trend is drawn from
    these rows and a correction posted later does not rewrite what was known then."""

    class Source(models.TextChoices):
        RUN = "run", "Nightly run"
        REBUILD = "rebuild", "Rebuilt from the ledger"

    patch = models.ForeignKey(Patch, on_delete=models.CASCADE, related_name="snapshots")
    day = models.DateField()
    current_arrears = models.DecimalField(
        **MONEY, help_text="Rent owed by current tenants (accounts in credit count as nothing)."
    )
    accounts_owing = models.PositiveIntegerField(help_text="Current tenants' rent accounts owing.")
    former_arrears = models.DecimalField(**MONEY)
    collected_ytd = models.DecimalField(
        **MONEY, help_text="Money received on rent accounts, financial year to date."
    )
    due_ytd = models.DecimalField(**MONEY, help_text="Rent charged, financial year to date.")
    weekly_rent_roll = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        help_text="The weekly charges of current tenants' open rent accounts when it was "
        "written (rent lawfully due only), for arrears as a share of the rent roll then. "
        "Empty on rows written before it was kept.",
    )
    ledger_line_id = models.BigIntegerField(
        help_text="The last ledger line posted when it was written: the next run counts "
        "lines after it that were posted late for earlier days."
    )
    ledger_last_date = models.DateField(
        help_text="The latest date a ledger line was dated when it was written, or the day "
        "if none was later: when it is the day, the next run reads only the lines posted since."
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["day", "patch_id"]
        constraints = [
            models.UniqueConstraint(fields=["patch", "day"], name="one_snapshot_per_patch_per_day")
        ]
        indexes = [models.Index(fields=["day"], name="snapshot_day")]

    def __str__(self) -> str:
        return f"{self.patch_id} on {self.day}"


class FigureSnapshot(models.Model):
    """The dashboard's figures for the cases of one patch under one responsible officer,
    as the nightly run left them (performance/stored.py): the sums behind the rent roll,
    the arrears over it, the weeks-in-arrears counts, the technical split and Universal
    Credit, which read every account and case of the council and so cost about a second
    a page at 200,000 accounts when counted on each request. Only the latest days are
    read; the trend has PatchSnapshot."""

    day = models.DateField()
    patch = models.ForeignKey(Patch, on_delete=models.CASCADE, related_name="+")
    # The officer a case was assigned to, or else its patch's officer (figures._group).
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    weekly_rent_roll = models.DecimalField(**MONEY)
    current_arrears = models.DecimalField(**MONEY)
    former_arrears = models.DecimalField(**MONEY)
    tenancies = models.PositiveIntegerField()
    over_7_weeks = models.PositiveIntegerField()
    over_13_weeks = models.PositiveIntegerField()
    case_arrears = models.DecimalField(**MONEY)
    technical_arrears = models.DecimalField(**MONEY)
    cases_with_technical = models.PositiveIntegerField()
    uc_tenancies = models.PositiveIntegerField()
    uc_arrears = models.DecimalField(**MONEY)
    uc_managed = models.PositiveIntegerField()
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["day", "patch_id", "officer_id"]
        # One row per day, patch and officer, the officer possibly none: two partial
        # constraints, as SQLite has no NULLS NOT DISTINCT.
        constraints = [
            models.UniqueConstraint(
                fields=["day", "patch", "officer"],
                condition=Q(officer__isnull=False),
                name="one_figure_row_per_patch_officer_day",
            ),
            models.UniqueConstraint(
                fields=["day", "patch"],
                condition=Q(officer__isnull=True),
                name="one_figure_row_per_unassigned_patch_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patch_id}/{self.officer_id} on {self.day}"
