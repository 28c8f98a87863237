"""What the API says of a case: its status, stage and next action; its balances from the
ledger with rent lawfully due apart; the holds in force; and nothing personal."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.models import Hold
from integrations.api.services import api_client_create
from payments.models import AccountKind
from payments.services import account_for_debt, charge_post
from tests.casework.conftest import TODAY, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def token():
    return api_client_create(name="CRM", scopes=["cases", "balances", "holds"])[1]


def _get(client, url, token, **params):
    return client.get(url, params, HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def case(team):
    return make_case(
        team.patch_a,
        owed="450.00",
        stage="letter_2",
        stage_changed_on=date(2026, 11, 16),
        next_action="pre_notice_warning",
        next_action_label="Send the pre-notice warning",
        next_action_due=date(2026, 11, 30),
        figures_on=TODAY,
    )


def test_the_case_says_its_status_stage_and_next_action(client, case, token, today):
    response = _get(client, reverse("api:case", args=[case.reference]), token)

    assert response.status_code == 200
    assert response.json() == {
        "reference": case.reference,
        "tenancy_reference": case.tenancy.reference,
        "patch": "A01",
        "tenure": "secure",
        "tenure_label": "Secure",
        "status": "open",
        "opened_on": case.opened_on.isoformat(),
        "closed_on": None,
        "stage": "letter_2",
        "stage_label": "Letter 2",
        "stage_changed_on": "2026-11-16",
        "next_action": "pre_notice_warning",
        "next_action_label": "Send the pre-notice warning",
        "next_action_due": "2026-11-30",
        "guard": "",
        "guard_label": "",
        "arrangement_state": "",
        "last_contact_on": None,
        "figures_on": "2026-11-23",
    }


def test_no_name_address_or_contact_detail_leaves_through_the_api(client, case, token, today):
    tenant = case.tenancy.tenants.get()
    urls = [
        reverse("api:case", args=[case.reference]),
        reverse("api:case_balance", args=[case.reference]),
        reverse("api:case_holds", args=[case.reference]),
        reverse("api:cases"),
    ]

    for url in urls:
        body = _get(client, url, token).content.decode()
        assert tenant.last_name not in body
        assert case.tenancy.property.postcode not in body


def test_the_balance_is_the_ledgers_with_rent_lawfully_due_apart(client, case, token, today):
    costs = account_for_debt(case=case, kind=AccountKind.COURT_COSTS, today=TODAY)
    charge_post(
        account=costs,
        amount=Decimal("355.00"),
        effective_date=TODAY,
        source_reference="fee-1",
        description="Claim fee",
        today=TODAY,
    )

    body = _get(client, reverse("api:case_balance", args=[case.reference]), token).json()

    assert body["balance"] == "805.00"
    assert body["rent_arrears"] == "450.00"
    assert [(a["kind"], a["rent_lawfully_due"], a["balance"]) for a in body["accounts"]] == [
        ("rent", True, "450.00"),
        ("court_costs", False, "355.00"),
    ]


def test_holds_lists_only_those_in_force_and_never_why(client, case, token, team, today):
    Hold.objects.create(
        case=case,
        kind=Hold.Kind.BREATHING_SPACE,
        reason=Hold.BreathingSpaceType.MENTAL_HEALTH_CRISIS,
        starts_on=TODAY - timedelta(days=3),
        comment="Crisis team involved",
    )
    Hold.objects.create(
        case=case,
        kind=Hold.Kind.PAUSE,
        reason=Hold.PauseReason.HOSPITAL,
        starts_on=TODAY - timedelta(days=30),
        until=TODAY - timedelta(days=1),
    )

    response = _get(client, reverse("api:case_holds", args=[case.reference]), token)

    assert response.json() == {
        "reference": case.reference,
        "on_hold": True,
        "holds": [
            {
                "kind": "breathing_space",
                "kind_label": "Breathing Space",
                "starts_on": (TODAY - timedelta(days=3)).isoformat(),
                "until": None,
            }
        ],
    }
    assert "mental" not in response.content.decode().lower()


def test_an_unknown_case_is_404(client, token, team):
    for name in ("api:case", "api:case_balance", "api:case_holds"):
        assert _get(client, reverse(name, args=["NOPE"]), token).status_code == 404


def test_cases_are_found_by_tenancy_and_paged_by_cursor(client, team, token, today):
    cases = [make_case(team.patch_a, owed="100.00") for _ in range(3)]

    found = _get(client, reverse("api:cases"), token, tenancy=cases[1].tenancy.reference).json()
    assert [c["reference"] for c in found["results"]] == [cases[1].reference]

    first = _get(client, reverse("api:cases"), token, page_size=2).json()
    assert [c["reference"] for c in first["results"]] == [c.reference for c in cases[:2]]
    second = client.get(first["next"], HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [c["reference"] for c in second["results"]] == [cases[2].reference]
    assert second["next"] is None


def test_a_page_of_cases_costs_the_same_queries_whatever_its_length(
    client, team, token, today, django_assert_max_num_queries
):
    for _ in range(20):
        make_case(team.patch_a, owed="100.00")

    with django_assert_max_num_queries(3):
        response = _get(client, reverse("api:cases"), token)
    assert len(response.json()["results"]) == 20


def test_the_openapi_schema_documents_every_endpoint_and_the_bearer_token(client, token):
    response = _get(client, reverse("api:schema"), token)

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/cases/",
        "/api/v1/cases/{reference}/",
        "/api/v1/cases/{reference}/balance/",
        "/api/v1/cases/{reference}/holds/",
    }
    assert schema["components"]["securitySchemes"]["systemToken"]["scheme"] == "bearer"
    assert (
        "Scope: holds" in schema["paths"]["/api/v1/cases/{reference}/holds/"]["get"]["description"]
    )


def test_the_schema_needs_a_token_too(client):
    assert client.get(reverse("api:schema")).status_code == 401


def test_the_committed_openapi_document_is_the_one_the_api_serves():
    from integrations.api.management.commands.api_schema import COMMITTED, schema_text

    assert COMMITTED.read_text() == schema_text(), (
        "integrations/api/openapi.json is out of date: run manage.py api_schema"
    )
