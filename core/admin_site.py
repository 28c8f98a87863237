from django.contrib import admin
from django.http import HttpRequest

from core.models import Role


class CouncilAdminSite(admin.AdminSite):
    site_header = "Arrears casework administration"
    site_title = "Arrears casework administration"
    index_title = "Records"

    def has_permission(self, request: HttpRequest) -> bool:
        """The admin is for administrators only: officers and managers work in the service."""
        user = request.user
        return bool(
            user.is_active
            and user.is_staff
            and (user.is_superuser or user.has_role(Role.ADMINISTRATOR))
        )
