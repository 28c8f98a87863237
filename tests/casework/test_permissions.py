"""Object-level permissions on every casework action, checked on the server.

An officer acts on cases in their own patches and patches they cover; a manager acts
anywhere. Everyone in the team may read every case. For each action, another patch's
officer gets 403 and nothing is written, while the case's own officer (or a manager,
for reassignment) succeeds with the same data, so the 403 is the permission and not
the data.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from cases.models import Hold, Referral, VulnerabilityFlag
from cases.services import income_expenditure_record
from payments.models import Arrangement
from tests.casework.conftest import TODAY, rent_account

pytestmark = pytest.mark.django_db

DATE = {"day": "23", "month": "11", "year": "2026"}


def _date(name, day="23", month="11", year="2026"):
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


@pytest.fixture
def records(team, alices_case):
    """Alice's case with one of everything an action can change."""
    statement = income_expenditure_record(
        case=alices_case,
        actor=team.alice,
        taken_on=TODAY,
        today=TODAY,
        figures={"income_benefits": Decimal("1500.00"), "rent": Decimal("400.00")},
        household={"adults": 1, "employment_status": "unemployed"},
    )
    other_account = rent_account(alices_case)
    arrangement = Arrangement.objects.create(
        case=alices_case,
        account=other_account,
        frequency="weekly",
        instalment=Decimal("5.00"),
        starts_on=TODAY,
        starting_balance=Decimal("450.00"),
    )
    pause = Hold.objects.create(
        case=alices_case,
        kind="pause",
        reason="hospital",
        starts_on=TODAY - timedelta(days=1),
        until=TODAY + timedelta(days=5),
    )
    breathing_space = Hold.objects.create(
        case=alices_case,
        kind="breathing_space",
        reason="mental_health_crisis",
        starts_on=TODAY - timedelta(days=3),
    )
    dispute = Hold.objects.create(
        case=alices_case,
        kind="dispute",
        reason="disrepair",
        starts_on=TODAY - timedelta(days=7),
        comment="Damp",
    )
    claim = Hold.objects.create(
        case=alices_case,
        kind="benefit_claim",
        reason="housing_benefit",
        starts_on=TODAY - timedelta(days=7),
        all_evidence_supplied=False,
        comment="Payslips to come",
    )
    flag = VulnerabilityFlag.objects.create(
        case=alices_case, kind="mental_health", details="x", recorded_on=TODAY
    )
    referral = Referral.objects.create(
        case=alices_case,
        kind="debt_advice",
        referred_to="Citizens Advice",
        made_on=TODAY,
        made_by=team.alice,
    )
    return {
        "case": alices_case,
        "statement": statement,
        "arrangement": arrangement,
        "pause": pause,
        "breathing_space": breathing_space,
        "dispute": dispute,
        "claim": claim,
        "flag": flag,
        "referral": referral,
    }


def _actions(r, team):
    case = r["case"]
    account = rent_account(case).pk
    arrangement_terms = {
        "frequency": "weekly",
        "instalment": "10.00",
        **_date("starts_on", day="30"),
        "notes": "",
    }
    return {
        "contact_record": (
            [case.pk],
            {
                "channel": "phone",
                "direction": "outbound",
                "outcome": "no_answer",
                "summary": "Rang, no answer",
                **_date("contacted_on"),
            },
        ),
        "note_add": ([case.pk], {"text": "A note"}),
        "payment_take": (
            [case.pk],
            {"account": account, "amount": "10.00", "card_reference": "AUTH-PERM-1"},
        ),
        "income_expenditure_record": (
            [case.pk],
            {
                **_date("taken_on"),
                "adults": "1",
                "dependants_under_16": "0",
                "dependants_16_to_18": "0",
                "other_dependants": "0",
                "non_dependants": "0",
                "vehicles": "0",
                "employment_status": "unemployed",
                "income_benefits": "1200",
            },
        ),
        "arrangement_replace": (
            [case.pk, r["arrangement"].pk],
            {**arrangement_terms, "reason": "New terms"},
        ),
        "arrangement_cancel": ([case.pk, r["arrangement"].pk], {"reason": "Cancelled"}),
        "case_pause": (
            [case.pk],
            {"reason": "other", **_date("until", day="1", month="12"), "comment": "c"},
        ),
        "pause_end": ([case.pk, r["pause"].pk], {}),
        "breathing_space_end": ([case.pk, r["breathing_space"].pk], _date("ended_on")),
        "dispute_record": (
            [case.pk],
            {"reason": "balance", **_date("starts_on"), "comment": "Water charges wrong"},
        ),
        "dispute_resolve": (
            [case.pk, r["dispute"].pk],
            {"outcome": "upheld", **_date("ended_on"), "notes": "Repairs done"},
        ),
        "benefit_claim_record": (
            [case.pk],
            {"benefit": "dhp", **_date("submitted_on"), "all_evidence_supplied": "yes"},
        ),
        "benefit_claim_evidence": ([case.pk, r["claim"].pk], _date("supplied_on")),
        "benefit_claim_decide": (
            [case.pk, r["claim"].pk],
            {"outcome": "awarded", **_date("ended_on"), "notes": ""},
        ),
        "vulnerability_record": ([case.pk], {"kind": "language", "details": "Needs Polish"}),
        "vulnerability_clear": ([case.pk, r["flag"].pk], {"reason": "No longer applies"}),
        "referral_make": (
            [case.pk],
            {"kind": "welfare_benefits", "referred_to": "Welfare rights", "notes": ""},
        ),
        "referral_outcome": ([case.pk, r["referral"].pk], {"outcome": "accepted", "notes": ""}),
        "case_reassign": ([case.pk], {"officer": team.carol.pk}),
    }


# The action that sets up an arrangement needs no live one; it has its own case below.
ACTIONS = [
    "contact_record",
    "note_add",
    "payment_take",
    "income_expenditure_record",
    "arrangement_replace",
    "arrangement_cancel",
    "case_pause",
    "pause_end",
    "breathing_space_end",
    "dispute_record",
    "dispute_resolve",
    "benefit_claim_record",
    "benefit_claim_evidence",
    "benefit_claim_decide",
    "vulnerability_record",
    "vulnerability_clear",
    "referral_make",
    "referral_outcome",
    "case_reassign",
]


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in ("cases", "payments")
        for model in apps.get_app_config(app).get_models()
    }


@pytest.mark.parametrize("action", ACTIONS)
def test_an_officer_from_another_patch_gets_403_on_every_action_and_nothing_is_written(
    client, team, records, today, action
):
    args, data = _actions(records, team)[action]
    url = reverse(action, args=args)
    before = _row_counts()
    client.force_login(team.bob)

    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403

    assert _row_counts() == before


@pytest.mark.parametrize("action", ACTIONS)
def test_the_cases_own_officer_or_a_manager_may_do_every_action(
    client, team, records, today, action
):
    args, data = _actions(records, team)[action]
    url = reverse(action, args=args)
    if action == "case_pause":
        records["pause"].delete()  # one pause at a time
    before = _row_counts()
    client.force_login(team.maggie if action == "case_reassign" else team.alice)

    assert client.get(url).status_code == 200
    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert _row_counts() != before or action == "case_reassign"


@pytest.mark.parametrize("action", ["breathing_space_record", "arrangement_create"])
def test_breathing_space_and_a_new_arrangement_are_refused_to_another_patch(
    client, team, alices_case, today, action
):
    income_expenditure_record(
        case=alices_case,
        actor=team.alice,
        taken_on=TODAY,
        today=TODAY,
        figures={"income_benefits": Decimal("1500.00"), "rent": Decimal("400.00")},
        household={"adults": 1, "employment_status": "unemployed"},
    )
    data = {
        "breathing_space_record": {
            "type": "standard",
            **_date("starts_on"),
            **_date("expected_end", day="20", month="1", year="2027"),
        },
        "arrangement_create": {
            "account": rent_account(alices_case).pk,
            "frequency": "weekly",
            "instalment": "10.00",
            **_date("starts_on", day="30"),
        },
    }[action]
    url = reverse(action, args=[alices_case.pk])
    before = _row_counts()

    client.force_login(team.bob)
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    assert _row_counts() == before

    client.force_login(team.alice)
    assert client.post(url, data).status_code == 302
    assert _row_counts() != before


def test_an_officer_covering_a_patch_may_act_on_its_cases(client, team, bobs_case, today):
    client.force_login(team.carol)

    response = client.post(reverse("note_add", args=[bobs_case.pk]), {"text": "Covering for Bob"})

    assert response.status_code == 302


def test_officers_may_read_other_patches_cases_but_are_not_offered_casework(
    client, team, alices_case, today
):
    client.force_login(team.bob)

    response = client.get(reverse("case", args=[alices_case.pk]))

    assert response.status_code == 200
    assert response.context["can_act"] is False
    assert "Record a contact" not in response.content.decode()


def test_a_record_from_another_case_is_not_found_through_this_one(
    client, team, records, bobs_case, today
):
    client.force_login(team.maggie)

    response = client.post(
        reverse("vulnerability_clear", args=[bobs_case.pk, records["flag"].pk]), {"reason": "x"}
    )

    assert response.status_code == 404
    records["flag"].refresh_from_db()
    assert records["flag"].cleared_on is None
