"""A telephone payment and arrangements, as casework forms on a case."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from cases.other_debts import other_debts_for, other_monthly_instalments
from cases.rules import income_statement_is_current
from cases.selectors import statements_for
from cases.views.actions import _case, casework_form, posted
from cases.views.case import case_context
from core.money import format_money
from payments import arrangements, direct_debits
from payments.forms import (
    ArrangementForm,
    CancelArrangementForm,
    CancelDirectDebitForm,
    DirectDebitForm,
    ReplaceArrangementForm,
    TelephonePaymentForm,
    TenantReferenceForm,
    TenantReferenceRemoveForm,
)
from payments.models import Arrangement, DirectDebitMandate, TenantReference
from payments.selectors import collections_for_case, mandates_for_case
from payments.services import (
    telephone_payment_take,
    tenant_reference_add,
    tenant_reference_remove,
)


def tenant_reference(request: HttpRequest, case_id: int) -> HttpResponse:
    """Record a reference another system knows a tenant by (whoever works the case)."""
    case, _ = _case(request, case_id)
    form = TenantReferenceForm(posted(request), case=case)
    return casework_form(
        request,
        case=case,
        form=form,
        title="Add a payment reference",
        submit="Add reference",
        success=lambda made: f"Reference {made.reference} recorded for {made.tenant.full_name}",
        section="household",
        perform=lambda d: tenant_reference_add(
            case=case,
            tenant=d["tenant"],
            reference=d["reference"],
            issued_by=d["issued_by"],
            actor=request.user,
        ),
        context={
            "intro": "Payment and benefit files sometimes carry only a reference another "
            "system gave the tenant (DWP's claimant reference, the housing system's person "
            "reference). Recorded here, those lines find this tenancy's rent account "
            "instead of going to suspense."
        },
    )


def tenant_reference_remove_view(
    request: HttpRequest, case_id: int, reference_id: int
) -> HttpResponse:
    """Take off a reference recorded by mistake, saying why."""
    case, _ = _case(request, case_id)
    reference = get_object_or_404(
        TenantReference.objects.select_related("tenant"),
        pk=reference_id,
        tenant__tenancy_id=case.tenancy_id,
    )
    return casework_form(
        request,
        case=case,
        form=TenantReferenceRemoveForm(posted(request)),
        title=f"Take off reference {reference.reference} ({reference.tenant.full_name})",
        submit="Take off reference",
        success=f"Reference {reference.reference} taken off",
        section="household",
        perform=lambda d: tenant_reference_remove(
            case=case, reference=reference, reason=d["reason"], actor=request.user
        ),
        context={
            "intro": "Lines already posted by this reference stay where they are; move a "
            "payment posted to the wrong account with a reversal. Later lines carrying it "
            "go to suspense unless another reference or the account finds them."
        },
    )


def payment_take(request: HttpRequest, case_id: int) -> HttpResponse:
    """Take a card payment by telephone: it posts to the ledger at once."""
    case, today = _case(request, case_id)
    if not request.user.has_perm("payments.take_payment"):
        raise PermissionDenied("You cannot take payments.")
    form = TelephonePaymentForm(posted(request), case=case)
    # The confirmation box shows only once the service has spotted a payment of the
    # same amount today (or when it was ticked already).
    state = {"ask_to_confirm": bool(request.POST.get("confirm_second_payment"))}

    def take(d: dict[str, Any]) -> object:
        try:
            return telephone_payment_take(
                account=d["account"],
                amount=d["amount"],
                card_reference=d["card_reference"],
                actor=request.user,
                today=today,
                confirm_same_amount=d["confirm_second_payment"],
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "possible_duplicate":
                state["ask_to_confirm"] = True
            raise

    return casework_form(
        request,
        case=case,
        form=form,
        title="Take a payment by telephone",
        submit="Take payment",
        success=lambda line: (
            f"Payment of {format_money(-line.amount)} taken (reference {line.source_reference})"
        ),
        section="statement",
        perform=take,
        renamed={"source_reference": "card_reference"},
        template="payments/payment_form.html",
        context={"state": state},
    )


def _latest_statement(case):
    return statements_for(case=case).first()


def _arrangement_context(case, statement, form, today) -> dict[str, Any]:
    """The I&E the terms are judged against, and the affordability of what was typed."""
    check = None
    if statement is not None and form.is_bound and form.is_valid():
        data = form.cleaned_data
        check = arrangements.affordability(
            statement=statement,
            instalment=data["instalment"],
            frequency=data["frequency"],
            other_instalments=other_monthly_instalments(other_debts_for(case)),
        )
    return {
        "statement": statement,
        "statement_current": statement is not None
        and income_statement_is_current(taken_on=statement.taken_on, today=today),
        "check": check,
        "ask_to_accept": check is not None and check.exceeds,
    }


def arrangement_create(request: HttpRequest, case_id: int) -> HttpResponse:
    """Agree an arrangement from the latest income and expenditure statement."""
    case, today = _case(request, case_id)
    statement = _latest_statement(case)
    form = ArrangementForm(posted(request), case=case, initial={"starts_on": today})
    return casework_form(
        request,
        case=case,
        form=form,
        title="Set up an arrangement",
        submit="Set up arrangement",
        success=lambda a: (
            f"Arrangement of {format_money(a.instalment)} "
            f"{a.get_frequency_display().lower()} set up"
        ),
        section="arrangement",
        template="payments/arrangement_form.html",
        perform=lambda d: arrangements.arrangement_create(
            case=case,
            account=d["account"],
            actor=request.user,
            statement=_require_statement(statement),
            frequency=d["frequency"],
            instalment=d["instalment"],
            starts_on=d["starts_on"],
            lump_sum=d["lump_sum"],
            lump_sum_due_on=d["lump_sum_due_on"],
            notes=d["notes"],
            accept_unaffordable=d["accept_unaffordable"],
            today=today,
        ),
        context=_arrangement_context(case, statement, form, today),
    )


def _require_statement(statement):
    if statement is None:
        raise ValidationError(
            "Record an income and expenditure statement first: an arrangement is agreed from one"
        )
    return statement


def _live_arrangement(case, arrangement_id: int) -> Arrangement:
    return get_object_or_404(
        Arrangement.objects.select_related("account"), pk=arrangement_id, case=case
    )


def arrangement_replace(request: HttpRequest, case_id: int, arrangement_id: int) -> HttpResponse:
    """New terms for a live arrangement: the old one is cancelled, the new one names it."""
    case, today = _case(request, case_id)
    old = _live_arrangement(case, arrangement_id)
    statement = _latest_statement(case)
    form = ReplaceArrangementForm(
        posted(request),
        case=case,
        initial={"starts_on": today, "frequency": old.frequency, "instalment": old.instalment},
    )
    return casework_form(
        request,
        case=case,
        form=form,
        title="Change the arrangement",
        submit="Replace arrangement",
        success="Arrangement replaced",
        section="arrangement",
        template="payments/arrangement_form.html",
        perform=lambda d: arrangements.arrangement_replace(
            arrangement=old,
            actor=request.user,
            reason=d["reason"],
            statement=_require_statement(statement),
            frequency=d["frequency"],
            instalment=d["instalment"],
            starts_on=d["starts_on"],
            lump_sum=d["lump_sum"],
            lump_sum_due_on=d["lump_sum_due_on"],
            notes=d["notes"],
            accept_unaffordable=d["accept_unaffordable"],
            today=today,
        ),
        context={**_arrangement_context(case, statement, form, today), "replacing": old},
    )


def arrangement_cancel(request: HttpRequest, case_id: int, arrangement_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    arrangement = _live_arrangement(case, arrangement_id)
    return casework_form(
        request,
        case=case,
        form=CancelArrangementForm(posted(request)),
        title="Cancel the arrangement",
        submit="Cancel arrangement",
        success="Arrangement cancelled",
        section="arrangement",
        perform=lambda d: arrangements.arrangement_cancel(
            arrangement=arrangement, actor=request.user, reason=d["reason"], today=today
        ),
        context={
            "intro": f"{format_money(arrangement.instalment)} "
            f"{arrangement.get_frequency_display().lower()} on {arrangement.account.reference}, "
            f"from {arrangement.starts_on:%-d %B %Y}."
        },
    )


@require_GET
def case_direct_debits(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case's direct debits, bank details masked. Only those who work the case see
    it: bank details are kept to those who need them (UK GDPR Art 5(1)(c))."""
    _case(request, case_id)
    context = case_context(request, case_id, "direct_debits")
    case = context["case"]
    mandates = mandates_for_case(case=case)
    with_live = {m.account_id for m in mandates if m.is_live}
    context.update(
        mandates=mandates,
        collections=collections_for_case(case=case),
        can_set_up=any(a.pk not in with_live for a in context["open_accounts"]),
    )
    return render(request, "payments/direct_debits.html", context)


def direct_debit_set_up(request: HttpRequest, case_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    form = DirectDebitForm(
        posted(request),
        case=case,
        initial={"first_collection_on": direct_debits.first_collection_earliest(today=today)},
    )
    return casework_form(
        request,
        case=case,
        form=form,
        title="Set up a direct debit",
        submit="Set up direct debit",
        success=lambda m: (
            f"Direct debit {m.reference} of {format_money(m.amount)} "
            f"{m.get_frequency_display().lower()} set up: it is lodged with the bank in the "
            "next collection file"
        ),
        section="direct_debits",
        perform=lambda d: direct_debits.mandate_set_up(
            account=d["account"],
            payer_name=d["payer_name"],
            sort_code=d["sort_code"],
            account_number=d["account_number"],
            amount=d["amount"],
            frequency=d["frequency"],
            first_collection_on=d["first_collection_on"],
            ends_on=d["ends_on"],
            actor=request.user,
            today=today,
        ),
    )


def direct_debit_cancel(request: HttpRequest, case_id: int, mandate_id: int) -> HttpResponse:
    case, today = _case(request, case_id)
    mandate = get_object_or_404(
        DirectDebitMandate.objects.select_related("account"), pk=mandate_id, account__case=case
    )
    return casework_form(
        request,
        case=case,
        form=CancelDirectDebitForm(posted(request)),
        title="Cancel the direct debit",
        submit="Cancel direct debit",
        success=f"Direct debit {mandate.reference} cancelled",
        section="direct_debits",
        perform=lambda d: direct_debits.mandate_cancel(
            mandate=mandate, reason=d["reason"], actor=request.user, today=today
        ),
        context={
            "intro": f"{format_money(mandate.amount)} {mandate.get_frequency_display().lower()} "
            f"from {mandate.masked_sort_code} {mandate.masked_account_number} on account "
            f"{mandate.account.reference}. It is in no collection file made from now on."
        },
    )
