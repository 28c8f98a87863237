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
from cases.models import Case, Hold, Referral, Tenant, VulnerabilityFlag
from cases.permissions import case_for_action
from cases.selectors import case_header
from core.money import format_money
from payments.arrangements import monthly_rent

SECTION_URLS = {
    "timeline": "case",
    "arrangement": "case_arrangement",
    "household": "case_household",
    "statement": "case_statement",
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
        {"form": form, "title": "Give cover of a patch"},
        status=400 if request.method == "POST" else 200,
    )
