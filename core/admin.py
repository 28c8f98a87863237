from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from core.models import User


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that are evidence or belong to another system: viewable, never added,
    changed or deleted here (a correction is a new record, through its service)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class CouncilUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active")
    list_filter = ("groups", "is_active", "is_staff")
    fieldsets = (*UserAdmin.fieldsets, ("Work", {"fields": ("job_title", "phone")}))
