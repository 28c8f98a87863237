"""run_nightly and policy_preview from the command line."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from arrears import writer
from arrears.models import LetterRequest, NightlyRun, Recommendation
from cases.models import Case, CaseEvent
from config.celery import app as celery_app
from tests.arrears.conftest import RUN

pytestmark = pytest.mark.django_db


def _call(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_run_nightly_runs_the_date_and_says_what_it_did(council, monkeypatch):
    monkeypatch.setattr("arrears.services.RENDER_LETTERS_TASK", "tests.arrears.nobody_renders")

    output = _call("run_nightly", "--date", RUN.isoformat())

    assert "Nightly run for 23 November 2026: completed" in output
    assert (
        "8 cases; 7 owing; 3 stage changes; 1 letters queued; 1 recommendations awaiting approval."
        in output
    )
    assert "Serve a Notice of Seeking Possession" in output
    assert NightlyRun.objects.get().trigger == NightlyRun.Trigger.COMMAND


def test_run_nightly_times_the_letters_apart_from_the_figures_and_says_when_a_rerun_did_nothing(
    council, settings, tmp_path, monkeypatch
):
    settings.DOCUMENTS_ROOT = tmp_path
    # As without a broker (CI has one): the letters are produced in this process after
    # the run, so the command can time them.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    first = _call("run_nightly", "--date", RUN.isoformat())
    again = _call("run_nightly", "--date", RUN.isoformat())

    assert "Figures and recommendations for 8 cases in " in first
    assert "1 letters produced in " in first and " s in all " in first
    assert "had already completed" in again and "nothing was left to do" in again
    assert "8 cases; 7 owing" in again


def test_run_nightly_fails_loudly_when_part_of_the_run_failed(council, monkeypatch):
    monkeypatch.setattr(writer, "_write_events", lambda events: 1 / 0)

    with pytest.raises(CommandError, match="run the command again for 2026-11-23"):
        _call("run_nightly", "--date", RUN.isoformat(), "--chunk-size", "4")


def test_policy_preview_counts_a_proposal_and_writes_nothing(council, tmp_path):
    proposal = tmp_path / "proposal.json"
    proposal.write_text(
        json.dumps(
            {"ladders": {"secure": {"pre_notice": {"weeks": "6.0"}, "notice": {"weeks": "6.0"}}}}
        )
    )
    before = (
        CaseEvent.objects.count(),
        LetterRequest.objects.count(),
        Recommendation.objects.count(),
    )

    output = _call("policy_preview", "--date", RUN.isoformat(), "--policy", str(proposal))

    assert (
        "Policy preview for 2026-11-23: 8 open cases, policy version 1 against the proposal."
        in output
    )
    assert "Pre-notice warning: weeks in arrears: 4.0 -> 6.0" in output
    assert "1 cases would get a different next action." in output
    assert (
        CaseEvent.objects.count(),
        LetterRequest.objects.count(),
        Recommendation.objects.count(),
    ) == before
    assert not Case.objects.filter(figures_on__isnull=False).exists()
    assert not NightlyRun.objects.exists()


def test_policy_preview_refuses_a_proposal_it_cannot_use(council, tmp_path):
    proposal = tmp_path / "proposal.json"
    proposal.write_text(json.dumps({"ladders": {"secure": {"notice": {"weeks": "soon"}}}}))

    with pytest.raises(CommandError, match="Notice: weeks in arrears: enter a number"):
        _call("policy_preview", "--policy", str(proposal))
