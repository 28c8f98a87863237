"""Each HMS load in the admin: readable, never editable (a load is what happened)."""

from django.contrib import admin

from integrations.models import HmsImport


@admin.register(HmsImport)
class HmsImportAdmin(admin.ModelAdmin):
    list_display = ("started_at", "directory", "outcome")
    list_filter = ("outcome",)
    readonly_fields = (
        "directory",
        "checksum",
        "started_at",
        "finished_at",
        "outcome",
        "changes",
        "problems",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
