"""The roles and what each may do, kept in code so every environment agrees.

`ensure_roles()` runs after every migrate (core/apps.py) and creates or updates
the role groups. Object-level rules (which patch an officer may act on) live in
cases/permissions.py; these are the role-level permissions behind them.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from core.models import Role

OFFICER_PERMISSIONS = [
    "cases.view_case",
    "cases.work_case",
    "payments.view_account",
    "payments.take_payment",
]
SENIOR_OFFICER_PERMISSIONS = [
    *OFFICER_PERMISSIONS,
    "payments.post_adjustment",
    "cases.view_performance",
    # Up to the role's write-off limit (performance.WriteOffLimit, set in the admin).
    "payments.approve_write_off",
]
MANAGER_PERMISSIONS = [
    *SENIOR_OFFICER_PERMISSIONS,
    "cases.act_on_any_case",
    "cases.reassign_case",
    "cases.approve_legal_action",
    "performance.set_target",
    # Special category notes and flags on any case (privacy/special_category.py);
    # officers read them only on the cases they work.
    "privacy.view_special_category",
]
# The head of service: a manager whose write-off authority has no upper limit.
HEAD_OF_SERVICE_PERMISSIONS = MANAGER_PERMISSIONS
ADMINISTRATOR_PERMISSIONS = [
    *MANAGER_PERMISSIONS,
    "cases.administer_service",
]

# Finance posts the money files and works the suspense queue; no casework.
FINANCE_PERMISSIONS = [
    "payments.view_account",
    "payments.import_payments",
]

# The data protection officer: reads cases and who read them, answers subject access
# requests (UK GDPR Arts. 15, 37-39); no casework.
DATA_PROTECTION_OFFICER_PERMISSIONS = [
    "cases.view_case",
    "payments.view_account",
    "privacy.view_access_log",
    "privacy.request_subject_access",
    "privacy.view_special_category",
]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.OFFICER: OFFICER_PERMISSIONS,
    Role.SENIOR_OFFICER: SENIOR_OFFICER_PERMISSIONS,
    Role.MANAGER: MANAGER_PERMISSIONS,
    Role.HEAD_OF_SERVICE: HEAD_OF_SERVICE_PERMISSIONS,
    Role.ADMINISTRATOR: ADMINISTRATOR_PERMISSIONS,
    Role.FINANCE: FINANCE_PERMISSIONS,
    Role.DATA_PROTECTION_OFFICER: DATA_PROTECTION_OFFICER_PERMISSIONS,
}


def _permission(code: str) -> Permission:
    app_label, codename = code.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def ensure_roles(apps=global_apps, verbosity: int = 0) -> None:
    """Create the role groups with exactly their permissions (idempotent)."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=verbosity)
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        permissions = [_permission(code) for code in codes]
        if role == Role.ADMINISTRATOR:
            # Administrators keep the reference data and users; the admin classes
            # themselves keep the ledger and the timeline read-only.
            permissions = list(Permission.objects.all())
        group.permissions.set(permissions)
