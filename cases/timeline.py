"""The case timeline: the verbs services write and the sentences officers read.

Verbs are plain strings so a later feature can add its own without a migration;
each one used in the service is listed here with the sentence it reads as.
"""

from collections.abc import Callable, Mapping
from typing import Any

from core.money import format_money


def _money(payload: Mapping[str, Any], key: str) -> str:
    return format_money(payload.get(key)) if payload.get(key) is not None else ""


SENTENCES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "payment_taken": lambda p: f"Payment of {_money(p, 'amount')} taken"
    + (f" by {p['method_label']}" if p.get("method_label") else ""),
    "ledger_adjusted": lambda p: f"Adjustment of {_money(p, 'amount')}: {p.get('reason', '')}",
    "ledger_written_off": lambda p: f"{_money(p, 'amount')} written off: {p.get('reason', '')}",
    "ledger_reversed": lambda p: f"{p.get('kind_label', 'Line')} of {_money(p, 'original_amount')}"
    f" reversed: {p.get('reason', '')}",
    "charge_posted": lambda p: f"Charge of {_money(p, 'amount')} posted: {p.get('description', '')}",
    "stage_changed": lambda p: f"Stage changed from {p.get('from_label', '')} to {p.get('to_label', '')}",
    "case_reassigned": lambda p: f"Case reassigned to {p.get('to_officer', '')}",
}


def describe(verb: str, payload: Mapping[str, Any]) -> str:
    """A sentence for a timeline entry; unknown verbs read as their words."""
    sentence = SENTENCES.get(verb)
    if sentence is None:
        return verb.replace("_", " ").capitalize()
    return sentence(payload)
