from django.contrib import admin

from accounts.models import ProviderGroup, ProviderIdentity


@admin.register(ProviderGroup)
class ProviderGroupAdmin(admin.ModelAdmin):
    list_display = ["group", "name", "role", "patch"]
    list_filter = ["role"]
    search_fields = ["group", "name"]
    autocomplete_fields = ["patch"]


@admin.register(ProviderIdentity)
class ProviderIdentityAdmin(admin.ModelAdmin):
    """Made and kept by sign-in; an administrator may remove one to unlink an account."""

    list_display = ["user", "issuer", "subject", "last_signed_in_at"]
    search_fields = ["user__username", "user__email", "subject"]
    readonly_fields = [
        "user",
        "issuer",
        "subject",
        "groups",
        "first_signed_in_at",
        "last_signed_in_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False
