"""What the case page reads from the engine (the contract with issue 4)."""

from datetime import timedelta

import pytest

from arrears.selectors import arrangement_history, latest_recommendation, recommendation_history
from arrears.services import nightly_run
from tests.arrears.conftest import RUN

pytestmark = pytest.mark.django_db


def test_the_latest_recommendation_has_what_the_case_page_shows(council):
    nightly_run(run_date=RUN, start_letters=False)

    found = latest_recommendation(case=council["monthly"])

    assert found.action == "monitor"
    assert found.action_label == "Monitor the account"
    assert found.stage == "none" and found.stage_label == "Not escalated"
    assert found.guards[0]["guard"] == "technical_only"
    assert {"rule", "text", "source", "figures"} <= set(found.reasons[0])
    assert found.policy_version == 1
    assert found.run_date == RUN
    assert found.needs_approval is False
    assert found.technical_arrears == found.case.technical_arrears
    assert "paid 35 days in arrears" in found.technical_reasoning
    assert found.figures["paid_13_weeks"] == "866.66"


def test_a_case_the_engine_never_looked_at_has_no_recommendation(council):
    assert latest_recommendation(case=council["paying"]) is None


def test_the_history_keeps_a_row_only_when_the_decision_changes(council):
    nightly_run(run_date=RUN, start_letters=False)
    nightly_run(run_date=RUN + timedelta(days=1), start_letters=False)
    nightly_run(run_date=RUN + timedelta(days=7), start_letters=False)

    history = list(recommendation_history(case=council["behind"]))

    # Pre-notice warning on the 23rd; then waiting for the notice's gap to pass.
    assert [(h.run_date, h.action) for h in history] == [
        (RUN + timedelta(days=1), "due_notice"),
        (RUN, "pre_notice_warning"),
    ]
    assert latest_recommendation(case=council["behind"]).since == RUN + timedelta(days=1)


def test_an_arrangements_state_history_reads_in_order(council):
    nightly_run(run_date=RUN, start_letters=False)
    nightly_run(run_date=RUN + timedelta(days=14), start_letters=False)

    arrangement = council["arranged"].arrangements.get()
    states = [(c.state, c.checked_on) for c in arrangement_history(arrangement=arrangement)]

    assert states == [("kept", RUN), ("missed", RUN + timedelta(days=14))]


def test_the_policy_in_force_is_read_without_writing_one(team):
    from arrears.models import EscalationPolicy
    from arrears.selectors import policy_in_force
    from arrears.services import policy_current

    assert policy_in_force().version == 0  # the defaults, before any version is saved
    assert not EscalationPolicy.objects.exists()
    policy_current()
    assert policy_in_force().version == 1
