"""Enforcement: the eviction report and its decision, the warrant, the bailiff's
appointment, the tenant's application to suspend, and withdrawal."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from arrears.selectors import policy_in_force
from cases.models import Case, CourtCase, ProportionalityAssessment, Warrant
from cases.services import case_event_record
from core.models import User
from core.money import format_money
from court import rules
from court.documents import eviction_report_context, warrant_application_context
from court.fees import LABELS, Fee, court_fee
from court.models import SuspensionApplication, WarrantRequest
from court.services.claims import assessment_step_refusal, breathing_space_now
from court.services.common import Refused, refuse
from notices.contexts import figures_for, load_case
from notices.documents import document_request
from notices.models import Document, DocumentKind
from payments.arrangements import court_terms_create
from payments.models import AccountKind, Arrangement, TransactionSource
from payments.services import account_for_debt, charge_post

CHECKS = dict(WarrantRequest.Check.choices)
LIVE_WARRANT = (Warrant.Outcome.PENDING, Warrant.Outcome.ISSUED)


def _terms(court_case: CourtCase) -> Arrangement | None:
    return (
        Arrangement.objects.filter(court_case=court_case)
        .exclude(state="cancelled")
        .order_by("-starts_on", "-id")
        .first()
    )


def _breach_figures(
    terms: Arrangement | None,
) -> tuple[Decimal | None, Decimal | None, date | None]:
    """Expected against paid under the order, from the nightly run's latest check, and
    when the breach began (the first missed or broken check since the terms were kept)."""
    if terms is None:
        return None, None, None
    checks = list(terms.checks.order_by("checked_on", "id"))
    latest = checks[-1] if checks else None
    began = None
    for check in checks:
        breached = check.state in ("missed", "broken")
        began = (began or check.checked_on) if breached else None
    if latest is None:
        return None, None, began
    return latest.expected_paid, latest.actual_paid, began


def _notice_of_default_on(case: Case) -> date | None:
    sent = (
        Document.objects.filter(
            case=case,
            kind=DocumentKind.NOTICE_OF_DEFAULT,
            status=Document.Status.RENDERED,
            is_draft=False,
        )
        .order_by("-requested_at")
        .first()
    )
    return timezone.localtime(sent.requested_at).date() if sent else None


def warrant_refusals(
    *, case: Case, court_case: CourtCase, checks: set[str], today: date
) -> list[rules.Refusal]:
    """What stops an eviction being asked for today: the order, the breach and the
    notice of default, a Breathing Space, the assessment for this step, the checks."""
    terms = _terms(court_case)
    began = _breach_figures(terms)[2]
    policy = policy_in_force()
    refusals = rules.warrant_refusals(
        outcome=court_case.outcome,
        possession_date=court_case.possession_date,
        order_date=court_case.order_date,
        arrangement_state=terms.state if terms else None,
        notice_of_default_on=_notice_of_default_on(case),
        breach_from=began,
        remedy_days=policy.breach_remedy_days,
        today=today,
    )
    if (refusal := breathing_space_now(case, today)) is not None:
        refusals.append(refusal)
    if (
        refusal := assessment_step_refusal(
            case, ProportionalityAssessment.Step.WARRANT, "applying for a warrant", today=today
        )
    ) is not None:
        refusals.append(refusal)
    if (refusal := rules.checks_refusal(confirmed=checks, required=CHECKS)) is not None:
        refusals.append(refusal)
    return refusals


def warrant_request_prepare(
    *,
    court_case: CourtCase,
    actor: User,
    today: date,
    recommendation: str,
    checks: list[str],
    breach_particulars: str = "",
) -> WarrantRequest:
    """Prepare the eviction report and the warrant application summary for a manager.

    Refused, with every reason, while the order cannot be enforced, the tenant has not
    been warned and given time to put a breach right, a Breathing Space is in force, the
    assessment for this step is missing or stale, or a check is not confirmed.
    """
    recommendation = recommendation.strip()
    if not recommendation:
        raise ValidationError({"recommendation": "Say what you recommend, and why"})
    chosen = {c for c in checks if c in CHECKS}
    with transaction.atomic():
        court_case = CourtCase.objects.select_for_update().get(pk=court_case.pk)
        case = load_case(court_case.case_id)
        if WarrantRequest.objects.filter(
            case=case, status__in=["awaiting_approval", "approved"]
        ).exists():
            raise ValidationError("An eviction report for this case is already open.")
        if Warrant.objects.filter(court_case=court_case, outcome__in=LIVE_WARRANT).exists():
            raise ValidationError("A warrant on this order is already live.")
        refusals = warrant_refusals(case=case, court_case=court_case, checks=chosen, today=today)
        if refusals:
            raise Refused(refusals)
        form = rules.warrant_form_for(court_case.outcome)
        expected, paid, _ = _breach_figures(_terms(court_case))
        if form == "N325A" and not breach_particulars.strip():
            due, received = expected or Decimal("0"), paid or Decimal("0")
            breach_particulars = (
                f"The defendant has not kept to the terms of the order of "
                f"{court_case.order_date:%-d %B %Y}: {format_money(due)} was due under it and "
                f"{format_money(received)} paid, a shortfall of {format_money(due - received)}."
            )
        check_rows = [{"key": key, "label": CHECKS[key], "done": key in chosen} for key in CHECKS]
        report = document_request(
            case=case,
            kind=DocumentKind.EVICTION_REPORT,
            actor=actor,
            context=eviction_report_context(
                case,
                court_case=court_case,
                form=form,
                today=today,
                actor=actor,
                recommendation=recommendation,
                checks=check_rows,
                breach_particulars=breach_particulars.strip(),
                expected=expected,
                paid=paid,
            ),
        )
        application = document_request(
            case=case,
            kind=DocumentKind.WARRANT_APPLICATION,
            actor=actor,
            context=warrant_application_context(
                case,
                court_case=court_case,
                form=form,
                today=today,
                actor=actor,
                breach_particulars=breach_particulars.strip(),
            ),
        )
        request = WarrantRequest.objects.create(
            case=case,
            court_case=court_case,
            form=form,
            breach_particulars=breach_particulars.strip(),
            expected=expected,
            paid=paid,
            arrears=figures_for(case, today=today).rent_arrears,
            recommendation=recommendation,
            checks=sorted(chosen),
            report=report,
            application=application,
            prepared_by=actor,
        )
        case_event_record(
            case=case,
            actor=actor,
            verb="warrant_request_prepared",
            payload={"warrant_request_id": request.pk, "form": form, "report_id": report.pk},
        )
    return request


def warrant_request_prepare_or_refuse(**kwargs) -> WarrantRequest:
    try:
        return warrant_request_prepare(**kwargs)
    except Refused as refused:
        refuse(
            kwargs["court_case"].case,
            actor=kwargs["actor"],
            verb="warrant_request_refused",
            refused=refused,
        )
        raise


def warrant_request_decide(
    *, request: WarrantRequest, actor: User, approve: bool, note: str, today: date
) -> WarrantRequest:
    """A manager who did not prepare the eviction report approves or refuses it, with
    reasons either way; an approval checks again that nothing has changed since."""
    if not actor.has_perm("cases.approve_legal_action"):
        raise PermissionDenied("Only a manager can decide on an eviction report.")
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Give the reasons for the decision"})
    with transaction.atomic():
        request = (
            WarrantRequest.objects.select_for_update(of=("self",))
            .select_related("court_case")
            .get(pk=request.pk)
        )
        if request.status != WarrantRequest.Status.AWAITING_APPROVAL:
            raise ValidationError("This eviction report has already been decided.")
        if request.prepared_by_id == actor.pk:
            raise ValidationError("You prepared this eviction report: another manager must decide.")
        if approve:
            refusals = warrant_refusals(
                case=request.case,
                court_case=request.court_case,
                checks=set(request.checks),
                today=today,
            )
            if refusals:
                raise Refused(refusals)
        request.status = (
            WarrantRequest.Status.APPROVED if approve else WarrantRequest.Status.REFUSED
        )
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_note = note
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        case_event_record(
            case=request.case,
            actor=actor,
            verb="warrant_request_approved" if approve else "warrant_request_declined",
            payload={"warrant_request_id": request.pk, "note": note},
        )
    return request


def warrant_apply(
    *, request: WarrantRequest, actor: User, today: date, applied_on: date
) -> Warrant:
    """Record that the approved warrant has been applied for, and post the court fee."""
    if applied_on > today:
        raise ValidationError({"applied_on": "The date applied must not be in the future"})
    with transaction.atomic():
        request = (
            WarrantRequest.objects.select_for_update(of=("self",))
            .select_related("court_case")
            .get(pk=request.pk)
        )
        if request.status != WarrantRequest.Status.APPROVED:
            raise ValidationError(
                "A manager must approve the eviction report before the warrant is applied for."
            )
        if request.decided_at and applied_on < timezone.localtime(request.decided_at).date():
            raise ValidationError(
                {"applied_on": "The warrant cannot be applied for before it was approved"}
            )
        case = load_case(request.case_id)
        if (refusal := breathing_space_now(case, applied_on)) is not None:
            raise Refused([refusal])
        warrant = Warrant.objects.create(
            court_case=request.court_case, form=request.form, applied_on=applied_on
        )
        fee = court_fee(Fee.WARRANT, on=applied_on)
        request.fee_line = charge_post(
            account=account_for_debt(case=case, kind=AccountKind.COURT_COSTS, today=today),
            amount=fee,
            effective_date=applied_on,
            source_reference=f"court-fee-warrant-{warrant.pk}",
            description=f"{LABELS[Fee.WARRANT]}, claim {request.court_case.claim_number}",
            today=today,
            source=TransactionSource.OFFICER,
            actor=actor,
        )
        request.status = WarrantRequest.Status.APPLIED
        request.warrant = warrant
        request.save(update_fields=["status", "warrant", "fee_line"])
        case_event_record(
            case=case,
            actor=actor,
            verb="warrant_applied",
            payload={
                "warrant_id": warrant.pk,
                "form": warrant.form,
                "applied_on": applied_on.isoformat(),
                "fee": str(fee),
            },
        )
    return warrant


def _live_warrant(warrant: Warrant) -> Warrant:
    locked = Warrant.objects.select_for_update().select_related("court_case").get(pk=warrant.pk)
    if locked.outcome not in LIVE_WARRANT:
        raise ValidationError(f"This warrant is {locked.get_outcome_display().lower()}.")
    return locked


def warrant_issue(
    *, warrant: Warrant, actor: User, today: date, issued_on: date, bailiff_reference: str = ""
) -> Warrant:
    if issued_on > today:
        raise ValidationError({"issued_on": "The date of issue must not be in the future"})
    with transaction.atomic():
        warrant = _live_warrant(warrant)
        if issued_on < warrant.applied_on:
            raise ValidationError({"issued_on": "A warrant is issued after it is applied for"})
        warrant.issued_on = issued_on
        warrant.bailiff_reference = bailiff_reference.strip()
        warrant.outcome = Warrant.Outcome.ISSUED
        warrant.save(update_fields=["issued_on", "bailiff_reference", "outcome"])
        case_event_record(
            case=warrant.court_case.case,
            actor=actor,
            verb="warrant_issued",
            payload={"warrant_id": warrant.pk, "issued_on": issued_on.isoformat()},
        )
    return warrant


def warrant_appointment(
    *, warrant: Warrant, actor: User, today: date, eviction_date: date, eviction_time: time
) -> Warrant:
    """The bailiff's appointment (form EX96): the date and time of the eviction."""
    if eviction_date < today:
        raise ValidationError({"eviction_date": "The eviction date must not be in the past"})
    with transaction.atomic():
        warrant = _live_warrant(warrant)
        if warrant.outcome != Warrant.Outcome.ISSUED:
            raise ValidationError("Record the warrant's issue before the bailiff's appointment.")
        warrant.eviction_date = eviction_date
        warrant.eviction_time = eviction_time
        warrant.save(update_fields=["eviction_date", "eviction_time"])
        at = timezone.make_aware(datetime.combine(eviction_date, eviction_time))
        case_event_record(
            case=warrant.court_case.case,
            actor=actor,
            verb="warrant_appointment_booked",
            payload={"warrant_id": warrant.pk, "eviction_at": at.isoformat()},
        )
    return warrant


def warrant_suspension_apply(
    *, warrant: Warrant, actor: User, today: date, applied_on: date, hearing_at: datetime | None
) -> SuspensionApplication:
    """The tenant applied to suspend the warrant (N244/N245); the eviction waits on it."""
    if applied_on > today:
        raise ValidationError({"applied_on": "The date applied must not be in the future"})
    with transaction.atomic():
        warrant = _live_warrant(warrant)
        if warrant.suspensions.filter(outcome=SuspensionApplication.Outcome.PENDING).exists():
            raise ValidationError("An application to suspend this warrant is already pending.")
        application = SuspensionApplication.objects.create(
            warrant=warrant, applied_on=applied_on, hearing_at=hearing_at, recorded_by=actor
        )
        case_event_record(
            case=warrant.court_case.case,
            actor=actor,
            verb="warrant_suspension_applied",
            payload={"warrant_id": warrant.pk, "applied_on": applied_on.isoformat()},
        )
    return application


def warrant_suspension_decide(
    *,
    application: SuspensionApplication,
    actor: User,
    today: date,
    outcome: str,
    decided_on: date,
    terms_instalment: Decimal | None = None,
    terms_frequency: str = "",
    terms_start: date | None = None,
    notes: str = "",
) -> SuspensionApplication:
    """What the court did with the application: suspended on terms (which become the
    court-ordered arrangement, and the warrant is suspended), dismissed or withdrawn."""
    S = SuspensionApplication.Outcome
    if outcome not in (S.SUSPENDED_ON_TERMS, S.DISMISSED, S.WITHDRAWN):
        raise ValidationError({"outcome": "Choose what the court decided"})
    if decided_on > today:
        raise ValidationError({"decided_on": "The date must not be in the future"})
    if outcome == S.SUSPENDED_ON_TERMS and (
        terms_instalment is None or not terms_frequency or terms_start is None
    ):
        raise ValidationError(
            {
                "terms_instalment": "Enter the terms the warrant was suspended on: amount, how "
                "often, and the first payment date"
            }
        )
    with transaction.atomic():
        application = SuspensionApplication.objects.select_for_update().get(pk=application.pk)
        if application.outcome != S.PENDING:
            raise ValidationError("This application has already been decided.")
        warrant = (
            Warrant.objects.select_for_update()
            .select_related("court_case")
            .get(pk=application.warrant_id)
        )
        application.outcome = outcome
        application.decided_on = decided_on
        application.terms_instalment = terms_instalment
        application.terms_frequency = terms_frequency
        application.notes = notes.strip()
        application.save()
        case = load_case(warrant.court_case.case_id)
        if outcome == S.SUSPENDED_ON_TERMS:
            warrant.outcome = Warrant.Outcome.SUSPENDED
            warrant.save(update_fields=["outcome"])
            rent = next(a for a in case.accounts.all() if a.rent_lawfully_due and a.is_open)
            court_terms_create(
                case=case,
                account=rent,
                court_case=warrant.court_case,
                frequency=terms_frequency,
                instalment=terms_instalment,
                starts_on=terms_start,
                actor=actor,
                today=today,
            )
        case_event_record(
            case=case,
            actor=actor,
            verb="warrant_suspension_decided",
            payload={
                "warrant_id": warrant.pk,
                "outcome": outcome,
                "outcome_label": S(outcome).label,
            },
        )
    return application


def warrant_withdraw(*, warrant: Warrant, actor: User, reason: str) -> Warrant:
    if not reason.strip():
        raise ValidationError({"reason": "Say why the warrant is withdrawn"})
    with transaction.atomic():
        warrant = _live_warrant(warrant)
        warrant.outcome = Warrant.Outcome.WITHDRAWN
        warrant.save(update_fields=["outcome"])
        case_event_record(
            case=warrant.court_case.case,
            actor=actor,
            verb="warrant_withdrawn",
            payload={"warrant_id": warrant.pk, "reason": reason.strip()},
        )
    return warrant
