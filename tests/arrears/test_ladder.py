"""The escalation ladder per tenure: one rung at a time, at the policy's weeks, amount and gap.

Weekly rent of £100 throughout, so the weeks are easy to read: £399.99 is not four weeks.
"""

from datetime import timedelta

import pytest

from arrears.actions import ACTIONS, LEGAL_CLASSES, action_label, due_action
from arrears.engine import decide
from arrears.policy import rung_label
from tests.arrears.builders import (
    POLICY,
    POSSESSION_TENURES,
    TODAY,
    assessed,
    case,
    policy_with,
)

# (stage the case is at, the rung above it, its weeks threshold, its gap, its action)
RUNGS = [
    ("none", "early_contact", 1, 0, "early_contact"),
    ("early_contact", "letter_1", 2, 7, "send_letter_1"),
    ("letter_1", "letter_2", 3, 14, "send_letter_2"),
    ("letter_2", "pre_notice", 4, 14, "pre_notice_warning"),
]


def _arrears_rows():
    for tenure in POSSESSION_TENURES:
        for stage, rung, weeks, gap, action in RUNGS:
            days = gap + 1 if stage != "none" else None
            threshold = weeks * 100
            yield pytest.param(
                tenure,
                stage,
                days,
                f"{threshold - 0.01:.2f}",
                "monitor",
                stage,
                id=f"{tenure}-{rung}-a-penny-short",
            )
            yield pytest.param(
                tenure, stage, days, f"{threshold:.2f}", action, rung, id=f"{tenure}-{rung}-exactly"
            )
            yield pytest.param(
                tenure,
                stage,
                days,
                f"{threshold + 0.01:.2f}",
                action,
                rung,
                id=f"{tenure}-{rung}-a-penny-over",
            )


@pytest.mark.parametrize(
    ("tenure", "stage", "days", "arrears", "action", "reaches"), list(_arrears_rows())
)
def test_each_rung_is_reached_at_its_weeks_of_rent_and_not_a_penny_before(
    tenure, stage, days, arrears, action, reaches
):
    decision = decide(
        case(tenure, stage=stage, days_at_stage=days, arrears=arrears, last_contact_on=TODAY),
        policy=POLICY,
        today=TODAY,
    )

    assert decision.action == action
    assert decision.stage == reaches


def _gap_rows():
    for tenure in POSSESSION_TENURES:
        for stage, rung, _weeks, gap, action in RUNGS[1:]:
            waiting = due_action(rung_label("possession", rung))
            yield pytest.param(
                tenure, stage, gap - 1, waiting, stage, id=f"{tenure}-{rung}-day-before"
            )
            yield pytest.param(tenure, stage, gap, action, rung, id=f"{tenure}-{rung}-on-the-day")
            yield pytest.param(
                tenure, stage, gap + 1, action, rung, id=f"{tenure}-{rung}-day-after"
            )


@pytest.mark.parametrize(("tenure", "stage", "days", "action", "reaches"), list(_gap_rows()))
def test_each_rung_waits_its_days_after_the_last_stage(tenure, stage, days, action, reaches):
    decision = decide(
        case(tenure, stage=stage, days_at_stage=days, arrears="2000.00", last_contact_on=TODAY),
        policy=POLICY,
        today=TODAY,
    )

    assert decision.action == action
    assert decision.stage == reaches
    if action.startswith("due_"):
        assert decision.due_on == TODAY + timedelta(days=1)  # the day it has waited long enough


def test_a_case_waiting_for_its_gap_says_when_the_next_rung_is_due():
    decision = decide(
        case(stage="early_contact", days_at_stage=3, arrears="500", last_contact_on=TODAY),
        policy=POLICY,
        today=TODAY,
    )

    assert (decision.action, action_label(decision.action)) == ("due_letter_1", "Letter 1 due")
    assert decision.due_on == TODAY + timedelta(days=4)
    assert any(r["rule"] == "gap:letter_1" for r in decision.reasons)


@pytest.mark.parametrize(
    ("stage", "days", "label"),
    [
        ("letter_2", 10, "Pre-notice warning due"),
        ("pre_notice", 10, "Notice due"),
    ],
)
def test_a_long_way_behind_case_waiting_for_its_gap_names_the_step_due_not_monitoring(
    stage, days, label
):
    """105 weeks behind, the officer must see what falls due next, not "monitor"."""
    decision = decide(
        case(stage=stage, days_at_stage=days, arrears="11000", last_contact_on=TODAY),
        policy=POLICY,
        today=TODAY,
    )

    assert action_label(decision.action) == label
    assert decision.due_on == TODAY + timedelta(days=14 - days)


@pytest.mark.parametrize(
    ("contacted", "action"),
    [(None, "early_contact"), (4, "early_contact"), (3, "monitor"), (0, "monitor")],
)
def test_early_contact_stays_on_the_list_until_an_officer_records_a_contact(contacted, action):
    """The case reached early contact three days ago; a contact before that does not count."""
    decision = decide(
        case(
            stage="early_contact",
            days_at_stage=3,
            arrears="150",
            last_contact_on=TODAY - timedelta(days=contacted) if contacted is not None else None,
        ),
        policy=POLICY,
        today=TODAY,
    )

    assert decision.action == action
    if action == "early_contact":
        assert decision.due_on == TODAY - timedelta(days=3)
        assert decision.stage == "early_contact" and not decision.stage_changed


NOTICE_ACTIONS = [
    ("secure", {}, "serve_nosp"),
    ("introductory", {}, "serve_notice_of_proceedings"),
    ("introductory", {"trial_period_end": TODAY}, "serve_nosp"),
    ("flexible", {}, "serve_flexible_termination"),
    ("flexible", {"fixed_term_end": TODAY - timedelta(days=1)}, "serve_nosp"),
    ("non_secure_tenancy", {}, "serve_notice_to_quit"),
    ("non_secure_licence", {}, "serve_notice_to_determine"),
    ("assured", {"registered_provider": True}, "serve_s8_form_3"),
    ("assured", {"registered_provider": False}, "serve_s8_form_3a"),
    ("cooperative", {}, "serve_notice_to_quit"),
]


@pytest.mark.parametrize(("tenure", "tenancy", "action"), NOTICE_ACTIONS)
def test_the_notice_rung_recommends_the_tenancys_own_notice_for_approval(tenure, tenancy, action):
    decision = decide(
        case(
            tenure,
            stage="pre_notice",
            days_at_stage=14,
            arrears="450.00",
            assessments=[assessed("notice")],
            **tenancy,
        ),
        policy=POLICY,
        today=TODAY,
    )

    assert decision.action == action
    assert decision.needs_approval
    assert decision.stage == "pre_notice"  # a notice moves the stage only once it is served
    assert decision.letters == []


@pytest.mark.parametrize(
    ("arrears", "ground_8"),
    [("799.99", False), ("800.00", True), ("800.01", True)],
)
def test_a_form_3_notice_says_whether_ground_8_is_met_at_eight_weeks(arrears, ground_8):
    decision = decide(
        case(
            "assured",
            stage="pre_notice",
            days_at_stage=20,
            arrears=arrears,
            assessments=[assessed("notice")],
        ),
        policy=POLICY,
        today=TODAY,
    )

    text = next(r["text"] for r in decision.reasons if r["rule"] == "ground_8")
    assert ("Ground 8 (mandatory) is available" in text) is ground_8
    assert "10 and 11" in text


def test_a_form_3a_notice_needs_thirteen_weeks_for_ground_8():
    decision = decide(
        case(
            "assured",
            registered_provider=False,
            stage="pre_notice",
            days_at_stage=20,
            arrears="1299.99",
            assessments=[assessed("notice")],
        ),
        policy=POLICY,
        today=TODAY,
    )

    assert decision.action == "serve_s8_form_3a"
    assert "Ground 8 is not available (£1,300.00 needed)" in next(
        r["text"] for r in decision.reasons if r["rule"] == "ground_8"
    )


def test_the_rra_date_in_the_policy_moves_social_housing_assured_tenancies_to_form_3a():
    policy = policy_with(legal__rra_social_housing_from=TODAY.isoformat())
    decision = decide(
        case(
            "assured",
            stage="pre_notice",
            days_at_stage=20,
            arrears="900",
            assessments=[assessed("notice")],
        ),
        policy=policy,
        today=TODAY,
    )

    assert decision.action == "serve_s8_form_3a"


def test_a_council_can_set_the_notice_at_eight_weeks_as_east_devon_does():
    policy = policy_with(ladders__secure__notice__weeks="8.0")
    at_six = case(stage="pre_notice", days_at_stage=30, arrears="600", assessments=[assessed()])

    assert decide(at_six, policy=POLICY, today=TODAY).action == "serve_nosp"
    assert decide(at_six, policy=policy, today=TODAY).action == "monitor"


def test_weeks_are_counted_in_net_rent_after_housing_benefit_by_default():
    from tests.arrears.builders import account

    partial_hb = case(stage="none", accounts=[account("150.00", weekly="100.00", hb="70.00")])

    net = decide(partial_hb, policy=POLICY, today=TODAY)
    gross = decide(partial_hb, policy=policy_with(weeks_basis="gross"), today=TODAY)

    assert net.action == "early_contact"  # £150 is five weeks of the £30 net rent
    assert gross.action == "early_contact"  # and 1.5 weeks of the £100 gross rent
    assert net.figures["escalation_weeks"] == "5.0"
    assert gross.figures["escalation_weeks"] == "1.5"
    assert net.figures["weeks_basis"] == "net rent"


def test_a_case_in_credit_gets_no_action_and_falls_back_to_no_stage():
    decision = decide(
        case(stage="letter_2", days_at_stage=40, arrears="-25.00"), policy=POLICY, today=TODAY
    )

    assert decision.action == "no_action"
    assert decision.stage == "none"
    assert decision.stage_changed


def test_a_case_never_in_arrears_gets_its_figures_and_no_recommendation_row():
    decision = decide(case(arrears="0"), policy=POLICY, today=TODAY)

    assert decision.action == "no_action"
    assert not decision.record
    assert decision.case.weekly_charge == 100


# Leasehold, garages, former tenants and other debts.

DEBT_ROWS = [
    ("leasehold", "none", None, "9.99", "no_action", "none"),  # service charge not yet due
    ("garage", "none", None, "99.99", "monitor", "none"),
    ("garage", "none", None, "100.00", "early_contact", "early_contact"),
    ("garage", "letter_2", 14, "399.99", "monitor", "letter_2"),
    ("garage", "letter_2", 14, "400.00", "serve_garage_notice_to_quit", "letter_2"),
]


@pytest.mark.parametrize(("tenure", "stage", "days", "arrears", "action", "reaches"), DEBT_ROWS)
def test_garages_and_leasehold_have_their_own_ladders(
    tenure, stage, days, arrears, action, reaches
):
    decision = decide(
        case(tenure, stage=stage, days_at_stage=days, arrears=arrears, weekly="100.00"),
        policy=POLICY,
        today=TODAY,
    )

    assert decision.action == action
    assert decision.stage == reaches


@pytest.mark.parametrize("tenure", ["leasehold", "shared_ownership"])
@pytest.mark.parametrize("arrears", ["500.00", "5000.00", "50000.00"])
def test_leasehold_is_never_put_on_the_possession_ladder(tenure, arrears):
    for stage, days in [("none", None), ("early_contact", 60), ("letter_1", 60), ("pre_court", 60)]:
        decision = decide(
            case(tenure, stage=stage, days_at_stage=days, arrears=arrears, weekly="1.00"),
            policy=POLICY,
            today=TODAY,
        )
        assert ACTIONS[decision.action].step not in {"notice", "enforcement"}
        assert not decision.action.startswith("serve_")


def test_leasehold_goes_reminder_then_formal_demand_then_determination():
    steps = []
    stage, days = "none", None
    for _ in range(3):
        decision = decide(
            case("leasehold", stage=stage, days_at_stage=days, arrears="20000", weekly="10.00"),
            policy=POLICY,
            today=TODAY,
        )
        steps.append(decision.action)
        stage, days = decision.stage, 60
    assert steps == ["service_charge_reminder", "send_formal_demand", "refer_for_determination"]


def test_a_former_tenants_small_debt_is_considered_for_write_off():
    from tests.arrears.builders import account

    decision = decide(
        case(
            stage="early_contact",
            days_at_stage=40,
            tenancy_end=TODAY - timedelta(days=100),
            accounts=[account("35.00", kind="former_tenancy_arrears", weekly="0")],
        ),
        policy=POLICY,
        today=TODAY,
    )

    assert decision.ladder == "former_tenant"
    assert decision.action == "consider_write_off"
    assert decision.needs_approval


def test_a_tenant_owing_only_repairs_is_never_on_the_possession_ladder():
    from tests.arrears.builders import account

    decision = decide(
        case(
            accounts=[
                account("-10.00"),
                account("300.00", kind="rechargeable_repairs", account_id=2),
            ]
        ),
        policy=POLICY,
        today=TODAY,
    )

    assert decision.ladder == "other_debts"
    assert decision.action == "contact_about_other_debt"


def test_every_legal_step_needs_a_persons_approval_and_no_letter_is_one():
    """UK GDPR Art 22A-D: notices, claims, warrants and evictions are never automatic."""
    for key, found in ACTIONS.items():
        if found.step in LEGAL_CLASSES and key != "refer_to_debt_recovery":
            assert found.needs_approval, key
        if found.letter is not None:
            assert not found.needs_approval, key


@pytest.mark.parametrize(
    ("stage", "days", "arrears", "action"),
    [
        ("letter_1", 3, "250.00", "review_failed_letter"),  # monitoring: review the letter
        ("letter_1", 14, "350.00", "send_letter_2"),  # the next letter is due: it goes
        ("none", None, "0.00", "review_failed_letter"),  # even with nothing owed now
    ],
)
def test_a_letter_that_could_not_be_produced_is_put_in_front_of_an_officer(
    stage, days, arrears, action
):
    decision = decide(
        case(
            stage=stage,
            days_at_stage=days,
            arrears=arrears,
            last_contact_on=TODAY,
            failed_letters={"arrears_letter_1": TODAY - timedelta(days=3)},
        ),
        policy=POLICY,
        today=TODAY,
    )

    assert decision.action == action
    if action == "review_failed_letter":
        assert decision.due_on == TODAY - timedelta(days=3)
        assert any(r["rule"] == "letter_failed" for r in decision.reasons)


@pytest.mark.parametrize(
    ("automatic", "patch_on", "sent_days_ago", "stage", "queued", "rule"),
    [
        (True, True, None, "letter_1", True, None),  # the run sends it: the stage moves
        (False, True, None, "early_contact", False, "letter_by_officer"),  # waits for it
        (True, False, None, "early_contact", False, "letters_off_for_patch"),  # waits for it
        (False, True, 3, "letter_1", False, "letter_recent"),  # an officer sent it
        (True, False, 3, "letter_1", False, "letter_recent"),
        (True, True, 3, "letter_1", False, "letter_recent"),  # never twice in 28 days
    ],
)
def test_a_letter_an_officer_must_send_keeps_the_case_at_its_stage_until_it_has_gone(
    automatic, patch_on, sent_days_ago, stage, queued, rule
):
    letters = [] if automatic else ["arrears_letter_1"]
    policy = (
        POLICY
        if automatic
        else policy_with(
            automatic_letters=[k for k in POLICY.automatic_letters if k not in letters]
        )
    )
    decision = decide(
        case(
            stage="early_contact",
            days_at_stage=30,
            arrears="500.00",
            last_contact_on=TODAY,
            automatic_letters=patch_on,
            letters={"arrears_letter_1": TODAY - timedelta(days=sent_days_ago)}
            if sent_days_ago is not None
            else {},
        ),
        policy=policy,
        today=TODAY,
    )

    assert decision.action == "send_letter_1"  # recommended either way
    assert decision.stage == stage
    assert bool(decision.letters) is queued
    if rule:
        assert rule in [r["rule"] for r in decision.reasons]
