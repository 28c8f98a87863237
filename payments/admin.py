"""Accounts and the ledger in the admin: readable, never editable (corrections are postings)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from payments.models import (
    Account,
    Arrangement,
    ArrangementCheck,
    DirectDebitCollection,
    DirectDebitFile,
    DirectDebitMandate,
    PaymentFileUpload,
    RentWeek,
    RentYear,
    TenantReference,
    Transaction,
)


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "case", "balance", "weekly_charge", "status"]
    list_filter = ["kind", "status", "rent_lawfully_due"]
    search_fields = ["reference", "case__reference"]
    list_select_related = ["case"]


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ["account", "effective_date", "kind", "amount", "method", "source"]
    list_filter = ["kind", "source", "method"]
    search_fields = ["account__reference", "source_reference"]
    list_select_related = ["account"]
    show_full_result_count = False


class ArrangementCheckInline(admin.TabularInline):
    model = ArrangementCheck
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Arrangement)
class ArrangementAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "frequency", "instalment", "starts_on", "state"]
    list_filter = ["kind", "state", "frequency"]
    inlines = [ArrangementCheckInline]


class RentWeekInline(admin.TabularInline):
    model = RentWeek
    extra = 0
    fields = ["number", "starts_on", "is_charge_week"]
    readonly_fields = ["number", "starts_on"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RentYear)
class RentYearAdmin(admin.ModelAdmin):
    """Administrators may move a rent-free week before the year's rent run charges it."""

    list_display = ["label", "starts_on", "ends_on", "charge_weeks"]
    readonly_fields = ["label", "starts_on", "ends_on"]
    inlines = [RentWeekInline]


@admin.register(DirectDebitMandate)
class DirectDebitMandateAdmin(ReadOnlyAdmin):
    """Bank details only masked: the admin is no way round the pages' masking."""

    list_display = [
        "reference",
        "account",
        "payer_name",
        "masked_sort_code",
        "masked_account_number",
        "amount",
        "frequency",
        "status",
    ]
    list_filter = ["status", "frequency"]
    # Bank details are encrypted at rest: the database can neither search nor sort them.
    search_fields = ["reference", "account__reference"]
    sortable_by = ["reference", "account", "amount", "frequency", "status"]
    list_select_related = ["account"]
    exclude = ["sort_code", "account_number"]
    readonly_fields = ["masked_sort_code", "masked_account_number"]


@admin.register(DirectDebitFile)
class DirectDebitFileAdmin(ReadOnlyAdmin):
    list_display = ["collection_date", "made_on", "lodgement_count", "collection_count", "total"]
    # The file holds the payers' bank details in full.
    exclude = ["content"]


@admin.register(DirectDebitCollection)
class DirectDebitCollectionAdmin(ReadOnlyAdmin):
    list_display = [
        "mandate",
        "collected_on",
        "amount",
        "transaction_code",
        "returned_on",
        "return_code",
    ]
    list_filter = ["transaction_code", "return_code"]
    search_fields = ["mandate__reference", "account__reference"]
    list_select_related = ["mandate"]


@admin.register(TenantReference)
class TenantReferenceAdmin(admin.ModelAdmin):
    """Editable: the references by which other systems' payment lines find a tenant."""

    list_display = ["reference", "tenant", "issued_by", "created_at"]
    search_fields = ["reference", "tenant__last_name", "tenant__tenancy__reference"]
    raw_id_fields = ["tenant"]
    list_select_related = ["tenant"]


@admin.register(PaymentFileUpload)
class PaymentFileUploadAdmin(ReadOnlyAdmin):
    """Files sent from the finance page and what came of them; the file's bytes are not
    shown (the import record and the problems say what it held)."""

    list_display = ["filename", "format_name", "uploaded_by", "uploaded_at", "status", "step"]
    list_filter = ["status", "format_name"]
    search_fields = ["filename", "uploaded_by__username"]
    exclude = ["content"]
    list_select_related = ["uploaded_by"]
