"""Records of the arrears engine.

`LetterRequest` is the contract between the engine and the notices app: the
nightly run queues the letters its policy may send automatically; the notices
app renders each pending request into a document and a daily print pack.
`EscalationPolicy` holds the versions of the policy; `NightlyRun` and `RunChunk`
the record of each night; `Recommendation` each case's current recommendation and
`RecommendationHistory` every change of it; `PolicyPreview` a dry run's counts.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from cases.models import Case, Stage


class LetterKind(models.TextChoices):
    """Letters the service produces; the notices app holds a template for each."""

    ARREARS_LETTER_1 = "arrears_letter_1", "Arrears letter 1"
    ARREARS_LETTER_2 = "arrears_letter_2", "Arrears letter 2"
    PRE_NOTICE_WARNING = "pre_notice_warning", "Pre-notice warning"
    ARRANGEMENT_CONFIRMATION = "arrangement_confirmation", "Arrangement confirmation"
    ARRANGEMENT_MISSED = "arrangement_missed", "Arrangement missed payment"
    ARRANGEMENT_BROKEN = "arrangement_broken", "Arrangement broken"
    NOTICE_OF_DEFAULT = "notice_of_default", "Notice of default (court order breached)"
    PRE_ACTION_PROTOCOL = "pre_action_protocol", "Pre-Action Protocol letter before court"
    COURT_HEARING = "court_hearing", "Court hearing letter"


class LetterRequest(models.Model):
    """A letter the nightly run (or a person) has asked the notices app to produce."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be produced"
        RENDERED = "rendered", "Produced"
        FAILED = "failed", "Could not be produced"
        CANCELLED = "cancelled", "Cancelled"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="letter_requests")
    letter = models.CharField(max_length=40, choices=LetterKind.choices)
    run_date = models.DateField(help_text="The date of the run (or the day) that asked for it.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    reason = models.JSONField(
        default=dict, blank=True, help_text="Why: rule, figures, policy version."
    )
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a render task took it on; another dispatch leaves it alone meanwhile.",
    )
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-run_date", "id"]
        constraints = [
            # One letter of a kind per case per run date: a re-run cannot send it twice.
            models.UniqueConstraint(
                fields=["case", "letter", "run_date"], name="one_letter_of_a_kind_per_case_per_day"
            )
        ]
        indexes = [models.Index(fields=["status", "run_date"], name="letter_request_queue")]

    def __str__(self) -> str:
        return f"{self.get_letter_display()} for {self.case_id} ({self.run_date})"


class EscalationPolicy(models.Model):
    """One version of the escalation policy. Versions are never changed, only added."""

    version = models.PositiveIntegerField(unique=True)
    document = models.JSONField(help_text="The thresholds (arrears/policy.py SETTINGS).")
    note = models.TextField(help_text="Why this version was made.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = "escalation policies"

    def __str__(self) -> str:
        return f"Policy version {self.version}"


class NightlyRun(models.Model):
    """The run for one date: what it did, how long it took, what went wrong.

    One row per date (unique), so a second start for the same date finds this one and
    only completes what is missing. `lease_until` is the lock: while it is in the future
    another start for the date is refused; a run whose workers died lets it lapse.
    """

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        COMPLETED_WITH_ERRORS = "completed_with_errors", "Completed with errors"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Nightly schedule"
        COMMAND = "command", "Command line"
        MANAGER = "manager", "Started by a manager"

    run_date = models.DateField(unique=True)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.PROTECT, related_name="runs")
    chunk_size = models.PositiveIntegerField()
    attempts = models.PositiveIntegerField(default=0)
    first_started_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(default=timezone.now, help_text="This attempt.")
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    cases = models.PositiveIntegerField(default=0, help_text="Cases processed.")
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    retries = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-run_date"]

    def __str__(self) -> str:
        return f"Nightly run {self.run_date}"

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class RunChunk(models.Model):
    """A range of cases processed in one transaction by one worker."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    run = models.ForeignKey(NightlyRun, on_delete=models.CASCADE, related_name="chunks")
    number = models.PositiveIntegerField()
    first_case_id = models.BigIntegerField()
    last_case_id = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    cases = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="run_chunk_number_unique")
        ]

    def __str__(self) -> str:
        return f"Chunk {self.number} of {self.run}"


class Recommendation(models.Model):
    """The engine's current recommendation for a case, replaced by each run.

    `RecommendationHistory` keeps a row each time the decision changes, so "why was this
    case picked on that date?" is answerable months later without a row per case per night.
    """

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="recommendation"
    )
    run_date = models.DateField()
    policy_version = models.PositiveIntegerField()
    action = models.CharField(max_length=40)
    stage = models.CharField(max_length=30)
    needs_approval = models.BooleanField(default=False)
    due_on = models.DateField(null=True, blank=True)
    guard = models.CharField(max_length=40, blank=True)
    guards = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    technical_arrears = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    technical_reasoning = models.TextField(blank=True)
    since = models.DateField(help_text="The run date this action was first recommended.")
    fingerprint = models.CharField(max_length=40)

    class Meta:
        indexes = [models.Index(fields=["action"], name="recommendation_action")]

    def __str__(self) -> str:
        return f"{self.action} for case {self.case_id} ({self.run_date})"

    @property
    def action_label(self) -> str:
        from arrears.actions import action_label  # actions imports this module

        return action_label(self.action)

    @property
    def stage_label(self) -> str:
        return Stage.label_of(self.stage)


class RecommendationHistory(models.Model):
    """A recommendation as first made, kept whenever the decision for a case changes."""

    # Indexed by the unique (case, run date) constraint, which leads with it.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="recommendation_history", db_index=False
    )
    run_date = models.DateField()
    policy_version = models.PositiveIntegerField()
    action = models.CharField(max_length=40)
    stage = models.CharField(max_length=30)
    needs_approval = models.BooleanField(default=False)
    guard = models.CharField(max_length=40, blank=True)
    guards = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    figures = models.JSONField(default=dict, blank=True)
    technical_arrears = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    fingerprint = models.CharField(max_length=40)

    class Meta:
        ordering = ["case", "-run_date"]
        verbose_name_plural = "recommendation history"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "run_date"], name="one_recommendation_per_case_per_run"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} for case {self.case_id} from {self.run_date}"


class PolicyPreview(models.Model):
    """A dry run of the current or a proposed policy: counts only, nothing else written."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    run_date = models.DateField()
    base_version = models.PositiveIntegerField()
    document = models.JSONField(help_text="The proposed policy, complete.")
    note = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    results = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Policy preview {self.pk} for {self.run_date}"
