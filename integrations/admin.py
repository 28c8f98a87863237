"""Each HMS load in the admin: readable, never editable (a load is what happened)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from integrations.models import HmsImport


@admin.register(HmsImport)
class HmsImportAdmin(ReadOnlyAdmin):
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
