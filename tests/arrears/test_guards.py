"""Guards hold escalation, say what is holding it and until when, and never drop a case
(legal-reference.md §19)."""

from datetime import timedelta

import pytest

from arrears.engine import decide
from tests.arrears.builders import (
    POLICY,
    POSSESSION_TENURES,
    TODAY,
    account,
    arranged,
    assessed,
    case,
    flag,
    hold,
    policy_with,
)

BS_END = TODAY + timedelta(days=40)


def at_notice(tenure="secure", **facts):
    """A case the ladder would put forward for a notice today, but for its guards."""
    facts.setdefault("assessments", [assessed("notice")])
    return case(tenure, stage="pre_notice", days_at_stage=20, arrears="600.00", **facts)


def at_letter_2(tenure="secure", **facts):
    return case(tenure, stage="letter_1", days_at_stage=20, arrears="350.00", **facts)


GUARD_ROWS = [
    # (facts, the guard holding, the action instead)
    (
        {"holds": [hold("breathing_space", "standard", until=BS_END)]},
        "breathing_space",
        "wait_breathing_space",
    ),
    (
        {"holds": [hold("breathing_space", "mental_health_crisis")]},
        "breathing_space",
        "wait_breathing_space",
    ),
    (
        {"holds": [hold("pause", "promise_of_payment", until=TODAY + timedelta(days=7))]},
        "paused",
        "paused",
    ),
    ({"holds": [hold("dispute", "disrepair")]}, "dispute", "resolve_dispute"),
    ({"holds": [hold("benefit_claim", "housing_benefit")]}, "benefit_claim", "check_benefit_claim"),
    (
        {"holds": [hold("benefit_claim", "housing_benefit", evidence=True)]},
        "benefit_claim",
        "check_benefit_claim",
    ),
    (
        {"holds": [hold("benefit_claim", "universal_credit", evidence=False)]},
        "benefit_claim",
        "chase_benefit_evidence",
    ),
    (
        {"holds": [hold("benefit_claim", "universal_credit")]},
        "benefit_claim",
        "check_benefit_claim",
    ),
    (
        {"holds": [hold("benefit_claim", "managed_payment")]},
        "apa_tpd_pending",
        "check_benefit_claim",
    ),
    (
        {"holds": [hold("benefit_claim", "third_party_deduction")]},
        "apa_tpd_pending",
        "check_benefit_claim",
    ),
    ({"flags": [flag("capacity", recorded=5)]}, "capacity", "complete_assessment"),
    (
        {"flags": [flag(review=TODAY - timedelta(days=1))]},
        "vulnerability_review",
        "review_vulnerability",
    ),
    ({"assessments": []}, "assessment_missing", "complete_assessment"),
    (
        {"assessments": [assessed(decision="do_not_proceed")]},
        "assessment_do_not_proceed",
        "complete_assessment",
    ),
    ({"assessments": [assessed("court")]}, "assessment_missing", "complete_assessment"),
    ({"arrangements": [arranged("400", "440")]}, "arrangement_kept", "monitor_arrangement"),
    (
        {"arrangements": [arranged("400", "380", instalment="10")]},
        "arrangement_missed",
        "contact_about_missed_payment",
    ),
]


@pytest.mark.parametrize("tenure", POSSESSION_TENURES)
@pytest.mark.parametrize(("facts", "guard", "action"), GUARD_ROWS)
def test_a_guard_holds_the_notice_and_says_what_is_holding_it(tenure, facts, guard, action):
    decision = decide(at_notice(tenure, **facts), policy=POLICY, today=TODAY)

    assert decision.guard == guard
    assert decision.action == action
    assert decision.guard_label
    assert decision.stage == "pre_notice"
    held = [g for g in decision.guards if g["guard"] == guard]
    assert held and held[0]["holding"]
    assert any(
        r["rule"] == f"guard:{guard}" or guard.startswith("arrangement") for r in decision.reasons
    )
    assert not decision.needs_approval


LETTER_ROWS = [
    ({"holds": [hold("breathing_space", "standard", until=BS_END)]}, "breathing_space", False),
    ({"holds": [hold("pause", "hospital", until=TODAY)]}, "paused", False),
    ({"holds": [hold("dispute", "balance")]}, "dispute", False),
    (
        {"holds": [hold("benefit_claim", "housing_benefit")]},
        "",
        True,
    ),  # PAP ¶7 holds court, not letters
    ({"holds": [hold("benefit_claim", "managed_payment")]}, "", True),
    ({"flags": [flag(review=TODAY - timedelta(days=30))]}, "", True),  # only legal steps wait
    ({"assessments": []}, "", True),
]


@pytest.mark.parametrize(("facts", "guard", "letter_goes"), LETTER_ROWS)
def test_letters_are_held_only_by_what_holds_letters(facts, guard, letter_goes):
    decision = decide(at_letter_2(**facts), policy=POLICY, today=TODAY)

    assert decision.guard == guard
    assert ([kind for kind, _ in decision.letters] == ["arrears_letter_2"]) is letter_goes
    assert (decision.stage == "letter_2") is letter_goes


@pytest.mark.parametrize(
    ("until_offset", "due_offset"),
    [(-1, 0), (0, 1), (1, 2)],
)
def test_a_pause_says_when_the_case_comes_back(until_offset, due_offset):
    until = TODAY + timedelta(days=until_offset)
    decision = decide(
        at_notice(holds=[hold("pause", "promise_of_payment", until=until)]),
        policy=POLICY,
        today=TODAY,
    )

    assert decision.action == "paused"
    assert decision.due_on == TODAY + timedelta(days=due_offset)
    assert decision.guard_label.endswith(f"until {until:%-d %B %Y}")


def test_breathing_space_past_its_expected_end_still_holds_until_it_is_ended():
    decision = decide(
        at_notice(
            holds=[
                hold("breathing_space", "standard", started=70, until=TODAY - timedelta(days=10))
            ]
        ),
        policy=POLICY,
        today=TODAY,
    )

    assert decision.guard == "breathing_space"
    assert "confirm it has ended" in decision.guard_label


def test_breathing_space_stops_the_monitoring_line_too():
    decision = decide(
        case(arrears="50.00", holds=[hold("breathing_space", "standard", until=BS_END)]),
        policy=POLICY,
        today=TODAY,
    )

    assert decision.action == "wait_breathing_space"
    assert decision.due_on == BS_END + timedelta(days=1)


@pytest.mark.parametrize(
    ("age", "guard"),
    [(89, ""), (90, ""), (91, "assessment_stale")],
)
def test_a_proportionality_assessment_is_good_for_the_policys_ninety_days(age, guard):
    decision = decide(
        at_notice(assessments=[assessed("notice", days=age)]), policy=POLICY, today=TODAY
    )

    assert decision.guard == guard
    assert (decision.action == "serve_nosp") is (guard == "")


def test_an_assessment_made_before_a_new_vulnerability_flag_is_out_of_date():
    decision = decide(
        at_notice(assessments=[assessed(days=20)], flags=[flag("mental_health", recorded=5)]),
        policy=POLICY,
        today=TODAY,
    )

    assert decision.guard == "assessment_stale"
    assert "made before the latest vulnerability flag" in decision.guard_label


def test_a_capacity_concern_is_cleared_by_an_assessment_made_after_it():
    cleared = at_notice(flags=[flag("capacity", recorded=30)], assessments=[assessed(days=10)])

    assert decide(cleared, policy=POLICY, today=TODAY).action == "serve_nosp"


@pytest.mark.parametrize(
    ("days_left", "held"),
    [(34, True), (35, True), (36, False)],
)
def test_no_notice_of_proceedings_once_proceedings_could_not_begin_before_the_trial_ends(
    days_left, held
):
    decision = decide(
        at_notice("introductory", trial_period_end=TODAY + timedelta(days=days_left)),
        policy=POLICY,
        today=TODAY,
    )

    assert (decision.guard == "trial_period_ending") is held
    assert decision.action == (
        "consider_trial_extension" if held else "serve_notice_of_proceedings"
    )


def test_technical_arrears_only_never_escalate_and_say_so():
    decision = decide(
        case(stage="none", accounts=[account("450.00", technical="450.00")]),
        policy=POLICY,
        today=TODAY,
    )

    assert decision.action == "monitor"
    assert decision.guard == "technical_only"
    assert decision.stage == "none"
    assert decision.technical_arrears == 450


def test_technical_arrears_are_taken_off_before_the_weeks_are_counted():
    decision = decide(
        case(stage="letter_2", days_at_stage=30, accounts=[account("450.00", technical="100.00")]),
        policy=POLICY,
        today=TODAY,
    )

    # £350 real arrears: 3.5 weeks, below the 4 weeks of the pre-notice warning.
    assert decision.action == "monitor"
    assert decision.guard == "technical_only"
    assert decision.figures["arrears_for_escalation"] == "350.00"


def test_the_first_holding_guard_decides_and_the_others_are_still_listed():
    decision = decide(
        at_notice(
            holds=[
                hold("benefit_claim", "housing_benefit"),
                hold("breathing_space", "standard", until=BS_END),
            ],
            assessments=[],
        ),
        policy=POLICY,
        today=TODAY,
    )

    assert decision.guard == "breathing_space"
    keys = {g["guard"]: g["holding"] for g in decision.guards}
    assert keys == {"breathing_space": True, "benefit_claim": True, "assessment_missing": True}


def test_a_guard_holds_a_stricter_policy_too():
    strict = policy_with(legal__assessment_max_age_days=7)
    decision = decide(at_notice(assessments=[assessed(days=8)]), policy=strict, today=TODAY)

    assert decision.guard == "assessment_stale"
