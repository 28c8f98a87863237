"""What the court documents print, as JSON-safe values stored on each Document.

The notices app renders them (its catalogue names the templates); the figures are read
here, from the court records, with the court report's builders for what the two share
(the household, contacts, Protocol steps, vulnerability, benefits and arrangements).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cases.models import Case, CourtCase, Tenure
from core.models import User
from notices.catalogue import template_for
from notices.contexts import (
    base_context,
    iso,
    money,
    statement_lines,
)
from notices.court_packs import court_report_context
from notices.models import DocumentKind, Notice
from payments.models import Account

FOR_THE_COURT = [{"name": "The court", "address": [], "large_print": False, "label": ""}]
FOR_THE_MANAGER = [{"name": "The income manager", "address": [], "large_print": False, "label": ""}]

# What the claim relies on, by the notice it follows (legal-reference.md §1-§5, §18).
GROUNDS: dict[str, list[dict[str, str]]] = {
    "nosp": [
        {
            "ground": "Ground 1",
            "source": "Housing Act 1985, Schedule 2",
            "text": "Rent lawfully due from the tenant has not been paid.",
        }
    ],
    "flexible_termination": [
        {
            "ground": "Ground 1",
            "source": "Housing Act 1985, Schedule 2 (s86A, flexible tenancy during its term)",
            "text": "Rent lawfully due from the tenant has not been paid.",
        }
    ],
    "notice_of_proceedings": [
        {
            "ground": "Section 127",
            "source": "Housing Act 1996, ss127-128",
            "text": "The tenancy is an introductory tenancy and the procedure for a notice of "
            "proceedings has been followed; the claimant seeks possession for rent arrears.",
        }
    ],
    "notice_to_quit": [
        {
            "ground": "Notice to quit",
            "source": "Protection from Eviction Act 1977 s3 and s5",
            "text": "The tenancy is not secure or assured; it has been ended by a notice to quit "
            "that has expired.",
        }
    ],
    "notice_to_determine": [
        {
            "ground": "Notice to determine",
            "source": "Protection from Eviction Act 1977 s3 and s5(1A)",
            "text": "The licence has been ended by a notice that has expired.",
        }
    ],
}
S8_GROUNDS = {
    "8": "At the date of service of the notice and at the hearing, at least the statutory "
    "amount of rent was unpaid (mandatory).",
    "10": "Some rent lawfully due was unpaid on the date proceedings began, and was in arrears "
    "when the notice was served.",
    "11": "The tenant has persistently delayed paying rent which has become lawfully due.",
}


def grounds_for(notice: Notice) -> list[dict[str, str]]:
    if notice.kind in ("s8_form_3", "s8_form_3a"):
        return [
            {
                "ground": f"Ground {number}",
                "source": "Housing Act 1988, Schedule 2",
                "text": S8_GROUNDS[number],
            }
            for number in (notice.grounds or ["10", "11"])
            if number in S8_GROUNDS
        ]
    return GROUNDS.get(notice.kind, GROUNDS["nosp"])


def particulars_context(
    case: Case, *, notice: Notice, today: date, actor: User, arrears: Decimal
) -> dict[str, Any]:
    """The particulars of claim (CPR PD 55A 2.1-2.4A, the content of N119): the
    property, who is in possession, the tenancy and rent, the ground, the notice and its
    service, the arrears with the two-year schedule attached, the daily rate, the steps
    taken, what the council knows of the tenant's circumstances and benefits, and what
    is claimed."""
    template = template_for(DocumentKind.PARTICULARS_OF_CLAIM)
    context = court_report_context(
        case, template=template, today=today, summary="", actor=actor, notice=notice
    )
    context.update(
        {
            "title": f"Particulars of claim: {case.reference}",
            "grounds": grounds_for(notice),
            "arrears_claimed": money(arrears),
            "is_introductory": case.tenancy.tenure == Tenure.INTRODUCTORY,
            "signed_by": context["officer"],
            "copies": FOR_THE_COURT,
        }
    )
    return context


def eviction_report_context(
    case: Case,
    *,
    court_case: CourtCase,
    form: str,
    today: date,
    actor: User,
    recommendation: str,
    checks: list[dict[str, Any]],
    breach_particulars: str,
    expected: Decimal | None,
    paid: Decimal | None,
) -> dict[str, Any]:
    """The eviction report a manager decides on: the household and vulnerability, every
    contact since the order, the breach (expected against paid), benefits and any claim
    pending, the assessment renewed for this step, the safeguarding checks, and what the
    officer recommends and why (legal-reference.md §8, §14)."""
    template = template_for(DocumentKind.EVICTION_REPORT)
    notice = (
        Notice.objects.filter(case=case, claims__court_case=court_case).first()
        if court_case.pk
        else None
    )
    context = court_report_context(
        case, template=template, today=today, summary=recommendation, actor=actor, notice=notice
    )
    since = court_case.order_date or court_case.issued_on or today
    context.update(
        {
            "title": f"Eviction report: {case.reference}",
            "recommendation": recommendation,
            "form": form,
            "order": order_json(court_case),
            "breach": {
                "particulars": breach_particulars,
                "expected": money(expected),
                "paid": money(paid),
                "shortfall": money(expected - paid)
                if expected is not None and paid is not None
                else None,
            },
            "contacts_since_order": [
                c for c in context["contacts"] if c["date"] and c["date"] >= since.isoformat()
            ],
            "checks": checks,
            "copies": FOR_THE_MANAGER,
        }
    )
    return context


def warrant_application_context(
    case: Case,
    *,
    court_case: CourtCase,
    form: str,
    today: date,
    actor: User,
    breach_particulars: str,
) -> dict[str, Any]:
    """What form N325 (or N325A with its statement of payments due and made since the
    order) asks for, ready to copy into the form or PCOL."""
    template = template_for(DocumentKind.WARRANT_APPLICATION)
    context = base_context(case, template=template, today=today, actor=actor)
    rent = [a for a in case.accounts.all() if a.rent_lawfully_due]
    since = court_case.order_date or today
    context.update(
        {
            "title": f"Warrant application ({form}): {case.reference}",
            "form": form,
            "order": order_json(court_case),
            "breach_particulars": breach_particulars,
            "payments_since_order": statement_lines(rent, start=since, end=today)
            if form == "N325A"
            else [],
            "copies": FOR_THE_COURT,
        }
    )
    return context


def order_json(court_case: CourtCase) -> dict[str, Any]:
    hearing = timezone.localtime(court_case.hearing_at) if court_case.hearing_at else None
    return {
        "claim_number": court_case.claim_number,
        "court_name": court_case.court_name,
        "issued_on": iso(court_case.issued_on),
        "hearing_on": iso(hearing.date()) if hearing else None,
        "outcome": court_case.outcome,
        "outcome_label": court_case.get_outcome_display(),
        "order_date": iso(court_case.order_date),
        "possession_date": iso(court_case.possession_date),
        "balance_at_order": money(court_case.balance_at_order),
        "terms_instalment": money(court_case.terms_instalment),
        "terms_frequency": court_case.get_terms_frequency_display().lower()
        if court_case.terms_frequency
        else "",
        "money_judgment": money(court_case.money_judgment),
        "costs_awarded": money(court_case.costs_awarded),
    }


def review_decision_context(
    case: Case,
    *,
    notice: Notice,
    requested_on: date,
    grounds: str,
    oral_hearing: bool,
    decision: str,
    decision_label: str,
    reasons: str,
    today: date,
    actor: User,
) -> dict[str, Any]:
    """The letter telling the tenant the review's decision and, when it is confirmed, the
    reasons (HA 1996 s129(5)), before the date in the notice."""
    template = template_for(DocumentKind.REVIEW_DECISION)
    context = base_context(case, template=template, today=today, actor=actor)
    context.update(
        {
            "notice": {
                "served_on": iso(notice.served_on),
                "earliest_proceedings_date": iso(notice.earliest_proceedings_date),
            },
            "review": {
                "requested_on": iso(requested_on),
                "grounds": grounds,
                "oral_hearing": oral_hearing,
                "decision": decision,
                "decision_label": decision_label,
                "reasons": reasons,
                "reviewer": context["officer"],
            },
        }
    )
    return context


def money_claim_context(
    case: Case,
    *,
    account: Account,
    amount: Decimal,
    interest: Decimal,
    interest_from: date | None,
    fee: Decimal,
    steps_taken: str,
    today: date,
    actor: User,
) -> dict[str, Any]:
    """The summary of a money claim for a debt other than rent: the debt and what makes
    it up, interest if claimed, the fee, and the steps taken before claiming."""
    template = template_for(DocumentKind.MONEY_CLAIM)
    context = base_context(case, template=template, today=today, actor=actor)
    start = account.opened_on or today
    context.update(
        {
            "title": f"Money claim: {account.get_kind_display()} {account.reference}",
            "account": {
                "reference": account.reference,
                "kind": account.get_kind_display(),
                "opened_on": iso(account.opened_on),
            },
            "amount": money(amount),
            "interest": money(interest),
            "interest_from": iso(interest_from),
            "fee": money(fee),
            "total": money(amount + interest + fee),
            "steps_taken": steps_taken,
            "statement": statement_lines([account], start=start, end=today),
            "copies": FOR_THE_COURT,
        }
    )
    return context
