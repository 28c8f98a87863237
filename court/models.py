"""The second half of a possession case: the claim, its hearings, the warrant and the
eviction, an introductory tenant's review, and money claims for other debts.

The facts the nightly run reads stay on the case (cases.CourtCase, cases.Warrant,
cases.Hold), since the engine sits below this app; the records here are the work
that produces them, with their documents and who decided what.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.models import Case, CourtCase, Hold, RentPeriod, Warrant
from notices.models import CourtPack, Document, Notice
from payments.models import Account, Arrangement, Transaction

MONEY = {"max_digits": 12, "decimal_places": 2}
USER = settings.AUTH_USER_MODEL


class Claim(models.Model):
    """A possession claim prepared from an approved court pack, and then issued.

    Preparing it produces the particulars of claim and the two-year schedule (CPR 55,
    PD 55A 2.3-2.3A); issuing it records what the court gave back and creates the
    CourtCase the nightly run follows.
    """

    class Status(models.TextChoices):
        PREPARED = "prepared", "Prepared, not yet issued"
        ISSUED = "issued", "Issued"
        WITHDRAWN = "withdrawn", "Withdrawn before issue"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="claims")
    court_pack = models.OneToOneField(CourtPack, on_delete=models.PROTECT, related_name="claim")
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="claims")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREPARED)
    particulars = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    schedule = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    arrears = models.DecimalField(**MONEY, help_text="Rent arrears when it was prepared.")
    daily_rent = models.DecimalField(**MONEY)
    grounds = models.JSONField(default=list, blank=True)
    prepared_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(default=timezone.now)
    court_case = models.OneToOneField(
        CourtCase, on_delete=models.PROTECT, null=True, blank=True, related_name="claim"
    )
    issued_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fee = models.DecimalField(**MONEY, null=True, blank=True)
    fee_line = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-prepared_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="prepared"),
                name="one_claim_prepared_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"Claim for {self.case_id} ({self.get_status_display()})"


class Hearing(models.Model):
    """One hearing of a claim and what the court decided at it.

    The claim's CourtCase keeps the latest position (the next hearing, or the order),
    which is what the nightly run reads; these rows are the history.
    """

    class Outcome(models.TextChoices):
        ADJOURNED_TO_DATE = "adjourned_to_date", "Adjourned to a new date"
        ADJOURNED = "adjourned", "Adjourned generally"
        ADJOURNED_ON_TERMS = "adjourned_on_terms", "Adjourned on terms"
        OUTRIGHT = "outright", "Outright possession order (N26)"
        SUSPENDED = "suspended", "Suspended possession order (N28)"
        POSTPONED = "postponed", "Postponed possession order (N28A)"
        DISMISSED = "dismissed", "Dismissed"
        STRUCK_OUT = "struck_out", "Struck out"
        WITHDRAWN = "withdrawn", "Withdrawn"

    court_case = models.ForeignKey(CourtCase, on_delete=models.PROTECT, related_name="hearings")
    hearing_at = models.DateTimeField()
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    next_hearing_at = models.DateTimeField(null=True, blank=True)
    possession_date = models.DateField(null=True, blank=True)
    terms_instalment = models.DecimalField(**MONEY, null=True, blank=True)
    terms_frequency = models.CharField(max_length=20, choices=RentPeriod.choices, blank=True)
    terms_start = models.DateField(null=True, blank=True)
    money_judgment = models.DecimalField(**MONEY, null=True, blank=True)
    costs_awarded = models.DecimalField(**MONEY, null=True, blank=True)
    attended_by = models.CharField(max_length=200, blank=True)
    tenant_attended = models.BooleanField(null=True)
    notes = models.TextField(blank=True)
    arrangement = models.ForeignKey(
        Arrangement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    costs_line = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["hearing_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["court_case", "hearing_at"], name="one_outcome_per_hearing"
            )
        ]

    def __str__(self) -> str:
        return f"Hearing {self.hearing_at:%d %b %Y}: {self.get_outcome_display()}"


class WarrantRequest(models.Model):
    """The officer's case for a warrant: the eviction report, for a manager who did not
    prepare it to approve or refuse with reasons, before the warrant is applied for
    (legal-reference.md §8 "Before seeking a warrant", §9, §14)."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting a manager's decision"
        APPROVED = "approved", "Approved: apply for the warrant"
        REFUSED = "refused", "Refused"
        APPLIED = "applied", "Warrant applied for"

    class Check(models.TextChoices):
        """What the officer confirms before an eviction is asked for."""

        CONTACT = "contact", "A fresh attempt to contact the household since the breach"
        BREATHING_SPACE = "breathing_space", "No Breathing Space is in force (checked today)"
        BENEFITS = "benefits", "Housing Benefit, Universal Credit and DHP position checked"
        VULNERABILITY = "vulnerability", "Vulnerability flags reviewed with the household"
        CHILDREN = "children", "Children in the household considered (Children Act 2004 s11)"
        SAFEGUARDING = "safeguarding", "Safeguarding concerns referred or ruled out"
        CAPACITY = "capacity", "Mental capacity considered (CPR 21 litigation friend)"
        HOMELESSNESS = "homelessness", "Homelessness duty to refer considered (HA 1996 s213B)"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="warrant_requests")
    court_case = models.ForeignKey(
        CourtCase, on_delete=models.PROTECT, related_name="warrant_requests"
    )
    form = models.CharField(max_length=10, choices=Warrant.Form.choices)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.AWAITING_APPROVAL
    )
    breach_particulars = models.TextField(blank=True)
    expected = models.DecimalField(**MONEY, null=True, blank=True)
    paid = models.DecimalField(**MONEY, null=True, blank=True)
    arrears = models.DecimalField(**MONEY)
    recommendation = models.TextField(help_text="What the officer recommends, and why.")
    checks = models.JSONField(default=list, blank=True)
    report = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    application = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prepared_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    warrant = models.OneToOneField(
        Warrant, on_delete=models.PROTECT, null=True, blank=True, related_name="request"
    )
    fee_line = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-prepared_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["awaiting_approval", "approved"]),
                name="one_open_warrant_request_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"Warrant request ({self.form}) for {self.case_id}: {self.get_status_display()}"


class SuspensionApplication(models.Model):
    """The tenant's application to suspend the warrant (N244), and what the court did."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Awaiting the hearing"
        SUSPENDED_ON_TERMS = "suspended_on_terms", "Warrant suspended on terms"
        DISMISSED = "dismissed", "Dismissed: the eviction may go ahead"
        WITHDRAWN = "withdrawn", "Withdrawn by the tenant"

    warrant = models.ForeignKey(Warrant, on_delete=models.PROTECT, related_name="suspensions")
    applied_on = models.DateField()
    hearing_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, default=Outcome.PENDING)
    decided_on = models.DateField(null=True, blank=True)
    terms_instalment = models.DecimalField(**MONEY, null=True, blank=True)
    terms_frequency = models.CharField(max_length=20, choices=RentPeriod.choices, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-applied_on", "-id"]

    def __str__(self) -> str:
        return f"Application to suspend, {self.applied_on:%d %b %Y}: {self.get_outcome_display()}"


class Eviction(models.Model):
    """The eviction day: who was there, whether it went ahead, the locks, belongings and
    where they are kept (Torts (Interference with Goods) Act 1977), and the referrals."""

    warrant = models.OneToOneField(Warrant, on_delete=models.PROTECT, related_name="eviction")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evictions")
    attended_on = models.DateField()
    went_ahead = models.BooleanField()
    reason_not_ahead = models.TextField(blank=True)
    attended_by = models.TextField(help_text="Officers, bailiffs and anyone else there.")
    locks_changed = models.BooleanField(default=False)
    belongings = models.TextField(blank=True, help_text="Inventory of what was left.")
    belongings_stored_at = models.CharField(max_length=200, blank=True)
    referrals = models.TextField(blank=True, help_text="Social care, homelessness and others.")
    notes = models.TextField(blank=True)
    balance_moved = models.DecimalField(**MONEY, null=True, blank=True)
    former_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        went = "went ahead" if self.went_ahead else "did not go ahead"
        return f"Eviction on {self.attended_on:%d %b %Y} ({went})"


class IntroductoryReview(models.Model):
    """An introductory tenant's review of the decision to seek possession (HA 1996 s129;
    SI 1997/72): asked for within 14 days of service, decided and notified, with reasons,
    before the date in the notice, by someone not involved in the decision."""

    class Decision(models.TextChoices):
        PENDING = "pending", "Not yet decided"
        CONFIRMED = "confirmed", "Decision confirmed: the claim may go ahead"
        OVERTURNED = "overturned", "Decision overturned: no claim on this notice"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reviews")
    notice = models.OneToOneField(Notice, on_delete=models.PROTECT, related_name="review")
    requested_on = models.DateField()
    oral_hearing = models.BooleanField(default=False)
    grounds = models.TextField(help_text="What the tenant says, in their words.")
    decide_by = models.DateField(help_text="The decision must be notified by this date.")
    scheduled_at = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices, default=Decision.PENDING)
    reasons = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    letter = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hold = models.OneToOneField(
        Hold, on_delete=models.PROTECT, null=True, blank=True, related_name="review"
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-requested_on", "-id"]

    def __str__(self) -> str:
        return f"Review asked for {self.requested_on:%d %b %Y}: {self.get_decision_display()}"


class MoneyClaim(models.Model):
    """A county court money claim for a debt other than rent (former tenancy arrears,
    rechargeable repairs, garage rent), and its judgment."""

    class Status(models.TextChoices):
        PREPARED = "prepared", "Prepared, not yet issued"
        ISSUED = "issued", "Issued"
        JUDGMENT = "judgment", "Judgment obtained"
        WITHDRAWN = "withdrawn", "Withdrawn"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="money_claims")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="money_claims")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREPARED)
    amount = models.DecimalField(**MONEY)
    interest = models.DecimalField(**MONEY, default=0)
    interest_from = models.DateField(null=True, blank=True)
    steps_taken = models.TextField()
    summary = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    statement = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prepared_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(default=timezone.now)
    claim_number = models.CharField(max_length=20, blank=True)
    court_name = models.CharField(max_length=100, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    fee = models.DecimalField(**MONEY, null=True, blank=True)
    fee_line = models.ForeignKey(
        Transaction, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    judgment_on = models.DateField(null=True, blank=True)
    judgment_amount = models.DecimalField(**MONEY, null=True, blank=True)
    judgment_costs = models.DecimalField(**MONEY, null=True, blank=True)

    class Meta:
        ordering = ["-prepared_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(status__in=["prepared", "issued"]),
                name="one_open_money_claim_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"Money claim on {self.account_id}: {self.get_status_display()}"
