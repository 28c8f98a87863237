"""Accounts, the append-only ledger, the rent charge calendar and arrangements to pay."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from cases.models import Case, CourtCase, Tenancy
from core.encryption import EncryptedCharField, EncryptedTextField

MONEY = {"max_digits": 12, "decimal_places": 2}


class AccountKind(models.TextChoices):
    RENT = "rent", "Rent"
    FORMER_TENANCY_ARREARS = "former_tenancy_arrears", "Former tenancy arrears"
    RECHARGEABLE_REPAIRS = "rechargeable_repairs", "Rechargeable repairs"
    GARAGE = "garage", "Garage rent"
    SERVICE_CHARGES = "service_charges", "Leasehold service charges"
    COURT_COSTS = "court_costs", "Court costs"


# Only rent (with service charges reserved as rent) supports a rent arrears
# possession ground; everything else is a separate debt (legal-reference.md §17).
RENT_LAWFULLY_DUE_BY_KIND = {
    AccountKind.RENT: True,
    AccountKind.FORMER_TENANCY_ARREARS: False,
    AccountKind.RECHARGEABLE_REPAIRS: False,
    AccountKind.GARAGE: False,
    AccountKind.SERVICE_CHARGES: False,
    AccountKind.COURT_COSTS: False,
}


class Account(models.Model):
    """One debt. `balance` is the running sum of its ledger, kept in step by payments.services."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    reference = models.CharField("payment reference", max_length=20, unique=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="accounts")
    tenancy = models.ForeignKey(Tenancy, on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField(max_length=30, choices=AccountKind.choices)
    rent_lawfully_due = models.BooleanField(
        help_text="Rent lawfully due: only this supports a rent arrears possession claim."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    weekly_charge = models.DecimalField(
        **MONEY, default=Decimal("0.00"), help_text="Current gross weekly charge."
    )
    balance = models.DecimalField(**MONEY, default=Decimal("0.00"))
    last_payment_on = models.DateField(null=True, blank=True)
    last_payment_amount = models.DecimalField(**MONEY, null=True, blank=True)

    class Meta:
        ordering = ["reference"]
        permissions = [
            ("take_payment", "Can take a payment"),
            ("post_adjustment", "Can post adjustments and reversals"),
            ("approve_write_off", "Can approve write-offs"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_kind_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class TransactionKind(models.TextChoices):
    CHARGE = "charge", "Charge"
    PAYMENT = "payment", "Payment"
    HOUSING_BENEFIT = "housing_benefit", "Housing Benefit"
    UNIVERSAL_CREDIT = "universal_credit", "Universal Credit (paid direct)"
    DWP_DEDUCTION = "dwp_deduction", "DWP third party deduction"
    DHP = "dhp", "Discretionary Housing Payment"
    ADJUSTMENT = "adjustment", "Adjustment"
    WRITE_OFF = "write_off", "Write-off"
    REVERSAL = "reversal", "Reversal"


# Kinds that are money received; they reduce the balance.
CREDIT_KINDS = frozenset(
    {
        TransactionKind.PAYMENT,
        TransactionKind.HOUSING_BENEFIT,
        TransactionKind.UNIVERSAL_CREDIT,
        TransactionKind.DWP_DEDUCTION,
        TransactionKind.DHP,
    }
)
# Kinds a tenant or a benefit paid; they count as payments for the last-payment figures.
RECEIPT_KINDS = CREDIT_KINDS


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Cash"
    DEBIT_CARD = "debit_card", "Debit card (in person)"
    TELEPHONE_CARD = "telephone_card", "Card by telephone"
    ONLINE_CARD = "online_card", "Card online"
    DIRECT_DEBIT = "direct_debit", "Direct debit"
    STANDING_ORDER = "standing_order", "Standing order"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    PAYPOINT = "paypoint", "PayPoint / Post Office"
    CHEQUE = "cheque", "Cheque"
    BENEFIT = "benefit", "Benefit credit"


class TransactionSource(models.TextChoices):
    """Where a ledger line came from; its reference is unique within the source."""

    RENT_RUN = "rent_run", "Weekly rent run"
    PAYMENT_FILE = "payment_file", "Payment file"
    TELEPHONE = "telephone", "Telephone payment"
    BENEFIT_SCHEDULE = "benefit_schedule", "Housing Benefit schedule"
    DWP = "dwp", "DWP schedule"
    OFFICER = "officer", "Entered by an officer"
    DIRECT_DEBIT = "direct_debit", "Direct debit collection"
    SEED = "seed", "Demo data"


class Transaction(models.Model):
    """A ledger line. Never changed or deleted: a correction is a new line.

    `amount` is signed: charges are positive, money received is negative, so an
    account's balance is the sum of its lines and a positive balance is owed.
    """

    # No index of its own: ledger_account_date serves every lookup by account, and a
    # second one tempts the planner into reading an account's whole history.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="transactions", db_index=False
    )
    kind = models.CharField(max_length=20, choices=TransactionKind.choices)
    effective_date = models.DateField(help_text="The date the charge fell due or money was paid.")
    posted_at = models.DateTimeField(default=timezone.now)
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=20, choices=PaymentMethod.choices, blank=True)
    source = models.CharField(max_length=20, choices=TransactionSource.choices)
    source_reference = models.CharField(max_length=64)
    # Both of these are empty on nearly every line, and a plain unique or foreign-key
    # index would hold an entry for each empty one (about 580 MB and a write per line
    # at 27 million lines): partial indexes below cover only the lines that have one.
    # A line is reversed at most once (ledger_reversed_once).
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        db_index=False,
    )
    description = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        ordering = ["effective_date", "id"]
        indexes = [
            # Covering on PostgreSQL: the nightly figures read an account's recent lines
            # (kind, amount) from the index alone.
            models.Index(
                fields=["account", "effective_date"],
                include=["kind", "amount"],
                name="ledger_account_date",
            ),
            # Small partial indexes for the dashboard's figures that look for a few kinds
            # of line across the whole ledger (performance/figures.py): Universal Credit
            # credits of the last three months, and the year's write-offs with the
            # reversals that may undo them.
            models.Index(
                fields=["effective_date", "account"],
                condition=Q(kind="universal_credit"),
                name="ledger_uc_by_date",
            ),
            models.Index(
                fields=["effective_date"],
                condition=Q(kind__in=["write_off", "reversal"]),
                name="ledger_write_offs_by_date",
            ),
            # Who entered a line is looked up only when a user is to be deleted (PROTECT).
            models.Index(
                fields=["created_by"],
                condition=Q(created_by__isnull=False),
                name="ledger_created_by",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_reference"], name="ledger_source_reference_unique"
            ),
            models.UniqueConstraint(
                fields=["reverses"],
                condition=Q(reverses__isnull=False),
                name="ledger_reversed_once",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(kind="reversal", reverses__isnull=False)
                | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="ledger_reversal_names_its_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} on {self.effective_date}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError("The ledger is append-only: post a correction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The ledger is append-only: post a reversal instead.")


class RentYear(models.Model):
    """A rent year, from the first Monday of April, with its charge and rent-free weeks."""

    starts_on = models.DateField(unique=True)
    ends_on = models.DateField()
    label = models.CharField(max_length=9, help_text="e.g. 2026/27")

    class Meta:
        ordering = ["starts_on"]

    def __str__(self) -> str:
        return self.label

    @property
    def charge_weeks(self) -> int:
        return self.weeks.filter(is_charge_week=True).count()


class RentWeek(models.Model):
    rent_year = models.ForeignKey(RentYear, on_delete=models.CASCADE, related_name="weeks")
    number = models.PositiveSmallIntegerField()
    starts_on = models.DateField(unique=True)
    is_charge_week = models.BooleanField(default=True)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["rent_year", "number"], name="rent_week_number_unique")
        ]

    def __str__(self) -> str:
        kind = "charge" if self.is_charge_week else "rent-free"
        return f"{self.rent_year} week {self.number} ({kind})"


class ArrangementFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    FOUR_WEEKLY = "four_weekly", "Every 4 weeks"
    MONTHLY = "monthly", "Monthly"


class ArrangementState(models.TextChoices):
    LIVE = "live", "Live"
    KEPT = "kept", "Kept"
    MISSED = "missed", "Missed instalment"
    BROKEN = "broken", "Broken"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


LIVE_ARRANGEMENT_STATES = frozenset(
    {ArrangementState.LIVE, ArrangementState.KEPT, ArrangementState.MISSED}
)


class Arrangement(models.Model):
    """An agreement to pay current rent plus an instalment towards the arrears."""

    class Kind(models.TextChoices):
        INFORMAL = "informal", "Informal arrangement"
        COURT_ORDERED = "court_ordered", "Court-ordered terms"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="arrangements")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="arrangements")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INFORMAL)
    court_case = models.ForeignKey(
        CourtCase, on_delete=models.PROTECT, null=True, blank=True, related_name="arrangements"
    )
    frequency = models.CharField(max_length=20, choices=ArrangementFrequency.choices)
    instalment = models.DecimalField(**MONEY, help_text="Towards the arrears, on top of rent.")
    includes_current_rent = models.BooleanField(
        default=True, help_text="The tenant also pays the current rent as it falls due."
    )
    starts_on = models.DateField(help_text="The first instalment falls due on this date.")
    lump_sum = models.DecimalField(**MONEY, null=True, blank=True)
    lump_sum_due_on = models.DateField(null=True, blank=True)
    starting_balance = models.DecimalField(**MONEY)
    tolerance_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Blank: the policy's tolerance."
    )
    tolerance_amount = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Blank: the policy's tolerance."
    )
    state = models.CharField(
        max_length=20, choices=ArrangementState.choices, default=ArrangementState.LIVE
    )
    state_changed_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(instalment__gte=0), name="arrangement_instalment_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(kind="court_ordered") | Q(court_case__isnull=False),
                name="court_ordered_arrangement_names_its_court_case",
            ),
            models.CheckConstraint(
                condition=Q(lump_sum__isnull=True) | Q(lump_sum_due_on__isnull=False),
                name="arrangement_lump_sum_has_due_date",
            ),
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(state__in=["live", "kept", "missed"]),
                name="one_live_arrangement_per_account",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instalment} {self.get_frequency_display().lower()} from {self.starts_on}"

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_ARRANGEMENT_STATES


class ArrangementCheck(models.Model):
    """The append-only state history of an arrangement, with expected against actual.

    A row is written only when the state changes, so the history reads as a story.
    """

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="checks")
    state = models.CharField(max_length=20, choices=ArrangementState.choices)
    checked_on = models.DateField()
    expected_paid = models.DecimalField(**MONEY, default=Decimal("0.00"))
    actual_paid = models.DecimalField(**MONEY, default=Decimal("0.00"))
    description = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["checked_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_state_display()} on {self.checked_on}"

    @property
    def shortfall(self) -> Decimal:
        return max(Decimal("0.00"), self.expected_paid - self.actual_paid)


class TenantReference(models.Model):
    """A reference another system knows a tenant by (the housing system's person
    reference, the benefits system's claim, DWP's claimant), so a payment or benefit line
    that carries only that can still find the tenant's rent account. A tenant may have
    several; each reference names one tenant."""

    tenant = models.ForeignKey(
        "cases.Tenant", on_delete=models.CASCADE, related_name="payment_references"
    )
    reference = models.CharField(max_length=40, unique=True)
    issued_by = models.CharField(
        max_length=60, blank=True, help_text="The system that gave it, e.g. the HMS or DWP."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["reference"]

    def __str__(self) -> str:
        return self.reference


class PaymentImport(models.Model):
    """A payment or benefit file posted whole, with its totals. A file posts once:
    its checksum is unique."""

    format_name = models.CharField(max_length=40)
    filename = models.CharField(max_length=200)
    checksum = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the file.")
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    line_count = models.PositiveIntegerField(default=0)
    total = models.DecimalField(**MONEY, default=Decimal("0.00"))
    matched_count = models.PositiveIntegerField(default=0)
    matched_total = models.DecimalField(**MONEY, default=Decimal("0.00"))
    suspense_count = models.PositiveIntegerField(default=0)
    suspense_total = models.DecimalField(**MONEY, default=Decimal("0.00"))
    already_posted_count = models.PositiveIntegerField(default=0)
    per_method = models.JSONField(default=dict, blank=True)
    control_total = models.DecimalField(**MONEY, null=True, blank=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        permissions = [("import_payments", "Can import payment and benefit files")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.format_name})"


class ImportLine(models.Model):
    """A file's line that did not post to an account (to suspense, or already on the
    ledger), kept with its outcome. A posted line is kept only on the ledger, under the
    reference `format:checksum:line` (payments/imports/services.py)."""

    class Outcome(models.TextChoices):
        POSTED = "posted", "Posted to the account"
        SUSPENSE = "suspense", "To suspense"
        ALREADY_POSTED = "already_posted", "Already posted"

    payment_import = models.ForeignKey(
        PaymentImport, on_delete=models.PROTECT, related_name="lines"
    )
    line_number = models.PositiveIntegerField()
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    account_reference = models.CharField(max_length=40, blank=True, help_text="As the file has it.")
    payment_reference = models.CharField(max_length=64, blank=True)
    amount = models.DecimalField(**MONEY, help_text="Money received (more than zero).")
    effective_date = models.DateField()
    kind = models.CharField(max_length=20, choices=TransactionKind.choices)
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    source_reference = models.CharField(max_length=64)
    description = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)

    class Meta:
        ordering = ["payment_import", "line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment_import", "line_number"], name="import_line_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Line {self.line_number} of {self.payment_import_id}"


class SuspenseItem(models.Model):
    """Money received on a line that matched no open account: held here, never lost,
    until it is allocated to an account."""

    class Status(models.TextChoices):
        OPEN = "open", "In suspense"
        AWAITING_APPROVAL = "awaiting_approval", "Allocation awaiting approval"
        ALLOCATED = "allocated", "Allocated"

    line = models.OneToOneField(ImportLine, on_delete=models.PROTECT, related_name="suspense")
    amount = models.DecimalField(**MONEY)
    received_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The account it is to be, or was, allocated to.",
    )
    reason = models.CharField(max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["received_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("requested_by")),
                name="suspense_allocation_two_people",
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} received {self.received_on} (suspense)"


class SuspenseRejection(models.Model):
    """An allocation out of suspense that the second person refused, with why. The item
    goes back to the queue; the refused request is kept here so the trail stays whole."""

    item = models.ForeignKey(SuspenseItem, on_delete=models.PROTECT, related_name="rejections")
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The account it was asked to go to.",
    )
    request_reason = models.CharField(max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(null=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rejected_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, help_text="Why the allocation was refused.")

    class Meta:
        ordering = ["-rejected_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(rejected_by=F("requested_by")),
                name="suspense_rejection_two_people",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="suspense_rejection_has_reason"),
        ]

    def __str__(self) -> str:
        return f"Allocation of {self.item_id} to {self.account_id} refused"


class MandateStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be lodged with the bank (AUDDIS)"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended: not collected until the officer resolves it"
    CANCELLED = "cancelled", "Cancelled"


LIVE_MANDATE_STATUSES = frozenset(
    {MandateStatus.PENDING, MandateStatus.ACTIVE, MandateStatus.SUSPENDED}
)


class DirectDebitMandate(models.Model):
    """A Direct Debit Instruction from the payer to collect rent from their bank account.

    The bank details (account name, sort code, account number) are kept to collect,
    encrypted at rest (`core.encryption`; Bacs and the council's data protection
    officer ask it), so they cannot be searched; pages, the admin and the timeline only
    ever show the sort code and account number masked (`masked_sort_code`,
    `masked_account_number`).
    """

    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="direct_debit_mandates"
    )
    reference = models.CharField(
        "mandate reference",
        max_length=18,
        unique=True,
        help_text="The service user's reference on every Bacs record for this instruction.",
    )
    payer_name = EncryptedCharField(
        max_length=18, help_text="The bank account's name, as Bacs has it."
    )
    sort_code = EncryptedCharField(max_length=6)
    account_number = EncryptedCharField(max_length=8)
    amount = models.DecimalField(**MONEY)
    frequency = models.CharField(max_length=20, choices=ArrangementFrequency.choices)
    collection_day = models.PositiveSmallIntegerField(
        help_text="Monthly: the day of the month (1-28). Otherwise the weekday, Monday 0."
    )
    first_collection_on = models.DateField()
    ends_on = models.DateField(
        null=True, blank=True, help_text="Blank: until cancelled. The last collection is final."
    )
    status = models.CharField(
        max_length=20, choices=MandateStatus.choices, default=MandateStatus.PENDING
    )
    lodged_on = models.DateField(
        null=True, blank=True, help_text="When the instruction (AUDDIS 0N) went to Bacs."
    )
    status_reason = models.CharField(max_length=200, blank=True)
    status_changed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status__in=["pending", "active", "suspended"]),
                name="one_live_mandate_per_account",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="mandate_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.masked_sort_code} {self.masked_account_number})"

    @property
    def masked_sort_code(self) -> str:
        return f"**-**-{self.sort_code[-2:]}"

    @property
    def masked_account_number(self) -> str:
        return f"****{self.account_number[-4:]}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_MANDATE_STATUSES


class DirectDebitFile(models.Model):
    """One day's Bacs Standard 18 collection file; a date's file is made once."""

    collection_date = models.DateField(unique=True)
    processing_date = models.DateField(help_text="The Bacs processing day before it.")
    made_on = models.DateField()
    made_at = models.DateTimeField(default=timezone.now)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lodgement_count = models.PositiveIntegerField(default=0)
    collection_count = models.PositiveIntegerField(default=0)
    total = models.DecimalField(**MONEY, default=Decimal("0.00"))
    # Every payer's bank details in full, so encrypted at rest as the mandates' are.
    content = EncryptedTextField(help_text="The records as written, to send again if lost.")

    class Meta:
        ordering = ["-collection_date"]

    def __str__(self) -> str:
        return f"Direct debits collected {self.collection_date:%d %b %Y}"


class DirectDebitCollection(models.Model):
    """One collection in a file, with the payment it posted and, if the bank returned
    it unpaid (ARUDD), the reason and the reversal."""

    class Code(models.TextChoices):
        FIRST = "01", "First collection"
        REGULAR = "17", "Collection"
        REPRESENTED = "18", "Re-presented"
        FINAL = "19", "Final collection"

    collection_file = models.ForeignKey(
        DirectDebitFile, on_delete=models.PROTECT, related_name="collections"
    )
    mandate = models.ForeignKey(
        DirectDebitMandate, on_delete=models.PROTECT, related_name="collections"
    )
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    collected_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    transaction_code = models.CharField(max_length=2, choices=Code.choices)
    source_reference = models.CharField(max_length=64, unique=True)
    represents = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="represented_by"
    )
    transaction = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_on = models.DateField(null=True, blank=True)
    return_code = models.CharField(max_length=1, blank=True, help_text="The ARUDD reason code.")
    return_file = models.ForeignKey(
        "DirectDebitReturnFile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="returns",
    )
    reversal = models.OneToOneField(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["collected_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="collection_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.amount} from {self.mandate.reference} on {self.collected_on}"

    @property
    def return_meaning(self) -> str:
        from payments.bacs import ARUDD

        found = ARUDD.get(self.return_code)
        return found.meaning if found else self.return_code


class DirectDebitReturnFile(models.Model):
    """An ARUDD report of direct debits returned unpaid, applied whole and once."""

    filename = models.CharField(max_length=200)
    checksum = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the file.")
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    line_count = models.PositiveIntegerField(default=0)
    total = models.DecimalField(**MONEY, default=Decimal("0.00"))

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return self.filename


class BacsReportFile(models.Model):
    """An ADDACS or AUDDIS report on instructions, applied whole and once. What each
    advice did is kept in `outcomes` (reference, code, status before and after; never the
    bank details), the case timeline having the rest."""

    class Kind(models.TextChoices):
        ADDACS = "addacs", "ADDACS (instructions amended or cancelled by the bank)"
        AUDDIS = "auddis", "AUDDIS (instructions rejected by the bank)"

    kind = models.CharField(max_length=6, choices=Kind.choices)
    filename = models.CharField(max_length=200)
    checksum = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the file.")
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    advice_count = models.PositiveIntegerField(default=0)
    outcomes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.filename}"


class PaymentFileUpload(models.Model):
    """A file sent from the finance page, kept until a worker has imported it, with how
    far the import has got. The file itself is dropped once it has posted or been refused
    (the import record and the problems say what came of it); a file whose import failed
    is kept, so it can be run again."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being checked and posted"
        POSTED = "posted", "Posted"
        REFUSED = "refused", "Refused: nothing was posted"
        FAILED = "failed", "Stopped by an error: nothing was posted"

    FINISHED = (Status.POSTED, Status.REFUSED, Status.FAILED)

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=200)
    format_name = models.CharField(max_length=40)
    content = models.BinaryField(blank=True, editable=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=60, blank=True, help_text="The last step reported.")
    lines_done = models.PositiveIntegerField(default=0)
    lines_total = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(blank=True, help_text="Why it was refused or failed.")
    problems = models.JSONField(
        default=list, blank=True, help_text="Each bad line: line, field and reason."
    )
    payment_import = models.OneToOneField(
        PaymentImport, on_delete=models.PROTECT, null=True, blank=True, related_name="upload"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="posted", payment_import__isnull=False)
                | (~Q(status="posted") & Q(payment_import__isnull=True)),
                name="payment_upload_posted_has_its_import",
            )
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.format_name}), {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def progress_key(self) -> str:
        """Where the worker keeps this upload's progress in the "progress" cache."""
        return f"payment-file-upload:{self.pk}:progress"
