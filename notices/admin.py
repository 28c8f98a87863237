"""Notices and documents in the admin: read-only. They are legal evidence; changes go
through the workflow (notices/services.py), which keeps the timeline."""

from django.contrib import admin

from notices.models import (
    CourtPack,
    Document,
    Message,
    Notice,
    NoticeService,
    NotifyTemplate,
    PrintPack,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class NoticeServiceInline(admin.TabularInline):
    model = NoticeService
    extra = 0
    can_delete = False
    fields = ["tenant_name", "method", "served_at", "deemed_served_on", "server_name", "given_to"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = [
        "case",
        "kind",
        "status",
        "served_on",
        "earliest_proceedings_date",
        "last_proceedings_date",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["case__reference", "tenancy__reference"]
    inlines = [NoticeServiceInline]


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = [
        "case",
        "kind",
        "status",
        "template_version",
        "requested_by",
        "requested_at",
        "rendered_at",
    ]
    list_filter = ["kind", "status", "is_draft", "large_print"]
    search_fields = ["case__reference", "recipients", "checksum"]
    exclude = ["context"]


@admin.register(PrintPack)
class PrintPackAdmin(ReadOnlyAdmin):
    list_display = [
        "run_date",
        "sequence",
        "letter_count",
        "page_count",
        "failed_count",
        "downloaded_at",
    ]


@admin.register(CourtPack)
class CourtPackAdmin(ReadOnlyAdmin):
    list_display = ["case", "status", "prepared_by", "prepared_at", "decided_by", "decided_at"]
    list_filter = ["status"]


@admin.register(NotifyTemplate)
class NotifyTemplateAdmin(admin.ModelAdmin):
    """Administrators keep which Notify template says what; the words are edited in Notify."""

    list_display = ["purpose", "channel", "notify_template_id", "active"]
    list_filter = ["channel", "active"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["requested_at", "case", "tenant", "channel", "purpose", "status"]
    list_filter = ["channel", "status", "purpose"]
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
