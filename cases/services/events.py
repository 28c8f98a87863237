"""The timeline writer every service uses, and the helpers they share."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import Case, CaseEvent
from core.models import User


def case_event_record(
    *,
    case: Case,
    actor: User | None,
    verb: str,
    payload: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> CaseEvent | None:
    """Add an entry to a case's timeline.

    With an idempotency key, a second call with the same key writes nothing and
    returns None, so a re-run of a job cannot duplicate an event.
    """
    event = CaseEvent(
        case=case,
        actor=actor,
        verb=verb,
        payload=payload or {},
        occurred_at=occurred_at or timezone.now(),
        idempotency_key=idempotency_key,
    )
    if idempotency_key is None:
        event.save()
        return event
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        if CaseEvent.objects.filter(idempotency_key=idempotency_key).exists():
            return None
        raise
    return event


def lock_case(case: Case) -> Case:
    """Lock the case row so two officers' changes to one case run one after the other."""
    return Case.objects.select_for_update().get(pk=case.pk)


def refuse_if(**problems: str | None) -> None:
    errors = {field: message for field, message in problems.items() if message}
    if errors:
        raise ValidationError(errors)


def stripped(value: str) -> str:
    return (value or "").strip()
