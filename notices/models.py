"""Notices seeking possession, their service, and every document the service produces.

legal-reference.md §1-§5 (notices by tenure), §7 (service and proof of service),
§15 (the audit a court and the ICO expect: template and form version, PDF hash,
recipients, service evidence, computed dates) and §18 (the notice table).
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from arrears.models import LetterRequest
from cases.models import Case, Tenancy, Tenant

MONEY = {"max_digits": 12, "decimal_places": 2}


class NoticeKind(models.TextChoices):
    NOSP = "nosp", "Notice of Seeking Possession (secure, HA 1985 s83)"
    FLEXIBLE_TERMINATION = (
        "flexible_termination",
        "Notice of Seeking Termination of Tenancy and Recovery of Possession (flexible)",
    )
    NOTICE_OF_PROCEEDINGS = (
        "notice_of_proceedings",
        "Notice of proceedings (introductory, HA 1996 s128)",
    )
    S8_FORM_3 = "s8_form_3", "Section 8 notice, Form 3 (social housing assured)"
    S8_FORM_3A = "s8_form_3a", "Section 8 notice, Form 3A (assured)"
    NOTICE_TO_QUIT = "notice_to_quit", "Notice to Quit"
    NOTICE_TO_DETERMINE = "notice_to_determine", "Notice to determine a licence"
    GARAGE_NOTICE_TO_QUIT = "garage_notice_to_quit", "Notice to Quit a garage"


# Notices that end the tenancy or licence themselves: once they expire there is no
# statutory long-stop on starting proceedings (legal-reference.md §18).
NOTICES_TO_QUIT = frozenset(
    {NoticeKind.NOTICE_TO_QUIT, NoticeKind.NOTICE_TO_DETERMINE, NoticeKind.GARAGE_NOTICE_TO_QUIT}
)


class ServiceMethod(models.TextChoices):
    HAND = "hand", "By hand to the tenant"
    LEFT_AT_ADDRESS = "left_at_address", "Left at the address"
    FIRST_CLASS_POST = "first_class_post", "First class post"
    SECOND_CLASS_POST = "second_class_post", "Second class post"


class Notice(models.Model):
    """A notice on one tenancy, from draft to served, expired or withdrawn.

    The engine reads `kind`, `status`, `served_on`, `deemed_served_on`,
    `earliest_proceedings_date`, `last_proceedings_date` and `arrears_amount` with
    set-based SQL: keep them. The figures and dates printed in the notice are kept
    here as they were printed, so the notice can be proved months later.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        APPROVED = "approved", "Approved"
        PRINTED = "printed", "Printed"
        SERVED = "served", "Served"
        EXPIRED = "expired", "Expired"
        WITHDRAWN = "withdrawn", "Withdrawn"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notices")
    tenancy = models.ForeignKey(Tenancy, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    arrears_amount = models.DecimalField(**MONEY, null=True, blank=True)
    served_on = models.DateField(null=True, blank=True)
    service_method = models.CharField(max_length=20, choices=ServiceMethod.choices, blank=True)
    deemed_served_on = models.DateField(null=True, blank=True)
    earliest_proceedings_date = models.DateField(
        null=True, blank=True, help_text="The date after which proceedings may begin."
    )
    last_proceedings_date = models.DateField(
        null=True, blank=True, help_text="The notice stops being in force after this date."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    # What was printed, as it was printed.
    grounds = models.JSONField(
        default=list, blank=True, help_text='e.g. ["1"] or ["8", "10", "11"].'
    )
    particulars = models.TextField(blank=True, help_text="Particulars of each ground, as printed.")
    reasons = models.TextField(blank=True, help_text="The landlord's reasons (s128, NTQ).")
    arrears_on = models.DateField(
        null=True, blank=True, help_text="The date of the arrears figure."
    )
    weekly_charge = models.DecimalField(**MONEY, null=True, blank=True)
    weeks_in_arrears = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    rent_period = models.CharField(max_length=20, blank=True)
    landlord_name = models.CharField(max_length=120, blank=True)
    planned_service_on = models.DateField(
        null=True, blank=True, help_text="The service date the printed dates were worked out from."
    )
    planned_service_method = models.CharField(
        max_length=20, choices=ServiceMethod.choices, blank=True
    )
    review_request_by = models.DateField(
        null=True, blank=True, help_text="Introductory: the last day to ask for a review (s129)."
    )
    template_version = models.CharField(max_length=40, blank=True)
    form_version = models.CharField(max_length=200, blank=True)
    checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the served PDF.")

    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    printed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.CharField(max_length=300, blank=True)
    expired_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenancy", "status"], name="notice_tenancy_status"),
            models.Index(
                fields=["status", "last_proceedings_date"], name="notice_status_last_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse(
            "notices:notice_detail", kwargs={"case_id": self.case_id, "notice_id": self.pk}
        )

    @property
    def is_notice_to_quit(self) -> bool:
        return self.kind in NOTICES_TO_QUIT

    @property
    def is_open(self) -> bool:
        """Still on its way to service: drafted, awaiting approval, approved or printed."""
        return self.status in OPEN_NOTICE_STATUSES

    def is_in_force_on(self, day: date) -> bool:
        """Served, and proceedings may still be begun on it on `day`.

        A notice to quit has no statutory long-stop once it has expired, so a blank
        last date means it stays in force (legal-reference.md §18).
        """
        if self.status != self.Status.SERVED or self.earliest_proceedings_date is None:
            return False
        if self.last_proceedings_date is None:
            return self.is_notice_to_quit
        return day <= self.last_proceedings_date


OPEN_NOTICE_STATUSES = frozenset(
    {
        Notice.Status.DRAFT,
        Notice.Status.AWAITING_APPROVAL,
        Notice.Status.APPROVED,
        Notice.Status.PRINTED,
    }
)


class NoticeService(models.Model):
    """Proof that one tenant was served: each joint tenant gets a row (legal-reference.md §7).

    Birmingham CC v Bravington [2023] EWCA Civ 308: a certificate of service saying
    who served what, how, when and to whom is the evidence a court accepts.
    """

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="services")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    tenant_name = models.CharField(max_length=140, help_text="As named in the notice.")
    method = models.CharField(max_length=20, choices=ServiceMethod.choices)
    served_at = models.DateTimeField(help_text="When it was handed over, left or posted.")
    deemed_served_on = models.DateField()
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    server_name = models.CharField(max_length=140, help_text="The person who served it.")
    given_to = models.CharField(
        max_length=200, blank=True, help_text="Who it was handed to, and who they are."
    )
    address = models.CharField(max_length=300)
    evidence = models.TextField(
        blank=True, help_text="Photo reference, letterbox, posting receipt."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    certificate = models.ForeignKey(
        "Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["served_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "tenant"], name="one_service_per_tenant")
        ]

    def __str__(self) -> str:
        return f"{self.tenant_name}: {self.get_method_display()} {self.served_at:%d %b %Y}"


class DocumentKind(models.TextChoices):
    # The letters (the same values as arrears.LetterKind, so a request maps across).
    ARREARS_LETTER_1 = "arrears_letter_1", "Arrears letter 1"
    ARREARS_LETTER_2 = "arrears_letter_2", "Arrears letter 2"
    PRE_NOTICE_WARNING = "pre_notice_warning", "Pre-notice warning"
    ARRANGEMENT_CONFIRMATION = "arrangement_confirmation", "Arrangement confirmation"
    ARRANGEMENT_MISSED = "arrangement_missed", "Arrangement missed payment"
    ARRANGEMENT_BROKEN = "arrangement_broken", "Arrangement broken"
    NOTICE_OF_DEFAULT = "notice_of_default", "Notice of default (court order breached)"
    PRE_ACTION_PROTOCOL = "pre_action_protocol", "Pre-Action Protocol letter before court"
    COURT_HEARING = "court_hearing", "Court hearing letter"
    STATEMENT = "statement", "Statement of account"
    # The notices (the same values as NoticeKind).
    NOSP = "nosp", "Notice of Seeking Possession"
    FLEXIBLE_TERMINATION = "flexible_termination", "Notice of Seeking Termination (flexible)"
    NOTICE_OF_PROCEEDINGS = "notice_of_proceedings", "Notice of proceedings (introductory)"
    S8_FORM_3 = "s8_form_3", "Section 8 notice, Form 3"
    S8_FORM_3A = "s8_form_3a", "Section 8 notice, Form 3A"
    NOTICE_TO_QUIT = "notice_to_quit", "Notice to Quit"
    NOTICE_TO_DETERMINE = "notice_to_determine", "Notice to determine a licence"
    GARAGE_NOTICE_TO_QUIT = "garage_notice_to_quit", "Notice to Quit a garage"
    CERTIFICATE_OF_SERVICE = "certificate_of_service", "Certificate of service"
    COURT_REPORT = "court_report", "Court report"
    # The court app's documents (court/documents.py builds their contexts).
    PARTICULARS_OF_CLAIM = "particulars_of_claim", "Particulars of claim"
    WARRANT_APPLICATION = "warrant_application", "Warrant application summary"
    EVICTION_REPORT = "eviction_report", "Eviction report"
    REVIEW_DECISION = "review_decision", "Review decision letter"
    MONEY_CLAIM = "money_claim", "Money claim summary"


class Document(models.Model):
    """A PDF the service produced: what, for whom, from which template, when and by whom.

    The figures printed are kept in `context` (the snapshot the template rendered),
    the file's SHA-256 in `checksum`; the file lives under DOCUMENTS_ROOT and is
    only ever served through a permission-checked view.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Being produced"
        RENDERED = "rendered", "Ready"
        FAILED = "failed", "Could not be produced"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)
    template_name = models.CharField(max_length=120)
    template_version = models.CharField(max_length=40)
    is_draft = models.BooleanField(
        default=False, help_text="A draft for approval, marked as not for service."
    )
    large_print = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    context = models.JSONField(default=dict, blank=True, help_text="The figures printed.")
    file = models.CharField(max_length=200, blank=True, help_text="Path under DOCUMENTS_ROOT.")
    checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the PDF.")
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    page_count = models.PositiveSmallIntegerField(null=True, blank=True)
    copy_page_counts = models.JSONField(
        default=list, blank=True, help_text="Pages in each recipient's copy, in order."
    )
    recipients = models.CharField(max_length=300, blank=True)
    address_sort_key = models.CharField(max_length=120, blank=True)
    notice = models.ForeignKey(
        Notice, on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    letter_request = models.OneToOneField(
        LetterRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="document"
    )
    print_pack = models.ForeignKey(
        "PrintPack", on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Blank when the nightly run asked for it.",
    )
    requested_at = models.DateTimeField(default=timezone.now)
    rendered_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["case", "-requested_at"], name="document_case_time"),
            models.Index(fields=["status", "kind"], name="document_status_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        """The PDF (permission-checked), once it has been produced."""
        return reverse(
            "notices:document_download", kwargs={"case_id": self.case_id, "document_id": self.pk}
        )

    @property
    def created_at(self):
        return self.requested_at

    @property
    def requested_by_label(self) -> str:
        return str(self.requested_by) if self.requested_by_id else "Nightly run"

    @property
    def filename(self) -> str:
        return f"{self.case.reference}-{self.kind}-{self.pk}.pdf"


class PrintPack(models.Model):
    """One day's automatic letters as one PDF for the print room, in address order.

    A re-run for the same day makes a further pack holding only the letters not yet
    packed, so no letter is printed twice.
    """

    class Status(models.TextChoices):
        RENDERED = "rendered", "Ready"
        FAILED = "failed", "Could not be built"

    run_date = models.DateField()
    sequence = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RENDERED)
    file = models.CharField(max_length=200, blank=True)
    checksum = models.CharField(max_length=64, blank=True)
    size_bytes = models.PositiveIntegerField(null=True, blank=True)
    page_count = models.PositiveIntegerField(default=0)
    letter_count = models.PositiveIntegerField(default=0)
    envelope_count = models.PositiveIntegerField(
        default=0, help_text="One for each tenant's copy of each letter."
    )
    large_print_count = models.PositiveIntegerField(
        default=0, help_text="Large print copies (C4 envelopes, unfolded)."
    )
    failed_count = models.PositiveIntegerField(default=0)
    template_version = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    downloaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-run_date", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["run_date", "sequence"], name="one_print_pack_sequence")
        ]

    def __str__(self) -> str:
        return f"Print pack {self.run_date:%d %b %Y} #{self.sequence}"

    @property
    def filename(self) -> str:
        return f"print-pack-{self.run_date.isoformat()}-{self.sequence}.pdf"


class CourtPack(models.Model):
    """The papers for a possession claim, for a manager to approve before issue (PAP; §8, §9)."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
        APPROVED = "approved", "Approved"
        WITHDRAWN = "withdrawn", "Withdrawn"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="court_packs")
    notice = models.ForeignKey(
        Notice, on_delete=models.PROTECT, null=True, blank=True, related_name="court_packs"
    )
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.AWAITING_APPROVAL
    )
    summary = models.TextField(help_text="Why the officer asks to issue a claim now.")
    report = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    statement = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-prepared_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="awaiting_approval"),
                name="one_court_pack_awaiting_approval_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"Court pack for {self.case_id} ({self.get_status_display()})"


# Messages through GOV.UK Notify ---------------------------------------------------------


class MessageChannel(models.TextChoices):
    SMS = "sms", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter (Notify's letter service)"


class MessagePurpose(models.TextChoices):
    """What a message is for. The words are Notify's template's; this says which."""

    EARLY_REMINDER = "early_reminder", "Early reminder: rent is behind"
    ARREARS_REMINDER = "arrears_reminder", "Arrears reminder: please get in touch"
    INSTALMENT_REMINDER = "instalment_reminder", "Instalment reminder under an arrangement"
    MISSED_INSTALMENT = "missed_instalment", "An instalment was missed"
    APPOINTMENT = "appointment", "Visit or appointment reminder"
    LETTER = "letter", "A letter the service produced"


class NotifyTemplate(models.Model):
    """Which Notify template says what. The wording is edited in Notify by the council's
    comms team; the service keeps the template's id, so a message's record says exactly
    which words were sent."""

    purpose = models.CharField(max_length=30, choices=MessagePurpose.choices)
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    notify_template_id = models.UUIDField(help_text="The template's id in GOV.UK Notify.")
    description = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["purpose", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "channel"],
                condition=Q(active=True),
                name="one_active_notify_template_per_purpose_and_channel",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.get_channel_display().lower()})"


class Message(models.Model):
    """One text, email or letter to one person, from the request to its delivery."""

    class Status(models.TextChoices):
        NOT_SENT = "not_sent", "Not sent"
        QUEUED = "queued", "Waiting to go to Notify"
        CREATED = "created", "Accepted by Notify"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        PERMANENT_FAILURE = "permanent_failure", "Not delivered: the number or address is wrong"
        TEMPORARY_FAILURE = "temporary_failure", "Not delivered: the phone or inbox was unavailable"
        TECHNICAL_FAILURE = "technical_failure", "Not delivered: a fault at Notify"
        REJECTED = "rejected", "Refused by Notify"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    tenant = models.ForeignKey(
        Tenant, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    purpose = models.CharField(max_length=30, choices=MessagePurpose.choices)
    document = models.ForeignKey(
        "Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
        help_text="A letter the service rendered, posted by Notify's letter service.",
    )
    addressee = models.CharField(max_length=200, blank=True)
    template = models.ForeignKey(
        NotifyTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient = models.CharField(max_length=254, blank=True)
    personalisation = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(
        max_length=300, blank=True, help_text="Why it was not sent, or what Notify said."
    )
    notify_id = models.UUIDField(null=True, blank=True, unique=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)

    # Notify's statuses that will not change again.
    FINAL = frozenset(
        {
            Status.NOT_SENT,
            Status.DELIVERED,
            Status.PERMANENT_FAILURE,
            Status.TEMPORARY_FAILURE,
            Status.TECHNICAL_FAILURE,
            Status.REJECTED,
        }
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(
                fields=["status"],
                condition=Q(status__in=["created", "sending"]),
                name="message_awaiting_status",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.tenant_id}: {self.get_status_display()}"

    @property
    def reference(self) -> str:
        """Ours, sent with the message, so Notify's records can be matched to this one."""
        return f"arrears-message-{self.pk}"


class MessageOptOut(models.Model):
    """A person's wish not to be contacted through a channel, with who recorded it and
    when (UK GDPR art. 21 for direct messages; PECR reg. 22 for texts and emails)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="opt_outs")
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "channel"],
                condition=Q(withdrawn_on__isnull=True),
                name="one_open_opt_out_per_tenant_and_channel",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} opted out of {self.get_channel_display().lower()}"
