"""What the court services share: a refusal with its reasons, recorded on the timeline."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from cases.models import Case
from cases.services import case_event_record
from core.models import User
from notices.checks import Refusal


class Refused(ValidationError):
    """A step the rules do not allow yet; `refusals` say why, each with its code."""

    def __init__(self, refusals: list[Refusal]) -> None:
        self.refusals = refusals
        super().__init__([r.message for r in refusals])

    @property
    def codes(self) -> list[str]:
        return [r.code for r in self.refusals]


def refuse(case: Case, *, actor: User | None, verb: str, refused: Refused) -> None:
    """Record on the timeline, in a transaction of its own, that a step was refused and
    why: the officer's attempt is part of the evidence too."""
    with transaction.atomic():
        case_event_record(
            case=case,
            actor=actor,
            verb=verb,
            payload={"reasons": [r.message for r in refused.refusals], "codes": refused.codes},
        )
