"""Whether a message may go to a person, each rule a small function naming its reason."""

from __future__ import annotations

from datetime import date

from notices.checks import Refusal
from notices.models import MessageChannel, MessagePurpose

# Messages that ask for the arrears. A Breathing Space stops these but not messages
# about current rent or other matters (SI 2020/1311 reg 7; legal-reference.md §10).
ABOUT_THE_ARREARS = frozenset(
    {
        MessagePurpose.EARLY_REMINDER,
        MessagePurpose.ARREARS_REMINDER,
        MessagePurpose.INSTALMENT_REMINDER,
        MessagePurpose.MISSED_INSTALMENT,
    }
)


def breathing_space_message_refusal(
    *, purpose: str, breathing_space_until: date | None, in_breathing_space: bool
) -> Refusal | None:
    """No contact demanding a moratorium debt while a Breathing Space is in force (Debt
    Respite Scheme regulations, SI 2020/1311 reg 7; legal-reference.md §10)."""
    if not in_breathing_space or purpose not in ABOUT_THE_ARREARS:
        return None
    until = f" until {breathing_space_until:%-d %B %Y}" if breathing_space_until else ""
    return Refusal(
        "breathing_space",
        f"A Breathing Space is in force{until}: no message may ask for the arrears.",
    )


def opted_out_refusal(*, channel: str, opted_out: set[str], name: str) -> Refusal | None:
    """A person who has asked not to be contacted through a channel is not (UK GDPR art.
    21; PECR reg. 22 for texts and emails). Letters by post are how notices must still be
    served, so only Notify's letter service honours a letter opt-out."""
    if channel in opted_out:
        label = MessageChannel(channel).label.lower()
        return Refusal("opted_out", f"{name} has asked not to be sent a {label}.")
    return None


def no_address_refusal(*, channel: str, address: str, name: str) -> Refusal | None:
    """A text needs a mobile number, an email an address, a letter a postal address."""
    if address:
        return None
    needs = {
        MessageChannel.SMS: "mobile number",
        MessageChannel.EMAIL: "email address",
        MessageChannel.LETTER: "postal address",
    }[MessageChannel(channel)]
    return Refusal("no_address", f"No {needs} is recorded for {name}.")


def moved_out_refusal(*, moved_out_on: date | None, today: date, name: str) -> Refusal | None:
    """Someone who has left the household is not written to at it."""
    if moved_out_on is not None and moved_out_on <= today:
        return Refusal("moved_out", f"{name} moved out on {moved_out_on:%-d %B %Y}.")
    return None
