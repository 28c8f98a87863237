"""Revenues debts in the admin: read-only, since the revenues system keeps them."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from integrations.revenues.models import RevenuesDebt, RevenuesImport


@admin.register(RevenuesDebt)
class RevenuesDebtAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "tenancy", "balance", "balance_on", "recovery_stage"]
    list_filter = ["kind"]
    search_fields = ["reference", "tenancy__reference", "debtor_name"]
    list_select_related = ["tenancy"]


@admin.register(RevenuesImport)
class RevenuesImportAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "imported_at", "rows", "counts"]
