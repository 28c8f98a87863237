"""Arrangement monitoring: current rent plus the instalment, with a grace in working days
and a tolerance in money, so pennies and bank holidays never break an arrangement
(peer-hackney.md §3, §9)."""

from datetime import date

import pytest

from arrears.arrangements import (
    arrangement_status,
    instalment_date,
    instalments_due,
    next_instalment_on,
    payment_cutoff,
)
from tests.arrears.builders import POLICY, money, policy_with, terms

D = date.fromisoformat


@pytest.mark.parametrize(
    ("today", "grace", "cutoff"),
    [
        ("2026-11-23", 5, "2026-11-15"),  # Mon: 5 working days after Sun 15 Nov is Fri 20 Nov
        ("2026-11-23", 0, "2026-11-22"),
        ("2026-11-23", 1, "2026-11-19"),  # Friday's payment has Monday as its day of grace
        ("2026-12-29", 2, "2026-12-22"),  # Christmas and Boxing Day (moved to 28 Dec) skipped
        ("2026-08-28", 1, "2026-08-26"),
        ("2026-09-01", 1, "2026-08-27"),  # 31 Aug 2026 is the summer bank holiday
    ],
)
def test_a_payment_is_late_only_once_its_working_days_of_grace_have_passed(today, grace, cutoff):
    assert payment_cutoff(D(today), grace) == D(cutoff)


@pytest.mark.parametrize(
    ("starts", "frequency", "cutoff", "count"),
    [
        ("2026-11-02", "weekly", "2026-11-01", 0),
        ("2026-11-02", "weekly", "2026-11-02", 1),
        ("2026-11-02", "weekly", "2026-11-08", 1),
        ("2026-11-02", "weekly", "2026-11-09", 2),
        ("2026-11-02", "fortnightly", "2026-11-15", 1),
        ("2026-11-02", "fortnightly", "2026-11-16", 2),
        ("2026-10-05", "four_weekly", "2026-11-01", 1),
        ("2026-10-05", "four_weekly", "2026-11-02", 2),
        ("2026-01-31", "monthly", "2026-02-27", 1),
        ("2026-01-31", "monthly", "2026-02-28", 2),  # month end: 28 Feb
        ("2026-01-31", "monthly", "2026-03-30", 2),
        ("2026-01-31", "monthly", "2026-03-31", 3),  # back to the 31st
        ("2026-01-15", "monthly", "2026-12-14", 11),
        ("2026-01-15", "monthly", "2026-12-15", 12),
    ],
)
def test_instalments_fall_due_on_their_dates_and_monthly_at_the_month_end(
    starts, frequency, cutoff, count
):
    assert instalments_due(starts_on=D(starts), frequency=frequency, cutoff=D(cutoff)) == count


def test_instalment_dates_and_the_next_one():
    assert instalment_date(D("2026-01-31"), "monthly", 1) == D("2026-02-28")
    assert next_instalment_on(
        starts_on=D("2026-11-02"), frequency="weekly", after=D("2026-11-23")
    ) == D("2026-11-30")


TODAY = D("2026-11-23")  # cutoff with 5 working days' grace: Sun 15 Nov
STARTS = D("2026-10-26")  # Mondays 26 Oct, 2, 9 Nov fall due by the cutoff: 3 instalments


def status(rent_due, paid, *, balance="300.00", policy=POLICY, **kwargs):
    kwargs.setdefault("starts_on", STARTS)
    return arrangement_status(
        terms=terms(**kwargs),
        rent_due=money(rent_due),
        paid=money(paid),
        balance=money(balance),
        net_weekly_rent=money("100.00"),
        today=TODAY,
        policy=policy,
    )


# rent due by the cutoff: 3 weeks at £100; instalments 3 x £10: £330 expected.
STATE_ROWS = [
    ("300.00", "330.00", "kept"),
    ("300.00", "325.00", "kept"),  # £5 short: the policy's tolerance
    ("300.00", "324.99", "missed"),
    ("300.00", "111.00", "missed"),  # £219 short: under two payments of £110
    ("300.00", "110.00", "broken"),  # £220 short: two payments
    ("300.00", "0.00", "broken"),
    ("300.00", "500.00", "kept"),  # ahead
    ("200.00", "230.00", "kept"),  # a rent-free week: rent £200, instalments still £30
    ("200.00", "229.99", "kept"),
    ("200.00", "200.00", "missed"),  # rent paid but no instalments
]


@pytest.mark.parametrize(("rent_due", "paid", "state"), STATE_ROWS)
def test_the_state_compares_what_should_have_been_paid_with_what_was(rent_due, paid, state):
    result = status(rent_due, paid)

    assert result.state == state
    assert result.actual == money(paid)
    assert str(result.expected) in {str(money(rent_due) + money("30.00"))}


def test_nothing_is_expected_before_the_first_instalment_and_its_grace():
    result = status("0.00", "0.00", starts_on=D("2026-11-16"))

    assert result.state == "live"


def test_an_arrangement_is_completed_when_the_debt_is_cleared():
    result = status("300.00", "800.00", balance="-10.00")

    assert result.state == "completed"


def test_an_arrangement_never_expects_more_than_the_arrears_it_was_made_for():
    result = status("300.00", "320.00", starting_balance="20.00")

    assert result.expected == money("320.00")
    assert result.state == "kept"


@pytest.mark.parametrize(
    ("lump_due", "expected"),
    [("2026-11-15", "430.00"), ("2026-11-16", "330.00")],
)
def test_a_lump_sum_is_expected_once_its_date_and_grace_have_passed(lump_due, expected):
    result = status("300.00", "330.00", lump_sum="100.00", lump_sum_due_on=D(lump_due))

    assert result.expected == money(expected)


def test_an_arrangement_without_current_rent_expects_only_the_instalments():
    result = status("300.00", "30.00", includes_current_rent=False)

    assert result.expected == money("30.00")
    assert result.state == "kept"


def test_an_arrangements_own_tolerance_overrides_the_policy():
    assert status("300.00", "310.00", tolerance_amount="25.00").state == "kept"
    assert status("300.00", "310.00").state == "missed"


def test_an_arrangements_own_grace_in_days_overrides_the_policy():
    # With no grace, 16 Nov's instalment is late today too (23 Nov's is due today, not late).
    result = status("500.00", "540.00", tolerance_days=0)

    assert result.expected == money("540.00")
    assert result.state == "kept"


@pytest.mark.parametrize("frequency", ["weekly", "fortnightly", "four_weekly", "monthly"])
def test_every_frequency_is_monitored(frequency):
    result = status("300.00", "1000.00", frequency=frequency)

    assert result.state == "kept"
    assert "Paid £1,000.00" in result.description


def test_broken_needs_the_policys_number_of_missed_payments():
    lenient = policy_with(arrangements__broken_after_missed_payments="3.0")

    assert status("300.00", "110.00").state == "broken"
    assert status("300.00", "110.00", policy=lenient).state == "missed"


def test_the_description_gives_expected_against_actual():
    result = status("300.00", "200.00")

    assert result.description == (
        "Paid £200.00 of £330.00 expected since 26 October 2026: £130.00 short, more than the "
        "£5.00 tolerance."
    )
