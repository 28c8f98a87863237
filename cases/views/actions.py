"""Casework actions: each a GOV.UK form that calls one service and returns to the case.

Every view first asks `case_for_action`, so an officer from another patch gets 403
whatever the button showed; a record that belongs to another case is a 404. Services
refuse with ValidationErrors, shown on the form, and write nothing when they do.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from cases import forms as case_forms
from cases import services
from cases.models import Case, Hold, PatchCover, Referral, Tenant, VulnerabilityFlag
from cases.other_debts import other_debts_for
from cases.permissions import case_for_action
from cases.selectors import case_header, covers_in_force_or_planned
from core.money import format_money
from payments.arrangements import monthly_rent

SECTION_URLS = {
    "timeline": "case",
    "arrangement": "case_arrangement",
    "household": "case_household",
    "statement": "case_statement",
    "notices": "case_notices",
    "direct_debits": "case_direct_debits",
}


def add_service_errors(
    form: forms.Form, error: ValidationError, renamed: dict[str, str] | None = None
) -> None:
    """Show a service's refusal on the form: on the field it names, or above the form."""
    renamed = renamed or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, errors in error.error_dict.items():
        name = renamed.get(key, key)
        messages_ = [m for e in errors for m in e.messages]
        form.add_error(name if name in form.fields else None, messages_)


def casework_form(
    request: HttpRequest,
    *,
    case: Case,
    form: forms.Form,
    title: str,
    perform: Callable[[dict[str, Any]], object],
    success: str | Callable[[object], str],
    submit: str,
    section: str = "timeline",
    template: str = "cases/action.html",
    renamed: dict[str, str] | None = None,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """GET shows the form; a valid POST calls the service and goes back to the case."""
    if request.method == "POST" and form.is_valid():
        try:
            result = perform(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc, renamed)
        else:
            messages.success(request, success(result) if callable(success) else success)
            return redirect(reverse(SECTION_URLS[section], args=[case.pk]))
    header = case_header(case_id=case.pk, today=timezone.localdate())
    return render(
        request,
        template,
        {
            "case": case,
            "header": header,
            "form": form,
            "title": title,
            "submit": submit,
            "back_url": reverse(SECTION_URLS[section], args=[case.pk]),
            **(context or {}),
        },
        status=400 if request.method == "POST" else 200,
    )


def posted(request: HttpRequest):
    """The form data on a POST (even an empty one), None on a GET."""
    return request.POST if request.method == "POST" else None


def _case(request: HttpRequest, case_id: int) -> tuple[Case, date]:
    today = timezone.localdate()
    return case_for_action(request.user, case_id, today=today), today


def _tenant(data: dict[str, Any]) -> Tenant | None:
    return data.get("tenant")


def contact_record(request: HttpRequest, case_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    form = case_forms.ContactForm(posted(request), case=case, today=today)
    return casework_form(
        request,
        case=case,
        form=form,
        title="Record a contact",
        submit="Record contact",
        success="Contact recorded",
        perform=lambda d: services.contact_record(
            case=case,
            actor=request.user,
            channel=d["channel"],
            direction=d["direction"],
            outcome=d["outcome"],
            summary=d["summary"],
            contacted_on=d["contacted_on"],
            follow_up_on=d["follow_up_on"],
            tenant=_tenant(d),
            today=today,
        ),
    )


def note_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case, _today = _case(request, case_id)
    form = case_forms.NoteForm(posted(request))
    return casework_form(
        request,
        case=case,
        form=form,
        title="Add a note",
        submit="Add note",
        success="Note added",
        perform=lambda d: services.note_add(case=case, actor=request.user, text=d["text"]),
    )


def case_pause(request: HttpRequest, case_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    form = case_forms.PauseForm(posted(request))
    return casework_form(
        request,
        case=case,
        form=form,
        title="Pause the case",
        submit="Pause case",
        success=lambda hold: f"Case paused until {hold.until:%-d %B %Y}",
        perform=lambda d: services.case_pause(
            case=case,
            actor=request.user,
            reason=d["reason"],
            until=d["until"],
            comment=d["comment"],
            today=today,
        ),
        context={
            "intro": "Pausing stops the case being picked for the next step until the date. "
            "Arrears still build up and rent is still due."
        },
    )


def pause_end(request: HttpRequest, case_id: int, hold_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    hold = get_object_or_404(Hold, pk=hold_id, case=case, kind=Hold.Kind.PAUSE)
    return casework_form(
        request,
        case=case,
        form=case_forms.ConfirmForm(posted(request)),
        title="End the pause",
        submit="End pause",
        success="Pause ended",
        section="household",
        perform=lambda _d: services.pause_end(hold=hold, actor=request.user, today=today),
        context={
            "intro": f"The case is paused until {hold.until:%-d %B %Y} "
            f"({hold.reason_label.lower()}). Ending the pause today lets it be picked "
            "for its next step again."
        },
    )


def breathing_space_record(request: HttpRequest, case_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    form = case_forms.BreathingSpaceForm(posted(request))
    return casework_form(
        request,
        case=case,
        form=form,
        title="Record a Breathing Space",
        submit="Record Breathing Space",
        success="Breathing Space recorded: arrears letters, notices and court action are on hold",
        perform=lambda d: services.breathing_space_record(
            case=case,
            actor=request.user,
            type=d["type"],
            starts_on=d["starts_on"],
            expected_end=d["expected_end"],
            reference=d["reference"],
            today=today,
        ),
        context={
            "warning": "During a Breathing Space you must not ask the tenant to pay the "
            "arrears it covers, serve a notice, start or enforce possession proceedings for "
            "them. You may still collect the current rent."
        },
    )


def breathing_space_end(request: HttpRequest, case_id: int, hold_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    hold = get_object_or_404(Hold, pk=hold_id, case=case, kind=Hold.Kind.BREATHING_SPACE)
    form = case_forms.BreathingSpaceEndForm(posted(request), initial={"ended_on": today})
    return casework_form(
        request,
        case=case,
        form=form,
        title="End the Breathing Space",
        submit="Record the end",
        success="Breathing Space ended",
        section="household",
        perform=lambda d: services.breathing_space_end(
            hold=hold, actor=request.user, ended_on=d["ended_on"], today=today
        ),
    )


def dispute_record(request: HttpRequest, case_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    form = case_forms.DisputeForm(posted(request), initial={"starts_on": today})
    return casework_form(
        request,
        case=case,
        form=form,
        title="Record a dispute",
        submit="Record dispute",
        success="Dispute recorded: letters, notices and court action wait until it is resolved",
        perform=lambda d: services.dispute_record(
            case=case,
            actor=request.user,
            reason=d["reason"],
            starts_on=d["starts_on"],
            comment=d["comment"],
            today=today,
        ),
        context={
            "intro": "While a dispute is open, letters, notices and court action on the arrears "
            "wait. You can still talk to the tenant and collect the rent. Look into it and "
            "record how it was resolved as soon as you can."
        },
    )


def dispute_resolve(request: HttpRequest, case_id: int, hold_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    hold = get_object_or_404(Hold, pk=hold_id, case=case, kind=Hold.Kind.DISPUTE)
    form = case_forms.DisputeResolveForm(posted(request), initial={"ended_on": today})
    return casework_form(
        request,
        case=case,
        form=form,
        title=f"Resolve the dispute: {hold.reason_label.lower()}",
        submit="Record the outcome",
        success="Dispute resolved",
        section="household",
        perform=lambda d: services.dispute_resolve(
            hold=hold,
            actor=request.user,
            outcome=d["outcome"],
            resolved_on=d["ended_on"],
            notes=d["notes"],
            today=today,
        ),
        context={"intro": f"Raised on {hold.starts_on:%-d %B %Y}: {hold.comment}"},
    )


def _claim_intro(hold: Hold) -> str:
    evidence = {
        True: "All the evidence has been given.",
        False: "Some evidence is still to come.",
        None: "Whether all the evidence has been given was not recorded.",
    }[hold.all_evidence_supplied]
    reference = f" (reference {hold.reference})" if hold.reference else ""
    return (
        f"{hold.reason_label} claim{reference} submitted on {hold.starts_on:%-d %B %Y}. "
        f"{evidence}" + (f" {hold.comment}" if hold.comment else "")
    )


def _pending_claim(case: Case, hold_id: int) -> Hold:
    """A benefit claim an officer recorded on this case; a DWP request is decided through
    its referral instead, so it is not found here."""
    return get_object_or_404(
        Hold,
        pk=hold_id,
        case=case,
        kind=Hold.Kind.BENEFIT_CLAIM,
        reason__in=Hold.CLAIMED_BENEFITS,
        referral__isnull=True,
    )


def benefit_claim_record(request: HttpRequest, case_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    form = case_forms.BenefitClaimForm(posted(request), initial={"submitted_on": today})
    return casework_form(
        request,
        case=case,
        form=form,
        title="Record a pending benefit claim",
        submit="Record claim",
        success=lambda hold: f"{hold.reason_label} claim recorded as pending",
        perform=lambda d: services.benefit_claim_record(
            case=case,
            actor=request.user,
            benefit=d["benefit"],
            submitted_on=d["submitted_on"],
            all_evidence_supplied=d["all_evidence_supplied"],
            reference=d["reference"],
            comment=d["comment"],
            today=today,
        ),
        context={
            "intro": "The Pre-Action Protocol says not to start proceedings against a tenant "
            "who has given all the evidence a Housing Benefit or Universal Credit claim needs, "
            "can expect to be eligible, and is paying what the claim will not cover. Offer "
            "help with the claim if the tenant needs it."
        },
    )


def benefit_claim_evidence(request: HttpRequest, case_id: int, hold_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    hold = _pending_claim(case, hold_id)
    form = case_forms.BenefitEvidenceForm(posted(request), initial={"supplied_on": today})
    return casework_form(
        request,
        case=case,
        form=form,
        title=f"All evidence given: {hold.reason_label} claim",
        submit="Record evidence given",
        success="Recorded: the claim has all its evidence",
        section="household",
        perform=lambda d: services.benefit_claim_evidence_record(
            hold=hold, actor=request.user, supplied_on=d["supplied_on"], today=today
        ),
        context={"intro": _claim_intro(hold)},
    )


def benefit_claim_decide(request: HttpRequest, case_id: int, hold_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    hold = _pending_claim(case, hold_id)
    form = case_forms.BenefitDecisionForm(posted(request), initial={"ended_on": today})
    return casework_form(
        request,
        case=case,
        form=form,
        title=f"Decision on the {hold.reason_label} claim",
        submit="Record the decision",
        success=lambda ended: f"{ended.reason_label} claim {ended.outcome_label.lower()}",
        section="household",
        perform=lambda d: services.benefit_claim_decide(
            hold=hold,
            actor=request.user,
            decision=d["outcome"],
            decided_on=d["ended_on"],
            notes=d["notes"],
            today=today,
        ),
        context={
            "intro": _claim_intro(hold) + " Recording the decision ends the hold on the case."
        },
    )


def vulnerability_record(request: HttpRequest, case_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    form = case_forms.VulnerabilityForm(posted(request), case=case)
    return casework_form(
        request,
        case=case,
        form=form,
        title="Flag a vulnerability or safeguarding concern",
        submit="Save flag",
        success="Flag recorded",
        section="household",
        perform=lambda d: services.vulnerability_record(
            case=case,
            actor=request.user,
            kind=d["kind"],
            details=d["details"],
            tenant=_tenant(d),
            review_on=d["review_on"],
            today=today,
        ),
    )


def vulnerability_clear(request: HttpRequest, case_id: int, flag_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    flag = get_object_or_404(VulnerabilityFlag, pk=flag_id, case=case)
    form = case_forms.ClearFlagForm(posted(request))
    return casework_form(
        request,
        case=case,
        form=form,
        title=f"Clear the flag: {flag.get_kind_display()}",
        submit="Clear flag",
        success="Flag cleared",
        section="household",
        perform=lambda d: services.vulnerability_clear(
            flag=flag, actor=request.user, reason=d["reason"], today=today
        ),
        context={"intro": flag.details},
    )


def referral_make(request: HttpRequest, case_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    form = case_forms.ReferralForm(posted(request))
    return casework_form(
        request,
        case=case,
        form=form,
        title="Make a referral",
        submit="Save referral",
        success="Referral recorded",
        section="household",
        perform=lambda d: services.referral_make(
            case=case,
            actor=request.user,
            kind=d["kind"],
            referred_to=d["referred_to"],
            notes=d["notes"],
            today=today,
        ),
        context={
            "intro": "A request to DWP for a managed payment or a deduction puts the case on "
            "hold until you record DWP's decision."
        },
    )


def assessment_record(request: HttpRequest, case_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    form = case_forms.AssessmentForm(posted(request))
    return casework_form(
        request,
        case=case,
        form=form,
        title="Record a proportionality assessment",
        submit="Save assessment",
        success="Assessment recorded",
        section="notices",
        perform=lambda d: services.assessment_record(
            case=case, actor=request.user, today=today, **d
        ),
        context={
            "intro": "Before a notice, a claim or a warrant, weigh the household's "
            "circumstances against the step. The court will ask for this record; a step "
            "taken later reads the latest assessment for it, which must decide to proceed."
        },
    )


def referral_outcome(request: HttpRequest, case_id: int, referral_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    referral = get_object_or_404(Referral, pk=referral_id, case=case)
    form = case_forms.ReferralOutcomeForm(posted(request))
    return casework_form(
        request,
        case=case,
        form=form,
        title=f"Outcome of the referral: {referral.get_kind_display()}",
        submit="Save outcome",
        success="Referral outcome recorded",
        section="household",
        perform=lambda d: services.referral_outcome_record(
            referral=referral,
            actor=request.user,
            outcome=d["outcome"],
            notes=d["notes"],
            today=today,
        ),
    )


def case_reassign(request: HttpRequest, case_id: int) -> HttpResponse:
    case, _today = _case(request, case_id)
    if not request.user.has_perm("cases.reassign_case"):
        raise PermissionDenied("Only a manager can reassign a case.")
    form = case_forms.ReassignForm(posted(request), initial={"officer": case.officer_id})

    def reassign(d: dict[str, Any]) -> object:
        return services.case_reassign(case=case, actor=request.user, to_officer=d["officer"])

    return casework_form(
        request,
        case=case,
        form=form,
        title="Reassign the case",
        submit="Reassign",
        success=lambda event: "Case reassigned" if event else "The case already sits there",
        perform=reassign,
        context={"intro": f"It sits with {case.assigned_officer or 'no one'} now."},
    )


def income_expenditure_record(request: HttpRequest, case_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    form = case_forms.IncomeExpenditureForm(
        posted(request),
        case=case,
        today=today,
        monthly_rent=monthly_rent(case.weekly_net_rent),
    )

    def record(d: dict[str, Any]) -> object:
        household = {name: d[name] for name in case_forms.HOUSEHOLD_FIELDS}
        household["employment_status"] = d["employment_status"]
        figures = {name: d[name] for _title, names in case_forms.IE_SECTIONS for name in names}
        return services.income_expenditure_record(
            case=case,
            actor=request.user,
            taken_on=d["taken_on"],
            today=today,
            figures=figures,
            household=household,
            tenant=_tenant(d),
            notes=d["notes"],
        )

    return casework_form(
        request,
        case=case,
        form=form,
        title="Income and expenditure",
        submit="Save statement",
        success=lambda s: f"Statement saved: surplus of {format_money(s.surplus)} a month",
        section="arrangement",
        template="cases/income_expenditure.html",
        perform=record,
        # The council's other debts, to talk through as priority debts (cases/other_debts.py).
        context={"other_debts": other_debts_for(case)},
    )


def patch_cover_give(request: HttpRequest) -> HttpResponse:
    """A manager lets an officer work another patch for a while."""
    if not request.user.has_perm("cases.reassign_case"):
        raise PermissionDenied("Only a manager can give cover of a patch.")
    today = timezone.localdate()
    form = case_forms.CoverForm(posted(request), initial={"starts_on": today})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            cover = services.patch_cover_give(
                patch=d["patch"],
                officer=d["officer"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                reason=d["reason"],
                actor=request.user,
                today=today,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{cover.officer} now covers patch {cover.patch.code}")
            return redirect("home")
    return render(
        request,
        "cases/cover.html",
        {
            "form": form,
            "title": "Give cover of a patch",
            "intro": "The officer can work every case on the patch while the cover lasts, as "
            "well as their own. Each case's timeline records it.",
            "submit": "Give cover",
            "covers": covers_in_force_or_planned(today=today),
            "today": today,
        },
        status=400 if request.method == "POST" else 200,
    )


def patch_cover_withdraw(request: HttpRequest, cover_id: int) -> HttpResponse:
    """A manager ends an officer's cover of a patch early."""
    if not request.user.has_perm("cases.reassign_case"):
        raise PermissionDenied("Only a manager can withdraw cover of a patch.")
    today = timezone.localdate()
    cover = get_object_or_404(PatchCover.objects.select_related("patch", "officer"), pk=cover_id)
    form = case_forms.CoverWithdrawForm(posted(request), officer=cover.officer)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            withdrawn = services.patch_cover_withdraw(
                cover=cover,
                actor=request.user,
                last_day=d["last_day"],
                reason=d["reason"],
                today=today,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if withdrawn.ends_on < today:
                text = f"{withdrawn.officer} no longer covers patch {withdrawn.patch.code}"
            else:
                text = (
                    f"{withdrawn.officer} covers patch {withdrawn.patch.code} until the end of "
                    f"{withdrawn.ends_on:%-d %B %Y}"
                )
            messages.success(request, text)
            return redirect("patch_cover_give")
    until = f"to {cover.ends_on:%-d %B %Y}" if cover.ends_on else "until withdrawn"
    return render(
        request,
        "cases/cover.html",
        {
            "form": form,
            "title": f"Withdraw {cover.officer}'s cover of {cover.patch.code}",
            "intro": f"{cover.officer} covers patch {cover.patch} from "
            f"{cover.starts_on:%-d %B %Y} {until}"
            + (f" ({cover.reason})" if cover.reason else "")
            + ". Once the cover ends they can no longer work the patch's cases, except any "
            "a manager assigned to them by name. Each case's timeline records it.",
            "submit": "Withdraw cover",
            "back_url": reverse("patch_cover_give"),
            "back_text": "Cover of patches",
        },
        status=400 if request.method == "POST" else 200,
    )
