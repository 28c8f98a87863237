"""The possession claim: prepared from an approved court pack, then issued."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arrears.selectors import policy_in_force
from cases.models import Case, Contact, CourtCase, Hold, ProportionalityAssessment, Tenure
from cases.services import case_event_record
from core.models import User
from core.money import to_money
from court import rules
from court.documents import particulars_context
from court.fees import LABELS, Fee, court_fee
from court.models import Claim, IntroductoryReview
from court.services.common import Refused, refuse
from notices.catalogue import template_for
from notices.checks import Refusal
from notices.contexts import figures_for, letter_context, load_case, statement_context
from notices.court_packs import STATEMENT_YEARS
from notices.documents import document_request
from notices.models import CourtPack, Document, DocumentKind, Notice
from notices.periods import add_months, long_date
from payments.models import AccountKind, Arrangement, TransactionSource
from payments.services import account_for_debt, charge_post


def _assessment(case: Case, step: str) -> ProportionalityAssessment | None:
    return (
        ProportionalityAssessment.objects.filter(case=case, step=step)
        .order_by("-assessed_on", "-id")
        .first()
    )


def assessment_step_refusal(case: Case, step: str, label: str, *, today: date) -> Refusal | None:
    found = _assessment(case, step)
    return rules.assessment_refusal(
        step_label=label,
        assessed_on=found.assessed_on if found else None,
        proceed=bool(found and found.decision == ProportionalityAssessment.Decision.PROCEED),
        today=today,
        max_age_days=policy_in_force().assessment_max_age_days,
    )


def breathing_space_now(case: Case, today: date) -> Refusal | None:
    """No claim and no enforcement for a moratorium debt during a Breathing Space (SI
    2020/1311 reg 7; legal-reference.md §10)."""
    hold = next(
        (
            h
            for h in Hold.objects.filter(case=case, kind=Hold.Kind.BREATHING_SPACE)
            if h.is_active_on(today)
        ),
        None,
    )
    if hold is None:
        return None
    until = f" until {long_date(hold.until)}" if hold.until else ""
    return Refusal(
        "breathing_space",
        f"A Breathing Space is in force{until}: no claim or enforcement may begin for the "
        "arrears during it (SI 2020/1311).",
    )


def claim_refusals(*, case: Case, pack: CourtPack | None, today: date) -> list[Refusal]:
    """Everything that stops a claim being prepared today, each with its reason: the
    manager's approval, the notice, the Protocol's steps, a Breathing Space, a pending
    benefit claim or review, an arrangement being kept, and the assessment for court."""
    refusals: list[Refusal] = []
    if pack is None or pack.status != CourtPack.Status.APPROVED:
        refusals.append(
            Refusal(
                "court_pack_not_approved",
                "A manager has not approved a court pack for this claim.",
            )
        )
    notice = pack.notice if pack is not None else None
    refusal = rules.notice_refusal(
        served=bool(notice and notice.status == Notice.Status.SERVED),
        in_force=bool(notice and notice.is_in_force_on(today)),
        earliest=notice.earliest_proceedings_date if notice else None,
        last=notice.last_proceedings_date if notice else None,
        today=today,
    )
    if refusal:
        refusals.append(refusal)
    if notice is not None and notice.served_on:
        attempts = Contact.objects.filter(case=case, contacted_on__gt=notice.served_on).count()
        if refusal := rules.contact_after_notice_refusal(
            attempts=attempts, served_on=notice.served_on
        ):
            refusals.append(refusal)
    letter = (
        Document.objects.filter(
            case=case,
            kind=DocumentKind.PRE_ACTION_PROTOCOL,
            status=Document.Status.RENDERED,
            is_draft=False,
        )
        .order_by("-requested_at")
        .first()
    )
    policy = policy_in_force()
    ladder = policy.ladders.get(case.tenancy.tenure) or policy.ladders["secure"]
    wait = ladder["court"].gap_days if "court" in ladder else 14
    if refusal := rules.pre_action_letter_refusal(
        sent_on=timezone.localtime(letter.requested_at).date() if letter else None,
        today=today,
        wait_days=wait,
    ):
        refusals.append(refusal)
    if refusal := breathing_space_now(case, today):
        refusals.append(refusal)
    claim_hold = next(
        (
            h
            for h in Hold.objects.filter(
                case=case, kind=Hold.Kind.BENEFIT_CLAIM, all_evidence_supplied=True
            )
            if h.is_active_on(today)
        ),
        None,
    )
    if refusal := rules.benefit_claim_refusal(
        benefit=claim_hold.reason_label if claim_hold else None,
        since=claim_hold.starts_on if claim_hold else None,
    ):
        refusals.append(refusal)
    kept = (
        Arrangement.objects.filter(
            case=case, kind=Arrangement.Kind.INFORMAL, state__in=["live", "kept"]
        )
        .order_by("-starts_on")
        .first()
    )
    if refusal := rules.arrangement_kept_refusal(
        instalment=kept.instalment if kept else None, frequency=kept.frequency if kept else ""
    ):
        refusals.append(refusal)
    if case.tenancy.tenure == Tenure.INTRODUCTORY:
        review = IntroductoryReview.objects.filter(notice=notice).first() if notice else None
        if refusal := rules.review_refusal(
            decision=review.decision if review else None,
            decide_by=review.decide_by if review else None,
        ):
            refusals.append(refusal)
        if refusal := rules.trial_period_refusal(
            trial_period_end=case.tenancy.trial_period_end, today=today
        ):
            refusals.append(refusal)
    if refusal := assessment_step_refusal(
        case, ProportionalityAssessment.Step.COURT, "issuing a claim", today=today
    ):
        refusals.append(refusal)
    return refusals


def approved_pack(case: Case) -> CourtPack | None:
    """The latest approved court pack with no claim prepared from it yet."""
    return (
        CourtPack.objects.filter(case=case, status=CourtPack.Status.APPROVED, claim__isnull=True)
        .select_related("notice")
        .order_by("-decided_at", "-id")
        .first()
    )


def claim_prepare(*, case: Case, actor: User, today: date) -> Claim:
    """Prepare the claim: the particulars of claim and the two-year schedule as PDFs.

    Refused, with every reason, while the court pack is not approved, the notice is not
    in force, a Protocol step is missing or too recent, a Breathing Space is in force or
    the assessment for court is missing or stale; the refusal is on the timeline.
    """
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        case = load_case(case.pk)
        if Claim.objects.filter(case=case, status=Claim.Status.PREPARED).exists():
            raise ValidationError(
                "A claim for this case is already prepared: issue or withdraw it."
            )
        pack = approved_pack(case)
        refusals = claim_refusals(case=case, pack=pack, today=today)
        if refusals:
            raise Refused(refusals)
        notice = pack.notice
        figures = figures_for(case, today=today)
        charge_weeks = 52 - settings.RENT_FREE_WEEKS_PER_YEAR
        particulars = document_request(
            case=case,
            kind=DocumentKind.PARTICULARS_OF_CLAIM,
            actor=actor,
            notice=notice,
            context=particulars_context(
                case, notice=notice, today=today, actor=actor, arrears=figures.rent_arrears
            ),
        )
        schedule = document_request(
            case=case,
            kind=DocumentKind.STATEMENT,
            actor=actor,
            context=statement_context(
                case,
                template=template_for(DocumentKind.STATEMENT),
                today=today,
                start=add_months(today, -12 * STATEMENT_YEARS) + timedelta(days=1),
                end=today,
                for_court=True,
                actor=actor,
            ),
        )
        claim = Claim.objects.create(
            case=case,
            court_pack=pack,
            notice=notice,
            particulars=particulars,
            schedule=schedule,
            arrears=figures.rent_arrears,
            daily_rent=to_money(figures.weekly_charge * charge_weeks / 365),
            grounds=list(notice.grounds or []),
            prepared_by=actor,
        )
        case_event_record(
            case=case,
            actor=actor,
            verb="court_claim_prepared",
            payload={
                "claim_id": claim.pk,
                "arrears": str(claim.arrears),
                "particulars_id": particulars.pk,
                "schedule_id": schedule.pk,
            },
        )
    return claim


def claim_prepare_or_refuse(*, case: Case, actor: User, today: date) -> Claim:
    """`claim_prepare`, recording a refusal on the timeline before raising it."""
    try:
        return claim_prepare(case=case, actor=actor, today=today)
    except Refused as refused:
        refuse(case, actor=actor, verb="court_claim_refused", refused=refused)
        raise


def claim_issue(
    *,
    claim: Claim,
    actor: User,
    today: date,
    claim_number: str,
    court_name: str,
    issued_on: date,
    hearing_at: datetime,
) -> CourtCase:
    """Record the issue of the claim: what the court gave back (claim number, court, the
    hearing), the court fee posted to the court-costs account, and the hearing letter to
    every tenant (PAP para 14: the date, the order sought, and to attend)."""
    claim_number = claim_number.strip().upper()
    court_name = court_name.strip()
    problems = {}
    if not claim_number:
        problems["claim_number"] = "Enter the claim number the court gave"
    if not court_name:
        problems["court_name"] = "Enter the court, like County Court at Eastbrook"
    if issued_on > today:
        problems["issued_on"] = "The date of issue must not be in the future"
    if timezone.is_naive(hearing_at):
        hearing_at = timezone.make_aware(hearing_at)
    hearing_on = timezone.localtime(hearing_at).date()
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("notice").get(pk=claim.pk)
        if claim.status != Claim.Status.PREPARED:
            raise ValidationError(f"This claim is {claim.get_status_display().lower()}.")
        if issued_on < timezone.localtime(claim.prepared_at).date():
            raise ValidationError(
                {"issued_on": "The claim cannot be issued before it was prepared"}
            )
        if CourtCase.objects.filter(claim_number=claim_number).exclude(case=claim.case).exists():
            raise ValidationError({"claim_number": f"Claim {claim_number} is another case's"})
        refusals = [
            r
            for r in (
                rules.notice_refusal(
                    served=claim.notice.status == Notice.Status.SERVED,
                    in_force=claim.notice.is_in_force_on(issued_on),
                    earliest=claim.notice.earliest_proceedings_date,
                    last=claim.notice.last_proceedings_date,
                    today=issued_on,
                ),
                rules.hearing_date_refusal(issued_on=issued_on, hearing_on=hearing_on),
            )
            if r
        ]
        if refusals:
            raise Refused(refusals)
        case = load_case(claim.case_id)
        court_case = CourtCase.objects.create(
            case=case,
            claim_number=claim_number,
            court_name=court_name,
            issued_on=issued_on,
            hearing_at=hearing_at,
        )
        fee = court_fee(Fee.POSSESSION_CLAIM, on=issued_on)
        costs = account_for_debt(case=case, kind=AccountKind.COURT_COSTS, today=today)
        line = charge_post(
            account=costs,
            amount=fee,
            effective_date=issued_on,
            source_reference=f"court-fee-claim-{claim.pk}",
            description=f"{LABELS[Fee.POSSESSION_CLAIM]}, claim {claim_number}",
            today=today,
            source=TransactionSource.OFFICER,
            actor=actor,
        )
        claim.status = Claim.Status.ISSUED
        claim.court_case = court_case
        claim.issued_by = actor
        claim.fee = fee
        claim.fee_line = line
        claim.save(update_fields=["status", "court_case", "issued_by", "fee", "fee_line"])
        case_event_record(
            case=case,
            actor=actor,
            verb="court_claim_issued",
            payload={
                "claim_id": claim.pk,
                "court_case_id": court_case.pk,
                "claim_number": claim_number,
                "court_name": court_name,
                "issued_on": issued_on.isoformat(),
                "hearing_at": hearing_at.isoformat(),
                "fee": str(fee),
            },
        )
        if hearing_on >= today:
            hearing_letter(case=case, actor=actor, today=today)
    return court_case


def hearing_letter(*, case: Case, actor: User, today: date) -> Document:
    """The hearing letter, one copy to each tenant, with an up-to-date statement and the
    benefits position (PAP paras 13-14)."""
    kind = DocumentKind.COURT_HEARING
    context = letter_context(kind, case, template=template_for(kind), today=today, actor=actor)
    return document_request(case=case, kind=kind, context=context, actor=actor)


def claim_withdraw(*, claim: Claim, actor: User, reason: str) -> Claim:
    """Withdraw a prepared claim that will not be issued (its papers stay)."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the claim will not be issued"})
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != Claim.Status.PREPARED:
            raise ValidationError("Only a claim not yet issued can be withdrawn here.")
        claim.status = Claim.Status.WITHDRAWN
        claim.save(update_fields=["status"])
        case_event_record(
            case=claim.case,
            actor=actor,
            verb="court_claim_withdrawn",
            payload={"claim_id": claim.pk, "reason": reason.strip()},
        )
    return claim
