"""Reads for the court pages: a case's legal history in order, and the managers' queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CourtCase, ProportionalityAssessment, Warrant
from court.models import Claim, Hearing, IntroductoryReview, MoneyClaim, WarrantRequest
from notices.models import CourtPack, Notice


def warrant_requests_awaiting_approval() -> QuerySet[WarrantRequest]:
    return (
        WarrantRequest.objects.filter(status=WarrantRequest.Status.AWAITING_APPROVAL)
        .select_related("case__patch", "case__tenancy__property", "court_case", "prepared_by")
        .order_by("prepared_at", "id")
    )


@dataclass
class LegalStep:
    """One dated step in a case's legal history, with the page that shows it."""

    when: date
    what: str
    detail: str
    url: str


def _day(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date()
    return value


def legal_history(
    *,
    case: Case,
    notices: list[Notice],
    packs: list[CourtPack],
    claims: list[Claim],
    court_cases: list[CourtCase],
    reviews: list[IntroductoryReview],
    money_claims: list[MoneyClaim],
) -> list[LegalStep]:
    """The whole legal history of the case in date order, from records already read:
    notices, court packs, claims, hearings, eviction reports, warrants, evictions,
    reviews and money claims."""
    steps: list[LegalStep] = []

    def add(when, what: str, detail: str = "", url: str = "") -> None:
        day = _day(when)
        if day is not None:
            steps.append(LegalStep(day, what, detail, url))

    for notice in notices:
        if notice.status == Notice.Status.DRAFT:
            continue
        url = reverse("notices:notice_detail", args=[case.pk, notice.pk])
        kind = notice.get_kind_display()
        add(notice.created_at, f"{kind} drafted", "", url)
        add(notice.served_on, f"{kind} served", notice.get_status_display(), url)
    for pack in packs:
        url = reverse("notices:court_pack_detail", args=[case.pk, pack.pk])
        add(pack.prepared_at, "Court pack prepared", pack.get_status_display(), url)
    for claim in claims:
        url = reverse("court:claim_detail", args=[case.pk, claim.pk])
        add(claim.prepared_at, "Possession claim prepared", claim.get_status_display(), url)
    for court in court_cases:
        add(court.issued_on, f"Claim {court.claim_number} issued", court.court_name)
        for hearing in court.hearings.all():
            add(hearing.hearing_at, "Hearing", hearing.get_outcome_display())
        for request in court.warrant_requests.all():
            url = reverse("court:warrant_request_detail", args=[case.pk, request.pk])
            add(
                request.prepared_at,
                f"Eviction report ({request.form})",
                request.get_status_display(),
                url,
            )
        for warrant in court.warrants.all():
            add(
                warrant.applied_on,
                f"Warrant ({warrant.form}) applied for",
                warrant.get_outcome_display(),
            )
            add(warrant.eviction_date, "Eviction booked")
            eviction = getattr(warrant, "eviction", None)
            if eviction is not None:
                went = "Went ahead" if eviction.went_ahead else "Did not go ahead"
                add(eviction.attended_on, "Eviction", went)
    for review in reviews:
        url = reverse("court:review_detail", args=[case.pk, review.pk])
        add(
            review.requested_on,
            "Review of the notice asked for",
            review.get_decision_display(),
            url,
        )
    for claim in money_claims:
        url = reverse("court:money_claim_detail", args=[case.pk, claim.pk])
        add(
            claim.prepared_at,
            f"Money claim on {claim.account.reference}",
            claim.get_status_display(),
            url,
        )
    return sorted(steps, key=lambda s: s.when)


def court_summary(*, case: Case, notices: list[Notice]) -> dict[str, Any]:
    """What the case's Notices and court section shows beside the notices, in a fixed
    number of queries however long the history."""
    court_cases = list(
        CourtCase.objects.filter(case=case)
        .select_related("claim")
        .prefetch_related(
            Prefetch(
                "warrants",
                queryset=Warrant.objects.select_related("eviction")
                .prefetch_related("suspensions")
                .order_by("-applied_on"),
            ),
            Prefetch("hearings", queryset=Hearing.objects.order_by("hearing_at")),
            Prefetch("warrant_requests", queryset=WarrantRequest.objects.order_by("-prepared_at")),
        )
    )
    claims = list(Claim.objects.filter(case=case))
    reviews = list(IntroductoryReview.objects.filter(case=case))
    money_claims = list(MoneyClaim.objects.filter(case=case).select_related("account"))
    packs = list(CourtPack.objects.filter(case=case))
    return {
        "assessments": list(
            ProportionalityAssessment.objects.filter(case=case).select_related("assessed_by")
        ),
        "claims": claims,
        "court_cases": court_cases,
        "reviews": reviews,
        "reviewed_notice_ids": [r.notice_id for r in reviews],
        "money_claims": money_claims,
        "history": legal_history(
            case=case,
            notices=notices,
            packs=packs,
            claims=claims,
            court_cases=court_cases,
            reviews=reviews,
            money_claims=money_claims,
        ),
    }
