"""Limitation (Limitation Act 1980 s19, s5, s29, s30): the statute-barred part of a debt,
what the engine does with it, and the loader reading it from the ledger."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from arrears.engine import decide
from arrears.limitation import LimitationPosition, barred_from, limitation_position
from arrears.loader import load_chunk, run_calendar
from arrears.rules import add_years
from cases.models import Contact
from tests.arrears.builders import POLICY, TODAY, account, case, money


def _years_ago(years: int, days: int = 0) -> date:
    return add_years(TODAY, -years) + timedelta(days=days)


@pytest.mark.parametrize(
    ("fell_due", "restarts", "barred"),
    [
        # Six years to the day: treated as barred (the engine keeps a day in hand).
        (_years_ago(6), [], True),
        (_years_ago(6, days=1), [], False),  # its sixth anniversary is tomorrow
        (_years_ago(6, days=-1), [], True),  # its sixth anniversary was yesterday
        (_years_ago(9), [], True),
        # A payment while in time starts the six years again (s29(5)) ...
        (_years_ago(9), [_years_ago(5)], False),
        # ... and again, in a chain.
        (_years_ago(14), [_years_ago(9), _years_ago(4)], False),
        # A gap of six years in the chain bars it; a later payment does not revive it (s29(7)).
        (_years_ago(14), [_years_ago(7), _years_ago(1)], True),
        (_years_ago(8), [_years_ago(1)], True),
        # A payment made before the sum fell due restarts nothing for it.
        (_years_ago(7), [_years_ago(8)], True),
    ],
)
def test_a_sum_is_barred_six_years_after_it_fell_due_or_after_the_last_payment_in_time(
    fell_due, restarts, barred
):
    assert (barred_from(fell_due, restarts, TODAY) <= TODAY) is barred


def test_the_29th_of_february_is_barred_from_the_28th_six_years_on():
    assert barred_from(date(2020, 2, 29), [], TODAY) == date(2026, 2, 28)


def test_money_received_clears_the_oldest_sums_first_so_only_the_oldest_still_owed_is_barred():
    position = limitation_position(
        balance=money("250.00"),
        charges=[
            (_years_ago(8), money("300.00")),  # part paid: £50 of it still owed, barred
            (_years_ago(3), money("200.00")),  # owed in full, in time
        ],
        restarts=[],
        today=TODAY,
    )

    assert position.barred == money("50.00")
    assert position.barred_on == add_years(_years_ago(8), 6)
    assert position.next_barred == money("200.00")
    assert position.next_barred_on == add_years(_years_ago(3), 6)


def test_a_debt_in_credit_or_with_no_old_sums_has_nothing_barred():
    assert limitation_position(
        balance=money("-5.00"), charges=[(_years_ago(9), money("100.00"))], restarts=[], today=TODAY
    ).barred == Decimal("0.00")
    assert limitation_position(
        balance=money("100.00"),
        charges=[(_years_ago(2), money("100.00"))],
        restarts=[],
        today=TODAY,
    ).barred == Decimal("0.00")


def _former_tenant(barred: str, *, balance: str, next_on: date | None = None, soon: str = "0"):
    debt = account(balance, kind="former_tenancy_arrears", weekly="0")
    debt.limitation = LimitationPosition(
        barred=money(barred),
        barred_on=TODAY - timedelta(days=200) if Decimal(barred) else None,
        next_barred_on=next_on,
        next_barred=money(soon),
    )
    return case(
        stage="early_contact",
        days_at_stage=60,
        tenancy_end=TODAY - timedelta(days=3000),
        accounts=[debt],
    )


def test_a_former_tenants_debt_that_is_all_statute_barred_is_put_up_for_write_off_not_recovery():
    decision = decide(_former_tenant("900.00", balance="900.00"), policy=POLICY, today=TODAY)

    assert decision.ladder == "former_tenant"
    assert decision.action == "consider_write_off"
    assert decision.needs_approval
    rules = [r["rule"] for r in decision.reasons]
    assert "statute_barred" in rules and "limitation_barred" in rules
    assert decision.figures["accounts"][0]["statute_barred"] == "900.00"


def test_only_the_part_still_in_time_is_escalated_towards_recovery():
    decision = decide(_former_tenant("600.00", balance="900.00"), policy=POLICY, today=TODAY)

    assert decision.action == "refer_to_debt_recovery"
    figures = next(r for r in decision.reasons if r["rule"] == "figures")
    assert figures["figures"]["escalation"] == "300.00"
    assert figures["figures"]["barred"] == "600.00"
    assert "of which £600.00 is statute-barred" in figures["text"]


def test_an_officer_is_told_before_a_sum_becomes_barred_so_they_can_ask_for_a_payment():
    soon = TODAY + timedelta(days=45)
    decision = decide(
        _former_tenant("0", balance="900.00", next_on=soon, soon="400.00"),
        policy=POLICY,
        today=TODAY,
    )

    warning = next(r for r in decision.reasons if r["rule"] == "limitation_soon")
    assert "£400.00 becomes statute-barred on" in warning["text"]
    assert warning["figures"]["barred_on"] == soon.isoformat()
    far = decide(
        _former_tenant("0", balance="900.00", next_on=TODAY + timedelta(days=400), soon="400.00"),
        policy=POLICY,
        today=TODAY,
    )
    assert "limitation_soon" not in [r["rule"] for r in far.reasons]


def test_rent_arrears_of_a_current_tenancy_are_not_reduced_by_the_debt_clock():
    decision = decide(case("secure", arrears="900.00"), policy=POLICY, today=TODAY)

    assert "limitation_barred" not in [r["rule"] for r in decision.reasons]


# The loader, on the database.


@pytest.mark.django_db
def test_the_loader_reads_old_debts_and_a_signed_acknowledgment_restarts_the_clock():
    from payments.services import adjustment_post
    from tests.factories import AccountFactory, UserFactory

    officer = UserFactory()
    debt = AccountFactory(
        kind="former_tenancy_arrears", rent_lawfully_due=False, weekly_charge=Decimal("0")
    )
    debt.tenancy.start_date = date(2011, 4, 4)
    debt.tenancy.end_date = TODAY - timedelta(days=2500)
    debt.tenancy.save()
    adjustment_post(
        account=debt,
        amount=Decimal("700.00"),
        effective_date=_years_ago(7),
        reason="Former tenancy arrears brought forward",
        source_reference="fta-1",
        today=TODAY,
        actor=officer,
    )

    def load():
        inputs, _ = load_chunk(
            first_case=debt.case_id,
            last_case=debt.case_id,
            today=TODAY,
            policy=POLICY,
            calendar=run_calendar(TODAY),
        )
        return inputs[0].accounts[0].limitation

    assert load().barred == Decimal("700.00")

    # A signed acknowledgment five years ago, while the debt was in time, restarts it.
    Contact.objects.create(
        case_id=debt.case_id,
        channel="letter",
        direction="inbound",
        outcome=Contact.Outcome.ACKNOWLEDGED_DEBT,
        summary="Signed acknowledgment of the debt",
        contacted_on=_years_ago(5),
        recorded_by=officer,
    )
    position = load()
    assert position.barred == Decimal("0.00")
    assert position.next_barred_on == add_years(_years_ago(5), 6)


def test_service_charges_not_yet_due_are_not_mistaken_for_a_wholly_barred_debt():
    """Leasehold: the year's instalments not yet due are not escalated either; a small
    barred part beside them is not a reason to write the debt off."""
    # £500 owed, of which £520 of the year is not yet due (weekly £30, November): nothing
    # is escalated, and only £40 is barred.
    charges = account("500.00", kind="service_charges", weekly="30.00")
    charges.limitation = LimitationPosition(
        barred=money("40.00"), barred_on=TODAY - timedelta(days=30)
    )
    decision = decide(
        case("leasehold", accounts=[charges], stage="none"), policy=POLICY, today=TODAY
    )

    assert decision.action != "consider_write_off"
    assert "limitation_barred" in [r["rule"] for r in decision.reasons]
