"""Pages for the court stage: the claim, hearings, the eviction report, the warrant, the
eviction, the introductory review, money claims, and the managers' approvals.

Thin views: check who may do it (cases.permissions, object by object), parse the form,
call a service, redirect. Every action is refused with 403 to an officer who does not
work or cover the case's patch; deciding an eviction report needs a manager. Every page
works without JavaScript.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cases.models import Case, CourtCase, Warrant
from cases.permissions import can_act_on_case, case_for_action, case_for_view
from core.models import User
from court import forms as f
from court import services
from court.models import (
    Claim,
    IntroductoryReview,
    MoneyClaim,
    SuspensionApplication,
    WarrantRequest,
)
from court.selectors import warrant_requests_awaiting_approval
from court.services.claims import approved_pack, claim_refusals
from court.services.warrants import CHECKS, warrant_refusals
from notices import selectors as notice_selectors
from notices.models import Notice
from notices.views import case_page_context, form_errors, load_for_page
from payments.models import Account


def _today() -> date:
    return timezone.localdate()


def _back(case: Case) -> str:
    return reverse("case_notices", args=[case.pk])


def _page(request: HttpRequest, template: str, case: Case, **context) -> HttpResponse:
    return render(
        request,
        template,
        {**case_page_context(case), "back_url": _back(case), **context},
    )


def _refused(form, error: ValidationError, lead: str) -> None:
    if isinstance(error, services.Refused):
        for message in error.messages:
            form.add_error(None, f"{lead}: {message}")
    else:
        form_errors(form, error)


def _act(request: HttpRequest, case_id: int) -> tuple[Case, date]:
    today = _today()
    return load_for_page(case_for_action(request.user, case_id, today=today)), today


# The claim -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def claim_new(request: HttpRequest, case_id: int) -> HttpResponse:
    """The checks a claim must pass, as they stand today, and the button to prepare it."""
    case, today = _act(request, case_id)
    form = forms.Form(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            claim = services.claim_prepare_or_refuse(case=case, actor=request.user, today=today)
        except ValidationError as error:
            _refused(form, error, "The claim cannot be prepared")
        else:
            messages.success(
                request, "Claim prepared: the particulars and schedule are being produced."
            )
            return redirect("court:claim_detail", case_id=case.pk, claim_id=claim.pk)
    pack = approved_pack(case)
    return _page(
        request,
        "court/claim_new.html",
        case,
        form=form,
        pack=pack,
        refusals=claim_refusals(case=case, pack=pack, today=today),
        page_title="Prepare a possession claim",
    )


@require_http_methods(["GET", "POST"])
def claim_detail(request: HttpRequest, case_id: int, claim_id: int) -> HttpResponse:
    today = _today()
    case = load_for_page(case_for_view(request.user, case_id))
    claim = get_object_or_404(
        Claim.objects.select_related("particulars", "schedule", "notice", "court_case"),
        case=case,
        pk=claim_id,
    )
    form = f.ClaimIssueForm(request.POST or None)
    if request.method == "POST":
        case_for_action(request.user, case_id, today=today)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.claim_issue(
                    claim=claim,
                    actor=request.user,
                    today=today,
                    claim_number=data["claim_number"],
                    court_name=data["court_name"],
                    issued_on=data["issued_on"],
                    hearing_at=form.hearing_at,
                )
            except ValidationError as error:
                _refused(form, error, "The claim cannot be recorded as issued")
            else:
                messages.success(
                    request,
                    "Issue recorded: the court fee is posted and the hearing letter is being "
                    "produced.",
                )
                return redirect("court:claim_detail", case_id=case.pk, claim_id=claim.pk)
    return _page(
        request,
        "court/claim_detail.html",
        case,
        claim=claim,
        form=form,
        can_act=can_act_on_case(request.user, case, today=today),
        page_title="Possession claim",
    )


# Hearings ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def hearing_new(request: HttpRequest, case_id: int, court_case_id: int) -> HttpResponse:
    case, today = _act(request, case_id)
    court_case = get_object_or_404(CourtCase, case=case, pk=court_case_id)
    form = f.HearingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.hearing_record(
                court_case=court_case,
                actor=request.user,
                today=today,
                outcome=data["outcome"],
                next_hearing_at=form.next_hearing_at,
                possession_date=data["possession_date"],
                terms_instalment=data["terms_instalment"],
                terms_frequency=data["terms_frequency"],
                terms_start=data["terms_start"],
                money_judgment=data["money_judgment"],
                costs_awarded=data["costs_awarded"],
                attended_by=data["attended_by"],
                tenant_attended=data["tenant_attended"],
                notes=data["notes"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Hearing outcome recorded.")
            return redirect(_back(case))
    return _page(
        request,
        "court/hearing_new.html",
        case,
        court_case=court_case,
        form=form,
        page_title="Record the hearing's outcome",
    )


# The eviction report and the warrant ----------------------------------------------------


@require_http_methods(["GET", "POST"])
def warrant_request_new(request: HttpRequest, case_id: int, court_case_id: int) -> HttpResponse:
    case, today = _act(request, case_id)
    court_case = get_object_or_404(CourtCase, case=case, pk=court_case_id)
    form = f.WarrantRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            warrant_request = services.warrant_request_prepare_or_refuse(
                court_case=court_case,
                actor=request.user,
                today=today,
                recommendation=data["recommendation"],
                checks=data["checks"],
                breach_particulars=data["breach_particulars"],
            )
        except ValidationError as error:
            _refused(form, error, "The eviction report cannot be prepared")
        else:
            messages.success(request, "Eviction report prepared for a manager's decision.")
            return redirect(
                "court:warrant_request_detail", case_id=case.pk, request_id=warrant_request.pk
            )
    refusals = [
        r
        for r in warrant_refusals(case=case, court_case=court_case, checks=set(CHECKS), today=today)
    ]
    return _page(
        request,
        "court/warrant_request_new.html",
        case,
        court_case=court_case,
        form=form,
        refusals=refusals,
        page_title="Prepare the eviction report",
    )


@require_http_methods(["GET", "POST"])
def warrant_request_detail(request: HttpRequest, case_id: int, request_id: int) -> HttpResponse:
    today = _today()
    case = load_for_page(case_for_view(request.user, case_id))
    warrant_request = get_object_or_404(
        WarrantRequest.objects.select_related(
            "report", "application", "court_case", "prepared_by", "decided_by", "warrant"
        ),
        case=case,
        pk=request_id,
    )
    can_decide = request.user.has_perm("cases.approve_legal_action")
    decision = f.WarrantDecisionForm(request.POST if "decision" in request.POST else None)
    applied = f.WarrantAppliedForm(
        request.POST if "applied_on_day" in request.POST else None, initial={"applied_on": today}
    )
    if request.method == "POST" and decision.is_bound:
        if not can_decide:
            raise PermissionDenied("Only a manager can decide on an eviction report.")
        if decision.is_valid():
            try:
                services.warrant_request_decide(
                    request=warrant_request,
                    actor=request.user,
                    approve=decision.cleaned_data["decision"] == "approve",
                    note=decision.cleaned_data["note"],
                    today=today,
                )
            except ValidationError as error:
                _refused(decision, error, "The eviction report cannot be approved")
            else:
                messages.success(request, "Decision recorded.")
                return redirect(request.path)
    if request.method == "POST" and applied.is_bound:
        case_for_action(request.user, case_id, today=today)
        if applied.is_valid():
            try:
                services.warrant_apply(
                    request=warrant_request,
                    actor=request.user,
                    today=today,
                    applied_on=applied.cleaned_data["applied_on"],
                )
            except ValidationError as error:
                _refused(applied, error, "The warrant cannot be recorded")
            else:
                messages.success(request, "Warrant application recorded and the court fee posted.")
                return redirect(_back(case))
    return _page(
        request,
        "court/warrant_request_detail.html",
        case,
        warrant_request=warrant_request,
        form=decision if decision.is_bound else applied,
        decision_form=decision,
        applied_form=applied,
        can_decide=can_decide,
        can_act=can_act_on_case(request.user, case, today=today),
        checks=[(label, key in warrant_request.checks) for key, label in CHECKS.items()],
        page_title="Eviction report",
    )


WARRANT_STEPS = {
    "issued": (f.WarrantIssuedForm, "Record the warrant's issue"),
    "appointment": (f.AppointmentForm, "Record the bailiff's appointment"),
    "suspension": (f.SuspensionForm, "Record the tenant's application to suspend (N244)"),
    "withdraw": (f.WithdrawForm, "Withdraw the warrant"),
}


@require_http_methods(["GET", "POST"])
def warrant_step(request: HttpRequest, case_id: int, warrant_id: int, step: str) -> HttpResponse:
    """One step in a warrant's life, each a small form and its service."""
    case, today = _act(request, case_id)
    warrant = get_object_or_404(Warrant, court_case__case=case, pk=warrant_id)
    if step not in WARRANT_STEPS:
        raise PermissionDenied("No such step.")
    form_class, title = WARRANT_STEPS[step]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if step == "issued":
                services.warrant_issue(
                    warrant=warrant,
                    actor=request.user,
                    today=today,
                    issued_on=data["issued_on"],
                    bailiff_reference=data["bailiff_reference"],
                )
            elif step == "appointment":
                services.warrant_appointment(
                    warrant=warrant,
                    actor=request.user,
                    today=today,
                    eviction_date=data["eviction_date"],
                    eviction_time=data["eviction_time"],
                )
            elif step == "suspension":
                services.warrant_suspension_apply(
                    warrant=warrant,
                    actor=request.user,
                    today=today,
                    applied_on=data["applied_on"],
                    hearing_at=f.moment(data["hearing_on"], data["hearing_time"]),
                )
            else:
                services.warrant_withdraw(
                    warrant=warrant, actor=request.user, reason=data["reason"]
                )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, f"{title[0].upper()}{title[1:]}: done.")
            return redirect(_back(case))
    return _page(
        request,
        "court/form_page.html",
        case,
        form=form,
        page_title=title,
        caption=f"Warrant ({warrant.form}) applied for on {warrant.applied_on:%-d %B %Y}",
        button=title.split(" (")[0],
    )


@require_http_methods(["GET", "POST"])
def suspension_decide(request: HttpRequest, case_id: int, application_id: int) -> HttpResponse:
    case, today = _act(request, case_id)
    application = get_object_or_404(
        SuspensionApplication, warrant__court_case__case=case, pk=application_id
    )
    form = f.SuspensionDecisionForm(request.POST or None, initial={"decided_on": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.warrant_suspension_decide(
                application=application,
                actor=request.user,
                today=today,
                outcome=data["outcome"],
                decided_on=data["decided_on"],
                terms_instalment=data["terms_instalment"],
                terms_frequency=data["terms_frequency"],
                terms_start=data["terms_start"],
                notes=data["notes"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "The court's decision on the application is recorded.")
            return redirect(_back(case))
    return _page(
        request,
        "court/form_page.html",
        case,
        form=form,
        page_title="Record the decision on the application to suspend",
        caption=f"Application of {application.applied_on:%-d %B %Y}",
        button="Record the decision",
    )


@require_http_methods(["GET", "POST"])
def eviction_new(request: HttpRequest, case_id: int, warrant_id: int) -> HttpResponse:
    case, today = _act(request, case_id)
    warrant = get_object_or_404(Warrant, court_case__case=case, pk=warrant_id)
    form = f.EvictionForm(request.POST or None, initial={"attended_on": warrant.eviction_date})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            eviction = services.eviction_record(
                warrant=warrant,
                actor=request.user,
                today=today,
                attended_on=data["attended_on"],
                went_ahead=data["went_ahead"] == "yes",
                reason_not_ahead=data["reason_not_ahead"],
                attended_by=data["attended_by"],
                locks_changed=data["locks_changed"],
                belongings=data["belongings"],
                belongings_stored_at=data["belongings_stored_at"],
                referrals=data["referrals"],
                notes=data["notes"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            if eviction.went_ahead:
                messages.success(
                    request,
                    "Eviction recorded: the tenancy has ended and the balance has moved to the "
                    "former tenancy arrears account.",
                )
            else:
                messages.success(request, "Recorded: the eviction did not go ahead.")
            return redirect(_back(case))
    return _page(
        request,
        "court/form_page.html",
        case,
        form=form,
        page_title="Record the eviction",
        caption=f"Booked for {warrant.eviction_date:%-d %B %Y}" if warrant.eviction_date else "",
        button="Record the eviction",
    )


# Introductory reviews ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, case_id: int, notice_id: int) -> HttpResponse:
    case, today = _act(request, case_id)
    notice = get_object_or_404(Notice, case=case, pk=notice_id)
    form = f.ReviewRequestForm(request.POST or None, initial={"requested_on": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.review_request(
                notice=notice,
                actor=request.user,
                today=today,
                requested_on=data["requested_on"],
                grounds=data["grounds"],
                oral_hearing=data["oral_hearing"],
            )
        except ValidationError as error:
            _refused(form, error, "The review cannot be recorded")
        else:
            messages.success(request, "Review recorded: no claim until it is decided.")
            return redirect("court:review_detail", case_id=case.pk, review_id=review.pk)
    return _page(
        request,
        "court/form_page.html",
        case,
        form=form,
        page_title="Record a request for a review",
        caption=f"{notice.get_kind_display()} served on {notice.served_on:%-d %B %Y}"
        if notice.served_on
        else "",
        button="Record the request",
    )


@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, case_id: int, review_id: int) -> HttpResponse:
    today = _today()
    case = load_for_page(case_for_view(request.user, case_id))
    review = get_object_or_404(
        IntroductoryReview.objects.select_related("notice", "reviewer", "letter"),
        case=case,
        pk=review_id,
    )
    reviewers = (
        User.objects.filter(groups__permissions__codename="approve_legal_action")
        .exclude(
            pk__in=[p for p in (review.notice.created_by_id, review.notice.approved_by_id) if p]
        )
        .distinct()
    )
    schedule = f.ReviewScheduleForm(
        request.POST if "reviewer" in request.POST else None, reviewers=reviewers
    )
    decide = f.ReviewDecisionForm(request.POST if "decision" in request.POST else None)
    if request.method == "POST":
        case_for_action(request.user, case_id, today=today)
        try:
            if schedule.is_bound and schedule.is_valid():
                data = schedule.cleaned_data
                services.review_schedule(
                    review=review,
                    actor=request.user,
                    today=today,
                    scheduled_at=f.moment(data["scheduled_on"], data["scheduled_time"]),
                    reviewer=data["reviewer"],
                )
                messages.success(request, "Review set.")
                return redirect(request.path)
            if decide.is_bound and decide.is_valid():
                services.review_decide(
                    review=review,
                    actor=request.user,
                    today=today,
                    decision=decide.cleaned_data["decision"],
                    reasons=decide.cleaned_data["reasons"],
                )
                messages.success(request, "Decision recorded: the letter is being produced.")
                return redirect(request.path)
        except ValidationError as error:
            _refused(schedule if schedule.is_bound else decide, error, "Not recorded")
    return _page(
        request,
        "court/review_detail.html",
        case,
        review=review,
        form=schedule if schedule.is_bound else decide,
        schedule_form=schedule,
        decide_form=decide,
        can_decide=request.user.pk == review.reviewer_id,
        can_act=can_act_on_case(request.user, case, today=today),
        page_title="Review of the notice of proceedings",
    )


# Money claims -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def money_claim_new(request: HttpRequest, case_id: int, account_id: int) -> HttpResponse:
    case, today = _act(request, case_id)
    account = get_object_or_404(Account, case=case, pk=account_id)
    form = f.MoneyClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.money_claim_prepare(
                account=account,
                actor=request.user,
                today=today,
                steps_taken=form.cleaned_data["steps_taken"],
                interest_from=form.cleaned_data["interest_from"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Money claim prepared.")
            return redirect("court:money_claim_detail", case_id=case.pk, claim_id=claim.pk)
    return _page(
        request,
        "court/form_page.html",
        case,
        form=form,
        page_title=f"Prepare a money claim: {account.get_kind_display().lower()}",
        caption=f"Account {account.reference}, owing £{account.balance:,.2f}",
        button="Prepare the money claim",
    )


@require_http_methods(["GET", "POST"])
def money_claim_detail(request: HttpRequest, case_id: int, claim_id: int) -> HttpResponse:
    today = _today()
    case = load_for_page(case_for_view(request.user, case_id))
    claim = get_object_or_404(
        MoneyClaim.objects.select_related("account", "summary", "statement"), case=case, pk=claim_id
    )
    issue = f.MoneyClaimIssueForm(request.POST if "claim_number" in request.POST else None)
    judgment = f.JudgmentForm(request.POST if "judgment_on_day" in request.POST else None)
    if request.method == "POST":
        case_for_action(request.user, case_id, today=today)
        try:
            if issue.is_bound and issue.is_valid():
                services.money_claim_issue(
                    claim=claim, actor=request.user, today=today, **issue.cleaned_data
                )
                messages.success(request, "Issue recorded and the fee posted.")
                return redirect(request.path)
            if judgment.is_bound and judgment.is_valid():
                services.money_claim_judgment(
                    claim=claim, actor=request.user, today=today, **judgment.cleaned_data
                )
                messages.success(request, "Judgment recorded.")
                return redirect(request.path)
        except ValidationError as error:
            form_errors(issue if issue.is_bound else judgment, error)
    return _page(
        request,
        "court/money_claim_detail.html",
        case,
        claim=claim,
        form=issue if issue.is_bound else judgment,
        issue_form=issue,
        judgment_form=judgment,
        can_act=can_act_on_case(request.user, case, today=today),
        page_title="Money claim",
    )


# Managers ---------------------------------------------------------------------------------


@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    """Everything that waits for a manager: notices, court packs and eviction reports."""
    if not request.user.has_perm("cases.approve_legal_action"):
        raise PermissionDenied("Only managers can see this page.")
    return render(
        request,
        "court/approvals.html",
        {
            "notices": list(notice_selectors.notices_awaiting_approval()),
            "court_packs": list(notice_selectors.court_packs_awaiting_approval()),
            "warrant_requests": list(warrant_requests_awaiting_approval()),
        },
    )
