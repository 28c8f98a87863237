from django.contrib.admin.apps import AdminConfig


class CouncilAdminConfig(AdminConfig):
    """The Django admin, restricted to administrators (core.admin_site)."""

    default_site = "core.admin_site.CouncilAdminSite"
