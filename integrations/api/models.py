"""The council systems allowed to read the API, and the write-back's record of what it
has sent the housing management system."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    """What a system may read. Each endpoint needs exactly one (integrations/api/README.md)."""

    CASES = "cases", "Case status, stage and next action"
    BALANCES = "balances", "Balances and rent arrears"
    HOLDS = "holds", "Holds in force (Breathing Space, pauses, disputes, benefit claims)"


def token_hash(token: str) -> str:
    """Tokens are 256 random bits, so one SHA-256 is enough to keep them unreadable at rest
    (a slow hash guards guessable passwords, not random keys)."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiClient(models.Model):
    """One council system with its own token: the token itself is shown once when it is
    issued and only its hash is kept."""

    name = models.CharField("system name", max_length=100, unique=True)
    token_prefix = models.CharField(
        max_length=12,
        editable=False,
        help_text="The token's first characters, to tell tokens apart.",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.CharField(
        max_length=200, blank=True, help_text="Space-separated: cases, balances, holds."
    )
    is_active = models.BooleanField("active", default=True)
    rate_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text="Blank: the service's API_RATE_PER_MINUTE."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_issued_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    contact = models.CharField(
        max_length=200, blank=True, help_text="Who runs the system, for when its token must change."
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "API client"

    def __str__(self) -> str:
        return self.name

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def clean(self) -> None:
        unknown = sorted(self.scope_set - set(Scope.values))
        if unknown:
            raise ValidationError(
                {"scopes": f"Unknown scope {', '.join(unknown)}: use {', '.join(Scope.values)}."}
            )
        self.scopes = " ".join(s for s in Scope.values if s in self.scope_set)


class WritebackExport(models.Model):
    """One day's action-diary file for the housing management system. Its lines are kept
    as sent, so writing the day again gives the same bytes (integrations/api/README.md)."""

    day = models.DateField(unique=True, help_text="The day whose actions the file carries.")
    file_name = models.CharField(max_length=100)
    rows = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    written_at = models.DateTimeField(default=timezone.now, help_text="Last written to the folder.")

    class Meta:
        ordering = ["-day"]
        verbose_name = "HMS write-back file"

    def __str__(self) -> str:
        return self.file_name


class WritebackLine(models.Model):
    """A line of a day's file and the record it came from. Unique by source, so nothing
    is sent to the housing system twice, whichever day it would otherwise fall in."""

    class Source(models.TextChoices):
        EVENT = "event", "Case timeline event"
        RECOMMENDATION = "recommendation", "Stage and next action (nightly run)"

    export = models.ForeignKey(WritebackExport, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    source = models.CharField(max_length=20, choices=Source.choices)
    source_id = models.BigIntegerField()
    row = models.JSONField(help_text="The line's fields as written.")

    class Meta:
        ordering = ["export", "position"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="writeback_once"),
            models.UniqueConstraint(fields=["export", "position"], name="writeback_line_position"),
        ]

    def __str__(self) -> str:
        return f"{self.export} line {self.position}"
