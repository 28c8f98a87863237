"""Rules of law the engine applies: notices per tenure, Ground 8, long-stops, six years."""

from datetime import date
from decimal import Decimal

import pytest

from arrears.rules import (
    NoticeFact,
    add_months,
    add_years,
    ground_8_met,
    ground_8_threshold,
    ladder_for,
    notice_for_tenancy,
    notice_in_force,
    possession_needs_court,
    trial_period_leaves_time_for_notice,
    warrant_needs_permission,
    weeks_of_rent,
)

D = date.fromisoformat
TODAY = D("2026-11-23")


@pytest.mark.parametrize(
    ("tenure", "extra", "notice"),
    [
        ("secure", {}, "nosp"),
        ("flexible", {"fixed_term_end": D("2026-11-22")}, "nosp"),
        ("flexible", {"fixed_term_end": D("2026-11-23")}, "flexible_termination"),
        ("flexible", {"fixed_term_end": D("2026-11-24")}, "flexible_termination"),
        ("introductory", {"trial_period_end": D("2026-11-22")}, "nosp"),
        ("introductory", {"trial_period_end": D("2026-11-23")}, "nosp"),
        ("introductory", {"trial_period_end": D("2026-11-24")}, "notice_of_proceedings"),
        ("assured", {"registered_provider": True}, "s8_form_3"),
        ("assured", {"registered_provider": False}, "s8_form_3a"),
        ("assured", {"registered_provider": True, "rra": D("2026-11-24")}, "s8_form_3"),
        ("assured", {"registered_provider": True, "rra": D("2026-11-23")}, "s8_form_3a"),
        ("non_secure_tenancy", {}, "notice_to_quit"),
        ("non_secure_licence", {}, "notice_to_determine"),
        ("cooperative", {}, "notice_to_quit"),
        ("garage", {}, "notice_to_quit"),
        ("leasehold", {}, None),
        ("shared_ownership", {}, None),
    ],
)
def test_each_tenure_has_its_notice(tenure, extra, notice):
    assert (
        notice_for_tenancy(
            tenure=tenure,
            registered_provider=extra.get("registered_provider", False),
            ta_duty="",
            fixed_term_end=extra.get("fixed_term_end"),
            trial_period_end=extra.get("trial_period_end"),
            today=TODAY,
            rra_social_housing_from=extra.get("rra"),
        )
        == notice
    )


@pytest.mark.parametrize(
    ("kind", "period", "weekly", "threshold"),
    [
        ("s8_form_3", "weekly", "100.00", "800.00"),
        ("s8_form_3", "fortnightly", "100.00", "800.00"),
        ("s8_form_3", "monthly", "100.00", "866.67"),  # two months of £433.33
        ("s8_form_3a", "weekly", "100.00", "1300.00"),
        ("s8_form_3a", "monthly", "100.00", "1300.00"),  # three months
    ],
)
def test_ground_8_thresholds(kind, period, weekly, threshold):
    assert ground_8_threshold(
        notice_kind=kind, weekly_rent=Decimal(weekly), rent_period=period
    ) == Decimal(threshold)
    for arrears, met in ((Decimal(threshold) - Decimal("0.01"), False), (Decimal(threshold), True)):
        assert (
            ground_8_met(
                arrears=arrears, notice_kind=kind, weekly_rent=Decimal(weekly), rent_period=period
            )
            is met
        )


def test_ground_8_does_not_apply_to_a_nosp():
    assert not ground_8_met(
        arrears=Decimal("5000"),
        notice_kind="nosp",
        weekly_rent=Decimal("100"),
        rent_period="weekly",
    )


@pytest.mark.parametrize(
    ("status", "served", "last", "in_force"),
    [
        ("served", "2026-01-01", "2026-11-22", False),
        ("served", "2026-01-01", "2026-11-23", True),
        ("served", "2026-01-01", "2026-11-24", True),
        ("served", "2026-11-24", "2027-11-24", False),  # not served yet on the day
        ("served", "2026-10-01", None, True),  # a notice to quit has no long-stop
        ("expired", "2026-01-01", "2027-01-01", False),
        ("withdrawn", "2026-10-01", "2027-10-01", False),
        ("draft", None, None, False),
    ],
)
def test_a_notice_is_in_force_from_service_to_its_long_stop(status, served, last, in_force):
    fact = NoticeFact(
        "nosp", status, D(served) if served else None, None, D(last) if last else None
    )
    assert notice_in_force(fact, TODAY) is in_force


@pytest.mark.parametrize(
    ("order", "needs"),
    [("2020-11-24", False), ("2020-11-23", False), ("2020-11-22", True), ("2020-02-29", True)],
)
def test_six_years_after_the_order_a_warrant_needs_permission(order, needs):
    assert warrant_needs_permission(D(order), TODAY) is needs


def test_a_leap_day_order_reaches_six_years_on_28_february():
    assert add_years(D("2024-02-29"), 6) == D("2030-02-28")
    assert not warrant_needs_permission(D("2024-02-29"), D("2030-02-28"))
    assert warrant_needs_permission(D("2024-02-29"), D("2030-03-01"))


@pytest.mark.parametrize(
    ("trial_end", "time"),
    [("2026-12-27", False), ("2026-12-28", False), ("2026-12-29", True)],
)
def test_a_notice_of_proceedings_needs_five_weeks_before_the_trial_ends(trial_end, time):
    assert trial_period_leaves_time_for_notice(D(trial_end), TODAY) is time


@pytest.mark.parametrize(
    ("start", "months", "anchor", "result"),
    [
        ("2026-01-31", 1, None, "2026-02-28"),
        ("2026-02-28", 1, 31, "2026-03-31"),
        ("2027-12-31", 2, None, "2028-02-29"),
        ("2026-11-15", 13, None, "2027-12-15"),
    ],
)
def test_months_are_added_to_the_month_end(start, months, anchor, result):
    assert add_months(D(start), months, anchor_day=anchor) == D(result)


@pytest.mark.parametrize(
    ("tenure", "ended", "rent_arrears", "ladder"),
    [
        ("secure", False, True, "secure"),
        ("secure", True, True, "former_tenant"),
        ("secure", False, False, "other_debts"),
        ("garage", False, True, "garage"),
        ("leasehold", False, True, "leasehold"),
        ("shared_ownership", False, False, "shared_ownership"),
    ],
)
def test_which_ladder_a_case_climbs(tenure, ended, rent_arrears, ladder):
    assert ladder_for(tenure=tenure, tenancy_ended=ended, has_rent_arrears=rent_arrears) == ladder


def test_interim_accommodation_needs_no_court_order_and_everyone_else_does():
    assert not possession_needs_court(tenure="non_secure_licence", ta_duty="s188")
    assert possession_needs_court(tenure="non_secure_licence", ta_duty="s193")
    assert possession_needs_court(tenure="secure", ta_duty="")


def test_weeks_of_rent_are_to_one_place():
    assert weeks_of_rent(Decimal("399.99"), Decimal("100.00")) == Decimal("4.0")
    assert weeks_of_rent(Decimal("100"), Decimal("0")) == Decimal("0.0")
