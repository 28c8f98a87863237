"""Tenancies, people and patches; the case, its holds, flags and timeline."""

import builtins
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Tenure(models.TextChoices):
    """Every tenure the legal reference covers (legal-reference.md §0-§6, §18)."""

    SECURE = "secure", "Secure"
    INTRODUCTORY = "introductory", "Introductory"
    FLEXIBLE = "flexible", "Flexible (fixed-term secure)"
    NON_SECURE_TENANCY = "non_secure_tenancy", "Non-secure tenancy (temporary accommodation)"
    NON_SECURE_LICENCE = "non_secure_licence", "Licence (temporary accommodation)"
    ASSURED = "assured", "Assured (council company)"
    COOPERATIVE = "cooperative", "Fully mutual co-operative"
    GARAGE = "garage", "Garage"
    LEASEHOLD = "leasehold", "Leasehold"
    SHARED_OWNERSHIP = "shared_ownership", "Shared ownership"


# Tenures where the council is owed rent under a tenancy of a home, so the rent
# arrears possession route applies (legal-reference.md §6: leasehold never does).
RESIDENTIAL_RENT_TENURES = frozenset(
    {
        Tenure.SECURE,
        Tenure.INTRODUCTORY,
        Tenure.FLEXIBLE,
        Tenure.NON_SECURE_TENANCY,
        Tenure.NON_SECURE_LICENCE,
        Tenure.ASSURED,
        Tenure.COOPERATIVE,
    }
)


class RentPeriod(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    FOUR_WEEKLY = "four_weekly", "Every 4 weeks"
    MONTHLY = "monthly", "Monthly"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class TemporaryAccommodationDuty(models.TextChoices):
    """Why the council provides temporary accommodation; it decides the notice route.

    s188 interim accommodation needs only reasonable notice (R (ZH and CN) v Newham
    [2014] UKSC 62); after a s193 main-duty acceptance a PEA 1977 s5 NTQ and a court
    order are needed (Bucknall v Dacorum [2017] EWHC 2094 (QB)).
    """

    INTERIM_S188 = "s188", "Interim (Housing Act 1996 s188)"
    MAIN_DUTY_S193 = "s193", "Main duty (Housing Act 1996 s193)"


class Patch(models.Model):
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patches",
        help_text="The income officer who works this patch.",
    )
    # Councils stop automatic letters on a patch for a while: a decant or regeneration,
    # a flood, or no officer to follow them up. The engine still recommends each letter,
    # for an officer to send.
    automatic_letters = models.BooleanField(
        default=True,
        help_text="Off: the nightly run queues no letters for this patch's cases; "
        "each recommended letter is left for an officer to send.",
    )

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "patches"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PatchCover(models.Model):
    """An officer covering a colleague's patch for a while (leave, sickness, vacancy)."""

    patch = models.ForeignKey(Patch, on_delete=models.CASCADE, related_name="covers")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patch_covers"
    )
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True, help_text="Blank: until withdrawn.")
    reason = models.CharField(max_length=200, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a manager ended the cover early; ends_on is then its last day.",
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            # A cover withdrawn before it began ends the day before it would have
            # started: an empty period, so it never gives the patch to anyone.
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on"))
                | Q(withdrawn_at__isnull=False),
                name="patch_cover_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer} covers {self.patch.code}"

    def is_active_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    @property
    def withdrawn_before_it_began(self) -> bool:
        return self.ends_on is not None and self.ends_on < self.starts_on


class Property(models.Model):
    class Kind(models.TextChoices):
        HOUSE = "house", "House"
        FLAT = "flat", "Flat"
        MAISONETTE = "maisonette", "Maisonette"
        BUNGALOW = "bungalow", "Bungalow"
        BEDSIT = "bedsit", "Bedsit"
        HOSTEL_ROOM = "hostel_room", "Hostel room"
        GARAGE = "garage", "Garage"

    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FLAT)
    address_line_1 = models.CharField(max_length=100)
    address_line_2 = models.CharField(max_length=100, blank=True)
    town = models.CharField(max_length=60)
    postcode = models.CharField(max_length=10, db_index=True)
    bedrooms = models.PositiveSmallIntegerField(null=True, blank=True)
    patch = models.ForeignKey(Patch, on_delete=models.PROTECT, related_name="properties")

    class Meta:
        ordering = ["postcode", "address_line_1"]
        verbose_name_plural = "properties"

    def __str__(self) -> str:
        return self.one_line_address

    @property
    def address_lines(self) -> list[str]:
        return address_lines(self.address_line_1, self.address_line_2, self.town, self.postcode)

    @property
    def one_line_address(self) -> str:
        return ", ".join(self.address_lines)


def address_lines(*parts: str) -> list[str]:
    """An address's lines without blanks, and without a line that repeats the one before:
    housing systems often hold the district and the town alike ("Eastbrook, Eastbrook")."""
    lines: list[str] = []
    for part in parts:
        part = (part or "").strip()
        if part and (not lines or part.casefold() != lines[-1].casefold()):
            lines.append(part)
    return lines


class Tenancy(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="tenancies")
    tenure = models.CharField(max_length=30, choices=Tenure.choices)
    landlord_name = models.CharField(
        max_length=120,
        blank=True,
        help_text="Blank for the council itself; the company's name for assured lettings.",
    )
    landlord_registered_provider = models.BooleanField(
        default=False,
        help_text=(
            "The landlord is a private registered provider of social housing: its assured "
            "tenancies stay under the pre-2026 Housing Act 1988 regime (Form 3)."
        ),
    )
    ta_duty = models.CharField(
        "temporary accommodation duty",
        max_length=10,
        choices=TemporaryAccommodationDuty.choices,
        blank=True,
    )
    rent_period = models.CharField(
        max_length=20, choices=RentPeriod.choices, default=RentPeriod.WEEKLY
    )
    period_start_weekday = models.PositiveSmallIntegerField(
        choices=Weekday.choices,
        null=True,
        blank=True,
        help_text="Weekly tenancies: the weekday each rent period starts.",
    )
    period_anchor = models.DateField(
        null=True,
        blank=True,
        help_text="Fortnightly and four-weekly tenancies: a date on which a period starts.",
    )
    period_start_day = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Monthly tenancies: the day of the month each period starts (1 to 28).",
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    trial_period_end = models.DateField(
        null=True, blank=True, help_text="Introductory tenancies: end of the trial period."
    )
    fixed_term_end = models.DateField(
        null=True, blank=True, help_text="Flexible tenancies: end of the fixed term."
    )

    class Meta:
        ordering = ["reference"]
        verbose_name_plural = "tenancies"
        constraints = [
            models.CheckConstraint(
                condition=~Q(tenure=Tenure.INTRODUCTORY) | Q(trial_period_end__isnull=False),
                name="introductory_tenancy_has_trial_period_end",
            ),
            models.CheckConstraint(
                condition=~Q(rent_period=RentPeriod.WEEKLY) | Q(period_start_weekday__isnull=False),
                name="weekly_tenancy_has_start_weekday",
            ),
            models.CheckConstraint(
                condition=~Q(rent_period__in=[RentPeriod.FORTNIGHTLY, RentPeriod.FOUR_WEEKLY])
                | Q(period_anchor__isnull=False),
                name="fortnightly_or_four_weekly_tenancy_has_anchor",
            ),
            models.CheckConstraint(
                condition=~Q(rent_period=RentPeriod.MONTHLY)
                | Q(period_start_day__gte=1, period_start_day__lte=28),
                name="monthly_tenancy_has_start_day_1_to_28",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="tenancy_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # Keep the copy on each case (see Case.tenure) in step with the tenancy.
        self.cases.exclude(tenure=self.tenure).update(tenure=self.tenure)

    def is_current_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    # `property` is a field on this model, so the builtin is spelled out here.
    @builtins.property
    def landlord(self) -> str:
        return self.landlord_name or settings.COUNCIL_NAME


class Tenant(models.Model):
    """A person on a tenancy. Joint tenants are each named on and served with notices."""

    class PreferredContact(models.TextChoices):
        PHONE = "phone", "Phone"
        SMS = "sms", "Text message"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        VISIT = "visit", "Home visit"

    class Format(models.TextChoices):
        STANDARD = "standard", "Standard print"
        LARGE_PRINT = "large_print", "Large print"
        BRAILLE = "braille", "Braille"
        EASY_READ = "easy_read", "Easy read"
        AUDIO = "audio", "Audio"

    tenancy = models.ForeignKey(Tenancy, on_delete=models.CASCADE, related_name="tenants")
    is_tenant = models.BooleanField(
        default=True, help_text="A tenant (joint tenants too); untick for other household members."
    )
    is_lead = models.BooleanField(default=False)
    title = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    mobile = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    preferred_contact = models.CharField(
        max_length=10, choices=PreferredContact.choices, default=PreferredContact.PHONE
    )
    language = models.CharField(max_length=40, default="English")
    needs_interpreter = models.BooleanField(default=False)
    preferred_format = models.CharField(
        max_length=20, choices=Format.choices, default=Format.STANDARD
    )
    communication_needs = models.CharField(max_length=200, blank=True)
    moved_out_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-is_lead", "-is_tenant", "last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenancy"], condition=Q(is_lead=True), name="one_lead_tenant_per_tenancy"
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.title, self.first_name, self.last_name) if p)


class Stage(models.TextChoices):
    """The escalation ladder (legal-reference.md §16, suggested default ladder)."""

    # Not on the ladder: nothing owed, rent below the first step, technical arrears only,
    # or debts other than rent, which have ladders of their own.
    NONE = "none", "Not escalated"
    EARLY_CONTACT = "early_contact", "Early contact"
    LETTER_1 = "letter_1", "Letter 1"
    LETTER_2 = "letter_2", "Letter 2"
    PRE_NOTICE = "pre_notice", "Pre-notice warning"
    NOTICE = "notice", "Notice served"
    POST_NOTICE = "post_notice", "Post-notice"
    PRE_COURT = "pre_court", "Pre-court"
    COURT = "court", "Court proceedings"
    ORDER_MONITORING = "order_monitoring", "Order monitoring"
    BREACH = "breach", "Breach of order"
    WARRANT = "warrant", "Warrant"
    EVICTION = "eviction", "Eviction"

    @classmethod
    def label_of(cls, value: str) -> str:
        """The one label of a stage wherever it is shown; an unknown code reads as itself."""
        return cls(value).label if value in cls.values else value


class Case(models.Model):
    """The unit officers work: one debtor's debts with the council, on one patch."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    reference = models.CharField(max_length=20, unique=True)
    tenancy = models.ForeignKey(Tenancy, on_delete=models.PROTECT, related_name="cases")
    # Indexed by the composite indexes that lead with it (Meta.indexes, and the
    # caseload's covering index): one index of its own is one more to write for every
    # case the nightly run updates.
    patch = models.ForeignKey(Patch, on_delete=models.PROTECT, related_name="cases", db_index=False)
    # The tenancy's tenure, copied so the caseload filters and counts by tenure from
    # the case row (and its covering index) rather than a lookup per case. Set when
    # the case is saved; Tenancy.save keeps it in step.
    tenure = models.CharField(max_length=30, choices=Tenure.choices, editable=False)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        help_text="Set only when a manager assigns the case away from the patch's officer.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    stage = models.CharField(max_length=30, choices=Stage.choices, default=Stage.NONE)
    stage_changed_on = models.DateField(null=True, blank=True)
    opened_on = models.DateField(default=timezone.localdate)
    closed_on = models.DateField(null=True, blank=True)
    last_contact_on = models.DateField(null=True, blank=True)

    # The case's current figures and recommendation, written by the nightly run
    # (arrears app) so the caseload filters and sorts on one table. The history
    # and the full reasons live in the arrears app.
    balance = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0.00"), help_text="All debts."
    )
    rent_arrears = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="Rent lawfully due and unpaid (may be negative: in credit).",
    )
    weekly_charge = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    weekly_net_rent = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("0.00"), help_text="After Housing Benefit."
    )
    weeks_in_arrears = models.DecimalField(max_digits=7, decimal_places=1, default=Decimal("0.0"))
    technical_arrears = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="Arrears that exist only because benefit is paid in arrears.",
    )
    last_payment_on = models.DateField(null=True, blank=True)
    arrangement_state = models.CharField(max_length=20, blank=True)
    # Not indexed: it is filtered within a patch, from the covering index.
    next_action = models.CharField(max_length=40, blank=True)
    next_action_label = models.CharField(max_length=100, blank=True)
    next_action_due = models.DateField(null=True, blank=True)
    guard = models.CharField(
        max_length=40, blank=True, help_text="The first guard holding escalation, if any."
    )
    guard_label = models.CharField(max_length=200, blank=True)
    figures_on = models.DateField(
        null=True,
        blank=True,
        help_text="The run that last changed these; a run that finds them unchanged leaves them.",
    )

    class Meta:
        ordering = ["reference"]
        indexes = [
            models.Index(fields=["patch", "-rent_arrears"], name="case_patch_arrears"),
            # A manager's council-wide caseload, most owed first (cases/caseload.py).
            # An officer's caseload reads a covering index on PostgreSQL instead
            # (migration 0006): every column its filters and sorts need, by patch.
            models.Index(fields=["-rent_arrears", "id"], name="case_arrears"),
            # A manager's patch filter counts the owing cases of every patch.
            models.Index(
                fields=["patch"],
                name="case_owing_by_patch",
                condition=models.Q(status="open", balance__gt=0),
            ),
        ]
        permissions = [
            ("work_case", "Can do casework on cases in their own or covered patches"),
            ("act_on_any_case", "Can do casework on cases in any patch"),
            ("reassign_case", "Can reassign cases and give cover of patches"),
            ("approve_legal_action", "Can approve notices, court reports and warrants"),
            ("view_performance", "Can see performance by patch and officer"),
            ("administer_service", "Can change the service's policy and settings"),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.tenure and self.tenancy_id:
            self.tenure = self.tenancy.tenure
        super().save(*args, **kwargs)

    @property
    def assigned_officer(self):
        return self.officer or self.patch.officer


class Hold(models.Model):
    """Something that stops or holds escalation on a case, with its dates and reason.

    One model for the four kinds so the caseload can filter on any hold and the
    engine can say which one is holding a case (legal-reference.md §19).
    """

    class Kind(models.TextChoices):
        BREATHING_SPACE = "breathing_space", "Breathing Space"
        PAUSE = "pause", "Paused by officer"
        DISPUTE = "dispute", "Dispute"
        BENEFIT_CLAIM = "benefit_claim", "Benefit claim pending"
        # A review of the decision to seek possession of an introductory tenancy, asked
        # for in time (HA 1996 s129): no claim until it is decided.
        INTRODUCTORY_REVIEW = "introductory_review", "Introductory tenancy review"

    class BreathingSpaceType(models.TextChoices):
        # Debt Respite Scheme (Breathing Space Moratorium ...) Regulations 2020, SI 2020/1311.
        STANDARD = "standard", "Standard (60 days)"
        MENTAL_HEALTH_CRISIS = "mental_health_crisis", "Mental health crisis"

    class PauseReason(models.TextChoices):
        PROMISE_OF_PAYMENT = "promise_of_payment", "Promise of payment"
        DELAYED_BENEFIT = "delayed_benefit", "Benefit payment delayed"
        BEREAVEMENT = "bereavement", "Bereavement"
        HOSPITAL = "hospital", "In hospital"
        COURT_DATE_SET = "court_date_set", "Court date set"
        EVICTION_DATE_SET = "eviction_date_set", "Eviction date set"
        DECEASED = "deceased", "Tenant deceased"
        MISSING_DATA = "missing_data", "Missing data"
        OTHER = "other", "Other"

    class DisputeType(models.TextChoices):
        LIABILITY = "liability", "Liability for the debt disputed"
        DISREPAIR = "disrepair", "Disrepair complaint"
        BALANCE = "balance", "Balance or charges disputed"

    class BenefitType(models.TextChoices):
        HOUSING_BENEFIT = "housing_benefit", "Housing Benefit"
        UNIVERSAL_CREDIT = "universal_credit", "Universal Credit housing element"
        DHP = "dhp", "Discretionary Housing Payment"
        MANAGED_PAYMENT = "managed_payment", "Managed payment to landlord (APA)"
        THIRD_PARTY_DEDUCTION = "third_party_deduction", "Third party deduction"

    # The claims an officer records as pending (PAP para 7: HB, UC housing costs, and
    # DHP, which needs one of them). Managed payments and deductions are requests to
    # DWP, recorded as referrals that hold the case themselves.
    CLAIMED_BENEFITS = frozenset(
        {BenefitType.HOUSING_BENEFIT, BenefitType.UNIVERSAL_CREDIT, BenefitType.DHP}
    )

    class DisputeOutcome(models.TextChoices):
        UPHELD = "upheld", "Upheld: the account corrected or the repairs done"
        PARTLY_UPHELD = "partly_upheld", "Partly upheld"
        NOT_UPHELD = "not_upheld", "Not upheld: the arrears are owed"
        WITHDRAWN = "withdrawn", "Withdrawn by the tenant"

    class BenefitDecision(models.TextChoices):
        AWARDED = "awarded", "Awarded"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="holds")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.CharField(
        max_length=30,
        blank=True,
        help_text="Breathing Space type, pause reason, dispute type or benefit, by kind.",
    )
    starts_on = models.DateField()
    until = models.DateField(
        null=True, blank=True, help_text="Pause: until when. Breathing Space: expected end."
    )
    ended_on = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=40, blank=True)
    comment = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    all_evidence_supplied = models.BooleanField(
        null=True,
        blank=True,
        help_text=(
            "Benefit claims: the tenant has given all the evidence the claim needs (PAP para "
            "7). Blank when not recorded."
        ),
    )
    outcome = models.CharField(
        max_length=30,
        blank=True,
        help_text="Dispute: how it was resolved. Benefit claim: the decision.",
    )
    outcome_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["case", "kind"], name="hold_case_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("starts_on")),
                name="hold_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=~Q(kind="pause") | (Q(until__isnull=False) & ~Q(reason="")),
                name="pause_has_reason_and_until_date",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(ended_on__isnull=False),
                name="hold_outcome_only_once_ended",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.starts_on:%d %b %Y}"

    def is_active_on(self, day: date) -> bool:
        """A pause lapses after its until date; other holds last until ended."""
        if self.starts_on > day or (self.ended_on is not None and self.ended_on <= day):
            return False
        return not (self.kind == self.Kind.PAUSE and self.until is not None and day > self.until)

    @property
    def reason_label(self) -> str:
        for choices in (
            self.BreathingSpaceType,
            self.PauseReason,
            self.DisputeType,
            self.BenefitType,
        ):
            if self.reason in choices.values:
                return choices(self.reason).label
        return self.reason

    @property
    def is_officers_claim(self) -> bool:
        """A benefit claim an officer recorded, as opposed to the hold a DWP request puts
        on the case, which its referral's outcome ends."""
        return (
            self.kind == self.Kind.BENEFIT_CLAIM
            and self.reason in self.CLAIMED_BENEFITS
            and not hasattr(self, "referral")
        )

    @property
    def outcome_label(self) -> str:
        choices = self.DisputeOutcome if self.kind == self.Kind.DISPUTE else self.BenefitDecision
        return choices(self.outcome).label if self.outcome in choices.values else self.outcome


class VulnerabilityFlag(models.Model):
    class Kind(models.TextChoices):
        MENTAL_HEALTH = "mental_health", "Mental health"
        PHYSICAL_HEALTH = "physical_health", "Physical health or disability"
        LEARNING_DISABILITY = "learning_disability", "Learning disability"
        CAPACITY = "capacity", "Mental capacity concern"
        DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
        SUBSTANCE_MISUSE = "substance_misuse", "Drug or alcohol dependency"
        BEREAVEMENT = "bereavement", "Recent bereavement"
        CARE_LEAVER = "care_leaver", "Care leaver"
        YOUNG_PERSON = "young_person", "Under 25 or under 18"
        OLDER_PERSON = "older_person", "Older person"
        LANGUAGE = "language", "Language or literacy"
        SAFEGUARDING_ADULT = "safeguarding_adult", "Adult safeguarding concern"
        SAFEGUARDING_CHILD = "safeguarding_child", "Child safeguarding concern"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="vulnerability_flags")
    tenant = models.ForeignKey(
        Tenant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    details = models.TextField(blank=True)
    is_safeguarding = models.BooleanField(default=False)
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_on = models.DateField(null=True, blank=True)
    cleared_on = models.DateField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cleared_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-recorded_on"]

    def __str__(self) -> str:
        return self.get_kind_display()


class ProportionalityAssessment(models.Model):
    """Equality Act 2010 s149 due regard and proportionality, before each legal step.

    The PAP, Akerman-Livingstone v Aster [2015] UKSC 15 and legal-reference.md §14 make
    this a record the court will ask for before a notice, a claim and a warrant.
    """

    class Step(models.TextChoices):
        NOTICE = "notice", "Serving a notice"
        COURT = "court", "Issuing a possession claim"
        WARRANT = "warrant", "Applying for a warrant"

    class Decision(models.TextChoices):
        PROCEED = "proceed", "Action is proportionate: proceed"
        DO_NOT_PROCEED = "do_not_proceed", "Do not proceed"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    step = models.CharField(max_length=10, choices=Step.choices)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    protected_characteristics = models.TextField(blank=True)
    vulnerabilities_considered = models.TextField(blank=True)
    reasonable_adjustments = models.TextField(blank=True)
    support_and_referrals = models.TextField(blank=True)
    alternatives_tried = models.TextField(blank=True)
    impact_on_children = models.TextField(blank=True)
    reasons = models.TextField()

    class Meta:
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_step_display()} assessment {self.assessed_on:%d %b %Y}"


class CourtCase(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", "Awaiting hearing"
        ADJOURNED = "adjourned", "Adjourned generally"
        ADJOURNED_ON_TERMS = "adjourned_on_terms", "Adjourned on terms"
        OUTRIGHT = "outright", "Outright possession order (N26)"
        SUSPENDED = "suspended", "Suspended possession order (N28)"
        POSTPONED = "postponed", "Postponed possession order (N28A)"
        DISMISSED = "dismissed", "Dismissed"
        STRUCK_OUT = "struck_out", "Struck out"
        WITHDRAWN = "withdrawn", "Withdrawn"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="court_cases")
    claim_number = models.CharField(max_length=20, blank=True)
    court_name = models.CharField(max_length=100, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    hearing_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, default=Outcome.PENDING)
    order_date = models.DateField(null=True, blank=True)
    possession_date = models.DateField(null=True, blank=True)
    balance_at_order = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    terms_instalment = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    terms_frequency = models.CharField(max_length=20, choices=RentPeriod.choices, blank=True)
    money_judgment = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    costs_awarded = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.claim_number or f"Court case {self.pk}"


class Warrant(models.Model):
    class Form(models.TextChoices):
        N325 = "N325", "N325 (after an outright order)"
        N325A = "N325A", "N325A (breach of a suspended order)"
        N445 = "N445", "N445 (re-issue)"

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        ISSUED = "issued", "Issued"
        SUSPENDED = "suspended", "Suspended by the court"
        EXECUTED = "executed", "Executed: eviction carried out"
        WITHDRAWN = "withdrawn", "Withdrawn"

    court_case = models.ForeignKey(CourtCase, on_delete=models.CASCADE, related_name="warrants")
    form = models.CharField(max_length=10, choices=Form.choices)
    applied_on = models.DateField()
    issued_on = models.DateField(null=True, blank=True)
    eviction_date = models.DateField(null=True, blank=True)
    eviction_time = models.TimeField(null=True, blank=True)
    bailiff_reference = models.CharField(max_length=40, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)

    class Meta:
        ordering = ["-applied_on"]

    def __str__(self) -> str:
        return f"{self.form} applied {self.applied_on:%d %b %Y}"


class CaseEvent(models.Model):
    """The case timeline: who (or the nightly run) did what, when, with the details.

    Written by services in the same transaction as the change it records. An
    `idempotency_key` lets a re-run of the nightly job skip an event it already wrote.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank when the nightly run did it.",
    )
    verb = models.CharField(max_length=50, db_index=True)
    payload = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    idempotency_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["case", "-occurred_at"], name="event_case_time")]

    def __str__(self) -> str:
        return f"{self.verb} on {self.case_id} at {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def actor_label(self) -> str:
        return str(self.actor) if self.actor_id else "Nightly run"


class Contact(models.Model):
    """A contact with the household, made or attempted: the Pre-Action Protocol's record.

    The PAP asks the landlord to be able to demonstrate the steps it took to contact
    the tenant and discuss the arrears (legal-reference.md §8), so every call, visit,
    interview, letter, email and text is kept with its outcome and who made it.
    """

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone call"
        VISIT = "visit", "Home visit"
        OFFICE = "office", "Office interview"
        LETTER = "letter", "Letter"
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"

    class Direction(models.TextChoices):
        OUTBOUND = "outbound", "We contacted the household"
        INBOUND = "inbound", "The household contacted us"

    class Outcome(models.TextChoices):
        SPOKE_TO_TENANT = "spoke_to_tenant", "Spoke to the tenant"
        SPOKE_TO_OTHER = "spoke_to_other", "Spoke to someone else in the household"
        SPOKE_TO_REPRESENTATIVE = "spoke_to_representative", "Spoke to an advocate or adviser"
        PROMISE_TO_PAY = "promise_to_pay", "Promise to pay"
        ARRANGEMENT_DISCUSSED = "arrangement_discussed", "Arrangement discussed"
        NO_ANSWER = "no_answer", "No answer"
        MESSAGE_LEFT = "message_left", "Message left"
        CARD_LEFT = "card_left", "No one in: card left"
        WRONG_NUMBER = "wrong_number", "Wrong or unobtainable number"
        REFUSED = "refused", "Tenant refused to discuss"
        SENT = "sent", "Sent"
        # Limitation Act 1980 s29(5), s30: restarts the six years on debts still in time.
        ACKNOWLEDGED_DEBT = "acknowledged_debt", "Signed written acknowledgment of the debt"

    # Outcomes where the officer actually reached someone; the rest are attempts.
    REACHED = frozenset(
        {
            Outcome.SPOKE_TO_TENANT,
            Outcome.SPOKE_TO_OTHER,
            Outcome.SPOKE_TO_REPRESENTATIVE,
            Outcome.PROMISE_TO_PAY,
            Outcome.ARRANGEMENT_DISCUSSED,
            Outcome.REFUSED,
            Outcome.ACKNOWLEDGED_DEBT,
        }
    )

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    tenant = models.ForeignKey(
        Tenant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    summary = models.TextField()
    contacted_on = models.DateField()
    follow_up_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-contacted_on", "-id"]
        indexes = [models.Index(fields=["case", "-contacted_on"], name="contact_case_date")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} on {self.contacted_on:%d %b %Y}"

    @property
    def reached(self) -> bool:
        return self.outcome in self.REACHED


class Referral(models.Model):
    """A referral for support, and what came of it (PAP: benefits, debt advice, DWP)."""

    class Kind(models.TextChoices):
        WELFARE_BENEFITS = "welfare_benefits", "Welfare benefits advice"
        DEBT_ADVICE = "debt_advice", "Debt advice"
        SOCIAL_CARE = "social_care", "Adult or children's social care"
        MENTAL_HEALTH = "mental_health", "Community mental health team"
        FINANCIAL_INCLUSION = "financial_inclusion", "Financial Inclusion team"
        MANAGED_PAYMENT = "managed_payment", "DWP managed payment to landlord (APA)"
        THIRD_PARTY_DEDUCTION = "third_party_deduction", "DWP third party deduction request"

    class Outcome(models.TextChoices):
        PENDING = "pending", "Awaiting a response"
        ACCEPTED = "accepted", "Accepted: support under way"
        COMPLETED = "completed", "Support completed"
        DECLINED = "declined", "Tenant declined"
        NOT_ELIGIBLE = "not_eligible", "Not eligible"
        NO_RESPONSE = "no_response", "No response"
        APPROVED = "approved", "Approved by DWP"
        REFUSED = "refused", "Refused by DWP"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # Requests to DWP wait on a decision (R (Roberts) v SSWP [2025] EWHC 51 (Admin):
    # the tenant may make representations first), so they hold the case meanwhile.
    DWP_KINDS = frozenset({Kind.MANAGED_PAYMENT, Kind.THIRD_PARTY_DEDUCTION})

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    referred_to = models.CharField(max_length=120, help_text="The team or organisation.")
    notes = models.TextField(blank=True)
    made_on = models.DateField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_on = models.DateField(null=True, blank=True)
    outcome_notes = models.TextField(blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hold = models.OneToOneField(
        Hold,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referral",
        help_text="The benefit claim hold a DWP request puts on the case while it is decided.",
    )

    class Meta:
        ordering = ["-made_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.made_on:%d %b %Y}"

    @property
    def is_pending(self) -> bool:
        return self.outcome == self.Outcome.PENDING


def _monthly(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=12, decimal_places=2, default=Decimal("0.00")
    )


class IncomeExpenditure(models.Model):
    """An income and expenditure statement in the Standard Financial Statement format.

    The SFS categories are used without amendment, as its code of conduct requires
    (legal-reference.md §12). Every amount is per month. The statement is a snapshot:
    a change of circumstances is a new statement, never an edit.
    """

    class EmploymentStatus(models.TextChoices):
        FULL_TIME = "full_time", "Employed full time"
        PART_TIME = "part_time", "Employed part time"
        SELF_EMPLOYED = "self_employed", "Self-employed"
        UNEMPLOYED = "unemployed", "Unemployed"
        RETIRED = "retired", "Retired"
        CARER = "carer", "Carer"
        SICK_OR_DISABLED = "sick_or_disabled", "Not working: illness or disability"
        STUDENT = "student", "Student"
        OTHER = "other", "Other"

    INCOME_FIELDS = ("income_earnings", "income_benefits", "income_pensions", "income_other")
    FIXED_COST_FIELDS = (
        "rent",
        "mortgage",
        "secured_loans",
        "council_tax",
        "other_home_contents",
        "gas",
        "electricity",
        "other_utilities",
        "water",
        "care_health",
        "transport_travel",
        "school",
        "pensions_insurances",
        "professional",
        "other_essential",
    )
    FLEXIBLE_COST_FIELDS = ("communications_leisure", "food_housekeeping", "personal_costs")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="income_statements")
    tenant = models.ForeignKey(
        Tenant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    taken_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    notes = models.TextField(blank=True)

    # Household
    adults = models.PositiveSmallIntegerField(default=1)
    dependants_under_16 = models.PositiveSmallIntegerField(default=0)
    dependants_16_to_18 = models.PositiveSmallIntegerField(default=0)
    other_dependants = models.PositiveSmallIntegerField(default=0)
    non_dependants = models.PositiveSmallIntegerField(default=0)
    vehicles = models.PositiveSmallIntegerField(default=0)
    employment_status = models.CharField(max_length=20, choices=EmploymentStatus.choices)

    # Monthly income
    income_earnings = _monthly("earnings")
    income_benefits = _monthly("benefits")
    income_pensions = _monthly("pensions")
    income_other = _monthly("other income")

    # Fixed costs
    rent = _monthly("rent")
    mortgage = _monthly("mortgage")
    secured_loans = _monthly("secured loans")
    council_tax = _monthly("council tax")
    other_home_contents = _monthly("other home and contents")
    gas = _monthly("gas")
    electricity = _monthly("electricity")
    other_utilities = _monthly("other utilities")
    water = _monthly("water")
    care_health = _monthly("care and health")
    transport_travel = _monthly("transport and travel")
    school = _monthly("school")
    pensions_insurances = _monthly("pensions and insurances")
    professional = _monthly("professional")
    other_essential = _monthly("other essential costs")

    # Flexible costs
    communications_leisure = _monthly("communications and leisure")
    food_housekeeping = _monthly("food and housekeeping")
    personal_costs = _monthly("personal costs")

    savings_contribution = _monthly("savings contribution")

    class Meta:
        ordering = ["-taken_on", "-id"]
        verbose_name = "income and expenditure statement"

    def __str__(self) -> str:
        return f"Income and expenditure on {self.taken_on:%d %b %Y}"

    def _sum(self, names: tuple[str, ...]) -> Decimal:
        return sum((getattr(self, name) for name in names), Decimal("0.00"))

    @property
    def total_income(self) -> Decimal:
        return self._sum(self.INCOME_FIELDS)

    @property
    def total_fixed_costs(self) -> Decimal:
        return self._sum(self.FIXED_COST_FIELDS)

    @property
    def total_flexible_costs(self) -> Decimal:
        return self._sum(self.FLEXIBLE_COST_FIELDS)

    @property
    def total_outgoings(self) -> Decimal:
        return self.total_fixed_costs + self.total_flexible_costs + self.savings_contribution

    @property
    def surplus(self) -> Decimal:
        """What is left each month after every cost, rent included: the SFS surplus."""
        return self.total_income - self.total_outgoings

    @property
    def outgoings_other_than_rent(self) -> Decimal:
        return self.total_outgoings - self.rent

    @property
    def available_for_rent_and_arrears(self) -> Decimal:
        """Income less every outgoing except rent: what rent plus an instalment must fit."""
        return self.total_income - self.outgoings_other_than_rent


class CaseloadExport(models.Model):
    """Who downloaded which cases as CSV, and when.

    An export takes tenants' names and addresses out of the service, so it is logged
    like any other disclosure of personal data (UK GDPR Art. 5(2), accountability):
    the filters say which cases, the count how many rows left.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    filters = models.CharField(max_length=2000, blank=True, help_text="The page's URL query.")
    rows = models.PositiveIntegerField(null=True, blank=True, help_text="Blank: not finished.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.user} at {self.started_at:%Y-%m-%d %H:%M}"
