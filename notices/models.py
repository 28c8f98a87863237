"""Notices seeking possession and their service (legal-reference.md §1-§5, §7, §18)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from cases.models import Case, Tenancy

MONEY = {"max_digits": 12, "decimal_places": 2}


class NoticeKind(models.TextChoices):
    NOSP = "nosp", "Notice of Seeking Possession (secure, HA 1985 s83)"
    FLEXIBLE_TERMINATION = (
        "flexible_termination",
        "Notice of Seeking Termination of Tenancy and Recovery of Possession (flexible)",
    )
    NOTICE_OF_PROCEEDINGS = "notice_of_proceedings", "Notice of proceedings (introductory, HA 1996 s128)"
    S8_FORM_3 = "s8_form_3", "Section 8 notice, Form 3 (social housing assured)"
    S8_FORM_3A = "s8_form_3a", "Section 8 notice, Form 3A (assured)"
    NOTICE_TO_QUIT = "notice_to_quit", "Notice to Quit"
    NOTICE_TO_DETERMINE = "notice_to_determine", "Notice to determine a licence"


class ServiceMethod(models.TextChoices):
    HAND = "hand", "By hand to the tenant"
    LEFT_AT_ADDRESS = "left_at_address", "Left at the address"
    FIRST_CLASS_POST = "first_class_post", "First class post"
    SECOND_CLASS_POST = "second_class_post", "Second class post"


class Notice(models.Model):
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

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    def is_in_force_on(self, day) -> bool:
        return (
            self.status == self.Status.SERVED
            and self.earliest_proceedings_date is not None
            and self.last_proceedings_date is not None
            and day <= self.last_proceedings_date
        )
