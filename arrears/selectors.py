"""Reads of the arrears engine's records, for the case page and the managers' pages."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from arrears.limitation import (
    DEBTOR_PAYMENTS,
    LIMITATION_KINDS,
    NOT_BARRED,
    LimitationPosition,
    limitation_position,
)
from arrears.models import (
    EscalationPolicy,
    LetterRequest,
    NightlyRun,
    PolicyPreview,
    Recommendation,
    RecommendationHistory,
    RunChunk,
)
from arrears.policy import Policy, default_policy
from cases.models import Case, Contact
from payments.models import Account, Arrangement, ArrangementCheck, Transaction


def latest_recommendation(*, case: Case) -> Recommendation | None:
    """The engine's current recommendation for the case, or None if it has never made one.

    Has `action`, `action_label`, `stage`, `reasons` (dicts with `rule`, `text`, `source`,
    `figures`), `guards` (dicts with `guard`, `label`, `detail`, `holding`), `policy_version`,
    `run_date`, `since`, `needs_approval`, `technical_arrears`, `technical_reasoning` and
    `figures` (the case's and each account's figures on the run date).
    """
    return Recommendation.objects.filter(case=case).first()


def figures_confirmed_on(*, case: Case) -> date | None:
    """The date of the latest run that worked the case out, or None if none has.

    A run leaves a case it finds unchanged unwritten (arrears/writer.py), so the case's
    `figures_on` is when they last changed; a later run that covered the case and found
    them the same confirms them as of its date.
    """
    covered = (
        RunChunk.objects.filter(
            status=RunChunk.Status.DONE, first_case_id__lte=case.pk, last_case_id__gte=case.pk
        )
        .order_by("-run__run_date")
        .values_list("run__run_date", flat=True)
        .first()
    )
    dates = [d for d in (covered, case.figures_on) if d is not None]
    return max(dates) if dates else None


def letter_requests_for(*, case: Case, limit: int = 50) -> QuerySet[LetterRequest]:
    """The letters the nightly run (or an officer) asked for on the case, newest first."""
    return LetterRequest.objects.filter(case=case).order_by("-requested_at")[:limit]


def recommendation_history(*, case: Case, limit: int = 50) -> QuerySet[RecommendationHistory]:
    """Each change of the engine's decision for the case, newest first."""
    return RecommendationHistory.objects.filter(case=case).order_by("-run_date")[:limit]


def arrangement_history(*, arrangement: Arrangement) -> QuerySet[ArrangementCheck]:
    """The arrangement's states in order, each with what was expected and what was paid."""
    return ArrangementCheck.objects.filter(arrangement=arrangement).order_by("checked_on", "id")


def recent_runs(*, limit: int = 30) -> QuerySet[NightlyRun]:
    return NightlyRun.objects.select_related("policy", "started_by").order_by("-run_date")[:limit]


def overdue_run_date(*, now: datetime) -> date | None:
    """The day whose nightly run should be going by now and is not, or None.

    Beat sends the run at NIGHTLY_RUN_HOUR; if that message was lost (the broker was down
    at that moment) there is no run for the day, and if every worker died mid-run it is
    still running with its lease lapsed. Either way the officers' morning worktray would
    show yesterday's figures, so the catch-up starts it. `now` is local (Europe/London).
    """
    if now.hour < settings.NIGHTLY_RUN_HOUR:
        return None
    run = NightlyRun.objects.filter(run_date=now.date()).only("status", "lease_until").first()
    if run is None:
        return now.date()
    stalled = run.status == NightlyRun.Status.RUNNING and (
        run.lease_until is None or run.lease_until <= now
    )
    return now.date() if stalled else None


def run_on(*, run_date: date) -> NightlyRun:
    return get_object_or_404(
        NightlyRun.objects.select_related("policy", "started_by"), run_date=run_date
    )


def run_chunks(*, run: NightlyRun) -> QuerySet[RunChunk]:
    return run.chunks.order_by("number")


def policy_in_force() -> Policy:
    """The escalation policy in force as the engine reads it: the newest version, or the
    defaults before anyone has saved one. Never writes (services.policy_current does)."""
    record = EscalationPolicy.objects.order_by("-version").first()
    if record is None:
        return default_policy()
    return Policy.from_document(record.document, version=record.version)


def policy_versions() -> QuerySet[EscalationPolicy]:
    return EscalationPolicy.objects.select_related("created_by").order_by("-version")


def policy_version(*, version: int) -> EscalationPolicy:
    return get_object_or_404(EscalationPolicy, version=version)


def policy_preview(*, preview_id: int) -> PolicyPreview:
    return get_object_or_404(PolicyPreview.objects.select_related("created_by"), pk=preview_id)


def account_limitation(*, account: Account, today: date) -> LimitationPosition:
    """How much of one account is statute-barred today, read as the nightly run reads
    it (arrears/loader.py `limitation_lines_sql`): its debits and the debtor's own
    payments, and the signed acknowledgments of the debt recorded on its case
    (Limitation Act 1980 ss5, 19, 29(5), 30; legal-reference.md §13)."""
    if account.kind not in LIMITATION_KINDS or account.balance <= 0:
        return NOT_BARRED
    lines = (
        Transaction.objects.filter(account=account, effective_date__lte=today)
        .filter(Q(amount__gt=0) | Q(kind__in=DEBTOR_PAYMENTS))
        .values_list("effective_date", "amount")
    )
    charges = [(day, amount) for day, amount in lines if amount > 0]
    restarts = [day for day, amount in lines if amount <= 0]
    restarts += Contact.objects.filter(
        case_id=account.case_id,
        outcome=Contact.Outcome.ACKNOWLEDGED_DEBT,
        contacted_on__lte=today,
    ).values_list("contacted_on", flat=True)
    return limitation_position(
        balance=account.balance, charges=charges, restarts=restarts, today=today
    )
