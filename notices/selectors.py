"""Reads of notices and documents for pages, each a fixed number of queries."""

from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from arrears.models import LetterRequest
from cases.models import Case, ProportionalityAssessment
from notices.models import (
    OPEN_NOTICE_STATUSES,
    CourtPack,
    Document,
    Message,
    MessageOptOut,
    Notice,
    NoticeService,
    PrintPack,
)


def documents_for_case(*, case: Case) -> QuerySet[Document]:
    """Every document produced (or being produced) for a case, newest first."""
    return (
        Document.objects.filter(case=case)
        .select_related("requested_by", "notice")
        .order_by("-requested_at", "-id")
    )


def messages_for_case(*, case: Case, limit: int = 50) -> list[Message]:
    """The case's latest texts, emails and Notify letters, newest first."""
    return list(Message.objects.filter(case=case).select_related("requested_by")[:limit])


def opt_outs_for_case(*, case: Case) -> list[MessageOptOut]:
    """The household's opt-outs still in force."""
    return list(
        MessageOptOut.objects.filter(
            tenant__tenancy_id=case.tenancy_id, withdrawn_on__isnull=True
        ).select_related("tenant", "recorded_by")
    )


def notices_for_case(*, case: Case) -> QuerySet[Notice]:
    """Every notice on a case, newest first, with who drafted and approved it and its
    service records (one extra query for all of them)."""
    return (
        Notice.objects.filter(case=case)
        .select_related("created_by", "approved_by", "tenancy")
        .prefetch_related(
            Prefetch(
                "services",
                queryset=NoticeService.objects.select_related("served_by").order_by("served_at"),
            )
        )
        .order_by("-created_at", "-id")
    )


def notice_for_case(*, case: Case, notice_id: int) -> Notice:
    return (
        Notice.objects.select_related("created_by", "approved_by", "printed_by", "withdrawn_by")
        .prefetch_related("services__served_by", "services__certificate")
        .get(case=case, pk=notice_id)
    )


def notices_blocking_a_new_one(*, tenancy_id: int, today: date) -> list[Notice]:
    """Notices that stop another being drafted: one on its way to service, or one served
    and still in force (legal-reference.md §19 rule 9 read the other way round)."""
    candidates = Notice.objects.filter(tenancy_id=tenancy_id).filter(
        Q(status__in=OPEN_NOTICE_STATUSES) | Q(status=Notice.Status.SERVED)
    )
    return [
        notice
        for notice in candidates.order_by("-created_at")
        if notice.is_open or notice.is_in_force_on(today)
    ]


def latest_notice_assessment(*, case: Case) -> ProportionalityAssessment | None:
    return (
        ProportionalityAssessment.objects.filter(
            case=case, step=ProportionalityAssessment.Step.NOTICE
        )
        .order_by("-assessed_on", "-id")
        .first()
    )


def notices_awaiting_approval() -> QuerySet[Notice]:
    """The manager's queue: notices officers have sent for approval, oldest first."""
    return (
        Notice.objects.filter(status=Notice.Status.AWAITING_APPROVAL)
        .select_related("case", "case__patch", "tenancy__property", "created_by")
        .order_by("created_at", "id")
    )


def court_packs_awaiting_approval() -> QuerySet[CourtPack]:
    return (
        CourtPack.objects.filter(status=CourtPack.Status.AWAITING_APPROVAL)
        .select_related("case", "case__patch", "case__tenancy__property", "prepared_by", "notice")
        .order_by("prepared_at", "id")
    )


def court_packs_for_case(*, case: Case) -> QuerySet[CourtPack]:
    return (
        CourtPack.objects.filter(case=case)
        .select_related("prepared_by", "decided_by", "report", "statement", "notice")
        .order_by("-prepared_at", "-id")
    )


def print_packs() -> QuerySet[PrintPack]:
    return PrintPack.objects.order_by("-run_date", "-sequence")


def letter_requests_by_day(*, run_date: date) -> dict[str, int]:
    """How many of the day's letter requests are in each state."""
    rows = (
        LetterRequest.objects.filter(run_date=run_date)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["status"]: row["n"] for row in rows}


def failed_letter_requests(*, run_date: date) -> QuerySet[LetterRequest]:
    return (
        LetterRequest.objects.filter(run_date=run_date, status=LetterRequest.Status.FAILED)
        .select_related("case")
        .order_by("id")
    )
