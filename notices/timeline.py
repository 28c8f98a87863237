"""Timeline sentences for the notice and document verbs (added to cases.timeline at start-up)."""

from collections.abc import Callable, Mapping
from typing import Any

from core.money import format_money
from notices.periods import long_date


def _date(payload: Mapping[str, Any], key: str) -> str:
    from datetime import date

    value = payload.get(key)
    return long_date(date.fromisoformat(value[:10])) if value else ""


def _reasons(payload: Mapping[str, Any]) -> str:
    return " ".join(payload.get("reasons", []))


SENTENCES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "notice_drafted": lambda p: (
        f"{p.get('kind_label', 'Notice')} drafted: arrears "
        f"{format_money(p.get('arrears_amount'))}, proceedings after "
        f"{_date(p, 'earliest_proceedings_date')}"
    ),
    "notice_refused": lambda p: (
        f"{p.get('kind_label', 'Notice')} refused at {p.get('step', 'draft')}: " + _reasons(p)
    ),
    "notice_submitted": lambda p: f"{p.get('kind_label', 'Notice')} sent to a manager for approval",
    "notice_approved": lambda p: f"{p.get('kind_label', 'Notice')} approved for service",
    "notice_printed": lambda p: f"{p.get('kind_label', 'Notice')} printed for service",
    "notice_served": lambda p: (
        f"{p.get('kind_label', 'Notice')} served on {p.get('tenant', 'the tenant')}"
        + (f" ({p['method_label'].lower()})" if p.get("method_label") else "")
        + (f" by {p['server']}" if p.get("server") else "")
        + (f", deemed served {_date(p, 'deemed_served_on')}" if p.get("deemed_served_on") else "")
    ),
    "notice_withdrawn": lambda p: (
        f"{p.get('kind_label', 'Notice')} withdrawn: {p.get('reason', '')}"
    ),
    "notice_expired": lambda p: (
        f"{p.get('kind_label', 'Notice')} expired after {_date(p, 'last_proceedings_date')}"
    ),
    "document_produced": lambda p: (
        f"{p.get('title') or p.get('kind_label', 'Document')} produced"
        + (" (draft)" if p.get("draft") else "")
        + (f", {p['pages']} page{'s' if p['pages'] != 1 else ''}" if p.get("pages") else "")
    ),
    "document_failed": lambda p: (
        f"{p.get('kind_label', 'Document')} could not be produced: {p.get('error', '')}"
    ),
    "letter_failed": lambda p: (
        f"{p.get('letter_label', 'Letter')} could not be produced: {p.get('error', '')}"
    ),
    "court_pack_prepared": lambda p: "Court pack prepared for a manager's approval",
    "court_pack_approved": lambda p: (
        "Court pack approved: a possession claim may be issued"
        + (f" ({p['note']})" if p.get("note") else "")
    ),
    "court_pack_declined": lambda p: f"Court pack declined: {p.get('note', '')}",
    "message_queued": lambda p: (
        f"{p.get('channel_label', 'Message')} to {p.get('tenant', 'the tenant')} sent to "
        f"GOV.UK Notify: {str(p.get('purpose_label', '')).lower()}"
    ),
    "message_not_sent": lambda p: (
        f"{p.get('channel_label', 'Message')} to {p.get('tenant', 'the tenant')} not sent: "
        f"{p.get('reason', '')}"
    ),
    "message_delivered": lambda p: (
        f"{p.get('channel_label', 'Message')} to {p.get('tenant', 'the tenant')} delivered"
    ),
    "message_failed": lambda p: (
        f"{p.get('channel_label', 'Message')} to {p.get('tenant', 'the tenant')} "
        f"{str(p.get('status_label', 'not delivered')).lower()}"
        + (f" ({p['reason']})" if p.get("reason") else "")
    ),
    "opt_out_recorded": lambda p: (
        f"{p.get('tenant', 'The tenant')} asked not to be sent a "
        f"{str(p.get('channel_label', 'message')).lower()}"
        + (f": {p['reason']}" if p.get("reason") else "")
    ),
    "opt_out_withdrawn": lambda p: (
        f"{p.get('tenant', 'The tenant')} may be sent a "
        f"{str(p.get('channel_label', 'message')).lower()} again"
    ),
}


def register() -> None:
    from cases import timeline

    for verb, sentence in SENTENCES.items():
        timeline.SENTENCES.setdefault(verb, sentence)
