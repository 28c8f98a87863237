from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    """The income team's roles; each is a Django group of the same name (core/roles.py)."""

    OFFICER = "officer", "Income officer"
    SENIOR_OFFICER = "senior_officer", "Senior income officer"
    MANAGER = "manager", "Income manager"
    HEAD_OF_SERVICE = "head_of_service", "Head of service"
    ADMINISTRATOR = "administrator", "Administrator"
    FINANCE = "finance", "Finance officer"
    # Reads the record of who saw what, answers subject access requests (privacy app).
    DATA_PROTECTION_OFFICER = "data_protection_officer", "Data protection officer"


class User(AbstractUser):
    job_title = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, role: Role) -> bool:
        return self.is_superuser or role.value in self.role_names

    @property
    def is_manager(self) -> bool:
        return (
            self.has_role(Role.MANAGER)
            or self.has_role(Role.HEAD_OF_SERVICE)
            or self.has_role(Role.ADMINISTRATOR)
        )

    @property
    def is_administrator(self) -> bool:
        return self.has_role(Role.ADMINISTRATOR)

    @property
    def role_label(self) -> str:
        for role in reversed(Role):
            if role.value in self.role_names:
                return role.label
        return "Administrator" if self.is_superuser else "No role"
