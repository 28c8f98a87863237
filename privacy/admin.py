"""The data protection records in the admin: reads and retention runs read-only;
subject access exports asked for here go through the same service as the page."""

from django.contrib import admin

from privacy.models import AccessRecord, RetentionRun, SpecialCategoryMark, SubjectAccessRequest
from privacy.services import subject_access_request_create


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "case", "kind", "path"]
    list_filter = ["kind"]
    search_fields = ["user__username", "case__reference", "path"]
    date_hierarchy = "at"
    list_select_related = ["user", "case"]


@admin.register(RetentionRun)
class RetentionRunAdmin(ReadOnlyAdmin):
    list_display = ["ran_at", "closed_before", "cases", "actor"]


@admin.register(SpecialCategoryMark)
class SpecialCategoryMarkAdmin(ReadOnlyAdmin):
    list_display = ["case", "category", "event", "contact", "flag", "marked_by", "marked_at"]
    list_filter = ["category"]


@admin.register(SubjectAccessRequest)
class SubjectAccessRequestAdmin(admin.ModelAdmin):
    list_display = ["pk", "tenant", "requested_by", "requested_at", "status", "finished_at"]
    list_filter = ["status"]
    raw_id_fields = ["tenant"]
    fields = ["tenant", "reason"]
    readonly_fields = []

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "tenant",
            "reason",
            "requested_by",
            "requested_at",
            "status",
            "file",
            "checksum",
            "size_bytes",
            "manifest",
            "error",
            "finished_at",
        ]

    def get_fields(self, request, obj=None):
        return ["tenant", "reason"] if obj is None else self.get_readonly_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return
        made = subject_access_request_create(
            actor=request.user, tenant=obj.tenant, reason=obj.reason
        )
        obj.pk = made.pk
        obj._state.adding = False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
