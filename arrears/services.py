"""Writes of the arrears engine: policy versions and the nightly run's life.

The run for a date is one `NightlyRun` row (unique per date) and its chunks. Beginning a
run takes the lock (a lease on that row: a second start while it is held is refused),
plans chunks for any open case not yet covered, and hands back the run. Each chunk is
processed in one transaction that ends by marking it done, so a crash or a killed
worker part-way loses nothing: the chunk is simply not done, and the next start for the
date does it. Finishing sums the chunks into the run record.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from celery import current_app
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Exists, F, Max, OuterRef
from django.utils import timezone

from arrears.engine import decide
from arrears.loader import load_chunk, run_calendar
from arrears.models import EscalationPolicy, NightlyRun, RunChunk
from arrears.policy import Policy, PolicyError, default_document, document_differences
from arrears.writer import ChunkCounts, count_decisions, write_decisions
from cases.models import Case, CaseEvent, CourtCase, Tenancy, Tenure
from core.memory import cyclic_gc_paused
from core.models import User

logger = logging.getLogger(__name__)

DEFAULT_CHUNK_SIZE = 5000
# How long a run holds its date without a sign of life (a chunk finishing) before
# another start may take it over.
LEASE = timedelta(minutes=15)
RENDER_LETTERS_TASK = "notices.tasks.render_letter_requests"

# Steps an app above this one adds to the end of the run (its AppConfig.ready): each is
# called with the run date inside the finishing transaction, so what it writes commits
# with the run's record, and returns counts to record on the run. The performance app's
# daily snapshots are one (performance/snapshots.py). A step that fails is recorded in
# the run's errors and undone; the run stands.
FINISHING_STEPS: list[Callable[..., dict[str, Any]]] = []


def finishing_step_add(step: Callable[..., dict[str, Any]]) -> None:
    if step not in FINISHING_STEPS:
        FINISHING_STEPS.append(step)


class RunInProgress(Exception):
    """Another run for the same date holds the lock."""


# --------------------------------------------------------------------------- policy


def policy_current() -> EscalationPolicy:
    """The policy in force: the newest version, created from the defaults on first use."""
    latest = EscalationPolicy.objects.order_by("-version").first()
    if latest is not None:
        return latest
    try:
        with transaction.atomic():
            return EscalationPolicy.objects.create(
                version=1,
                document=Policy.from_document(default_document(), version=1).document,
                note="The default policy (legal-reference.md §16 and the sources of each setting).",
            )
    except IntegrityError:
        return EscalationPolicy.objects.order_by("-version").first()


def policy_of(record: EscalationPolicy) -> Policy:
    return Policy.from_document(record.document, version=record.version)


def policy_version_create(*, document: dict[str, Any], note: str, actor: User) -> EscalationPolicy:
    """Make `document` the policy, as a new version; the old versions stay as they were.

    Refuses with a message per setting if the document is not a usable policy, if no
    reason is given, or if nothing would change.
    """
    if not actor.has_perm("cases.administer_service"):
        raise ValidationError("Only an administrator can change the escalation policy.")
    if not note.strip():
        raise ValidationError({"note": "Say why the policy is changing."})
    try:
        policy = Policy.from_document(document, version=0)
    except PolicyError as exc:
        raise ValidationError(exc.errors) from exc
    with transaction.atomic():
        current = policy_current()
        latest = EscalationPolicy.objects.select_for_update().get(pk=current.pk)
        if not document_differences(latest.document, policy.document):
            raise ValidationError(
                f"This is the same as policy version {latest.version}: nothing to change."
            )
        return EscalationPolicy.objects.create(
            version=latest.version + 1,
            document=policy.document,
            note=note.strip(),
            created_by=actor,
        )


# --------------------------------------------------------------------------- the run


def nightly_run_begin(
    *,
    run_date: date,
    trigger: str,
    actor: User | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> NightlyRun:
    """Take the lock for `run_date` and plan what is left to do.

    A first start creates the run with the current policy; a later start for the same
    date keeps that policy, resets failed or abandoned chunks and adds chunks for open
    cases no chunk covers. Refused while another start holds the lease.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    # The rent calendar is shared by every chunk: make sure it exists now, committed,
    # so chunks only read it and do not queue behind each other to create a rent year.
    run_calendar(run_date)
    introductory_tenancies_become_secure(today=run_date)
    now = timezone.now()
    with transaction.atomic():
        run = NightlyRun.objects.select_for_update().filter(run_date=run_date).first()
        if run is None:
            policy = policy_current()
            try:
                with transaction.atomic():
                    run = NightlyRun.objects.create(
                        run_date=run_date,
                        trigger=trigger,
                        started_by=actor,
                        policy=policy,
                        chunk_size=chunk_size,
                        first_started_at=now,
                    )
            except IntegrityError as exc:
                raise RunInProgress(
                    f"The run for {run_date:%-d %B %Y} was started at the same moment elsewhere."
                ) from exc
            run = NightlyRun.objects.select_for_update().get(pk=run.pk)
        elif run.status == NightlyRun.Status.RUNNING and run.lease_until and run.lease_until > now:
            raise RunInProgress(
                f"The run for {run_date:%-d %B %Y} is already running (started "
                f"{timezone.localtime(run.started_at):%H:%M}); it holds the lock until "
                f"{timezone.localtime(run.lease_until):%H:%M} unless it finishes first."
            )
        run.status = NightlyRun.Status.RUNNING
        run.attempts += 1
        run.started_at = now
        run.finished_at = None
        run.lease_until = now + LEASE
        if run.attempts > 1:
            run.trigger = trigger
            run.started_by = actor
        run.save()
        run.chunks.exclude(status=RunChunk.Status.DONE).update(
            status=RunChunk.Status.PENDING, error=""
        )
        _plan_chunks(run, chunk_size)
    return run


# A claim still before the court keeps the tenancy introductory (HA 1996 s130).
CLAIM_DETERMINED = ("dismissed", "struck_out", "withdrawn")


def introductory_tenancies_become_secure(*, today: date) -> int:
    """Introductory tenancies whose trial period has ended become secure tenancies, and
    climb the secure ladder from tonight (HA 1996 s125(2)), unless proceedings for
    possession were begun before it ended and are not yet determined (s130). Set-based:
    one UPDATE of the few tenancies whose day has come, and their timeline entries."""
    pending = CourtCase.objects.filter(
        case__tenancy=OuterRef("pk"), issued_on__lte=OuterRef("trial_period_end")
    ).exclude(outcome__in=CLAIM_DETERMINED)
    maturing = list(
        Tenancy.objects.filter(tenure=Tenure.INTRODUCTORY, trial_period_end__lt=today)
        .exclude(Exists(pending))
        .values_list("pk", "trial_period_end")
    )
    if not maturing:
        return 0
    ends = dict(maturing)
    with transaction.atomic():
        Tenancy.objects.filter(pk__in=ends).update(tenure=Tenure.SECURE)
        cases = list(Case.objects.filter(tenancy_id__in=ends).values_list("pk", "tenancy_id"))
        Case.objects.filter(tenancy_id__in=ends).update(tenure=Tenure.SECURE)
        CaseEvent.objects.bulk_create(
            [
                CaseEvent(
                    case_id=case_id,
                    verb="tenancy_became_secure",
                    payload={"trial_period_end": ends[tenancy_id].isoformat()},
                    idempotency_key=f"tenancy-secure-{tenancy_id}",
                )
                for case_id, tenancy_id in cases
            ],
            ignore_conflicts=True,
        )
    return len(ends)


def _plan_chunks(run: NightlyRun, chunk_size: int) -> None:
    """Chunks of `chunk_size` open cases, by id, for every case after the last chunk."""
    covered = run.chunks.aggregate(last=Max("last_case_id"), number=Max("number"))
    ids = Case.objects.filter(status=Case.Status.OPEN).order_by("id")
    if covered["last"] is not None:
        ids = ids.filter(id__gt=covered["last"])
    ids = list(ids.values_list("id", flat=True))
    number = (covered["number"] or 0) + 1
    chunks = []
    for start in range(0, len(ids), chunk_size):
        group = ids[start : start + chunk_size]
        chunks.append(
            RunChunk(run=run, number=number, first_case_id=group[0], last_case_id=group[-1])
        )
        number += 1
    RunChunk.objects.bulk_create(chunks)


def chunk_process(*, chunk_id: int) -> dict[str, Any]:
    """Work out and write every case in the chunk, in one transaction.

    If anything fails the transaction rolls back, the chunk is marked failed with the
    error, and the exception is raised for the caller to retry or report.
    """
    started = timezone.now()
    RunChunk.objects.filter(pk=chunk_id).exclude(status=RunChunk.Status.DONE).update(
        status=RunChunk.Status.RUNNING, started_at=started
    )
    try:
        with cyclic_gc_paused(), transaction.atomic():
            chunk = (
                RunChunk.objects.select_for_update(of=("self",))
                .select_related("run__policy")
                .get(pk=chunk_id)
            )
            if chunk.status == RunChunk.Status.DONE:
                return chunk.counts
            cases, counts = _work(chunk)
            finished = timezone.now()
            chunk.status = RunChunk.Status.DONE
            chunk.attempts += 1
            chunk.cases = cases
            chunk.counts = counts.as_dict()
            chunk.error = ""
            chunk.finished_at = finished
            chunk.seconds = (finished - started).total_seconds()
            chunk.save()
            NightlyRun.objects.filter(pk=chunk.run_id).update(lease_until=finished + LEASE)
            return chunk.counts
    except Exception as exc:
        logger.exception("Nightly run chunk %s failed", chunk_id)
        RunChunk.objects.filter(pk=chunk_id).exclude(status=RunChunk.Status.DONE).update(
            status=RunChunk.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        RunChunk.objects.filter(pk=chunk_id).update(attempts=F("attempts") + 1)
        raise


def _work(chunk: RunChunk) -> tuple[int, ChunkCounts]:
    """Load, decide and write the chunk's cases; return how many, and the counts.

    A function of its own so that the chunk's facts and decisions are freed as it
    returns, while the cycle collector is still paused: alive when it resumes, its first
    pass would walk all of them (about a tenth of a chunk's time on a worker).
    """
    run = chunk.run
    _quiet_planner()
    policy = policy_of(run.policy)
    calendar = run_calendar(run.run_date)
    clock = time.monotonic()
    inputs, skipped = load_chunk(
        first_case=chunk.first_case_id,
        last_case=chunk.last_case_id,
        today=run.run_date,
        policy=policy,
        calendar=calendar,
    )
    loaded = time.monotonic()
    decisions = [decide(case, policy=policy, today=run.run_date) for case in inputs]
    decided = time.monotonic()
    counts = ChunkCounts(skipped=skipped)
    count_decisions(decisions, counts)
    write_decisions(decisions, run_date=run.run_date, policy_version=policy.version, counts=counts)
    counts.seconds.update(
        load=loaded - clock, decide=decided - loaded, write=time.monotonic() - decided
    )
    return len(decisions), counts


def _quiet_planner() -> None:
    """PostgreSQL: JIT compilation costs more than these short queries save."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def _merge(total: dict[str, Any], part: dict[str, Any]) -> None:
    for key, value in part.items():
        if isinstance(value, dict):
            bucket = total.setdefault(key, {})
            for name, count in value.items():
                bucket[name] = round(bucket.get(name, 0) + count, 3)
        else:
            total[key] = total.get(key, 0) + value


def nightly_run_finish(*, run_id: int, start_letters: bool = True) -> NightlyRun:
    """Sum the chunks into the run record, release the lock, and start the letters.

    `start_letters=False` leaves the queued letters for the notices app's next pass (the
    benchmark measures the engine alone).
    """
    with transaction.atomic():
        run = NightlyRun.objects.select_for_update().get(pk=run_id)
        chunks = list(run.chunks.order_by("number"))
        counts: dict[str, Any] = {}
        for chunk in chunks:
            if chunk.status == RunChunk.Status.DONE:
                _merge(counts, chunk.counts)
        unfinished = [c for c in chunks if c.status != RunChunk.Status.DONE]
        run.errors = [
            {
                "chunk": c.number,
                "cases": f"{c.first_case_id}-{c.last_case_id}",
                "error": c.error or "Not processed",
            }
            for c in unfinished
        ]
        run.counts = counts
        run.cases = counts.get("cases", 0)
        run.retries = sum(max(0, c.attempts - 1) for c in chunks)
        run.status = (
            NightlyRun.Status.COMPLETED_WITH_ERRORS if unfinished else NightlyRun.Status.COMPLETED
        )
        for step in FINISHING_STEPS:
            try:
                with transaction.atomic():
                    _merge(counts, step(run_date=run.run_date))
            except DatabaseError as exc:
                logger.exception("Finishing step %s failed", step.__qualname__)
                run.errors.append({"chunk": "", "cases": step.__qualname__, "error": str(exc)})
                run.status = NightlyRun.Status.COMPLETED_WITH_ERRORS
        run.finished_at = timezone.now()
        run.lease_until = None
        run.save()
        if start_letters and counts.get("letters"):
            transaction.on_commit(lambda: start_letter_rendering(run.run_date))
    tidy_after_run()
    return run


# The tables every run rewrites in full: each case's figures and its recommendation.
REWRITTEN_TABLES = ("cases_case", "arrears_recommendation")


def tidy_after_run() -> None:
    """VACUUM (ANALYZE) the tables the run rewrote, once it has finished (PostgreSQL).

    The run leaves a dead row version behind for every case. Until they are cleared
    and the pages marked all-visible, the caseload's covering index cannot answer on
    its own (each row is checked in the table) and the planner's statistics describe
    yesterday's figures. Autovacuum gets there in its own time; doing it now means the
    officers' first caseload of the morning is as fast as the last. Skipped inside a
    transaction (VACUUM cannot run in one), and never fails the run: a database user
    that may not vacuum gets a warning from PostgreSQL and the run stands.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {', '.join(REWRITTEN_TABLES)}")
    except DatabaseError:
        logger.warning("Could not vacuum the tables the run rewrote", exc_info=True)


def start_letter_rendering(run_date: date) -> bool:
    """Ask the notices app to render the letters queued, if it has registered its task.

    By name, through Celery, so this app never imports the notices app above it.
    """
    current_app.loader.import_default_modules()
    task = current_app.tasks.get(RENDER_LETTERS_TASK)
    if task is None:
        return False
    kwargs = {"run_date": run_date.isoformat()}
    if current_app.conf.task_always_eager:
        task.delay(**kwargs)
    else:
        current_app.send_task(RENDER_LETTERS_TASK, kwargs=kwargs)
    return True


def nightly_run(
    *,
    run_date: date,
    trigger: str = NightlyRun.Trigger.COMMAND,
    actor: User | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    start_letters: bool = True,
) -> NightlyRun:
    """The whole run for `run_date` in this process, chunk after chunk (run_nightly)."""
    run = nightly_run_begin(run_date=run_date, trigger=trigger, actor=actor, chunk_size=chunk_size)
    for chunk_id in (
        run.chunks.exclude(status=RunChunk.Status.DONE)
        .order_by("number")
        .values_list("pk", flat=True)
    ):
        try:
            chunk_process(chunk_id=chunk_id)
        except Exception:  # recorded on the chunk; the run reports it and goes on
            continue
    return nightly_run_finish(run_id=run.pk, start_letters=start_letters)
