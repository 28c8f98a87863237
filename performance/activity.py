"""The work behind the figures: the stage funnel and what each officer did in a period.

- **The stage funnel**: the open cases at each rung of the escalation ladder
  (cases.Stage), how many reached their rung this week (the nightly run stamps
  `stage_changed_on`) and how many moved off each rung this week (its `stage_changed`
  timeline entries, by the rung they left). "This week" is Monday to today.
- **Officer activity**: per person who did the work (not the case's officer), in a
  period: contacts recorded (and how many reached someone, cases.Contact.REACHED),
  arrangements made, and payments taken by an officer (the ledger's `payment_taken`
  timeline entries, which carry the amount).

Each is one grouped query per measure for the scope (performance.figures.Scope).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from cases.models import Case, CaseEvent, Contact, Stage
from payments.models import Arrangement
from performance.figures import Scope

ZERO = Decimal("0.00")
# The rungs in ladder order; "Not escalated" first, as the funnel's mouth.
RUNGS = list(Stage)


def week_start(today: date) -> date:
    """Monday of this week: officers plan and report by the working week."""
    return today - timedelta(days=today.weekday())


def _from(day: date) -> datetime:
    """Midnight at the start of `day`, Europe/London (the service's time zone)."""
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Rung:
    stage: str
    label: str
    cases: int
    reached_this_week: int
    moved_on_this_week: int


def stage_funnel(*, today: date, scope: Scope) -> list[Rung]:
    """Open cases at each rung, and this week's moves onto and off each."""
    monday = week_start(today)
    at = {
        row["stage"]: row
        for row in Case.objects.filter(scope.q(), status=Case.Status.OPEN)
        .order_by()
        .values("stage")
        .annotate(n=Count("id"), reached=Count("id", filter=Q(stage_changed_on__gte=monday)))
    }
    left = {
        row["left"]: row["n"]
        for row in stage_moves_off(today=today, scope=scope).values("left").annotate(n=Count("id"))
    }
    return [
        Rung(
            stage=stage.value,
            label=stage.label,
            cases=at.get(stage.value, {}).get("n", 0),
            reached_this_week=at.get(stage.value, {}).get("reached", 0),
            moved_on_this_week=left.get(stage.value, 0),
        )
        for stage in RUNGS
    ]


@dataclass(frozen=True)
class Activity:
    contacts: int = 0
    reached: int = 0
    arrangements: int = 0
    payments: int = 0
    taken: Decimal = ZERO


def activity_records(*, start: date, end: date, scope: Scope) -> tuple[QuerySet, ...]:
    """The contacts, arrangements and payments taken from `start` to `end` on the scope's
    cases: what officer activity counts, and what its figures link to."""
    since, until = _from(start), _from(end + timedelta(days=1))
    contacts = Contact.objects.filter(scope.q("case__"), contacted_on__range=(start, end))
    arrangements = Arrangement.objects.filter(
        scope.q("case__"), created_at__gte=since, created_at__lt=until, created_by__isnull=False
    )
    payments = CaseEvent.objects.filter(
        scope.q("case__"),
        verb="payment_taken",
        occurred_at__gte=since,
        occurred_at__lt=until,
        actor__isnull=False,
    )
    return contacts, arrangements, payments


PAYMENT_AMOUNT = Cast(
    KeyTextTransform("amount", "payload"), DecimalField(max_digits=12, decimal_places=2)
)


def stage_moves_off(*, today: date, scope: Scope) -> QuerySet[CaseEvent]:
    """This week's stage changes, with the rung each left as `left`."""
    return (
        CaseEvent.objects.filter(
            scope.q("case__"), verb="stage_changed", occurred_at__gte=_from(week_start(today))
        )
        .order_by()
        .annotate(left=KeyTextTransform("from", "payload"))
    )


def officer_activity(
    *, start: date, end: date, scope: Scope, only_user_id: int | None = None
) -> dict[int, Activity]:
    """What each person did from `start` to `end` (both included) on the scope's cases,
    keyed by user id. `only_user_id`: that person's own work, on any case."""
    contacts, arrangements, payments = activity_records(start=start, end=end, scope=scope)
    if only_user_id is not None:
        contacts = contacts.filter(recorded_by_id=only_user_id)
        arrangements = arrangements.filter(created_by_id=only_user_id)
        payments = payments.filter(actor_id=only_user_id)
    found: dict[int, dict] = {}
    for row in (
        contacts.order_by()
        .values("recorded_by")
        .annotate(n=Count("id"), reached=Count("id", filter=Q(outcome__in=Contact.REACHED)))
    ):
        found.setdefault(row["recorded_by"], {}).update(contacts=row["n"], reached=row["reached"])
    for row in arrangements.order_by().values("created_by").annotate(n=Count("id")):
        found.setdefault(row["created_by"], {})["arrangements"] = row["n"]
    for row in (
        payments.order_by().values("actor").annotate(n=Count("id"), taken=Sum(PAYMENT_AMOUNT))
    ):
        found.setdefault(row["actor"], {}).update(
            payments=row["n"], taken=Decimal(row["taken"] or 0).quantize(Decimal("0.01"))
        )
    return {user_id: Activity(**values) for user_id, values in found.items()}


def activity_total(rows: dict[int, Activity]) -> Activity:
    return Activity(
        contacts=sum(a.contacts for a in rows.values()),
        reached=sum(a.reached for a in rows.values()),
        arrangements=sum(a.arrangements for a in rows.values()),
        payments=sum(a.payments for a in rows.values()),
        taken=sum((a.taken for a in rows.values()), ZERO),
    )
