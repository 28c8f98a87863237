"""Administrators set the write-off authorisation limits here. Write-offs, targets and
tracing attempts are shown read-only: they are made through the service's own pages,
which keep the two-person check and the timeline."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from performance.models import Target, TracingAttempt, WriteOff, WriteOffLimit


@admin.register(WriteOffLimit)
class WriteOffLimitAdmin(admin.ModelAdmin):
    list_display = ["group", "limit"]


@admin.register(WriteOff)
class WriteOffAdmin(ReadOnlyAdmin):
    list_display = ["case", "account", "amount", "reason", "status", "proposed_by", "decided_by"]
    list_filter = ["status", "reason"]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ["patch", "year", "measure", "value", "set_by", "set_at"]
    list_filter = ["year", "measure"]


@admin.register(TracingAttempt)
class TracingAttemptAdmin(ReadOnlyAdmin):
    list_display = ["case", "method", "result", "attempted_on", "recorded_by"]
