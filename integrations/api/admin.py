"""The council systems' tokens in the admin: scopes and on/off editable; a new token is
issued by an action and shown once. Write-back files are read-only."""

from django import forms
from django.contrib import admin, messages

from core.admin import ReadOnlyAdmin
from integrations.api.models import ApiClient, Scope, WritebackExport
from integrations.api.services import api_client_rotate


class ApiClientForm(forms.ModelForm):
    scope_choices = forms.MultipleChoiceField(
        label="Scopes", choices=Scope.choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ApiClient
        fields = ["name", "contact", "is_active", "rate_per_minute"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope_choices"].initial = sorted(self.instance.scope_set)

    def save(self, commit=True):
        self.instance.scopes = " ".join(self.cleaned_data["scope_choices"])
        self.instance.clean()
        return super().save(commit=commit)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "token_prefix", "scopes", "is_active", "last_used_at"]
    list_filter = ["is_active"]
    readonly_fields = ["token_prefix", "token_issued_at", "created_at", "last_used_at"]
    actions = ["issue_new_token"]

    def has_add_permission(self, request) -> bool:
        # A token is shown once when issued: manage.py api_client NAME --scopes ...
        return False

    @admin.action(description="Issue a new token (the old one stops working)")
    def issue_new_token(self, request, queryset):
        for client in queryset:
            token = api_client_rotate(client=client)
            messages.warning(request, f"New token for {client.name} (shown once): {token}")


@admin.register(WritebackExport)
class WritebackExportAdmin(ReadOnlyAdmin):
    list_display = ["day", "file_name", "rows", "sha256", "written_at"]
