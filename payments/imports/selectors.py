"""Reads of imports and the suspense queue."""

from django.db.models import QuerySet

from payments.models import SuspenseItem


def suspense_items_open() -> QuerySet[SuspenseItem]:
    """Money in suspense, oldest first, each with its file and line (one query)."""
    return (
        SuspenseItem.objects.filter(status=SuspenseItem.Status.OPEN)
        .select_related("line__payment_import")
        .order_by("received_on", "line__payment_import_id", "line__line_number")
    )


def suspense_items_to_work() -> QuerySet[SuspenseItem]:
    """In suspense or awaiting a second person's approval, oldest first (one query)."""
    return (
        SuspenseItem.objects.exclude(status=SuspenseItem.Status.ALLOCATED)
        .select_related("line__payment_import", "account", "requested_by")
        .order_by("received_on", "line__payment_import_id", "line__line_number")
    )
