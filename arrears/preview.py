"""Policy dry run: how many cases each action and guard would hit under a proposed policy.

The same loader and engine as the nightly run, over every open case, decided twice (the
current policy and the proposal) and counted. Nothing is written: the work runs inside a
transaction that is always rolled back, so even the rent calendar it may fill in goes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from arrears.engine import Decision, decide
from arrears.loader import RunCalendar, apply_technical, load_chunk, run_calendar
from arrears.models import EscalationPolicy, PolicyPreview
from arrears.policy import Policy, PolicyError
from arrears.services import DEFAULT_CHUNK_SIZE, policy_current, policy_of
from cases.models import Case
from core.memory import cyclic_gc_paused
from core.models import User


def _tally() -> dict[str, Counter]:
    return {
        "actions": Counter(),
        "guards": Counter(),
        "stages": Counter(),
        "letters": Counter(),
        "approvals": Counter(),
    }


def _compare_chunk(
    first_case: int,
    last_case: int,
    run_date: date,
    current: Policy,
    proposed: Policy,
    calendar: RunCalendar,
    tallies: dict[str, dict[str, Counter]],
    moves: Counter,
) -> int:
    """Decide one chunk's cases under both policies and tally them; return how many.

    Its facts and decisions are freed as it returns, before the cycle collector resumes
    (arrears.services._work).
    """
    same_technical = current.document["technical"] == proposed.document["technical"]
    inputs, _ = load_chunk(
        first_case=first_case,
        last_case=last_case,
        today=run_date,
        policy=current,
        calendar=calendar,
    )
    for case in inputs:
        before = decide(case, policy=current, today=run_date)
        if not same_technical:
            accounts = [replace(account) for account in case.accounts]
            for account in accounts:
                apply_technical(account, policy=proposed, calendar=calendar)
            case = replace(case, accounts=accounts)
        after = decide(case, policy=proposed, today=run_date)
        _count(tallies["current"], before)
        _count(tallies["proposed"], after)
        if before.action != after.action:
            moves[f"{before.action}>{after.action}"] += 1
    return len(inputs)


def _count(tally: dict[str, Counter], decision: Decision) -> None:
    tally["actions"][decision.action] += 1
    tally["stages"][decision.stage] += 1
    if decision.guard:
        tally["guards"][decision.guard] += 1
    for letter, _ in decision.letters:
        tally["letters"][letter] += 1
    if decision.needs_approval:
        tally["approvals"][decision.action] += 1


def policy_preview_counts(
    *,
    run_date: date,
    current: Policy,
    proposed: Policy,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> dict[str, Any]:
    """Counts per action, guard, stage and letter under both policies; writes nothing."""
    tallies = {"current": _tally(), "proposed": _tally()}
    moves: Counter = Counter()
    cases = 0
    with transaction.atomic():
        calendar = run_calendar(run_date)
        ids = list(
            Case.objects.filter(status=Case.Status.OPEN).order_by("id").values_list("id", flat=True)
        )
        for start in range(0, len(ids), chunk_size):
            group = ids[start : start + chunk_size]
            with cyclic_gc_paused():  # one chunk at a time, as the run does
                cases += _compare_chunk(
                    group[0], group[-1], run_date, current, proposed, calendar, tallies, moves
                )
        transaction.set_rollback(True)
    return {
        "run_date": run_date.isoformat(),
        "cases": cases,
        "changed": sum(moves.values()),
        "moves": dict(moves.most_common(20)),
        **{
            name: {part: dict(counter) for part, counter in tally.items()}
            for name, tally in tallies.items()
        },
    }


def policy_preview_start(
    *, actor: User, document: dict[str, Any], run_date: date, note: str = ""
) -> PolicyPreview:
    """Record a preview of `document` against the current policy and start working it out."""
    from arrears.tasks import run_policy_preview  # tasks imports this module

    try:
        proposed = Policy.from_document(document, version=0)
    except PolicyError as exc:
        raise ValidationError(exc.errors) from exc
    base = policy_current()
    preview = PolicyPreview.objects.create(
        created_by=actor,
        run_date=run_date,
        base_version=base.version,
        document=proposed.document,
        note=note,
    )
    transaction.on_commit(lambda: run_policy_preview.delay(preview.pk))
    return preview


def policy_preview_run(*, preview_id: int) -> PolicyPreview:
    preview = PolicyPreview.objects.get(pk=preview_id)
    base = EscalationPolicy.objects.get(version=preview.base_version)
    try:
        results = policy_preview_counts(
            run_date=preview.run_date,
            current=policy_of(base),
            proposed=Policy.from_document(preview.document, version=base.version + 1),
        )
    except Exception as exc:
        PolicyPreview.objects.filter(pk=preview.pk).update(
            status=PolicyPreview.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}",
            finished_at=timezone.now(),
        )
        raise
    PolicyPreview.objects.filter(pk=preview.pk).update(
        status=PolicyPreview.Status.DONE, results=results, finished_at=timezone.now()
    )
    preview.refresh_from_db()
    return preview
