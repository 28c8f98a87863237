"""The case page and its sections. Reads only; every section is its own URL and works
without JavaScript. The page composes reads from the ledger (payments), the engine's
recommendation (arrears) and the notices, as the architecture allows views to."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from arrears.actions import DUE_KEYS
from arrears.selectors import figures_confirmed_on, latest_recommendation, letter_requests_for
from cases import selectors
from cases.charts import balance_chart
from cases.models import Case, Hold, Stage
from cases.other_debts import other_debts_for, other_monthly_instalments
from cases.permissions import can_act_on_case, can_view_case
from cases.restrictions import RESTRICTED_TEXT, restricted_for
from core.money import weeks_of
from core.widgets import GovukDateInput
from court.rules import MONEY_CLAIM_KINDS
from court.selectors import court_summary
from notices.selectors import (
    documents_for_case,
    messages_for_case,
    notices_for_case,
    opt_outs_for_case,
)
from payments.arrangements import affordability
from payments.models import Arrangement
from payments.selectors import (
    accounts_for_case,
    balance_history,
    ledger_timeline,
    statement_for,
    tenant_references_for,
)

# The chart marks the usual notice trigger: 4 weeks' rent (legal-reference.md §16).
CHART_THRESHOLD_WEEKS = 4
CHART_MONTHS = 24

SECTIONS = [
    ("timeline", "Timeline", "case"),
    ("statement", "Statement", "case_statement"),
    ("arrangement", "Arrangement", "case_arrangement"),
    ("direct_debits", "Direct debits", "case_direct_debits"),
    ("household", "Household and contacts", "case_household"),
    ("notices", "Notices and court", "case_notices"),
    ("documents", "Documents", "case_documents"),
]

# Bank details are shown only to those who work the case (payments.views).
ACT_ONLY_SECTIONS = frozenset({"direct_debits"})


@dataclass
class Recommendation:
    """The case's recommendation as the page shows it: the engine's full one when it
    has run, or the figures it left on the case."""

    action: str = ""
    action_label: str = ""
    stage: str = ""
    reasons: list[dict[str, Any]] = field(default_factory=list)
    guards: list[dict[str, Any]] = field(default_factory=list)
    policy_version: str = ""
    run_date: date | None = None
    needs_approval: bool = False
    technical_arrears: Decimal | None = None
    technical_reasoning: str = ""
    due: date | None = None

    @property
    def headline(self) -> str:
        """The step and its date: "Notice due on 10 December 2026" while the policy's gap
        runs, "Send arrears letter 1, due 3 December 2026" once it is to be taken."""
        if self.due is None:
            return self.action_label
        when = f"{self.due:%-d %B %Y}"
        if self.action in DUE_KEYS:
            return f"{self.action_label} on {when}"
        return f"{self.action_label}, due {when}"


def recommendation_for(case: Case) -> Recommendation:
    found = latest_recommendation(case=case)
    # An unchanged case is not rewritten each night: the run that last looked at it
    # confirms the recommendation it made earlier.
    confirmed = figures_confirmed_on(case=case)
    if found is not None:
        return Recommendation(
            action=found.action,
            action_label=found.action_label,
            stage=Stage.label_of(found.stage),
            reasons=list(found.reasons or []),
            guards=[g for g in found.guards or [] if g.get("holding", True)],
            policy_version=str(found.policy_version or ""),
            run_date=max(d for d in (found.run_date, confirmed) if d is not None),
            needs_approval=found.needs_approval,
            technical_arrears=found.technical_arrears,
            technical_reasoning=found.technical_reasoning or "",
            due=case.next_action_due,
        )
    guards = [{"guard": case.guard, "label": case.guard_label, "detail": ""}] if case.guard else []
    return Recommendation(
        action=case.next_action,
        action_label=case.next_action_label,
        stage=case.get_stage_display(),
        guards=guards,
        # The figures on the case may come from the seed; only a recommendation or a
        # guard says the engine has looked at it.
        run_date=confirmed if case.next_action or case.guard else None,
        technical_arrears=case.technical_arrears,
        due=case.next_action_due,
    )


def _actions(case: Case, header: selectors.CaseHeader, user) -> list[dict[str, str]]:
    """The casework the officer may do here; the server checks each again."""
    url = lambda name: reverse(name, args=[case.pk])  # noqa: E731
    items = [
        {"text": "Record a contact", "href": url("contact_record")},
        {"text": "Add a note", "href": url("note_add")},
    ]
    if user.has_perm("payments.take_payment"):
        items.append({"text": "Take a payment", "href": url("payment_take")})
    items.append({"text": "Income and expenditure", "href": url("income_expenditure_record")})
    if header.pause is None:
        items.append({"text": "Pause", "href": url("case_pause")})
    if header.breathing_space is None:
        items.append({"text": "Record Breathing Space", "href": url("breathing_space_record")})
    items += [
        {"text": "Record a dispute", "href": url("dispute_record")},
        {"text": "Record a benefit claim", "href": url("benefit_claim_record")},
    ]
    items += [
        {"text": "Flag vulnerability", "href": url("vulnerability_record")},
        {"text": "Make a referral", "href": url("referral_make")},
    ]
    if case.balance > 0:
        items.append({"text": "Propose a write-off", "href": url("performance:write_off_new")})
    if user.has_perm("cases.reassign_case"):
        items.append({"text": "Reassign", "href": url("case_reassign")})
    return items


def case_context(request: HttpRequest, case_id: int, section: str) -> dict[str, Any]:
    """What every section of the case page shows above its own content."""
    today = timezone.localdate()
    try:
        header = selectors.case_header(case_id=case_id, today=today)
    except Case.DoesNotExist as exc:
        raise Http404("No such case") from exc
    case = header.case
    if not can_view_case(request.user, case):
        raise PermissionDenied("You cannot see cases.")
    accounts = accounts_for_case(case.pk)
    open_accounts = [a for a in accounts if a.is_open]
    balance = sum((a.balance for a in accounts), Decimal("0.00"))
    rent_arrears = sum((a.balance for a in accounts if a.rent_lawfully_due), Decimal("0.00"))
    threshold = case.weekly_charge * CHART_THRESHOLD_WEEKS if case.weekly_charge else None
    chart = balance_chart(
        balance_history(accounts=accounts, months=CHART_MONTHS, today=today),
        threshold=threshold,
        threshold_label=f"{CHART_THRESHOLD_WEEKS} weeks' rent",
    )
    can_act = can_act_on_case(request.user, case, today=today)
    property_ = case.tenancy.property
    # What the household owes the council on its other systems' books: shown beside the
    # housing debts, never added to the rent arrears (cases/other_debts.py).
    other_debts = other_debts_for(case)
    return {
        "case": case,
        "header": header,
        "accounts": accounts,
        "open_accounts": open_accounts,
        "balance": balance,
        "rent_arrears": rent_arrears,
        "other_debts": other_debts,
        "owed_to_council": balance + sum((d.balance for d in other_debts), Decimal("0.00")),
        "weeks": weeks_of(rent_arrears, case.weekly_charge),
        "recommendation": recommendation_for(case),
        "chart": chart,
        "can_act": can_act,
        "actions": _actions(case, header, request.user) if can_act else [],
        "identity_facts": [
            case.reference,
            property_.one_line_address,
            case.tenancy.get_tenure_display(),
            f"Patch {case.patch.code} {case.patch.name}",
            f"Officer: {case.assigned_officer or 'none'}",
        ],
        # Special category records this user may see exist but not read (UK GDPR Art. 9).
        "restricted": restricted_for(request.user, case, can_act=can_act),
        "section": section,
        "sections": [
            (label, reverse(url_name, args=[case.pk]), key == section)
            for key, label, url_name in SECTIONS
            if can_act or key not in ACT_ONLY_SECTIONS
        ],
        "today": today,
    }


@require_GET
def case_timeline(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case, opening on its timeline: every event, newest first, filterable by kind."""
    context = case_context(request, case_id, "timeline")
    kind = request.GET.get("kind", "")
    context["kind"] = kind if kind in dict(selectors.timeline_kinds()) else ""
    context["kinds"] = selectors.timeline_kinds()
    context["page"] = selectors.timeline_for(
        case=context["case"],
        kind=context["kind"],
        page=request.GET.get("page"),
        sources=[ledger_timeline(case=context["case"])],
        restricted=context["restricted"],
    )
    template = "cases/case_timeline.html"
    if request.htmx and request.htmx.target == "timeline":
        template += "#timeline"
    return render(request, template, context)


class StatementForm(forms.Form):
    date_from = forms.DateField(label="From", widget=GovukDateInput, required=False)
    date_to = forms.DateField(label="To", widget=GovukDateInput, required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be on or after the start date")
        return cleaned


@require_GET
def case_statement(request: HttpRequest, case_id: int) -> HttpResponse:
    """The ledger of one account with a running balance, for any range of dates
    (two years by default: the schedule CPR PD 55A asks for)."""
    context = case_context(request, case_id, "statement")
    today = context["today"]
    accounts = context["accounts"]
    chosen = next(
        (a for a in accounts if str(a.pk) == request.GET.get("account")),
        accounts[0] if accounts else None,
    )
    form = StatementForm(request.GET or None)
    date_from, date_to = today - timedelta(days=730), today
    if form.is_bound and form.is_valid():
        date_from = form.cleaned_data["date_from"] or date_from
        date_to = form.cleaned_data["date_to"] or date_to
    elif not form.is_bound:
        form = StatementForm(initial={"date_from": date_from, "date_to": date_to})
    context.update(
        form=form,
        account=chosen,
        statement=statement_for(account=chosen, date_from=date_from, date_to=date_to)
        if chosen and not form.errors
        else None,
    )
    return render(request, "cases/case_statement.html", context)


@require_GET
def case_arrangement(request: HttpRequest, case_id: int) -> HttpResponse:
    """The arrangements on the case with their history, and the I&E statements."""
    context = case_context(request, case_id, "arrangement")
    case = context["case"]
    arrangements = list(
        Arrangement.objects.filter(case=case)
        .select_related("account", "created_by", "court_case")
        .prefetch_related("checks")
        .order_by("-created_at", "-id")
    )
    statements = list(selectors.statements_for(case=case)[:10])
    latest = statements[0] if statements else None
    live = [a for a in arrangements if a.is_live]
    other_instalments = other_monthly_instalments(context["other_debts"])
    for arrangement in live:
        arrangement.affordability = (
            affordability(
                statement=latest,
                instalment=arrangement.instalment,
                frequency=arrangement.frequency,
                other_instalments=other_instalments,
            )
            if latest is not None
            else None
        )
    context.update(
        live=live,
        past=[a for a in arrangements if not a.is_live],
        statements=statements,
    )
    return render(request, "cases/case_arrangement.html", context)


@require_GET
def case_household(request: HttpRequest, case_id: int) -> HttpResponse:
    """The people, how to reach them, their flags, contacts, referrals and holds."""
    context = case_context(request, case_id, "household")
    case = context["case"]
    restricted = context["restricted"]
    flags = selectors.flags_for(case=case)
    for flag in flags:
        flag.restricted = flag.pk in restricted.flags
        if flag.restricted:
            flag.details, flag.cleared_reason = RESTRICTED_TEXT, ""
    references = tenant_references_for(case=case)
    for person in context["header"].tenants:
        person.references = references.get(person.pk, [])
    contacts = selectors.contacts_for(case=case)
    for contact in contacts:
        if contact.pk in restricted.contacts:
            contact.summary = RESTRICTED_TEXT
    context.update(
        contacts=contacts,
        flags=flags,
        referrals=selectors.referrals_for(case=case),
        holds=selectors.holds_for(case=case),
        hold_kinds=Hold.Kind,
    )
    return render(request, "cases/case_household.html", context)


@require_GET
def case_notices(request: HttpRequest, case_id: int) -> HttpResponse:
    """Notices, court cases and warrants; the notices app's pages act on them."""
    context = case_context(request, case_id, "notices")
    case = context["case"]
    notices = list(notices_for_case(case=case))
    context.update(
        notices=notices,
        money_claim_accounts=[
            a for a in context["accounts"] if a.kind in MONEY_CLAIM_KINDS and a.balance > 0
        ],
        **court_summary(case=case, notices=notices),
    )
    return render(request, "cases/case_notices.html", context)


@require_GET
def case_documents(request: HttpRequest, case_id: int) -> HttpResponse:
    """The documents produced for the case, and the letters waiting to be produced."""
    context = case_context(request, case_id, "documents")
    case = context["case"]
    context.update(
        documents=list(documents_for_case(case=case)),
        letter_requests=list(letter_requests_for(case=case)),
        tenant_messages=messages_for_case(case=case),
        opt_outs=opt_outs_for_case(case=case),
    )
    return render(request, "cases/case_documents.html", context)
