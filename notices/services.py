"""The notice workflow: draft, checks, approval, print, service, expiry and withdrawal.

Each service runs in one transaction, locks the notice (or the case when drafting),
writes a CaseEvent for the step in the same transaction, and defers its PDF to a
worker after commit. A refusal raises NoticeRefusedError naming every reason, writes
nothing but a `notice_refused` event (the attempt is evidence too), and produces no PDF.
No notice is ever served by the machine: every step here is a person's (UK GDPR
Art 22A-D; legal-reference.md §15).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cases.models import Case, CaseEvent, CourtCase, Hold, Tenancy, Tenant, VulnerabilityFlag
from cases.services import case_event_record
from core.models import User
from core.money import format_money, weeks_of
from notices import periods
from notices.catalogue import NOTICE_DOCUMENT_KIND, template_for
from notices.checks import (
    HoldFact,
    NoticeFacts,
    NoticeInForce,
    Refusal,
    ground_8_threshold,
    notice_policy,
    notice_refusals,
)
from notices.contexts import (
    arrears_accounts,
    base_context,
    figures_for,
    first_default_on,
    letters_sent,
    load_case,
    statement_lines,
)
from notices.documents import document_request
from notices.models import (
    NOTICES_TO_QUIT,
    OPEN_NOTICE_STATUSES,
    Document,
    Notice,
    NoticeKind,
    NoticeService,
    ServiceMethod,
)
from notices.periods import Kind, long_date
from notices.selectors import latest_notice_assessment

S8_KINDS = frozenset({NoticeKind.S8_FORM_3, NoticeKind.S8_FORM_3A})
S8_GROUNDS = ("8", "10", "11")


class NoticeRefusedError(ValidationError):
    """The checks refused; `refusals` holds each reason."""

    def __init__(self, refusals: list[Refusal], *, step: str) -> None:
        self.refusals = refusals
        self.step = step
        super().__init__([refusal.message for refusal in refusals])


class _Refused(Exception):
    def __init__(self, refusals: list[Refusal]) -> None:
        self.refusals = refusals


# Reading the facts --------------------------------------------------------------------


def rent_period_of(tenancy: Tenancy) -> periods.RentPeriod:
    return periods.RentPeriod(
        periods.Period(tenancy.rent_period),
        start_weekday=tenancy.period_start_weekday,
        anchor=tenancy.period_anchor,
        start_day=tenancy.period_start_day,
    )


def expected_kind(tenancy: Tenancy, *, served_on: date) -> Kind | None:
    try:
        return periods.notice_kind_for(
            tenure=periods.Tenure(tenancy.tenure),
            landlord_registered_provider=tenancy.landlord_registered_provider,
            served_on=served_on,
            rra_social_from=notice_policy(tenancy.tenure).rra_social_from,
            fixed_term_end=tenancy.fixed_term_end,
        )
    except periods.NoticeRefused:
        return None


def planned_dates(
    tenancy: Tenancy, *, served_on: date, method: str
) -> tuple[periods.NoticeDates | None, str | None]:
    """The dates for a notice served on `served_on` by `method`, or the reason there are none."""
    try:
        return (
            periods.notice_dates(
                tenure=periods.Tenure(tenancy.tenure),
                rent=rent_period_of(tenancy),
                served_on=served_on,
                method=periods.Method(method),
                landlord_registered_provider=tenancy.landlord_registered_provider,
                trial_period_end=tenancy.trial_period_end,
                fixed_term_end=tenancy.fixed_term_end,
                rra_social_from=notice_policy(tenancy.tenure).rra_social_from,
            ),
            None,
        )
    except periods.NoticeRefused as refusal:
        return None, str(refusal)


def notice_facts(
    case: Case, *, today: date, service_on: date, excluding: Notice | None = None
) -> NoticeFacts:
    """What the checks need about a case, in a fixed number of queries."""
    tenancy = case.tenancy
    figures = figures_for(case, today=today)
    assessment = latest_notice_assessment(case=case)
    flags_since = 0
    if assessment is not None:
        flags_since = VulnerabilityFlag.objects.filter(
            case=case, recorded_on__gt=assessment.assessed_on, cleared_on__isnull=True
        ).count()
    holds = [
        HoldFact(h.kind, h.reason_label, h.starts_on, h.until, h.ended_on)
        for h in Hold.objects.filter(case=case, kind=Hold.Kind.BREATHING_SPACE)
    ]
    blocking = Notice.objects.filter(tenancy=tenancy).filter(
        Q(status__in=OPEN_NOTICE_STATUSES) | Q(status=Notice.Status.SERVED)
    )
    if excluding is not None:
        blocking = blocking.exclude(pk=excluding.pk)
    return NoticeFacts(
        tenure=tenancy.tenure,
        expected_kind=expected_kind(tenancy, served_on=service_on),
        tenancy_end_date=tenancy.end_date,
        tenant_names=[t.full_name for t in tenancy.tenants.all() if t.is_tenant],
        holds=holds,
        assessment_on=assessment.assessed_on if assessment else None,
        assessment_proceed=bool(assessment and assessment.decision == "proceed"),
        flags_recorded_since_assessment=flags_since,
        rent_arrears=figures.rent_arrears,
        technical_arrears=figures.technical_arrears,
        weekly_charge=figures.weekly_charge,
        weekly_net_rent=figures.weekly_net_rent,
        rent_period=tenancy.rent_period,
        blocking_notices=[
            NoticeInForce(
                n.pk, n.get_kind_display(), n.status, n.served_on, n.last_proceedings_date
            )
            for n in blocking.order_by("-created_at")
            if n.is_open or n.is_in_force_on(today)
        ],
    )


def _refuse(
    case: Case,
    *,
    actor: User | None,
    kind: str,
    step: str,
    refusals: list[Refusal],
    notice: Notice | None = None,
) -> None:
    """Record the refusal on the timeline (in its own transaction) and raise."""
    with transaction.atomic():
        case_event_record(
            case=case,
            actor=actor,
            verb="notice_refused",
            payload={
                "notice_id": notice.pk if notice else None,
                "kind": kind,
                "kind_label": NoticeKind(kind).label if kind in NoticeKind.values else kind,
                "step": step,
                "reasons": [r.message for r in refusals],
                "codes": [r.code for r in refusals],
            },
        )
    raise NoticeRefusedError(refusals, step=step)


# What the notice says -------------------------------------------------------------------


GROUND_TEXT = {
    "1": "Rent lawfully due from the tenant has not been paid or an obligation of the tenancy "
    "has been broken or not performed.",
}


def particulars_for(
    *,
    kind: str,
    arrears: Decimal,
    arrears_on: date,
    weekly_charge: Decimal,
    letters: list[dict[str, str]],
    extra: str,
    grounds: list[str] | None = None,
    rent_period: str = "weekly",
    arrears_since: date | None = None,
) -> str:
    """The particulars of each rent ground: the arrears, what they are in weeks, and the
    steps taken (insufficient particulars get a claim struck out; legal-reference.md §1).
    A s8 notice gives particulars for each of grounds 8, 10 and 11 relied on (§4)."""
    weeks = weeks_of(arrears, weekly_charge)
    parts = [
        f"Rent lawfully due from you has not been paid. On {long_date(arrears_on)} the arrears of "
        f"rent were {format_money(arrears)}"
        + (
            f", which is {weeks} weeks' rent at the current rent of "
            f"{format_money(weekly_charge)} a week"
            if weeks is not None
            else ""
        )
        + "."
    ]
    if kind in S8_KINDS:
        rra = kind == NoticeKind.S8_FORM_3A
        for ground in grounds or []:
            if ground == "8":
                threshold = ground_8_threshold(
                    weekly_charge=weekly_charge, rent_period=rent_period, rra=rra
                )
                parts.append(
                    f"Ground 8: the rent unpaid today, {format_money(arrears)}, is more than "
                    f"the {format_money(threshold)} the ground requires; it must still be unpaid "
                    "at the hearing."
                )
            elif ground == "10":
                parts.append(f"Ground 10: {format_money(arrears)} of rent lawfully due is unpaid.")
            elif ground == "11":
                since = f" since {long_date(arrears_since)}" if arrears_since else ""
                parts.append(
                    f"Ground 11: you have persistently delayed paying rent; the account has been "
                    f"in arrears{since}."
                )
    if letters:
        dates = ", ".join(long_date(date.fromisoformat(letter["date"])) for letter in letters)
        parts.append(f"We wrote to you about the arrears on {dates}.")
    parts.append("You can ask us for a statement of your rent account at any time.")
    if extra.strip():
        parts.append(extra.strip())
    return "\n\n".join(parts)


def arrears_began_on(case: Case, *, today: date) -> date | None:
    """When the current run of arrears began, within the last two years (the ledger)."""
    accounts = arrears_accounts(case, list(case.accounts.all()))
    if not accounts:
        return None
    start = periods.add_months(today, -24)
    section = statement_lines(accounts[:1], start=start, end=today)[0]
    began = first_default_on(section, start)
    return began if Decimal(section["closing"]) > 0 else None


def notice_context(
    notice: Notice, case: Case, *, today: date, signatory: User | None
) -> dict[str, Any]:
    """What a notice prints, from the notice record (the figures and dates as drafted)."""
    template = template_for(NOTICE_DOCUMENT_KIND[notice.kind])
    context = base_context(case, template=template, today=today)
    total = len(context["copies"])
    for number, copy in enumerate(context["copies"], start=1):
        copy["label"] = f"Copy {number} of {total}, for service on {copy['name']}"
    context.update(
        {
            "title": template.title,
            "notice": {
                "id": notice.pk,
                "kind": notice.kind,
                "grounds": notice.grounds,
                "ground_1_text": GROUND_TEXT["1"],
                "particulars": notice.particulars,
                "reasons": notice.reasons,
                "arrears_amount": str(notice.arrears_amount),
                "arrears_on": notice.arrears_on.isoformat(),
                "weekly_charge": str(notice.weekly_charge),
                "weeks_in_arrears": str(notice.weeks_in_arrears)
                if notice.weeks_in_arrears
                else None,
                "earliest_proceedings_date": notice.earliest_proceedings_date.isoformat(),
                "last_proceedings_date": (
                    notice.last_proceedings_date.isoformat()
                    if notice.last_proceedings_date
                    else None
                ),
                "review_request_by": notice.review_request_by.isoformat()
                if notice.review_request_by
                else None,
                "planned_service_on": notice.planned_service_on.isoformat(),
                "planned_service_method": notice.planned_service_method,
                "planned_by_hand": notice.planned_service_method
                in (ServiceMethod.HAND, ServiceMethod.LEFT_AT_ADDRESS),
                "landlord_name": notice.landlord_name,
                "rent_period": notice.rent_period,
                "form": template.form,
                "dated": today.isoformat(),
            },
            "signatory": (
                {
                    "name": signatory.get_full_name() or signatory.username,
                    "job_title": signatory.job_title or "Income Manager",
                }
                if signatory
                else None
            ),
            "is_flexible": notice.kind == NoticeKind.FLEXIBLE_TERMINATION,
            "is_licence": notice.kind == NoticeKind.NOTICE_TO_DETERMINE,
            "is_form_3a": notice.kind == NoticeKind.S8_FORM_3A,
        }
    )
    return context


def _render_notice(
    notice: Notice, case: Case, *, actor: User, today: date, draft: bool
) -> Document:
    kind = NOTICE_DOCUMENT_KIND[notice.kind]
    context = notice_context(notice, case, today=today, signatory=None if draft else actor)
    return document_request(
        case=case, kind=kind, context=context, actor=actor, notice=notice, is_draft=draft
    )


# The workflow ---------------------------------------------------------------------------


def _event(notice: Notice, *, actor: User | None, verb: str, **payload: Any) -> CaseEvent | None:
    return case_event_record(
        case=notice.case,
        actor=actor,
        verb=verb,
        payload={
            "notice_id": notice.pk,
            "kind": notice.kind,
            "kind_label": notice.get_kind_display(),
            **payload,
        },
    )


def _lock_notice(notice: Notice) -> Notice:
    """Lock the notice and its case: one notice step at a time per case, so two people
    cannot, say, serve one notice while another is drafted (the tenancy is only read)."""
    return (
        Notice.objects.select_for_update(of=("self", "case"))
        .select_related("case", "tenancy")
        .get(pk=notice.pk)
    )


def notice_draft(
    *,
    case: Case,
    actor: User,
    today: date,
    planned_service_on: date,
    planned_service_method: str,
    kind: str | None = None,
    grounds: list[str] | None = None,
    extra_particulars: str = "",
    reasons: str = "",
) -> Notice:
    """Draft the notice the tenancy takes, with the figures and dates from the account.

    Refuses (NoticeRefusedError) with every reason the checks find; otherwise saves a
    draft and renders a draft PDF, marked as not for service, for the manager to read.
    """
    if planned_service_on < today:
        raise ValidationError(
            {"planned_service_on": "The planned service date must be today or later."}
        )
    if planned_service_method not in ServiceMethod.values:
        raise ValidationError({"planned_service_method": "Choose how the notice will be served."})
    try:
        with transaction.atomic():
            Case.objects.select_for_update().filter(pk=case.pk).first()
            case = load_case(case.pk)
            notice = _draft_locked(
                case,
                actor=actor,
                today=today,
                planned_service_on=planned_service_on,
                planned_service_method=planned_service_method,
                kind=kind,
                grounds=grounds,
                extra_particulars=extra_particulars,
                reasons=reasons,
            )
    except _Refused as refused:
        expected = expected_kind(case.tenancy, served_on=planned_service_on)
        _refuse(
            case,
            actor=actor,
            kind=kind or (expected.value if expected else ""),
            step="draft",
            refusals=refused.refusals,
        )
    return notice


def _draft_locked(
    case: Case,
    *,
    actor: User,
    today: date,
    planned_service_on: date,
    planned_service_method: str,
    kind: str | None,
    grounds: list[str] | None,
    extra_particulars: str,
    reasons: str,
) -> Notice:
    tenancy = case.tenancy
    expected = expected_kind(tenancy, served_on=planned_service_on)
    kind = kind or (expected.value if expected else "")
    grounds = list(grounds) if grounds is not None else _default_grounds(kind)
    if kind in S8_KINDS and (not grounds or any(g not in S8_GROUNDS for g in grounds)):
        raise ValidationError({"grounds": "Choose one or more of grounds 8, 10 and 11."})
    if kind == NoticeKind.NOTICE_OF_PROCEEDINGS and not reasons.strip():
        raise ValidationError(
            {"reasons": "Give the council's reasons for seeking possession (s128(3))."}
        )
    dates, date_refusal = planned_dates(
        tenancy, served_on=planned_service_on, method=planned_service_method
    )
    facts = notice_facts(case, today=today, service_on=planned_service_on)
    refusals = notice_refusals(
        facts,
        kind=kind,
        grounds=grounds,
        service_on=planned_service_on,
        today=today,
        policy=notice_policy(case.tenancy.tenure),
        date_refusal=date_refusal,
    )
    if refusals:
        raise _Refused(refusals)
    figures = figures_for(case, today=today)
    template = template_for(NOTICE_DOCUMENT_KIND[kind])
    notice = Notice.objects.create(
        case=case,
        tenancy=tenancy,
        kind=kind,
        status=Notice.Status.DRAFT,
        arrears_amount=figures.rent_arrears,
        arrears_on=today,
        weekly_charge=figures.weekly_charge,
        weeks_in_arrears=figures.weeks,
        rent_period=tenancy.rent_period,
        landlord_name=tenancy.landlord,
        grounds=grounds,
        particulars=particulars_for(
            kind=kind,
            arrears=figures.rent_arrears,
            arrears_on=today,
            weekly_charge=figures.weekly_charge,
            letters=letters_sent(case),
            extra=extra_particulars,
            grounds=grounds,
            rent_period=tenancy.rent_period,
            arrears_since=arrears_began_on(case, today=today) if "11" in grounds else None,
        ),
        reasons=reasons.strip(),
        planned_service_on=planned_service_on,
        planned_service_method=planned_service_method,
        earliest_proceedings_date=dates.earliest_proceedings_date,
        last_proceedings_date=dates.last_proceedings_date,
        review_request_by=dates.review_request_by,
        template_version=template.version,
        form_version=template.form,
        created_by=actor,
    )
    _render_notice(notice, case, actor=actor, today=today, draft=True)
    _event(
        notice,
        actor=actor,
        verb="notice_drafted",
        arrears_amount=str(notice.arrears_amount),
        earliest_proceedings_date=notice.earliest_proceedings_date.isoformat(),
        planned_service_on=planned_service_on.isoformat(),
    )
    return notice


def _default_grounds(kind: str) -> list[str]:
    if kind in (NoticeKind.NOSP, NoticeKind.FLEXIBLE_TERMINATION):
        return ["1"]
    if kind in S8_KINDS:
        return list(S8_GROUNDS)
    return []


def notice_submit(*, notice: Notice, actor: User) -> Notice:
    """The officer sends the draft to a manager for approval."""
    with transaction.atomic():
        notice = _lock_notice(notice)
        if notice.status != Notice.Status.DRAFT:
            raise ValidationError(
                "Only a draft can be sent for approval; this notice is "
                f"{notice.get_status_display().lower()}."
            )
        notice.status = Notice.Status.AWAITING_APPROVAL
        notice.save(update_fields=["status"])
        _event(notice, actor=actor, verb="notice_submitted")
    return notice


def notice_approve(*, notice: Notice, actor: User, today: date) -> Notice:
    """A manager approves the notice for service: the checks run again, the printed dates
    must still hold if it is served today, and the final PDF is produced, signed by them."""
    if not actor.has_perm("cases.approve_legal_action"):
        raise PermissionDenied("Only a manager can approve a notice.")
    try:
        with transaction.atomic():
            notice = _lock_notice(notice)
            if notice.status != Notice.Status.AWAITING_APPROVAL:
                raise ValidationError("Only a notice awaiting approval can be approved.")
            if notice.created_by_id == actor.pk:
                raise ValidationError("You drafted this notice: another manager must approve it.")
            case = load_case(notice.case_id)
            refusals = _recheck(
                notice,
                case,
                today=today,
                service_on=max(today, notice.planned_service_on),
                method=notice.planned_service_method,
            )
            if refusals:
                raise _Refused(refusals)
            notice.status = Notice.Status.APPROVED
            notice.approved_by = actor
            notice.approved_at = timezone.now()
            notice.save(update_fields=["status", "approved_by", "approved_at"])
            _render_notice(notice, case, actor=actor, today=today, draft=False)
            _event(notice, actor=actor, verb="notice_approved")
    except _Refused as refused:
        _refuse(
            notice.case,
            actor=actor,
            kind=notice.kind,
            step="approve",
            refusals=refused.refusals,
            notice=notice,
        )
    return notice


def _recheck(
    notice: Notice, case: Case, *, today: date, service_on: date, method: str
) -> list[Refusal]:
    """The checks again, plus: served on `service_on` by `method`, would the dates printed
    in the notice still be lawful?"""
    dates, date_refusal = planned_dates(case.tenancy, served_on=service_on, method=method)
    facts = notice_facts(case, today=today, service_on=service_on, excluding=notice)
    refusals = notice_refusals(
        facts,
        kind=notice.kind,
        grounds=notice.grounds,
        service_on=service_on,
        today=today,
        policy=notice_policy(case.tenancy.tenure),
        date_refusal=date_refusal,
    )
    if dates is not None:
        refusals.extend(printed_dates_refusals(notice, dates))
    return refusals


def printed_dates_refusals(notice: Notice, dates: periods.NoticeDates) -> list[Refusal]:
    """Served now, the notice must still give the tenant at least what the law requires:
    the printed date no earlier than the rules give, the review deadline no earlier."""
    refusals = []
    if dates.earliest_proceedings_date > notice.earliest_proceedings_date:
        refusals.append(
            Refusal(
                "dates_too_early",
                "Served now, the notice would be deemed served on "
                f"{long_date(dates.deemed_served_on)}, "
                f"so the date in it must be {long_date(dates.earliest_proceedings_date)} or later, "
                f"but it says {long_date(notice.earliest_proceedings_date)}. Withdraw it and draft "
                "a new notice.",
            )
        )
    if (
        dates.review_request_by
        and notice.review_request_by
        and dates.review_request_by > notice.review_request_by
    ):
        refusals.append(
            Refusal(
                "review_date_too_early",
                "Served now, the tenant could ask for a review until "
                f"{long_date(dates.review_request_by)}, but the notice says "
                f"{long_date(notice.review_request_by)}. Withdraw it and draft a "
                "new notice.",
            )
        )
    return refusals


def notice_mark_printed(*, notice: Notice, actor: User) -> Notice:
    """Record that the approved notice has been printed for service."""
    with transaction.atomic():
        notice = _lock_notice(notice)
        if notice.status != Notice.Status.APPROVED:
            raise ValidationError("Only an approved notice can be printed.")
        final = notice.documents.filter(
            is_draft=False, kind=NOTICE_DOCUMENT_KIND[notice.kind]
        ).first()
        if final is None or final.status != Document.Status.RENDERED:
            raise ValidationError(
                "The approved notice is still being produced: try again in a moment."
            )
        notice.status = Notice.Status.PRINTED
        notice.printed_by = actor
        notice.printed_at = timezone.now()
        notice.save(update_fields=["status", "printed_by", "printed_at"])
        _event(
            notice,
            actor=actor,
            verb="notice_printed",
            document_id=final.pk,
            checksum=final.checksum,
        )
    return notice


def notice_serve(
    *,
    notice: Notice,
    tenant: Tenant,
    actor: User,
    method: str,
    served_at: datetime,
    server: User | None,
    server_name: str,
    given_to: str,
    address: str,
    evidence: str,
    today: date,
) -> NoticeService:
    """Record service of the notice on one tenant, with a certificate of service.

    The checks run again for the service date, and the notice's printed dates must
    still be lawful for the deemed service date. When every named tenant has been
    served the notice is served: in force from its date.
    """
    if method not in ServiceMethod.values:
        raise ValidationError({"method": "Choose how the notice was served."})
    if timezone.is_naive(served_at):
        served_at = timezone.make_aware(served_at)
    served_on = timezone.localtime(served_at).date()
    problems: dict[str, str] = {}
    if served_on > today or served_at > timezone.now():
        problems["served_at"] = "The date and time of service must not be in the future."
    if not server_name.strip():
        problems["server_name"] = "Enter the name of the person who served the notice."
    if method in (ServiceMethod.HAND,) and not given_to.strip():
        problems["given_to"] = "Enter who the notice was handed to."
    if not address.strip():
        problems["address"] = "Enter the address where the notice was served."
    if problems:
        raise ValidationError(problems)

    try:
        with transaction.atomic():
            notice = _lock_notice(notice)
            if notice.status != Notice.Status.PRINTED:
                raise ValidationError("Only a printed notice can be served; record printing first.")
            if tenant.tenancy_id != notice.tenancy_id or not tenant.is_tenant:
                raise ValidationError(
                    {"tenant": "That person is not a tenant named in this notice."}
                )
            if notice.services.filter(tenant=tenant).exists():
                raise ValidationError(
                    {"tenant": f"Service on {tenant.full_name} is already recorded."}
                )
            if notice.approved_at and served_on < timezone.localtime(notice.approved_at).date():
                raise ValidationError(
                    {"served_at": "A notice cannot be served before it was approved."}
                )
            case = load_case(notice.case_id)
            refusals = _recheck(notice, case, today=today, service_on=served_on, method=method)
            if refusals:
                raise _Refused(refusals)
            service = _record_service(
                notice,
                case,
                tenant=tenant,
                actor=actor,
                method=method,
                served_at=served_at,
                served_on=served_on,
                server=server,
                server_name=server_name,
                given_to=given_to,
                address=address,
                evidence=evidence,
                today=today,
            )
    except _Refused as refused:
        _refuse(
            notice.case,
            actor=actor,
            kind=notice.kind,
            step="serve",
            refusals=refused.refusals,
            notice=notice,
        )
    return service


def _record_service(
    notice: Notice,
    case: Case,
    *,
    tenant: Tenant,
    actor: User,
    method: str,
    served_at: datetime,
    served_on: date,
    server: User | None,
    server_name: str,
    given_to: str,
    address: str,
    evidence: str,
    today: date,
) -> NoticeService:
    deemed = periods.deemed_service_date(served_on, periods.Method(method))
    service = NoticeService.objects.create(
        notice=notice,
        tenant=tenant,
        tenant_name=tenant.full_name,
        method=method,
        served_at=served_at,
        deemed_served_on=deemed,
        served_by=server,
        server_name=server_name.strip(),
        given_to=given_to.strip(),
        address=address.strip(),
        evidence=evidence.strip(),
        recorded_by=actor,
    )
    service.certificate = _certificate(notice, service, case, actor=actor, today=today)
    service.save(update_fields=["certificate"])
    named = {t.pk for t in case.tenancy.tenants.all() if t.is_tenant}
    services = list(notice.services.all())
    complete = named <= {s.tenant_id for s in services}
    if complete:
        _complete_service(notice, services)
    _event(
        notice,
        actor=actor,
        verb="notice_served",
        tenant=tenant.full_name,
        method=method,
        method_label=ServiceMethod(method).label,
        served_at=served_at.isoformat(),
        served_on=served_on.isoformat(),
        deemed_served_on=deemed.isoformat(),
        server=server_name.strip(),
        given_to=given_to.strip(),
        complete=complete,
        earliest_proceedings_date=notice.earliest_proceedings_date.isoformat(),
    )
    return service


def _complete_service(notice: Notice, services: list[NoticeService]) -> None:
    """Every named tenant is served: the notice is served, dated from the last service;
    a s8 notice's twelve months run from the first (the earlier long-stop)."""
    last = max(services, key=lambda s: (s.deemed_served_on, s.served_at))
    notice.status = Notice.Status.SERVED
    notice.served_on = timezone.localtime(last.served_at).date()
    notice.service_method = last.method
    notice.deemed_served_on = last.deemed_served_on
    if notice.kind in S8_KINDS:
        first = min(s.deemed_served_on for s in services)
        notice.last_proceedings_date = periods.section_8_last_date(first)
    if notice.kind == NoticeKind.NOTICE_OF_PROCEEDINGS:
        notice.review_request_by = max(
            notice.review_request_by or last.deemed_served_on,
            periods.review_request_deadline(last.deemed_served_on),
        )
    notice.save(
        update_fields=[
            "status",
            "served_on",
            "service_method",
            "deemed_served_on",
            "last_proceedings_date",
            "review_request_by",
        ]
    )


def _certificate(
    notice: Notice, service: NoticeService, case: Case, *, actor: User, today: date
) -> Document:
    template = template_for("certificate_of_service")
    context = base_context(case, template=template, today=today)
    final = notice.documents.filter(is_draft=False, kind=NOTICE_DOCUMENT_KIND[notice.kind]).first()
    served_local = timezone.localtime(service.served_at)
    context.update(
        {
            "title": f"Certificate of service: {notice.get_kind_display()}",
            "copies": [
                {
                    "name": service.tenant_name,
                    "address": case.tenancy.property.address_lines,
                    "large_print": False,
                    "label": "",
                }
            ],
            "notice": {
                "kind_label": NOTICE_DOCUMENT_KIND[notice.kind].label,
                "earliest_proceedings_date": notice.earliest_proceedings_date.isoformat(),
                "document_id": final.pk if final else None,
                "checksum": final.checksum if final else notice.checksum,
                "template": (
                    f"{template_for(final.kind).code} v{final.template_version}"
                    if final
                    else notice.template_version
                ),
                "dated": (
                    timezone.localtime(notice.approved_at).date().isoformat()
                    if notice.approved_at
                    else None
                ),
            },
            "service": {
                "tenant_name": service.tenant_name,
                "method": service.method,
                "method_label": service.get_method_display(),
                "served_on": served_local.date().isoformat(),
                "served_time": f"{served_local:%H:%M}",
                "deemed_served_on": service.deemed_served_on.isoformat(),
                "server_name": service.server_name,
                "server_job_title": (service.served_by.job_title if service.served_by else ""),
                "given_to": service.given_to,
                "address": service.address,
                "evidence": service.evidence,
                "recorded_by": actor.get_full_name() or actor.username,
            },
        }
    )
    return document_request(
        case=case, kind="certificate_of_service", context=context, actor=actor, notice=notice
    )


def notice_withdraw(*, notice: Notice, actor: User, reason: str) -> Notice:
    """Withdraw a notice at any stage before it expires; a served notice only by a manager."""
    if not reason.strip():
        raise ValidationError({"reason": "Give the reason for withdrawing the notice."})
    with transaction.atomic():
        notice = _lock_notice(notice)
        if notice.status in (Notice.Status.WITHDRAWN, Notice.Status.EXPIRED):
            raise ValidationError(f"This notice is already {notice.get_status_display().lower()}.")
        if notice.status == Notice.Status.SERVED and not actor.has_perm(
            "cases.approve_legal_action"
        ):
            raise PermissionDenied("Only a manager can withdraw a notice that has been served.")
        previous = notice.status
        notice.status = Notice.Status.WITHDRAWN
        notice.withdrawn_by = actor
        notice.withdrawn_at = timezone.now()
        notice.withdrawal_reason = reason.strip()[:300]
        notice.save(update_fields=["status", "withdrawn_by", "withdrawn_at", "withdrawal_reason"])
        _event(
            notice,
            actor=actor,
            verb="notice_withdrawn",
            reason=notice.withdrawal_reason,
            previous_status=previous,
        )
    return notice


def notices_expire(*, today: date) -> int:
    """Mark served notices whose last proceedings date has passed as expired, unless
    proceedings were issued while they were in force. Set-based; safe to re-run."""
    candidates = list(
        Notice.objects.filter(status=Notice.Status.SERVED, last_proceedings_date__lt=today)
        .exclude(kind__in=NOTICES_TO_QUIT)
        .select_related("case")
    )
    if not candidates:
        return 0
    used = set(
        CourtCase.objects.filter(
            case_id__in={n.case_id for n in candidates}, issued_on__isnull=False
        ).values_list("case_id", "issued_on")
    )
    expiring = [
        n
        for n in candidates
        if not any(
            case_id == n.case_id
            and n.served_on
            and n.served_on <= issued <= n.last_proceedings_date
            for case_id, issued in used
        )
    ]
    with transaction.atomic():
        Notice.objects.filter(pk__in=[n.pk for n in expiring], status=Notice.Status.SERVED).update(
            status=Notice.Status.EXPIRED, expired_on=today
        )
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(
                    case_id=n.case_id,
                    actor=None,
                    verb="notice_expired",
                    payload={
                        "notice_id": n.pk,
                        "kind": n.kind,
                        "kind_label": n.get_kind_display(),
                        "last_proceedings_date": n.last_proceedings_date.isoformat(),
                    },
                    idempotency_key=f"notice:{n.pk}:expired",
                )
                for n in expiring
            ],
            ignore_conflicts=True,
        )
    return len(expiring)
