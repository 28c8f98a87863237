"""Records of the arrears engine.

`LetterRequest` is the contract between the engine and the notices app: the
nightly run queues the letters its policy may send automatically; the notices
app renders each pending request into a document and a daily print pack.
"""

from django.db import models
from django.utils import timezone

from cases.models import Case


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
    reason = models.JSONField(default=dict, blank=True, help_text="Why: rule, figures, policy version.")
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
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
