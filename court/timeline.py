"""Timeline sentences for the court verbs (added to cases.timeline at start-up)."""

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from core.money import format_money
from notices.periods import long_date


def _date(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    return long_date(date.fromisoformat(value[:10])) if value else ""


def _moment(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    if not value:
        return ""
    at = timezone.localtime(datetime.fromisoformat(value))
    return f"{long_date(at.date())} at {at:%-I:%M%p}".replace("AM", "am").replace("PM", "pm")


def _money(payload: Mapping[str, Any], key: str) -> str:
    return format_money(payload.get(key)) if payload.get(key) is not None else ""


def _reasons(payload: Mapping[str, Any]) -> str:
    return " ".join(payload.get("reasons", []))


def _hearing(p: Mapping[str, Any]) -> str:
    sentence = f"Hearing on {_date(p, 'hearing_at')}: {p.get('outcome_label', '')}"
    if p.get("next_hearing_at"):
        sentence += f", to {_moment(p, 'next_hearing_at')}"
    if p.get("possession_date"):
        sentence += f"; possession on {_date(p, 'possession_date')}"
    if p.get("terms_instalment"):
        sentence += (
            f"; terms: rent plus {_money(p, 'terms_instalment')} "
            f"{str(p.get('terms_frequency_label', '')).lower()}"
        )
    if p.get("costs_awarded"):
        sentence += f"; costs of {_money(p, 'costs_awarded')}"
    return sentence


SENTENCES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "court_claim_prepared": lambda p: (
        f"Possession claim prepared: particulars of claim for arrears of {_money(p, 'arrears')}"
    ),
    "court_claim_refused": lambda p: "Possession claim could not be prepared: " + _reasons(p),
    "court_claim_issued": lambda p: (
        f"Possession claim {p.get('claim_number', '')} issued on {_date(p, 'issued_on')} in "
        f"{p.get('court_name', 'the County Court')}; hearing {_moment(p, 'hearing_at')}"
    ),
    "court_claim_withdrawn": lambda p: f"Prepared claim withdrawn: {p.get('reason', '')}",
    "court_hearing_recorded": _hearing,
    "warrant_request_prepared": lambda p: (
        f"Eviction report prepared for a warrant ({p.get('form', '')}) for a manager's decision"
    ),
    "warrant_request_refused": lambda p: "Eviction report could not be prepared: " + _reasons(p),
    "warrant_request_approved": lambda p: (
        f"Eviction report approved: apply for the warrant. {p.get('note', '')}".strip()
    ),
    "warrant_request_declined": lambda p: f"Eviction report refused: {p.get('note', '')}",
    "warrant_applied": lambda p: (
        f"Warrant of possession ({p.get('form', '')}) applied for on {_date(p, 'applied_on')}"
    ),
    "warrant_issued": lambda p: f"Warrant issued on {_date(p, 'issued_on')}",
    "warrant_appointment_booked": lambda p: (
        f"Bailiff's eviction booked for {_moment(p, 'eviction_at')}"
    ),
    "warrant_suspension_applied": lambda p: (
        f"The tenant applied to suspend the warrant (N244) on {_date(p, 'applied_on')}"
    ),
    "warrant_suspension_decided": lambda p: (
        f"Application to suspend the warrant: {p.get('outcome_label', '')}"
    ),
    "warrant_withdrawn": lambda p: f"Warrant withdrawn: {p.get('reason', '')}",
    "eviction_recorded": lambda p: (
        f"Eviction carried out on {_date(p, 'attended_on')}; the tenancy ended and "
        f"{_money(p, 'balance_moved') or 'the balance'} moved to former tenancy arrears"
        if p.get("went_ahead")
        else f"Eviction on {_date(p, 'attended_on')} did not go ahead: {p.get('reason', '')}"
    ),
    "court_review_requested": lambda p: (
        f"Review of the notice of proceedings asked for on {_date(p, 'requested_on')}"
        + (" with an oral hearing" if p.get("oral_hearing") else "")
        + f"; to be decided by {_date(p, 'decide_by')}"
    ),
    "court_review_scheduled": lambda p: (
        f"Review set for {_moment(p, 'scheduled_at')} with {p.get('reviewer', '')}"
    ),
    "court_review_decided": lambda p: f"Review decided: {p.get('decision_label', '')}",
    "court_money_claim_prepared": lambda p: (
        f"Money claim prepared for {_money(p, 'total')} on account {p.get('account', '')}"
    ),
    "court_money_claim_issued": lambda p: (
        f"Money claim {p.get('claim_number', '')} issued on {_date(p, 'issued_on')}"
    ),
    "court_money_claim_judgment": lambda p: (
        f"Judgment on {_date(p, 'judgment_on')} for {_money(p, 'amount')}"
        + (f" and costs of {_money(p, 'costs')}" if p.get("costs") else "")
    ),
    "tenancy_became_secure": lambda p: (
        f"The introductory trial period ended on {_date(p, 'trial_period_end')}: the tenancy "
        "is now secure"
    ),
}


def register() -> None:
    from cases import timeline

    for verb, sentence in SENTENCES.items():
        timeline.SENTENCES.setdefault(verb, sentence)
