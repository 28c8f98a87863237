"""An introductory tenant's review of the decision to seek possession (HA 1996 s129;
Introductory Tenants (Review) Regulations 1997, SI 1997/72)."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases.models import Hold
from cases.services import case_event_record
from core.models import User
from court import rules
from court.documents import review_decision_context
from court.models import IntroductoryReview
from court.services.common import Refused
from notices.contexts import load_case
from notices.documents import document_request
from notices.models import DocumentKind, Notice, NoticeKind
from notices.periods import long_date
from notices.services import notice_withdraw


def review_request(
    *,
    notice: Notice,
    actor: User,
    today: date,
    requested_on: date,
    grounds: str,
    oral_hearing: bool = False,
) -> IntroductoryReview:
    """Record the tenant's request for a review. Made in time, it holds any claim until
    the review is decided (the nightly run reads the hold)."""
    problems = {}
    if not grounds.strip():
        problems["grounds"] = "Write down what the tenant says, in their words"
    if requested_on > today:
        problems["requested_on"] = "The date of the request must not be in the future"
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if notice.kind != NoticeKind.NOTICE_OF_PROCEEDINGS or notice.status != Notice.Status.SERVED:
            raise ValidationError(
                "A review is asked for on a served notice of proceedings (introductory tenancy)."
            )
        if IntroductoryReview.objects.filter(notice=notice).exists():
            raise ValidationError("A review of this notice is already recorded.")
        deadline = rules.review_request_deadline(notice.served_on)
        if requested_on > deadline:
            raise Refused(
                [
                    rules.Refusal(
                        "review_request_late",
                        f"The notice was served on {long_date(notice.served_on)}: a review had "
                        f"to be asked for by {long_date(deadline)} (HA 1996 s129(1)). Record "
                        "what the tenant said as a contact; a manager may still look again.",
                    )
                ]
            )
        decide_by = rules.review_decide_by(notice.earliest_proceedings_date)
        case = load_case(notice.case_id)
        hold = Hold.objects.create(
            case=case,
            kind=Hold.Kind.INTRODUCTORY_REVIEW,
            starts_on=requested_on,
            until=decide_by,
            comment=grounds.strip(),
            created_by=actor,
        )
        review = IntroductoryReview.objects.create(
            case=case,
            notice=notice,
            requested_on=requested_on,
            oral_hearing=oral_hearing,
            grounds=grounds.strip(),
            decide_by=decide_by,
            hold=hold,
            recorded_by=actor,
        )
        case_event_record(
            case=case,
            actor=actor,
            verb="court_review_requested",
            payload={
                "review_id": review.pk,
                "notice_id": notice.pk,
                "requested_on": requested_on.isoformat(),
                "oral_hearing": oral_hearing,
                "decide_by": decide_by.isoformat(),
            },
        )
    return review


def _involved(review: IntroductoryReview, user: User) -> bool:
    notice = review.notice
    return user.pk in (notice.created_by_id, notice.approved_by_id)


def review_schedule(
    *,
    review: IntroductoryReview,
    actor: User,
    today: date,
    scheduled_at: datetime,
    reviewer: User,
) -> IntroductoryReview:
    """Set the review (the hearing, if the tenant asked for one) and who reviews."""
    with transaction.atomic():
        review = (
            IntroductoryReview.objects.select_for_update()
            .select_related("notice")
            .get(pk=review.pk)
        )
        if review.decision != IntroductoryReview.Decision.PENDING:
            raise ValidationError("This review has already been decided.")
        refusal = rules.review_schedule_refusal(
            scheduled_at=timezone.localtime(scheduled_at),
            decide_by=review.decide_by,
            oral_hearing=review.oral_hearing,
            today=today,
            reviewer_involved=_involved(review, reviewer),
            reviewer_senior=reviewer.has_perm("cases.approve_legal_action"),
        )
        if refusal is not None:
            raise Refused([refusal])
        review.scheduled_at = scheduled_at
        review.reviewer = reviewer
        review.save(update_fields=["scheduled_at", "reviewer"])
        case_event_record(
            case=review.case,
            actor=actor,
            verb="court_review_scheduled",
            payload={
                "review_id": review.pk,
                "scheduled_at": scheduled_at.isoformat(),
                "reviewer": str(reviewer),
            },
        )
    return review


def review_decide(
    *, review: IntroductoryReview, actor: User, today: date, decision: str, reasons: str
) -> IntroductoryReview:
    """The reviewer's decision, notified to the tenant with its reasons by letter before
    the date in the notice (s129(5), (6)). Confirmed, the claim may go ahead; overturned,
    the notice is withdrawn."""
    D = IntroductoryReview.Decision
    if decision not in (D.CONFIRMED, D.OVERTURNED):
        raise ValidationError({"decision": "Choose the decision"})
    if not reasons.strip():
        raise ValidationError({"reasons": "Give the reasons for the decision"})
    with transaction.atomic():
        review = (
            IntroductoryReview.objects.select_for_update()
            .select_related("notice")
            .get(pk=review.pk)
        )
        if review.decision != D.PENDING:
            raise ValidationError("This review has already been decided.")
        if review.reviewer_id is None:
            raise ValidationError("Set the review and its reviewer first.")
        if actor.pk != review.reviewer_id:
            raise PermissionDenied("Only the reviewer can decide this review.")
        if decision == D.CONFIRMED and today > review.decide_by:
            raise Refused(
                [
                    rules.Refusal(
                        "review_decided_too_late",
                        f"The decision had to be notified by {long_date(review.decide_by)}, "
                        "before the date in the notice (s129(6)): this notice can no longer "
                        "support a claim, and a new one is needed.",
                    )
                ]
            )
        review.decision = decision
        review.reasons = reasons.strip()
        review.decided_on = today
        case = load_case(review.case_id)
        review.letter = document_request(
            case=case,
            kind=DocumentKind.REVIEW_DECISION,
            actor=actor,
            notice=review.notice,
            context=review_decision_context(
                case,
                notice=review.notice,
                requested_on=review.requested_on,
                grounds=review.grounds,
                oral_hearing=review.oral_hearing,
                decision=decision,
                decision_label=D(decision).label,
                reasons=review.reasons,
                today=today,
                actor=actor,
            ),
        )
        review.save(update_fields=["decision", "reasons", "decided_on", "letter"])
        if review.hold_id:
            Hold.objects.filter(pk=review.hold_id).update(
                ended_on=today, ended_by=actor, outcome=decision
            )
        if decision == D.OVERTURNED:
            notice_withdraw(
                notice=review.notice,
                actor=actor,
                reason=f"The review of {long_date(today)} overturned the decision to seek "
                "possession",
            )
        case_event_record(
            case=case,
            actor=actor,
            verb="court_review_decided",
            payload={
                "review_id": review.pk,
                "decision": decision,
                "decision_label": D(decision).label,
            },
        )
    return review
