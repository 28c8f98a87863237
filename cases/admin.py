"""The admin is for administrators correcting reference data, not for casework.

Timeline entries are read-only here: the timeline is evidence.
"""

from django.contrib import admin

from cases.models import (
    Case,
    CaseEvent,
    CaseloadExport,
    CourtCase,
    Hold,
    Patch,
    PatchCover,
    Property,
    ProportionalityAssessment,
    Tenancy,
    Tenant,
    VulnerabilityFlag,
    Warrant,
)
from core.admin import ReadOnlyAdmin


class PatchCoverInline(admin.TabularInline):
    model = PatchCover
    extra = 0
    autocomplete_fields = ["officer"]
    fk_name = "patch"
    exclude = ["granted_by", "withdrawn_by"]
    readonly_fields = ["withdrawn_at"]


@admin.register(Patch)
class PatchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "officer", "automatic_letters"]
    list_filter = ["automatic_letters"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["officer"]
    inlines = [PatchCoverInline]


@admin.register(Property)
class PropertyAdmin(admin.ModelAdmin):
    list_display = ["reference", "address_line_1", "postcode", "kind", "patch"]
    list_filter = ["kind", "patch"]
    search_fields = ["reference", "address_line_1", "postcode"]
    list_select_related = ["patch"]


class TenantInline(admin.TabularInline):
    model = Tenant
    extra = 0
    fields = ["is_lead", "is_tenant", "title", "first_name", "last_name", "phone", "email"]


@admin.register(Tenancy)
class TenancyAdmin(admin.ModelAdmin):
    list_display = ["reference", "tenure", "rent_period", "start_date", "end_date"]
    list_filter = ["tenure", "rent_period", "landlord_registered_provider"]
    search_fields = ["reference", "property__address_line_1", "property__postcode"]
    raw_id_fields = ["property"]
    inlines = [TenantInline]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["reference", "patch", "stage", "balance", "weeks_in_arrears", "status"]
    list_filter = ["status", "stage", "patch"]
    search_fields = ["reference", "tenancy__reference"]
    raw_id_fields = ["tenancy"]
    autocomplete_fields = ["officer"]
    list_select_related = ["patch"]


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "reason", "starts_on", "until", "ended_on", "outcome"]
    list_filter = ["kind"]
    raw_id_fields = ["case"]
    exclude = ["created_by", "ended_by"]


@admin.register(VulnerabilityFlag)
class VulnerabilityFlagAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "recorded_on", "cleared_on"]
    list_filter = ["kind"]
    raw_id_fields = ["case", "tenant"]
    exclude = ["recorded_by", "cleared_by"]


@admin.register(ProportionalityAssessment)
class ProportionalityAssessmentAdmin(admin.ModelAdmin):
    list_display = ["case", "step", "decision", "assessed_on"]
    list_filter = ["step", "decision"]
    raw_id_fields = ["case"]
    exclude = ["assessed_by"]


class WarrantInline(admin.TabularInline):
    model = Warrant
    extra = 0


@admin.register(CourtCase)
class CourtCaseAdmin(admin.ModelAdmin):
    list_display = ["claim_number", "case", "outcome", "hearing_at", "order_date"]
    list_filter = ["outcome"]
    search_fields = ["claim_number", "case__reference"]
    raw_id_fields = ["case"]
    inlines = [WarrantInline]


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["case", "verb", "actor", "occurred_at"]
    list_filter = ["verb"]
    raw_id_fields = ["case"]


@admin.register(CaseloadExport)
class CaseloadExportAdmin(ReadOnlyAdmin):
    """Read-only: the log of downloads is evidence, like the timeline."""

    list_display = ["started_at", "user", "rows", "filters"]
    list_filter = ["started_at"]
    search_fields = ["user__username", "filters"]
