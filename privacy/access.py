"""Who saw what: every read of a case page, statement, document or export is recorded.

`AccessLogMiddleware` notes the read once the view has answered (one row per page
served, however many queries it made) in a buffer in this process; the buffer is
written in one bulk insert when the response has been sent: the server closes the
response after the last byte (PEP 3333), and the response runs its closers then, so
the page never waits for it. (A closer rather than `request_finished`, which runs
after Django has closed an expired database connection and would open another.)
A failed write is logged, with the reads it held, and never fails the page: the
audit serves the tenant, not the other way round.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from privacy.models import AccessKind, AccessRecord

logger = logging.getLogger(__name__)

# Views (by URL name) that hand over personal data for use outside the service.
STATEMENT_VIEWS = frozenset({"case_statement"})
DOCUMENT_VIEWS = frozenset({"notices:document_download"})
EXPORT_VIEWS = frozenset(
    {
        "caseload_export",
        "performance:council_csv",
        "performance:patch_csv",
        "performance:officer_csv",
        "notices:print_pack_download",
        "privacy:access_log_csv",
    }
)
SUBJECT_ACCESS_VIEWS = frozenset({"privacy:subject_access_download"})
# The object in the URL of each kind that names one, for the report.
OBJECT_KWARGS = ("document_id", "pack_id", "request_id", "patch_id", "officer_id")


@dataclass(frozen=True)
class Read:
    user_id: int
    case_id: int | None
    kind: str
    view: str
    path: str
    object_id: int | None
    at: datetime


def kind_of_read(view: str, kwargs: dict) -> str | None:
    """What kind of read a page is, or None when it shows no one's records."""
    if view in STATEMENT_VIEWS:
        return AccessKind.STATEMENT
    if view in DOCUMENT_VIEWS:
        return AccessKind.DOCUMENT
    if view in EXPORT_VIEWS:
        return AccessKind.EXPORT
    if view in SUBJECT_ACCESS_VIEWS:
        return AccessKind.SUBJECT_ACCESS
    if "case_id" in kwargs:
        return AccessKind.CASE_PAGE
    return None


def read_of(request: HttpRequest, response: HttpResponseBase) -> Read | None:
    """The read this request made, if it showed someone's records; None otherwise.

    Only reads that were answered (a 2xx): a refused or missing page showed nothing.
    """
    match = getattr(request, "resolver_match", None)
    if match is None or request.method not in ("GET", "HEAD"):
        return None
    if not 200 <= response.status_code < 300:
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    kind = kind_of_read(match.view_name, match.kwargs)
    if kind is None:
        return None
    object_id = next((match.kwargs[k] for k in OBJECT_KWARGS if k in match.kwargs), None)
    return Read(
        user_id=user.pk,
        case_id=match.kwargs.get("case_id"),
        kind=kind,
        view=match.view_name[:80],
        path=request.get_full_path()[:500],
        object_id=object_id if isinstance(object_id, int) else None,
        at=timezone.now(),
    )


class _Buffer:
    """Reads waiting to be written, shared by this process's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reads: list[Read] = []

    def add(self, read: Read) -> None:
        with self._lock:
            self._reads.append(read)

    def take(self) -> list[Read]:
        with self._lock:
            reads, self._reads = self._reads, []
        return reads


buffer = _Buffer()


def access_records_write(reads: list[Read]) -> int:
    """Write reads in one insert. Returns how many were written.

    Inside a transaction it takes a savepoint, so a failure leaves the transaction
    usable. On its own (the usual case, after a response) on PostgreSQL it commits
    without waiting for the WAL to reach disk (`synchronous_commit` off for this
    transaction alone): about 3 ms instead of 8 here (bench/privacy.py). A database
    crash could lose the last moment's reads, never corrupt them; nothing else waits.
    """
    if not reads:
        return 0
    rows = [
        AccessRecord(
            user_id=r.user_id,
            case_id=r.case_id,
            kind=r.kind,
            view=r.view,
            path=r.path,
            object_id=r.object_id,
            at=r.at,
        )
        for r in reads
    ]
    connection = transaction.get_connection()
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if own_transaction and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        AccessRecord.objects.bulk_create(rows)
    return len(reads)


def flush_access_records() -> int:
    """Write what the buffer holds, after a response has gone. Never raises."""
    reads = buffer.take()
    try:
        return access_records_write(reads)
    except Exception:
        logger.exception(
            "Could not write %d access records; they follow so the log keeps them: %s",
            len(reads),
            "; ".join(
                f"user {r.user_id} {r.kind} case {r.case_id} {r.path} at {r.at.isoformat()}"
                for r in reads
            ),
        )
        return 0


class AccessLogMiddleware:
    """Notes each read in the buffer, and has the response write it when closed.
    Noting a read never fails the page."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        try:
            read = read_of(request, response)
            if read is not None:
                buffer.add(read)
                # HttpResponseBase.close() calls each closer, then sends request_finished.
                response._resource_closers.append(flush_access_records)
        except Exception:
            logger.exception("Could not note a read of %s", request.path)
        return response
