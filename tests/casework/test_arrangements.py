"""Income and expenditure in the SFS categories, and arrangements agreed from it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import CaseEvent, CourtCase, IncomeExpenditure
from cases.services import income_expenditure_record
from payments.arrangements import (
    affordability,
    arrangement_cancel,
    arrangement_create,
    arrangement_replace,
    monthly_equivalent,
    monthly_rent,
)
from payments.models import Arrangement, ArrangementCheck
from tests.casework.conftest import TODAY, rent_account

pytestmark = pytest.mark.django_db

ZERO = Decimal("0.00")


def statement(case, actor, *, income="1500.00", rent="433.33", other="800.00", taken_on=TODAY):
    """An I&E with `income` in benefits, `rent`, and `other` as food and housekeeping."""
    figures = {name: ZERO for name in IncomeExpenditure.INCOME_FIELDS}
    figures |= {name: ZERO for name in IncomeExpenditure.FIXED_COST_FIELDS}
    figures |= {name: ZERO for name in IncomeExpenditure.FLEXIBLE_COST_FIELDS}
    figures |= {
        "savings_contribution": ZERO,
        "income_benefits": Decimal(income),
        "rent": Decimal(rent),
        "food_housekeeping": Decimal(other),
    }
    return income_expenditure_record(
        case=case,
        actor=actor,
        taken_on=taken_on,
        today=TODAY,
        figures=figures,
        household={"adults": 1, "employment_status": "unemployed"},
    )


@pytest.mark.parametrize(
    ("amount", "frequency", "monthly"),
    [
        ("10.00", "weekly", "43.33"),
        ("20.00", "fortnightly", "43.33"),
        ("40.00", "four_weekly", "43.33"),
        ("43.33", "monthly", "43.33"),
        ("0.01", "weekly", "0.04"),
    ],
)
def test_instalments_compare_monthly_on_52_weeks_as_they_fall_due_in_rent_free_weeks(
    amount, frequency, monthly
):
    assert monthly_equivalent(Decimal(amount), frequency) == Decimal(monthly)


@pytest.mark.parametrize(("free_weeks", "monthly"), [(0, "433.33"), (2, "416.67"), (4, "400.00")])
def test_monthly_rent_counts_only_charge_weeks(free_weeks, monthly):
    assert monthly_rent(Decimal("100.00"), rent_free_weeks=free_weeks) == Decimal(monthly)


def test_statement_totals_follow_the_sfs_sections(team, alices_case):
    s = statement(alices_case, team.alice, income="1500.00", rent="433.33", other="800.00")

    assert s.total_income == Decimal("1500.00")
    assert s.total_outgoings == Decimal("1233.33")
    assert s.surplus == Decimal("266.67")
    assert s.available_for_rent_and_arrears == Decimal("700.00")
    event = CaseEvent.objects.get(verb="income_expenditure_recorded")
    assert event.payload["statement_id"] == s.pk
    assert event.payload["surplus"] == "266.67"


@pytest.mark.parametrize(
    ("instalment", "frequency", "exceeds"),
    [
        ("61.53", "weekly", False),  # £266.63 a month: within the £266.67 surplus
        ("61.54", "weekly", False),  # £266.67 a month: exactly the surplus
        ("61.55", "weekly", True),  # £266.72 a month: over it
        ("266.67", "monthly", False),
        ("266.68", "monthly", True),
    ],
)
def test_rent_plus_instalment_more_than_the_statement_leaves_is_unaffordable(
    team, alices_case, instalment, frequency, exceeds
):
    s = statement(alices_case, team.alice)

    check = affordability(statement=s, instalment=Decimal(instalment), frequency=frequency)

    assert check.exceeds is exceeds
    assert check.rent == Decimal("433.33")


def _arrangement_post(client, case, **overrides):
    data = {
        "account": rent_account(case).pk,
        "frequency": "weekly",
        "instalment": "10.00",
        "starts_on_day": "30",
        "starts_on_month": "11",
        "starts_on_year": "2026",
        "notes": "",
    }
    data.update(overrides)
    return client.post(reverse("arrangement_create", args=[case.pk]), data)


def test_officer_sets_up_an_arrangement_from_the_latest_statement(client, team, alices_case, today):
    statement(alices_case, team.alice)
    client.force_login(team.alice)

    response = _arrangement_post(client, alices_case)

    assert response.status_code == 302
    arrangement = Arrangement.objects.get(case=alices_case)
    assert (arrangement.instalment, arrangement.frequency, arrangement.starts_on) == (
        Decimal("10.00"),
        "weekly",
        date(2026, 11, 30),
    )
    assert arrangement.starting_balance == Decimal("450.00")
    assert arrangement.state == "live" and arrangement.kind == "informal"
    assert list(arrangement.checks.values_list("state", flat=True)) == ["live"]
    alices_case.refresh_from_db()
    assert alices_case.arrangement_state == "live"
    event = CaseEvent.objects.get(verb="arrangement_created")
    assert event.payload["arrangement_id"] == arrangement.pk
    assert event.payload["surplus"] == "266.67"
    assert event.payload["warning"] == ""
    assert event.payload["frequency"] == "weekly" and event.payload["instalment"] == "10.00"


def test_unaffordable_terms_are_refused_until_the_officer_accepts_the_warning(
    client, team, alices_case, today
):
    statement(alices_case, team.alice)
    client.force_login(team.alice)

    refused = _arrangement_post(client, alices_case, instalment="100.00")

    assert refused.status_code == 400
    content = refused.content.decode()
    assert "Rent plus this instalment is £866.66 a month" in content
    assert "more than the £700.00" in content
    assert "The tenant wants these terms" in content
    assert not Arrangement.objects.exists()

    accepted = _arrangement_post(client, alices_case, instalment="100.00", accept_unaffordable="on")

    assert accepted.status_code == 302
    event = CaseEvent.objects.get(verb="arrangement_created")
    assert event.payload["warning"].startswith("Rent plus this instalment is £866.66")


def test_no_arrangement_without_a_statement(client, team, alices_case, today):
    client.force_login(team.alice)

    page = client.get(reverse("arrangement_create", args=[alices_case.pk]))
    response = _arrangement_post(client, alices_case)

    assert "this case has none" in page.content.decode()
    assert response.status_code == 400
    assert "Record an income and expenditure statement first" in response.content.decode()
    assert not Arrangement.objects.exists()


def test_a_statement_older_than_six_months_is_too_old(team, alices_case):
    old = statement(alices_case, team.alice, taken_on=TODAY - timedelta(days=200))

    with pytest.raises(ValidationError) as refused:
        arrangement_create(
            case=alices_case,
            account=rent_account(alices_case),
            actor=team.alice,
            statement=old,
            frequency="weekly",
            instalment=Decimal("10.00"),
            starts_on=TODAY,
            today=TODAY,
        )

    assert "too old" in refused.value.message_dict["statement"][0]
    assert not Arrangement.objects.exists()


@pytest.mark.parametrize(
    ("terms", "field", "message"),
    [
        ({"instalment": Decimal("0.00")}, "instalment", "more than £0"),
        ({"instalment": Decimal("500.00")}, "instalment", "more than the £450.00 owed"),
        ({"starts_on": TODAY - timedelta(days=1)}, "starts_on", "today or in the future"),
        ({"frequency": "daily"}, "frequency", "how often"),
        ({"lump_sum": Decimal("50.00")}, "lump_sum", "Enter both"),
    ],
)
def test_terms_with_a_problem_are_refused(team, alices_case, terms, field, message):
    s = statement(alices_case, team.alice)
    args = {
        "case": alices_case,
        "account": rent_account(alices_case),
        "actor": team.alice,
        "statement": s,
        "frequency": "weekly",
        "instalment": Decimal("10.00"),
        "starts_on": TODAY,
        "today": TODAY,
        **terms,
    }

    with pytest.raises(ValidationError) as refused:
        arrangement_create(**args)

    assert message in " ".join(refused.value.message_dict[field])
    assert not Arrangement.objects.exists()
    assert not CaseEvent.objects.filter(verb="arrangement_created").exists()


def _live(case, actor):
    s = statement(case, actor)
    return arrangement_create(
        case=case,
        account=rent_account(case),
        actor=actor,
        statement=s,
        frequency="weekly",
        instalment=Decimal("10.00"),
        starts_on=TODAY,
        today=TODAY,
    ), s


def test_a_second_live_arrangement_on_one_account_is_refused(team, alices_case):
    _first, s = _live(alices_case, team.alice)

    with pytest.raises(ValidationError) as refused:
        arrangement_create(
            case=alices_case,
            account=rent_account(alices_case),
            actor=team.alice,
            statement=s,
            frequency="monthly",
            instalment=Decimal("40.00"),
            starts_on=TODAY,
            today=TODAY,
        )

    assert "already has a live arrangement" in refused.value.messages[0]
    assert Arrangement.objects.count() == 1


def test_cancelling_keeps_the_arrangement_and_its_history(client, team, alices_case, today):
    arrangement, _s = _live(alices_case, team.alice)
    client.force_login(team.alice)

    response = client.post(
        reverse("arrangement_cancel", args=[alices_case.pk, arrangement.pk]),
        {"reason": "Tenant moving to managed payment"},
    )

    assert response.status_code == 302
    arrangement.refresh_from_db()
    assert arrangement.state == "cancelled" and arrangement.ended_on == TODAY
    assert list(arrangement.checks.values_list("state", flat=True)) == ["live", "cancelled"]
    event = CaseEvent.objects.get(verb="arrangement_cancelled")
    assert event.payload == {
        "arrangement_id": arrangement.pk,
        "reason": "Tenant moving to managed payment",
    }
    alices_case.refresh_from_db()
    assert alices_case.arrangement_state == "cancelled"


def test_replacing_cancels_the_old_terms_and_the_new_ones_name_them(team, alices_case):
    old, s = _live(alices_case, team.alice)

    new = arrangement_replace(
        arrangement=old,
        actor=team.alice,
        reason="Hours cut at work",
        statement=s,
        frequency="fortnightly",
        instalment=Decimal("15.00"),
        starts_on=TODAY + timedelta(days=7),
        today=TODAY,
    )

    old.refresh_from_db()
    assert old.state == "cancelled" and old.end_reason == "Replaced: Hours cut at work"
    assert new.replaces == old and new.state == "live"
    verbs = list(
        CaseEvent.objects.filter(case=alices_case)
        .order_by("id")
        .values_list("verb", flat=True)
        .filter(verb__startswith="arrangement_")
    )
    assert verbs == ["arrangement_created", "arrangement_cancelled", "arrangement_created"]


def test_a_failed_replacement_leaves_the_old_arrangement_live(team, alices_case):
    old, s = _live(alices_case, team.alice)

    with pytest.raises(ValidationError):
        arrangement_replace(
            arrangement=old,
            actor=team.alice,
            reason="Change",
            statement=s,
            frequency="weekly",
            instalment=Decimal("900.00"),  # more than is owed
            starts_on=TODAY,
            today=TODAY,
        )

    old.refresh_from_db()
    assert old.state == "live"
    assert Arrangement.objects.count() == 1
    assert not CaseEvent.objects.filter(verb="arrangement_cancelled").exists()


def test_court_ordered_terms_cannot_be_cancelled_by_an_officer(team, alices_case):
    court = CourtCase.objects.create(case=alices_case, outcome="suspended")
    arrangement = Arrangement.objects.create(
        case=alices_case,
        account=rent_account(alices_case),
        kind=Arrangement.Kind.COURT_ORDERED,
        court_case=court,
        frequency="weekly",
        instalment=Decimal("5.00"),
        starts_on=TODAY,
        starting_balance=Decimal("450.00"),
    )

    with pytest.raises(ValidationError) as refused:
        arrangement_cancel(arrangement=arrangement, actor=team.alice, reason="x", today=TODAY)

    assert "only the court can vary them" in refused.value.messages[0]
    arrangement.refresh_from_db()
    assert arrangement.state == "live"
    assert not ArrangementCheck.objects.filter(state="cancelled").exists()


def test_the_ie_form_saves_every_sfs_category(client, team, alices_case, today):
    client.force_login(team.alice)
    page = client.get(reverse("income_expenditure_record", args=[alices_case.pk]))
    for heading in ("Monthly income", "Fixed costs (monthly)", "Flexible costs (monthly)"):
        assert heading in page.content.decode()
    assert page.context["form"]["rent"].value() == Decimal("400.00")  # £100 x 48 / 12
    data = {
        "tenant": "",
        "taken_on_day": "23",
        "taken_on_month": "11",
        "taken_on_year": "2026",
        "adults": "2",
        "dependants_under_16": "1",
        "dependants_16_to_18": "0",
        "other_dependants": "0",
        "non_dependants": "0",
        "vehicles": "0",
        "employment_status": "part_time",
        "income_earnings": "900",
        "income_benefits": "650.50",
        "rent": "400",
        "council_tax": "95",
        "gas": "60",
        "electricity": "70",
        "food_housekeeping": "450",
        "communications_leisure": "60",
        "notes": "",
    }

    response = client.post(reverse("income_expenditure_record", args=[alices_case.pk]), data)

    assert response.status_code == 302
    s = IncomeExpenditure.objects.get(case=alices_case)
    assert s.total_income == Decimal("1550.50")
    assert s.total_outgoings == Decimal("1135.00")
    assert s.surplus == Decimal("415.50")
    assert s.school == ZERO and s.dependants_under_16 == 1


def test_a_negative_amount_on_the_ie_form_is_refused(client, team, alices_case, today):
    client.force_login(team.alice)

    response = client.post(
        reverse("income_expenditure_record", args=[alices_case.pk]),
        {
            "taken_on_day": "23",
            "taken_on_month": "11",
            "taken_on_year": "2026",
            "adults": "1",
            "dependants_under_16": "0",
            "dependants_16_to_18": "0",
            "other_dependants": "0",
            "non_dependants": "0",
            "vehicles": "0",
            "employment_status": "unemployed",
            "gas": "-10",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["gas"] == ["Enter an amount of £0 or more"]
    assert not IncomeExpenditure.objects.exists()
