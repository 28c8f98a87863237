"""The nightly run against the database: figures, stages, letters and events written in
bulk; one run per date; a rerun completes what is missing and duplicates nothing; a crash
part-way loses nothing."""

import gc
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from celery import shared_task
from django.db import connection

from arrears import services, writer
from arrears.models import (
    LetterRequest,
    NightlyRun,
    Recommendation,
    RecommendationHistory,
    RunChunk,
)
from arrears.services import RunInProgress, nightly_run, nightly_run_begin
from cases.models import Case, CaseEvent, Hold
from payments.models import ArrangementCheck
from tests.arrears import world
from tests.arrears.conftest import RUN

pytestmark = pytest.mark.django_db


def _run(run_date=RUN, **kwargs):
    kwargs.setdefault("start_letters", False)
    return nightly_run(run_date=run_date, **kwargs)


def _refresh(cases):
    return {name: Case.objects.get(pk=case.pk) for name, case in cases.items()}


def test_the_run_writes_every_cases_figures_stage_and_next_action(council):
    run = _run()

    assert run.status == NightlyRun.Status.COMPLETED
    assert run.cases == 8
    cases = _refresh(council)
    behind = cases["behind"]
    assert behind.balance == Decimal("500.00")
    assert behind.rent_arrears == Decimal("500.00")
    assert behind.weekly_charge == Decimal("100.00")
    assert behind.weeks_in_arrears == Decimal("5.0")
    assert behind.last_payment_on == RUN - timedelta(days=30)
    assert (behind.stage, behind.stage_changed_on) == ("pre_notice", RUN)
    assert behind.next_action == "pre_notice_warning"
    assert behind.figures_on == RUN
    assert (cases["new"].stage, cases["new"].next_action) == ("early_contact", "early_contact")
    assert cases["protected"].guard == "breathing_space"
    assert cases["protected"].guard_label == "Breathing Space until 12 January 2027"
    assert cases["protected"].stage == "letter_2"
    assert (cases["notice"].next_action, cases["notice"].stage) == ("serve_nosp", "pre_notice")
    assert cases["arranged"].arrangement_state == "kept"
    assert cases["garage"].next_action == "early_contact"  # garage rent, three weeks owed
    monthly = cases["monthly"]
    assert monthly.technical_arrears == monthly.rent_arrears > 0
    assert monthly.guard == "technical_only"
    assert cases["paying"].next_action == "no_action"


def test_the_run_queues_only_the_letters_the_policy_allows_and_records_why(council):
    _run()

    letters = LetterRequest.objects.order_by("case_id")
    assert [(r.case_id, r.letter) for r in letters] == [
        (council["behind"].pk, "pre_notice_warning")
    ]
    reason = letters[0].reason
    assert reason["policy_version"] == 1
    assert reason["run_date"] == "2026-11-23"
    assert reason["figures"]["arrears_for_escalation"] == "500.00"
    assert reason["rule"] == "rung:pre_notice"


def test_a_patch_with_automatic_letters_switched_off_gets_none_and_each_case_says_why(
    council, team
):
    team.patch_a.automatic_letters = False
    team.patch_a.save()

    _run()

    assert not LetterRequest.objects.exists()
    behind = Recommendation.objects.get(case=council["behind"])
    assert behind.action == "pre_notice_warning"  # still recommended, for an officer
    assert "letters_off_for_patch" in [r["rule"] for r in behind.reasons]
    # The stage is the letter's: it waits until the letter goes.
    assert Case.objects.get(pk=council["behind"].pk).stage == "letter_2"

    # Switched back on, the next night queues it.
    team.patch_a.automatic_letters = True
    team.patch_a.save()
    _run(RUN + timedelta(days=1))
    assert [r.letter for r in LetterRequest.objects.all()] == ["pre_notice_warning"]
    assert Case.objects.get(pk=council["behind"].pk).stage == "pre_notice"


def test_a_letter_an_officer_produced_counts_as_sent_and_moves_the_stage(council, team):
    from notices.documents import letter_produce
    from tests.factories import TenantFactory

    TenantFactory(tenancy=council["behind"].tenancy, is_lead=True)
    team.patch_a.automatic_letters = False
    team.patch_a.save()
    _run()
    next_day = RUN + timedelta(days=1)
    with time_machine.travel(next_day, tick=False):
        letter_produce(
            case=council["behind"], kind="pre_notice_warning", actor=team.alice, today=next_day
        )
        _run(next_day)

    assert Case.objects.get(pk=council["behind"].pk).stage == "pre_notice"
    assert not LetterRequest.objects.exists()  # not asked for a second time


def test_the_recommendation_carries_reasons_guards_and_the_policy_version(council):
    _run()

    notice = Recommendation.objects.get(case=council["notice"])
    assert notice.action == "serve_nosp"
    assert notice.needs_approval
    assert notice.policy_version == 1
    assert notice.run_date == RUN
    assert {"rule", "text", "source", "figures"} <= set(notice.reasons[0])
    assert any(r["rule"] == "rung:notice" for r in notice.reasons)
    protected = Recommendation.objects.get(case=council["protected"])
    assert protected.guards[0]["guard"] == "breathing_space"
    assert protected.guards[0]["holding"]
    monthly = Recommendation.objects.get(case=council["monthly"])
    assert monthly.technical_arrears > 0
    assert "in transit" in monthly.technical_reasoning
    assert not Recommendation.objects.filter(case=council["paying"]).exists()


def test_stage_changes_and_approvals_go_on_the_timeline(council):
    _run()

    stage = CaseEvent.objects.get(case=council["behind"], verb="stage_changed")
    assert stage.actor is None
    assert stage.payload["from"] == "letter_2" and stage.payload["to"] == "pre_notice"
    assert stage.idempotency_key == f"nightly:2026-11-23:case:{council['behind'].pk}:stage"
    assert CaseEvent.objects.filter(case=council["behind"], verb="letter_requested").count() == 1
    approval = CaseEvent.objects.get(case=council["notice"], verb="approval_recommended")
    assert approval.payload["action"] == "serve_nosp"
    arrangement = CaseEvent.objects.get(case=council["arranged"], verb="arrangement_state_changed")
    assert arrangement.payload["to"] == "kept"


def _footprint():
    return {
        "events": CaseEvent.objects.count(),
        "letters": LetterRequest.objects.count(),
        "history": RecommendationHistory.objects.count(),
        "recommendations": Recommendation.objects.count(),
        "checks": ArrangementCheck.objects.count(),
    }


def test_running_a_date_twice_duplicates_no_event_letter_or_recommendation(council):
    first = _run()
    after_first = _footprint()

    second = _run()

    assert _footprint() == after_first
    assert second.status == NightlyRun.Status.COMPLETED
    assert second.attempts == 2
    assert second.cases == first.cases
    assert NightlyRun.objects.count() == 1


def test_writing_a_chunk_again_writes_nothing_twice(council):
    """Even if a chunk were processed twice (a redelivered task), every write is idempotent."""
    _run()
    after_first = _footprint()
    stages = dict(Case.objects.values_list("pk", "stage"))

    RunChunk.objects.update(status=RunChunk.Status.PENDING)
    _run()

    assert _footprint() == after_first
    assert dict(Case.objects.values_list("pk", "stage")) == stages


def test_chunks_run_with_the_cycle_collector_paused_and_turn_it_back_on_even_after_a_failure(
    council, monkeypatch
):
    """core.memory.cyclic_gc_paused: the collector costs a third of a chunk's loading."""
    real = writer._write_events
    seen = []

    def records_the_collector_then_dies(events):
        seen.append(gc.isenabled())
        if len(seen) == 2:
            raise RuntimeError("worker lost")
        return real(events)

    monkeypatch.setattr(writer, "_write_events", records_the_collector_then_dies)
    assert gc.isenabled()

    run = _run(chunk_size=3)

    assert run.status == NightlyRun.Status.COMPLETED_WITH_ERRORS
    assert seen == [False, False, False]
    assert gc.isenabled()


def test_a_chunk_that_dies_part_way_leaves_nothing_and_a_rerun_finishes(council, monkeypatch):
    real = writer._write_events
    calls = {"n": 0}

    def dies_on_the_second_chunk(events):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker lost")
        return real(events)

    monkeypatch.setattr(writer, "_write_events", dies_on_the_second_chunk)
    run = _run(chunk_size=3)

    assert run.status == NightlyRun.Status.COMPLETED_WITH_ERRORS
    failed = RunChunk.objects.get(run=run, status=RunChunk.Status.FAILED)
    assert "worker lost" in failed.error
    assert run.errors == [
        {
            "chunk": failed.number,
            "cases": f"{failed.first_case_id}-{failed.last_case_id}",
            "error": failed.error,
        }
    ]
    lost = Case.objects.filter(pk__gte=failed.first_case_id, pk__lte=failed.last_case_id)
    assert lost.count() == 3
    assert not lost.filter(figures_on__isnull=False).exists()
    assert not CaseEvent.objects.filter(case__in=lost).exists()
    assert not LetterRequest.objects.filter(case__in=lost).exists()
    assert not Recommendation.objects.filter(case__in=lost).exists()

    monkeypatch.setattr(writer, "_write_events", real)
    rerun = _run(chunk_size=3)

    assert rerun.status == NightlyRun.Status.COMPLETED
    assert rerun.errors == []
    assert rerun.cases == 8
    assert rerun.retries == 1
    assert not Case.objects.filter(figures_on__isnull=True).exists()
    assert LetterRequest.objects.count() == 1
    # behind to pre-notice; new and garage to early contact
    assert CaseEvent.objects.filter(verb="stage_changed").count() == 3


def test_only_one_run_for_a_date_at_a_time(council):
    run = nightly_run_begin(run_date=RUN, trigger="command")

    with pytest.raises(RunInProgress, match="already running"):
        nightly_run_begin(run_date=RUN, trigger="command")
    with time_machine.travel(run.lease_until + timedelta(seconds=1), tick=False):
        taken = nightly_run_begin(run_date=RUN, trigger="command")

    assert taken.pk == run.pk
    assert taken.attempts == 2


def test_a_run_for_an_earlier_date_never_overwrites_a_later_ones_figures(council):
    _run(RUN)
    latest = dict(Case.objects.values_list("pk", "figures_on"))

    earlier = _run(RUN - timedelta(days=1))

    assert dict(Case.objects.values_list("pk", "figures_on")) == latest
    assert earlier.counts["skipped"] == 8


def test_cases_opened_after_a_run_are_covered_when_the_date_is_run_again(council, team):
    first = _run()
    late, account = world.open_case(patch=team.patch_b)
    world.rent_weeks(account, until=RUN, weeks=3)

    again = _run()

    assert again.cases == first.cases + 1
    assert Case.objects.get(pk=late.pk).figures_on == RUN
    assert Case.objects.get(pk=late.pk).next_action == "early_contact"


def test_an_arrangement_gets_a_new_check_row_only_when_its_state_changes(council):
    _run(RUN)
    arrangement = council["arranged"].arrangements.get()
    assert list(arrangement.checks.values_list("state", flat=True)) == ["kept"]

    _run(RUN + timedelta(days=1))
    assert arrangement.checks.count() == 1

    _run(RUN + timedelta(days=14))  # two Mondays unpaid, past the grace: missed
    arrangement.refresh_from_db()
    checks = list(arrangement.checks.values_list("state", "expected_paid", "actual_paid"))
    assert [state for state, *_ in checks] == ["kept", "missed"]
    assert arrangement.state == "missed"
    assert arrangement.state_changed_on == RUN + timedelta(days=14)
    assert checks[1][1] > checks[1][2]
    assert (
        LetterRequest.objects.filter(case=council["arranged"], letter="arrangement_missed").count()
        == 1
    )


@pytest.mark.parametrize(
    ("until", "paused"),
    [(RUN - timedelta(days=1), False), (RUN, True), (RUN + timedelta(days=1), True)],
)
def test_a_pause_holds_the_case_up_to_and_including_its_until_date(council, until, paused):
    world.pause(council["behind"], starts_on=RUN - timedelta(days=5), until=until)

    _run()

    assert (Case.objects.get(pk=council["behind"].pk).guard == "paused") is paused


@pytest.fixture
def render_task(monkeypatch):
    calls = []

    @shared_task(name="tests.arrears.render_letters")
    def render(run_date):
        calls.append(run_date)

    monkeypatch.setattr(services, "RENDER_LETTERS_TASK", "tests.arrears.render_letters")
    return calls


def test_letters_are_handed_to_the_notices_app_by_task_name_after_the_run(
    council, render_task, django_capture_on_commit_callbacks, eager_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        _run(start_letters=True)

    assert render_task == ["2026-11-23"]


def test_the_run_goes_on_when_no_renderer_is_registered(council, monkeypatch):
    monkeypatch.setattr(services, "RENDER_LETTERS_TASK", "tests.arrears.nobody_renders")

    run = _run(start_letters=True)

    assert run.status == NightlyRun.Status.COMPLETED
    assert services.start_letter_rendering(RUN) is False


def test_a_letter_the_notices_app_could_not_produce_comes_back_to_an_officer(council):
    _run(RUN)
    LetterRequest.objects.filter(case=council["behind"]).update(
        status=LetterRequest.Status.FAILED, error="No address for the tenant"
    )

    _run(RUN + timedelta(days=1))

    behind = Case.objects.get(pk=council["behind"].pk)
    assert behind.next_action == "review_failed_letter"
    assert behind.next_action_due == RUN


@pytest.mark.parametrize(
    ("evidence", "action"),
    [
        (True, "check_benefit_claim"),
        (None, "check_benefit_claim"),
        (False, "chase_benefit_evidence"),
    ],
)
def test_a_pending_benefit_claim_holds_the_notice_and_asks_for_evidence_when_it_is_missing(
    council, evidence, action
):
    Hold.objects.create(
        case=council["notice"],
        kind=Hold.Kind.BENEFIT_CLAIM,
        reason="universal_credit",
        starts_on=RUN - timedelta(days=4),
        all_evidence_supplied=evidence,
    )

    _run()

    case = Case.objects.get(pk=council["notice"].pk)
    assert (case.guard, case.next_action) == ("benefit_claim", action)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_chunks_of_one_run_are_worked_at_the_same_time(council, monkeypatch):
    """Workers share a run: a chunk in progress must not hold what another chunk needs
    (locking the run's row with the chunk's would make the workers take turns)."""
    import threading

    from django.db import connections

    run = nightly_run_begin(run_date=RUN, trigger="command", chunk_size=4)
    first, second = RunChunk.objects.filter(run=run).order_by("number")[:2]
    inside_first = threading.Event()
    let_first_finish = threading.Event()
    real_decide = services.decide

    def decide_slowly_in_the_first_chunk(case, **kwargs):
        if first.first_case_id <= case.case_id <= first.last_case_id:
            inside_first.set()
            let_first_finish.wait(timeout=30)
        return real_decide(case, **kwargs)

    monkeypatch.setattr(services, "decide", decide_slowly_in_the_first_chunk)

    def work_first_chunk():
        try:
            services.chunk_process(chunk_id=first.pk)
        finally:
            connections.close_all()

    thread = threading.Thread(target=work_first_chunk)
    thread.start()
    try:
        assert inside_first.wait(timeout=30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        services.chunk_process(chunk_id=second.pk)  # would time out waiting for a lock
    finally:
        let_first_finish.set()
        thread.join(timeout=60)

    assert set(
        RunChunk.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    ) == {RunChunk.Status.DONE}
