from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Sign-in: single sign-on with the council's identity provider, local accounts with
    a second factor for those who can approve and administer, and failed sign-ins locked
    out. It sits above core and cases (it maps groups to their roles and patches)."""

    name = "accounts"
    verbose_name = "Sign-in"

    def ready(self) -> None:
        # Connects the sign-in receiver that starts a session's idle clock.
        from accounts import middleware  # noqa: F401
