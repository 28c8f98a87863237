"""The case timeline: the verbs services write and the sentences officers read.

Verbs are plain strings so a later feature can add its own without a migration;
each one used in the service is listed here with the sentence it reads as, and
with the kind of entry it is, for the timeline's filter.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Case, DateTimeField, F, Q, QuerySet, When
from django.db.models.expressions import Expression
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from cases.models import Contact, Stage
from core.money import format_money


def _money(payload: Mapping[str, Any], key: str) -> str:
    return format_money(payload.get(key)) if payload.get(key) is not None else ""


def _date(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    if not value:
        return ""
    try:
        return f"{date.fromisoformat(value):%-d %B %Y}"
    except (TypeError, ValueError):
        return str(value)


def _stage(payload: Mapping[str, Any], key: str) -> str:
    """A stage by its code, so every entry, old or new, shows today's one label."""
    code = payload.get(key)
    return Stage.label_of(code) if code else str(payload.get(f"{key}_label", ""))


def _then(text: str, prefix: str = ": ") -> str:
    return f"{prefix}{text}" if text else ""


def contact_payload(contact: Contact) -> dict[str, Any]:
    """What the timeline says of a contact: the event's payload, and the entry read
    from a contact record that has no event (one the seed or an import wrote)."""
    tenant = contact.tenant
    return {
        "contact_id": contact.pk,
        "channel": contact.channel,
        "channel_label": contact.get_channel_display(),
        "direction": contact.direction,
        "outcome": contact.outcome,
        "outcome_label": contact.get_outcome_display(),
        "summary": contact.summary,
        "contacted_on": contact.contacted_on.isoformat(),
        "follow_up_on": contact.follow_up_on.isoformat() if contact.follow_up_on else None,
        "tenant_id": tenant.pk if tenant else None,
        "tenant_name": tenant.full_name if tenant else "",
    }


def _contact(p: Mapping[str, Any]) -> str:
    direction = "from" if p.get("direction") == "inbound" else "to"
    who = p.get("tenant_name") or "the household"
    sentence = (
        f"{p.get('channel_label', 'Contact')} {direction} {who}: {p.get('outcome_label', '')}"
    )
    if p.get("follow_up_on"):
        sentence += f". Follow up on {_date(p, 'follow_up_on')}"
    return sentence


def _arrangement(p: Mapping[str, Any]) -> str:
    terms = f"{_money(p, 'instalment')} {str(p.get('frequency_label', '')).lower()}"
    if p.get("court_ordered"):
        return f"Court-ordered terms recorded: rent plus {terms} from {_date(p, 'starts_on')}"
    sentence = f"Arrangement of {terms} from {_date(p, 'starts_on')} agreed"
    if p.get("replaces"):
        sentence += ", replacing the previous one"
    if p.get("warning"):
        sentence += ". Agreed although rent plus the instalment is more than the I&E surplus"
    return sentence


def _claim_recorded(p: Mapping[str, Any]) -> str:
    evidence = {
        True: "all evidence given",
        False: "evidence still to come",
    }.get(p.get("all_evidence_supplied"), "")
    return (
        f"{p.get('reason_label', 'Benefit')} claim pending, submitted {_date(p, 'starts_on')}"
        + _then(evidence, ", ")
    )


def _cover_withdrawn(p: Mapping[str, Any]) -> str:
    sentence = f"{p.get('officer', '')}'s cover of patch {p.get('patch', '')} withdrawn"
    if p.get("before_it_began"):
        return sentence + " before it began"
    return sentence + f": last day {_date(p, 'ends_on')}"


SENTENCES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "payment_taken": lambda p: (
        f"Payment of {_money(p, 'amount')} taken"
        + (f" by {p['method_label']}" if p.get("method_label") else "")
    ),
    "ledger_adjusted": lambda p: f"Adjustment of {_money(p, 'amount')}: {p.get('reason', '')}",
    "ledger_transferred": lambda p: (
        f"{_money(p, 'amount')} moved from account {p.get('from', '')} to {p.get('to', '')}"
        + _then(p.get("reason", ""))
    ),
    "ledger_written_off": lambda p: f"{_money(p, 'amount')} written off: {p.get('reason', '')}",
    "ledger_reversed": lambda p: (
        f"{p.get('kind_label', 'Line')} of {_money(p, 'original_amount')}"
        f" reversed: {p.get('reason', '')}"
    ),
    "suspense_allocation_requested": lambda p: (
        f"{_money(p, 'amount')} in suspense ({p.get('file', '')}, line {p.get('line', '')})"
        f" to be allocated to account {p.get('account', '')}, awaiting a second person's"
        f" approval: {p.get('reason', '')}"
    ),
    "suspense_allocated": lambda p: (
        f"{_money(p, 'amount')} allocated from suspense ({p.get('file', '')}, line"
        f" {p.get('line', '')}) to account {p.get('account', '')}, asked for by"
        f" {p.get('requested_by', '')}"
    ),
    "suspense_allocation_refused": lambda p: (
        f"Allocation of {_money(p, 'amount')} from suspense ({p.get('file', '')}, line"
        f" {p.get('line', '')}) to account {p.get('account', '')}, asked for by"
        f" {p.get('requested_by', '')}, refused: {p.get('refused_because', '')}; the money"
        " stays in suspense"
    ),
    # payments/direct_debits.py; bank details only ever masked.
    "direct_debit_set_up": lambda p: (
        f"Direct debit {p.get('mandate', '')} of {_money(p, 'amount')}"
        f" {str(p.get('frequency_label', '')).lower()} set up from {p.get('bank', '')},"
        f" first collection {_date(p, 'first_on')}"
    ),
    "direct_debit_cancelled": lambda p: (
        f"Direct debit {p.get('mandate', '')} cancelled" + _then(p.get("reason", ""))
    ),
    "direct_debit_bank_report": lambda p: (
        f"The bank reported on direct debit {p.get('mandate', '')}"
        f" ({p.get('report', '')} {p.get('code', '')}: {p.get('meaning', '')}):"
        f" now {str(p.get('status_label', '')).lower()}"
    ),
    "direct_debit_returned": lambda p: (
        f"Direct debit of {_money(p, 'collected_amount')} collected {_date(p, 'collected_on')}"
        f" returned unpaid (ARUDD {p.get('code', '')}: {p.get('meaning', '')}) and reversed"
    ),
    "charge_posted": lambda p: (
        f"Charge of {_money(p, 'amount')} posted: {p.get('description', '')}"
    ),
    "stage_changed": lambda p: f"Stage changed from {_stage(p, 'from')} to {_stage(p, 'to')}",
    # Written by the nightly run (arrears/writer.py).
    "letter_requested": lambda p: f"{p.get('letter_label', 'Letter')} queued for printing",
    "approval_recommended": lambda p: f"Recommended for approval: {p.get('action_label', '')}",
    "arrangement_state_changed": lambda p: (
        f"Arrangement {str(p.get('to', '')).replace('_', ' ')}"
        + (f": {p['description']}" if p.get("description") else "")
    ),
    "contact_recorded": _contact,
    "note_added": lambda p: "Note",
    "arrangement_created": _arrangement,
    "arrangement_cancelled": lambda p: "Arrangement cancelled" + _then(p.get("reason", "")),
    "case_paused": lambda p: (
        f"Case paused until {_date(p, 'until')}" + _then(p.get("reason_label", ""))
    ),
    "pause_ended": lambda p: "Pause ended",
    "breathing_space_recorded": lambda p: (
        f"Breathing Space recorded: {p.get('type_label', '')}"
        f" from {_date(p, 'starts_on')}"
        + (f", expected to end {_date(p, 'expected_end')}" if p.get("expected_end") else "")
    ),
    "breathing_space_ended": lambda p: f"Breathing Space ended on {_date(p, 'ended_on')}",
    "dispute_recorded": lambda p: (
        f"Dispute recorded: {p.get('reason_label', '')}, raised {_date(p, 'starts_on')}"
    ),
    "dispute_resolved": lambda p: (
        f"Dispute ({str(p.get('reason_label', '')).lower()}) resolved on {_date(p, 'ended_on')}"
        + _then(p.get("outcome_label", ""), " - ")
    ),
    "benefit_claim_recorded": _claim_recorded,
    "benefit_claim_evidence_supplied": lambda p: (
        f"All evidence given for the {p.get('reason_label', 'benefit')} claim on"
        f" {_date(p, 'supplied_on')}"
    ),
    "benefit_claim_decided": lambda p: (
        f"{p.get('reason_label', 'Benefit')} claim {str(p.get('outcome_label', 'decided')).lower()}"
        f" on {_date(p, 'ended_on')}"
    ),
    "vulnerability_recorded": lambda p: (
        ("Safeguarding concern recorded" if p.get("is_safeguarding") else "Vulnerability recorded")
        + _then(p.get("kind_label", ""))
    ),
    "vulnerability_cleared": lambda p: (
        f"{p.get('kind_label', 'Flag')} flag cleared" + _then(p.get("reason", ""))
    ),
    "referral_made": lambda p: f"Referral: {p.get('kind_label', '')} ({p.get('to', '')})",
    "referral_outcome": lambda p: (
        f"Referral outcome: {p.get('kind_label', '')}" + _then(p.get("outcome_label", ""), " - ")
    ),
    "case_reassigned": lambda p: (
        f"Case reassigned from {p.get('from_officer', '')} to {p.get('to_officer', '')}"
    ),
    "cover_given": lambda p: (
        f"{p.get('officer', '')} covers patch {p.get('patch', '')} from"
        f" {_date(p, 'starts_on')}" + (f" to {_date(p, 'ends_on')}" if p.get("ends_on") else "")
    ),
    "cover_withdrawn": _cover_withdrawn,
    "assessment_recorded": lambda p: (
        f"Proportionality assessment for {str(p.get('step_label', 'a step')).lower()}: "
        f"{str(p.get('decision_label', '')).lower()}"
    ),
    "income_expenditure_recorded": lambda p: (
        f"Income and expenditure recorded: surplus of {_money(p, 'surplus')} a month"
    ),
    "write_off_proposed": lambda p: (
        f"Write-off of {_money(p, 'amount')} on account {p.get('account', '')} proposed"
        f" ({p.get('reason_label', '')}), awaiting a second person's approval"
    ),
    "write_off_approved": lambda p: (
        f"Write-off of {_money(p, 'amount')} on account {p.get('account', '')} approved"
        f" ({p.get('reason_label', '')}), proposed by {p.get('proposed_by', '')}"
    ),
    "write_off_refused": lambda p: (
        f"Write-off of {_money(p, 'amount')} on account {p.get('account', '')} refused"
    ),
    "write_off_reinstated": lambda p: (
        f"Write-off of {_money(p, 'amount')} on account {p.get('account', '')} reinstated:"
        " the debt is owed again"
    ),
    "tenant_reference_added": lambda p: (
        f"Reference {p.get('reference', '')} recorded for {p.get('tenant', '')}"
        + (f" (from {p['issued_by']})" if p.get("issued_by") else "")
        + ": payment and benefit lines carrying it now find this account"
    ),
    "tenant_reference_removed": lambda p: (
        f"Reference {p.get('reference', '')} of {p.get('tenant', '')} taken off: lines"
        " carrying it no longer find this account"
    ),
    # The housing management system's nightly load (integrations/hms/sync.py).
    "tenancy_loaded": lambda p: (
        f"Tenancy {p.get('tenancy', '')} loaded from the housing management system,"
        f" starting {_date(p, 'start_date')}"
    ),
    "tenancy_ended": lambda p: (
        f"Tenancy ended on {_date(p, 'ended_on')}"
        + (" (from the housing management system)" if p.get("source") == "hms" else "")
    ),
    "tenancy_details_changed": lambda p: (
        f"Tenancy {p.get('tenancy', '')} changed in the housing management system: "
        + ", ".join(str(k).replace("_", " ") for k in p.get("changes", {}))
    ),
    "tenant_added": lambda p: (
        f"{p.get('tenant', '')} added to the tenancy"
        + ("" if p.get("is_tenant", True) else " as a household member")
        + " in the housing management system"
    ),
    "tenant_contact_changed": lambda p: (
        f"Contact details of {p.get('tenant', '')} changed in the housing management system: "
        + ", ".join(str(k).replace("_", " ") for k in p.get("changes", {}))
    ),
    "tenant_moved_out": lambda p: (
        f"{p.get('tenant', '')} moved out on {_date(p, 'moved_out_on')}"
        " (from the housing management system)"
    ),
    "case_patch_changed": lambda p: (
        f"Case moved from patch {p.get('from', '')} to {p.get('to', '')} with its property"
        " (housing management system)"
    ),
    "tracing_attempt_recorded": lambda p: (
        f"Tracing attempt ({p.get('method_label', '')}) on {_date(p, 'attempted_on')}:"
        f" {p.get('result_label', '')}"
    ),
}

# The text under the sentence, where the payload carries what someone wrote.
DETAILS: dict[str, str] = {
    "direct_debit_bank_report": "officer_action",
    "direct_debit_returned": "officer_action",
    "contact_recorded": "summary",
    "note_added": "text",
    "case_paused": "comment",
    "dispute_recorded": "comment",
    "dispute_resolved": "notes",
    "benefit_claim_recorded": "comment",
    "benefit_claim_decided": "notes",
    "cover_withdrawn": "reason",
    "vulnerability_recorded": "details",
    "referral_made": "notes",
    "referral_outcome": "notes",
    "assessment_recorded": "reasons",
    "write_off_proposed": "evidence",
    "write_off_approved": "note",
    "write_off_refused": "note",
    "write_off_reinstated": "reason",
    "tenant_reference_removed": "reason",
    "tracing_attempt_recorded": "details",
}


def describe(verb: str, payload: Mapping[str, Any]) -> str:
    """A sentence for a timeline entry; unknown verbs read as their words."""
    sentence = SENTENCES.get(verb)
    if sentence is None:
        return verb.replace("_", " ").capitalize()
    return sentence(payload)


def details(verb: str, payload: Mapping[str, Any]) -> str:
    key = DETAILS.get(verb)
    return str(payload.get(key) or "") if key else ""


# Kinds of entry, for the timeline's filter. Verbs other apps add fall in by prefix.
KINDS: dict[str, tuple[str, Q]] = {
    "contacts": ("Contacts", Q(verb="contact_recorded")),
    "notes": ("Notes", Q(verb="note_added")),
    "payments": (
        "Payments and the ledger",
        Q(verb__startswith="ledger_")
        | Q(verb="payment_taken")
        | Q(verb="charge_posted")
        | Q(verb__startswith="direct_debit_")
        | Q(verb__startswith="write_off_")
        | Q(verb="tracing_attempt_recorded"),
    ),
    "arrangements": (
        "Arrangements and I&E",
        Q(verb__startswith="arrangement_") | Q(verb="income_expenditure_recorded"),
    ),
    "holds": (
        "Holds: pauses, Breathing Space, disputes and benefit claims",
        Q(verb__in=["case_paused", "pause_ended"])
        | Q(verb__startswith="breathing_space_")
        | Q(verb__startswith="dispute_")
        | Q(verb__startswith="benefit_claim_"),
    ),
    "support": (
        "Vulnerability and referrals",
        Q(verb__startswith="vulnerability_") | Q(verb__startswith="referral_"),
    ),
    "escalation": (
        "Stages, letters and recommendations",
        Q(verb="stage_changed")
        | Q(verb__startswith="letter_")
        | Q(verb__startswith="recommendation")
        | Q(verb__startswith="approval_"),
    ),
    "legal": (
        "Notices and court",
        Q(verb__startswith="notice_")
        | Q(verb__startswith="court_")
        | Q(verb__startswith="warrant_")
        | Q(verb__startswith="eviction_")
        | Q(verb__startswith="tenancy_"),
    ),
    "assignment": (
        "Assignment and cover",
        Q(verb__in=["case_reassigned", "cover_given", "cover_withdrawn"]),
    ),
}


@dataclass(frozen=True)
class TimelineEntry:
    """One entry as the timeline shows it, whatever it was read from."""

    verb: str  # an event's verb, or the kind of record it was read from
    title: str
    text: str
    byline: str
    when: date | datetime  # a date alone for records kept by date (contacts, the ledger)


@dataclass(frozen=True)
class TimelineSource:
    """Records the timeline reads beside the case's events, so that they appear however
    they were written (by an officer, the seed, an import, the housing system).

    `rows` is a values_list of ("at", "origin", "pk") to merge with the events in the
    database; `entries` reads the records of one page; `replaces` are the event verbs
    these records stand for, left out so nothing appears twice.
    """

    name: str
    kind: str
    rows: QuerySet
    entries: Callable[[list[int]], dict[int, TimelineEntry]]
    replaces: frozenset[str] = frozenset()


def moment_of(day_field: str, stamp_field: str) -> Expression:
    """Where a record kept by date falls among events: the moment it was stamped, when
    that was on its date; otherwise (back-dated, or loaded later) the start of its date."""
    return Case(
        When(**{day_field: TruncDate(stamp_field)}, then=F(stamp_field)),
        default=Cast(day_field, DateTimeField()),
        output_field=DateTimeField(),
    )


def when_of(day: date, stamp: datetime) -> date | datetime:
    """The date and time to show for a record kept by date: the time only when it was
    stamped on that date, since otherwise its time is not known."""
    return stamp if timezone.localtime(stamp).date() == day else day
