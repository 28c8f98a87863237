"""After the notice: the notice period, the pre-court letter, the claim, the order, breach,
the warrant and the eviction. Facts (a notice served, a claim issued) move the stage;
the engine only ever recommends the legal steps."""

from datetime import timedelta

import pytest

from arrears.engine import decide
from arrears.facts import WarrantFact
from arrears.rules import add_years
from tests.arrears.builders import (
    POLICY,
    TODAY,
    arranged,
    assessed,
    case,
    claim,
    days_ago,
    hold,
    notice,
)

FRESH = [assessed("notice"), assessed("court"), assessed("warrant")]


def run(**facts):
    facts.setdefault("assessments", FRESH)
    facts.setdefault("arrears", "1200.00")
    return decide(case(**facts), policy=POLICY, today=TODAY)


def test_during_the_notice_period_the_tenant_is_contacted_once():
    served = notice(served=10, earliest=-20)

    first = run(notices=[served], stage="pre_notice", days_at_stage=30)
    contacted = run(notices=[served], stage="notice", days_at_stage=10, last_contact_on=days_ago(3))

    assert (first.stage, first.action) == ("notice", "post_notice_contact")
    assert first.stage_changed
    assert (contacted.action, contacted.due_on) == ("monitor", TODAY + timedelta(days=21))


@pytest.mark.parametrize(
    ("earliest", "stage"),
    [(-1, "notice"), (0, "notice"), (1, "post_notice")],  # proceedings may begin *after* the date
)
def test_proceedings_may_begin_the_day_after_the_date_in_the_notice(earliest, stage):
    decision = run(
        arrears="500.00",  # below the pre-court letter's eight weeks
        notices=[notice(served=40, earliest=earliest)],
        stage="notice",
        days_at_stage=40,
        last_contact_on=days_ago(20),
    )

    assert decision.stage == stage


@pytest.mark.parametrize(
    ("arrears", "action", "stage"),
    [("799.99", "monitor", "post_notice"), ("800.00", "send_pre_court_letter", "pre_court")],
)
def test_the_pre_court_letter_goes_at_eight_weeks_after_the_notice_date(arrears, action, stage):
    decision = run(arrears=arrears, notices=[notice()], stage="post_notice", days_at_stage=5)

    assert decision.action == action
    assert decision.stage == stage
    assert [k for k, _ in decision.letters] == (
        ["pre_action_protocol"] if stage == "pre_court" else []
    )


@pytest.mark.parametrize(
    ("days", "action"),
    [(13, "due_court"), (14, "apply_for_possession"), (15, "apply_for_possession")],
)
def test_the_claim_is_recommended_fourteen_days_after_the_pre_court_letter(days, action):
    decision = run(notices=[notice()], stage="pre_court", days_at_stage=days)

    assert decision.action == action
    assert decision.needs_approval is (action == "apply_for_possession")
    assert decision.stage == "pre_court"


def test_no_claim_without_a_proportionality_assessment_for_it():
    decision = run(
        notices=[notice()], stage="pre_court", days_at_stage=20, assessments=[assessed("notice")]
    )

    assert decision.action == "complete_assessment"
    assert decision.guard == "assessment_missing"


@pytest.mark.parametrize(
    ("last", "in_force"),
    [(-1, True), (0, True), (1, False)],  # in force until and including the long-stop date
)
def test_a_notice_past_its_long_stop_no_longer_supports_a_claim(last, in_force):
    decision = run(
        notices=[notice(served=400, earliest=370, last=last)], stage="pre_court", days_at_stage=20
    )

    if in_force:
        assert decision.action == "apply_for_possession"
    else:
        assert decision.stage == "pre_notice"
        assert decision.action == "serve_nosp"
        assert any(g["guard"] == "notice_expired" for g in decision.guards)
        assert any(r["rule"] == "back_to_pre_notice" for r in decision.reasons)


def test_a_notice_of_proceedings_is_spent_when_the_trial_period_ends_without_a_claim():
    decision = run(
        tenure="introductory",
        trial_period_end=TODAY,
        notices=[notice("notice_of_proceedings", served=60, earliest=30, last=-300)],
        stage="pre_court",
        days_at_stage=20,
    )

    assert decision.action == "serve_nosp"  # the tenancy is now secure


def test_interim_accommodation_is_recovered_without_a_court_order():
    decision = run(
        tenure="non_secure_licence",
        ta_duty="s188",
        notices=[notice("notice_to_determine", served=30, earliest=5, last=None)],
        stage="post_notice",
        days_at_stage=3,
    )

    assert decision.action == "recover_possession"
    assert decision.needs_approval
    assert decision.letters == []


def test_before_a_hearing_the_tenant_gets_the_hearing_letter_once():
    listed = claim("pending", issued=30, hearing=-20)

    first = run(court_cases=[listed], stage="pre_court", days_at_stage=40)
    again = run(
        court_cases=[listed], stage="court", days_at_stage=1, letters={"court_hearing": days_ago(1)}
    )

    assert (first.stage, first.action) == ("court", "prepare_for_hearing")
    assert first.due_on == TODAY + timedelta(days=10)
    assert [k for k, _ in first.letters] == ["court_hearing"]
    assert again.letters == []


def test_a_hearing_past_with_no_outcome_asks_for_the_outcome():
    decision = run(
        court_cases=[claim("pending", issued=60, hearing=2)], stage="court", days_at_stage=40
    )

    assert decision.action == "record_court_outcome"


@pytest.mark.parametrize(
    ("possession", "action"),
    [(-1, "monitor_order"), (0, "monitor_order"), (1, "apply_for_warrant")],
)
def test_a_warrant_is_recommended_once_the_date_for_possession_has_passed(possession, action):
    decision = run(
        court_cases=[claim("outright", issued=90, hearing=30, order=30, possession=possession)],
        stage="order_monitoring",
        days_at_stage=30,
    )

    assert decision.action == action
    assert decision.stage == "order_monitoring"


@pytest.mark.parametrize(
    ("years_and_days", "action"),
    [(-1, "apply_for_warrant"), (0, "apply_for_warrant"), (1, "apply_for_warrant_permission")],
)
def test_more_than_six_years_after_the_order_a_warrant_needs_permission(years_and_days, action):
    ordered = add_years(TODAY, -6) - timedelta(days=years_and_days)
    order_days = (TODAY - ordered).days
    decision = run(
        court_cases=[
            claim(
                "outright",
                issued=order_days + 60,
                hearing=order_days,
                order=order_days,
                possession=order_days - 28,
            )
        ],
        stage="order_monitoring",
        days_at_stage=30,
    )

    assert decision.action == action
    assert decision.needs_approval


def court_terms(state, *, outcome="suspended", rent_due="400", paid="440"):
    return {
        "court_cases": [claim(outcome, court_id=7, issued=200, hearing=150, order=150)],
        "arrangements": [
            arranged(rent_due, paid, kind="court_ordered", court_case_id=7, state=state)
        ],
    }


def test_terms_being_kept_are_monitored():
    decision = run(stage="order_monitoring", days_at_stage=100, **court_terms("kept"))

    assert (decision.stage, decision.action) == ("order_monitoring", "monitor_order")


def test_a_breach_of_terms_sends_a_notice_of_default():
    decision = run(stage="order_monitoring", days_at_stage=100, **court_terms("kept", paid="100"))

    assert decision.stage == "breach"
    assert decision.action == "send_notice_of_default"
    assert [k for k, _ in decision.letters] == ["notice_of_default"]
    assert [c.status.state for c in decision.arrangement_changes] == ["broken"]


@pytest.mark.parametrize(
    ("outcome", "days", "action"),
    [
        ("suspended", 13, "monitor_order"),
        ("suspended", 14, "apply_for_warrant"),
        ("postponed", 14, "apply_to_fix_date"),
        ("adjourned_on_terms", 14, "apply_to_restore"),
    ],
)
def test_a_breach_not_put_right_in_the_policys_time_goes_to_enforcement(outcome, days, action):
    decision = run(
        stage="breach",
        days_at_stage=days,
        letters={"notice_of_default": days_ago(days)},
        **court_terms("broken", outcome=outcome, paid="100"),
    )

    assert decision.action == action
    assert decision.stage == "breach"


def test_a_breach_put_right_returns_to_order_monitoring():
    decision = run(
        stage="breach",
        days_at_stage=5,
        letters={"notice_of_default": days_ago(5)},
        **court_terms("missed"),
    )

    assert decision.stage == "order_monitoring"
    assert [c.status.state for c in decision.arrangement_changes] == ["kept"]


def test_an_order_without_recorded_terms_asks_for_them():
    decision = run(
        court_cases=[claim("suspended", order=60)], stage="order_monitoring", days_at_stage=60
    )

    assert decision.action == "check_case_data"


def test_a_warrant_applied_for_waits_for_the_bailiff():
    warrant = WarrantFact("N325A", TODAY - timedelta(days=10), None, "pending")
    decision = run(
        court_cases=[claim("suspended", order=200, warrants=(warrant,))],
        stage="breach",
        days_at_stage=40,
    )

    assert (decision.stage, decision.action) == ("warrant", "await_bailiff")


@pytest.mark.parametrize(
    ("eviction_in", "due_in"),
    [(20, 6), (14, 0), (3, 0)],
)
def test_an_eviction_booked_needs_final_checks_two_weeks_before(eviction_in, due_in):
    warrant = WarrantFact(
        "N325", TODAY - timedelta(days=30), TODAY + timedelta(days=eviction_in), "issued"
    )
    decision = run(
        court_cases=[claim("outright", order=200, possession=170, warrants=(warrant,))],
        stage="warrant",
        days_at_stage=30,
    )

    assert (decision.stage, decision.action) == ("eviction", "prepare_eviction")
    assert decision.needs_approval
    assert decision.due_on == TODAY + timedelta(days=due_in)


def test_breathing_space_stops_an_eviction():
    warrant = WarrantFact("N325", TODAY - timedelta(days=30), TODAY + timedelta(days=10), "issued")
    decision = run(
        court_cases=[claim("outright", order=200, possession=170, warrants=(warrant,))],
        stage="warrant",
        days_at_stage=30,
        holds=[hold("breathing_space", "standard", until=TODAY + timedelta(days=50))],
    )

    assert decision.action == "wait_breathing_space"
    assert decision.stage == "eviction"
    assert not decision.needs_approval


def test_an_executed_warrant_with_the_tenancy_still_open_asks_for_the_records():
    warrant = WarrantFact(
        "N325", TODAY - timedelta(days=60), TODAY - timedelta(days=10), "executed"
    )
    decision = run(
        court_cases=[claim("outright", order=200, possession=170, warrants=(warrant,))],
        stage="eviction",
        days_at_stage=10,
    )

    assert decision.action == "check_case_data"


def test_a_dismissed_claim_puts_the_case_back_on_the_pre_notice_ladder():
    decision = run(court_cases=[claim("dismissed", order=30)], stage="court", days_at_stage=30)

    assert decision.stage == "pre_notice"
    assert decision.action == "serve_nosp"


# A flexible tenancy's fixed term ending (HA 1985 s107D, s107E).


def _term_note(decision):
    return next((g for g in decision.guards if g["guard"] == "flexible_term_ending"), None)


@pytest.mark.parametrize(
    ("months_left", "arrears", "shown", "words"),
    [
        (12, "1200.00", False, None),  # deadline more than 90 days away
        (8, "1200.00", True, "must be served by"),  # deadline about two months away
        (6, "1200.00", True, "must be served by"),  # deadline today or tomorrow
        (4, "1200.00", True, "has passed"),  # too late to end the tenancy at the term
        (8, "0", False, None),  # nothing owed: nothing to say
    ],
)
def test_a_flexible_tenants_officer_is_told_when_the_non_renewal_deadline_nears(
    months_left, arrears, shown, words
):
    from arrears.rules import add_months

    end = add_months(TODAY, months_left)
    decision = run(tenure="flexible", arrears=arrears, fixed_term_end=end)

    note = _term_note(decision)
    assert (note is not None) is shown
    if shown:
        assert words in note["detail"]
        assert note["holding"] is False  # informs; the council decides
        assert "107D" in note["source"]


def test_the_term_note_never_holds_the_arrears_ladder():
    from arrears.rules import add_months

    with_note = run(tenure="flexible", fixed_term_end=add_months(TODAY, 7), stage="letter_2")
    without = run(tenure="flexible", fixed_term_end=add_months(TODAY, 30), stage="letter_2")

    assert _term_note(with_note) is not None
    assert with_note.action == without.action


def test_the_non_renewal_deadline_is_six_months_before_the_term_ends():
    from datetime import date

    from arrears.rules import flexible_non_renewal_deadline

    assert flexible_non_renewal_deadline(date(2027, 8, 31)) == date(2027, 2, 28)
    assert flexible_non_renewal_deadline(date(2027, 4, 5)) == date(2026, 10, 5)
