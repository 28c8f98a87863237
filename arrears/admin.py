"""The engine's records in the admin: readable for administrators, changed only by the
engine (runs, recommendations) or through the policy page (new policy versions)."""

from django.contrib import admin

from arrears.models import (
    EscalationPolicy,
    LetterRequest,
    NightlyRun,
    PolicyPreview,
    Recommendation,
    RecommendationHistory,
    RunChunk,
)
from payments.admin import ReadOnlyAdmin


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(ReadOnlyAdmin):
    list_display = ["version", "created_at", "created_by", "note"]


class RunChunkInline(admin.TabularInline):
    model = RunChunk
    extra = 0
    can_delete = False
    fields = [
        "number",
        "first_case_id",
        "last_case_id",
        "status",
        "attempts",
        "cases",
        "seconds",
        "error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NightlyRun)
class NightlyRunAdmin(ReadOnlyAdmin):
    list_display = [
        "run_date",
        "status",
        "cases",
        "attempts",
        "retries",
        "started_at",
        "finished_at",
    ]
    list_filter = ["status", "trigger"]
    inlines = [RunChunkInline]


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    list_display = ["case", "action", "stage", "guard", "needs_approval", "run_date", "since"]
    list_filter = ["action", "stage", "guard", "needs_approval"]
    search_fields = ["case__reference"]
    list_select_related = ["case"]
    show_full_result_count = False


@admin.register(RecommendationHistory)
class RecommendationHistoryAdmin(ReadOnlyAdmin):
    list_display = ["case", "run_date", "action", "stage", "guard", "policy_version"]
    list_filter = ["action", "stage"]
    search_fields = ["case__reference"]
    list_select_related = ["case"]
    show_full_result_count = False


@admin.register(LetterRequest)
class LetterRequestAdmin(ReadOnlyAdmin):
    list_display = ["case", "letter", "run_date", "status", "requested_at", "rendered_at"]
    list_filter = ["letter", "status"]
    search_fields = ["case__reference"]
    list_select_related = ["case"]
    show_full_result_count = False


@admin.register(PolicyPreview)
class PolicyPreviewAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "created_by", "run_date", "base_version", "status"]
