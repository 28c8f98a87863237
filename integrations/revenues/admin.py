"""Revenues debts in the admin: read-only, since the revenues system keeps them."""

from django.contrib import admin

from integrations.revenues.models import RevenuesDebt, RevenuesImport


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RevenuesDebt)
class RevenuesDebtAdmin(_ReadOnly):
    list_display = ["reference", "kind", "tenancy", "balance", "balance_on", "recovery_stage"]
    list_filter = ["kind"]
    search_fields = ["reference", "tenancy__reference", "debtor_name"]
    list_select_related = ["tenancy"]


@admin.register(RevenuesImport)
class RevenuesImportAdmin(_ReadOnly):
    list_display = ["file_name", "imported_at", "rows", "counts"]
