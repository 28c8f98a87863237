from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_roles(sender, **kwargs) -> None:
    from core.roles import ensure_roles

    ensure_roles(verbosity=kwargs.get("verbosity", 0))


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "People and access"

    def ready(self) -> None:
        # Runs once per migrate, after every app's tables exist.
        post_migrate.connect(_ensure_roles, sender=self, dispatch_uid="core.ensure_roles")
