"""Reads of imports and the suspense queue."""

from django.db.models import Prefetch, QuerySet

from payments.models import SuspenseItem, SuspenseRejection


def suspense_items_open() -> QuerySet[SuspenseItem]:
    """Money in suspense, oldest first, each with its file and line (one query)."""
    return (
        SuspenseItem.objects.filter(status=SuspenseItem.Status.OPEN)
        .select_related("line__payment_import")
        .order_by("received_on", "line__payment_import_id", "line__line_number")
    )


def suspense_items_to_work() -> QuerySet[SuspenseItem]:
    """In suspense or awaiting a second person's approval, oldest first, each with its
    refused allocations, newest first (two queries)."""
    return (
        SuspenseItem.objects.exclude(status=SuspenseItem.Status.ALLOCATED)
        .select_related("line__payment_import", "account", "requested_by")
        .prefetch_related(
            Prefetch(
                "rejections",
                queryset=SuspenseRejection.objects.select_related("account", "rejected_by"),
            )
        )
        .order_by("received_on", "line__payment_import_id", "line__line_number")
    )
