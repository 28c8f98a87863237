from django.conf import settings
from django.db import models

from core.models import Role


class ProviderGroup(models.Model):
    """One of the identity provider's groups, and the role (and optionally the patch) it
    gives whoever is in it when they sign in. Patches are ours: the provider only says
    which groups a person is in."""

    group = models.CharField(
        max_length=255,
        unique=True,
        help_text="The group as the provider sends it in the groups claim: for Microsoft "
        "Entra ID, the group's object id (a GUID) unless the app registration emits names.",
    )
    name = models.CharField(
        max_length=255, blank=True, help_text="What the group is called, for people reading this."
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    patch = models.ForeignKey(
        "cases.Patch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="provider_groups",
        help_text="Optional: a patch with no officer is given to a member who signs in. "
        "A patch that has an officer is never taken from them (managers reassign).",
    )

    class Meta:
        ordering = ["role", "name", "group"]
        verbose_name = "identity provider group"

    def __str__(self) -> str:
        return f"{self.name or self.group} → {self.get_role_display()}"


class ProviderIdentity(models.Model):
    """Who a person is at the identity provider (issuer and subject, which never change),
    so a renamed account or a changed email still signs in as the same user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_identity"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    groups = models.JSONField(
        default=list, blank=True, help_text="The groups claim at the last sign-in."
    )
    first_signed_in_at = models.DateTimeField(auto_now_add=True)
    last_signed_in_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="provider_identity_unique")
        ]
        verbose_name = "identity provider account"

    def __str__(self) -> str:
        return f"{self.user} at {self.issuer}"
