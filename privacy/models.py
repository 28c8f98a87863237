"""Data protection records: who read what, subject access exports, retention runs and
special category marks. The personal data itself stays in the apps that hold it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.models import Case, CaseEvent, Contact, Tenant, VulnerabilityFlag


class AccessKind(models.TextChoices):
    CASE_PAGE = "case_page", "Case page"
    STATEMENT = "statement", "Statement"
    DOCUMENT = "document", "Document download"
    EXPORT = "export", "Export"
    SUBJECT_ACCESS = "subject_access", "Subject access export download"


class AccessRecord(models.Model):
    """One read of personal data: a case page, a statement, a document or an export.

    Written in bulk after the response has gone (privacy/access.py), so a read never
    waits for it; kept for PRIVACY_ACCESS_LOG_RETENTION_DAYS. UK GDPR Art. 5(2) and
    Art. 32: the council must be able to show who saw a tenant's records.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # No database constraint: the record of a read outlives nothing it points at, and
    # the insert after each page should not wait on checking the case row.
    case = models.ForeignKey(
        Case,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(max_length=20, choices=AccessKind.choices)
    view = models.CharField(max_length=80, help_text="The page's URL name.")
    path = models.CharField(max_length=500, help_text="The address read, with its query.")
    object_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The document, print pack or export read, if any."
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "-at"], name="access_user_time"),
            models.Index(fields=["case", "-at"], name="access_case_time"),
            models.Index(fields=["at"], name="access_time"),
        ]
        permissions = [
            ("view_access_log", "Can see who read which case (the data protection officer)"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.path} at {self.at:%Y-%m-%d %H:%M}"


class SubjectAccessRequest(models.Model):
    """A subject access export (UK GDPR Art. 15): who asked, when, for whom, and what
    was produced. The zip is written by a Celery task under DOCUMENTS_ROOT and served
    only to the person who asked for it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Being produced"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be produced"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(
        max_length=200, blank=True, help_text="The request's reference or how it came in."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.CharField(max_length=200, blank=True, help_text="Path under DOCUMENTS_ROOT.")
    checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the zip.")
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    manifest = models.JSONField(
        default=dict, blank=True, help_text="What the zip holds: files and records of each kind."
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "subject access request"
        permissions = [
            ("request_subject_access", "Can produce a subject access export of a tenant"),
        ]

    def __str__(self) -> str:
        return f"Subject access export {self.pk} for tenant {self.tenant_id}"

    @property
    def filename(self) -> str:
        return f"subject-access-{self.pk}.zip"


class SpecialCategory(models.TextChoices):
    """UK GDPR Art. 9(1) categories, plus safeguarding, which the council treats alike."""

    HEALTH = "health", "Health (physical or mental)"
    RACIAL_ETHNIC = "racial_ethnic", "Racial or ethnic origin"
    RELIGION = "religion", "Religious or philosophical beliefs"
    SEX_LIFE = "sex_life", "Sex life or sexual orientation"
    POLITICAL = "political", "Political opinions or trade union membership"
    GENETIC_BIOMETRIC = "genetic_biometric", "Genetic or biometric data"
    CRIMINAL = "criminal", "Criminal offences (Art. 10)"
    SAFEGUARDING = "safeguarding", "Safeguarding"


class SpecialCategoryMark(models.Model):
    """A note, contact or flag marked as special category data: only roles with
    `privacy.view_special_category`, and the officers who work the case, read it.
    Exactly one of the three records is set."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    event = models.OneToOneField(
        CaseEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    contact = models.OneToOneField(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    flag = models.OneToOneField(
        VulnerabilityFlag, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    category = models.CharField(max_length=20, choices=SpecialCategory.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-marked_at"]
        indexes = [models.Index(fields=["case"], name="special_mark_case")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(event__isnull=False, contact__isnull=True, flag__isnull=True)
                    | Q(event__isnull=True, contact__isnull=False, flag__isnull=True)
                    | Q(event__isnull=True, contact__isnull=True, flag__isnull=False)
                ),
                name="special_mark_one_record",
            )
        ]
        permissions = [
            (
                "view_special_category",
                "Can read special category notes and flags on any case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} on case {self.case_id}"


class RetentionRun(models.Model):
    """One anonymisation of the cases past the retention period: when, the cut-off,
    and what went (counts of rows and fields by record), for the DPO's records."""

    ran_at = models.DateTimeField(default=timezone.now)
    closed_before = models.DateField(help_text="Cases closed before this date were anonymised.")
    cases = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank when the nightly task ran it.",
    )

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"Retention run {self.ran_at:%Y-%m-%d}: {self.cases} cases"


class AnonymisedCase(models.Model):
    """A case whose personal data has been anonymised, so a later run passes it by."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(RetentionRun, on_delete=models.PROTECT, related_name="anonymised")

    def __str__(self) -> str:
        return f"Case {self.case_id} anonymised"
