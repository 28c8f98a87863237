"""What the service keeps of the council's other systems: the housing management system's
own ids for the records it loaded, and a record of every load.

The ids live here rather than on the casework records, so the lower apps know nothing
of the feed. A ledger line keeps its HMS id in its own `source_reference`
(`hms:<transaction id>`), which the ledger's unique constraint already guards: one
mapping row per transaction would double the cost of loading tens of millions of them.
"""

from django.db import models
from django.utils import timezone


class HmsLink(models.Model):
    """One record loaded from the HMS: its id there, and a fingerprint of the row last
    applied, so a later file set skips every row that has not changed without reading
    the record it made."""

    hms_id = models.CharField("HMS id", max_length=64, unique=True)
    fingerprint = models.CharField(max_length=32, help_text="Digest of the row last applied.")
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.hms_id


class HmsProperty(HmsLink):
    property = models.OneToOneField(
        "cases.Property", on_delete=models.CASCADE, related_name="hms_link"
    )

    class Meta:
        verbose_name = "HMS property"
        verbose_name_plural = "HMS properties"


class HmsTenancy(HmsLink):
    tenancy = models.OneToOneField(
        "cases.Tenancy", on_delete=models.CASCADE, related_name="hms_link"
    )

    class Meta:
        verbose_name = "HMS tenancy"
        verbose_name_plural = "HMS tenancies"


class HmsTenant(HmsLink):
    tenant = models.OneToOneField("cases.Tenant", on_delete=models.CASCADE, related_name="hms_link")

    class Meta:
        verbose_name = "HMS tenant"


class HmsAccount(HmsLink):
    account = models.OneToOneField(
        "payments.Account", on_delete=models.CASCADE, related_name="hms_link"
    )

    class Meta:
        verbose_name = "HMS account"


class HmsImport(models.Model):
    """One file set applied (or tried, or looked at in a dry run), with what it changed."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        REFUSED = "refused", "Refused: nothing applied"
        DRY_RUN = "dry_run", "Dry run: nothing applied"

    directory = models.CharField(max_length=500)
    checksum = models.CharField(
        max_length=64, db_index=True, help_text="SHA-256 over the set's files, in name order."
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    changes = models.JSONField(default=dict, blank=True, help_text="Counts by kind of change.")
    problems = models.JSONField(default=list, blank=True, help_text="The first bad rows.")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "HMS import"

    def __str__(self) -> str:
        return f"{self.directory} ({self.get_outcome_display()})"
