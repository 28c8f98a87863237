from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from core.models import User


@admin.register(User)
class CouncilUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active")
    list_filter = ("groups", "is_active", "is_staff")
    fieldsets = (*UserAdmin.fieldsets, ("Work", {"fields": ("job_title", "phone")}))
