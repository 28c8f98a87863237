"""Technical arrears: benefit and regular payments in transit are not debt (glossary;
legal-reference.md §11). Recognised from the account's own payment pattern."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from arrears.technical import (
    next_payment_due,
    payment_cycle,
    payment_pattern,
    technical_arrears,
)
from tests.arrears.builders import POLICY, money, policy_with

D = date.fromisoformat


@pytest.mark.parametrize(
    ("dates", "cycle"),
    [
        (["2026-11-20", "2026-11-13", "2026-11-06"], "weekly"),
        (["2026-11-20", "2026-11-12", "2026-11-06"], "weekly"),  # a day late once
        (["2026-11-20", "2026-11-06"], "fortnightly"),
        (["2026-11-20", "2026-11-05", "2026-10-23"], "fortnightly"),
        (["2026-11-18", "2026-10-21", "2026-09-23"], "four_weekly"),
        (["2026-11-01", "2026-10-01", "2026-09-01"], "monthly"),
        (["2026-03-31", "2026-02-28", "2026-01-31"], "monthly"),  # a month-end payer
        (["2026-03-02", "2026-02-02", "2026-01-02"], "monthly"),  # February's 28 days
        (["2026-09-01", "2026-07-31", "2026-07-01"], "monthly"),  # paid early for a weekend
        (["2026-11-02", "2026-09-28", "2026-09-01"], "monthly"),  # and late after one
        (["2026-11-20", "2026-10-01"], None),
        (["2026-11-20", "2026-11-17", "2026-11-01"], None),
        (["2026-11-20"], None),
        ([], None),
    ],
)
def test_the_payment_cycle_is_read_from_the_gaps_between_payments(dates, cycle):
    assert payment_cycle([D(d) for d in dates]) == cycle


@pytest.mark.parametrize(
    ("dates", "cycle", "next_due"),
    [
        (["2026-11-20", "2026-11-13"], "weekly", "2026-11-27"),
        (["2026-11-20", "2026-11-06"], "fortnightly", "2026-12-04"),
        (["2026-11-18", "2026-10-21"], "four_weekly", "2026-12-16"),
        (["2026-11-01", "2026-10-01"], "monthly", "2026-12-01"),
        (["2026-01-31", "2025-12-31"], "monthly", "2026-02-28"),  # month end, short February
        (["2026-02-28", "2026-01-31"], "monthly", "2026-03-31"),  # back to the 31st
        (["2028-01-31", "2027-12-31"], "monthly", "2028-02-29"),  # leap year
    ],
)
def test_the_next_payment_keeps_the_payers_usual_day(dates, cycle, next_due):
    assert next_payment_due(cycle, [D(d) for d in dates]) == D(next_due)


def weekly_charges(since_mondays: dict[str, str]):
    """charges_since from a map of Monday -> charge (rent-free weeks simply absent)."""

    def charges_since(since: date) -> Decimal:
        return sum(
            (money(amount) for monday, amount in since_mondays.items() if D(monday) > since),
            Decimal("0"),
        )

    return charges_since


# Rent of £100 charged each Monday from 28 Sep to 23 Nov 2026 (nine weeks).
MONDAYS = {f"{D('2026-09-28') + timedelta(weeks=k)}": "100.00" for k in range(9)}
UC_MONTHLY = [
    (D("2026-11-10"), money("433.33")),
    (D("2026-10-10"), money("433.33")),
    (D("2026-09-10"), money("433.33")),
]


def technical(
    arrears, receipts, today, *, policy=POLICY, hb="0", mondays=MONDAYS, stream="payments"
):
    pattern = payment_pattern(stream, receipts)
    return technical_arrears(
        arrears=money(arrears),
        weekly_charge=money("100.00"),
        hb_weekly=money(hb),
        charge_weeks_per_year=52,
        patterns=[pattern] if pattern else [],
        charges_since=weekly_charges(mondays),
        today=today,
        policy=policy,
    )


def test_a_monthly_payer_between_payment_dates_is_in_technical_arrears():
    result = technical("620.00", UC_MONTHLY, D("2026-11-23"))

    # Last paid 10 Nov; monthly payers are 35 days in arrears: rent since 6 Oct is in transit.
    assert result.amount == money("620.00")
    assert "none is real debt" in result.reasoning
    assert "6 October 2026" in result.reasoning
    assert "10 December 2026" in result.reasoning


def test_arrears_beyond_what_is_in_transit_are_real():
    result = technical("900.00", UC_MONTHLY, D("2026-11-23"))

    # 7 Mondays after 6 Oct (12 Oct .. 23 Nov): £700 in transit, £200 real.
    assert result.amount == money("700.00")
    assert "£200.00 is real arrears" in result.reasoning


# 10 Dec is a Thursday; five working days' grace runs to Thursday 17 Dec.
@pytest.mark.parametrize(
    ("today", "technical_amount"),
    [("2026-12-16", "620.00"), ("2026-12-17", "620.00"), ("2026-12-18", "0.00")],
)
def test_a_payment_later_than_the_grace_allows_stops_the_allowance(today, technical_amount):
    result = technical("620.00", UC_MONTHLY, D(today))

    assert result.amount == money(technical_amount)
    if technical_amount == "0.00":
        assert "have not arrived" in result.reasoning


# A fortnightly payer last paid Friday 18 Dec 2026: next due 1 Jan 2027, a bank holiday;
# five working days' grace then runs to Friday 8 Jan 2027, not Wednesday 6 Jan.
@pytest.mark.parametrize(
    ("today", "counted"),
    [("2027-01-07", True), ("2027-01-08", True), ("2027-01-09", False), ("2027-01-11", False)],
)
def test_bank_holidays_do_not_count_against_the_grace(today, counted):
    receipts = [(D("2026-12-18"), money("200.00")), (D("2026-12-04"), money("200.00"))]
    mondays = {"2026-12-21": "100.00", "2027-01-04": "100.00"}  # 28 Dec is rent-free
    result = technical(
        "200.00",
        receipts,
        D(today),
        mondays=mondays,
        policy=policy_with(technical__lag_days_fortnightly=0),
    )

    assert (result.amount > 0) is counted


def test_a_rent_free_week_carries_no_rent_in_transit():
    receipts = [(D("2026-12-18"), money("200.00")), (D("2026-12-04"), money("200.00"))]
    with_free_week = {"2026-12-21": "100.00", "2027-01-04": "100.00"}
    without = {"2026-12-21": "100.00", "2026-12-28": "100.00", "2027-01-04": "100.00"}

    free = technical("300.00", receipts, D("2027-01-05"), mondays=with_free_week)
    charged = technical("300.00", receipts, D("2027-01-05"), mondays=without)

    assert free.amount == money("200.00")
    assert charged.amount == money("300.00")


def test_payments_short_of_the_rent_are_not_counted():
    short = [(d, money("300.00")) for d, _ in UC_MONTHLY]

    result = technical("620.00", short, D("2026-11-23"))

    assert result.amount == 0
    assert "less than the £433.33 the rent needs" in result.reasoning


@pytest.mark.parametrize(
    ("paid", "counted"),
    [("424.67", True), ("424.66", False)],  # 98 per cent of £433.33 is £424.6634
)
def test_the_policy_tolerates_a_payment_slightly_short(paid, counted):
    receipts = [(d, money(paid)) for d, _ in UC_MONTHLY]

    assert (technical("300.00", receipts, D("2026-11-23")).amount > 0) is counted


def test_housing_benefit_paid_four_weekly_in_arrears_is_in_transit_for_its_share():
    hb = [(D("2026-11-16"), money("240.00")), (D("2026-10-19"), money("240.00"))]
    pattern = payment_pattern("housing_benefit", hb)

    result = technical_arrears(
        arrears=money("200.00"),
        weekly_charge=money("100.00"),
        hb_weekly=money("60.00"),
        charge_weeks_per_year=52,
        patterns=[pattern],
        charges_since=weekly_charges(MONDAYS),
        today=D("2026-11-23"),
        policy=policy_with(technical__lag_days_four_weekly=0),
    )

    # HB pays 60% of the rent; one Monday (23 Nov) since its last credit.
    assert result.amount == money("60.00")


def test_no_pattern_means_no_technical_arrears():
    result = technical("400.00", [(D("2026-11-20"), money("50.00"))], D("2026-11-23"))

    assert result.amount == 0
    assert "No regular payment pattern" in result.reasoning


def test_nothing_owed_is_never_technical():
    assert technical("0.00", UC_MONTHLY, D("2026-11-23")).amount == 0
    assert technical("-50.00", UC_MONTHLY, D("2026-11-23")).amount == 0
