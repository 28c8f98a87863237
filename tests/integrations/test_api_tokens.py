"""The API for other council systems: a token per system, refused when missing, wrong or
deactivated; each scope opens only its own endpoints; last use recorded; throttled per
system."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from integrations.api.models import ApiClient, token_hash
from integrations.api.services import api_client_create, api_client_rotate

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def _get(client, url, token=None, **headers):
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.get(url, **headers)


@pytest.fixture
def revenues_token():
    _, token = api_client_create(name="Revenues and benefits", scopes=["balances"])
    return token


@pytest.fixture
def full_token():
    _, token = api_client_create(name="CRM", scopes=["cases", "balances", "holds"])
    return token


def test_a_request_without_a_token_is_refused_with_401_and_the_scheme(client, alices_case):
    response = _get(client, reverse("api:case", args=[alices_case.reference]))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert "reference" not in response.json()


def test_an_unknown_token_is_refused(client, alices_case, full_token):
    response = _get(client, reverse("api:case", args=[alices_case.reference]), "arr_not-a-token")

    assert response.status_code == 401
    assert response.json() == {"detail": "This token is not known."}


def test_a_malformed_authorization_header_is_refused_with_the_form_to_use(client, alices_case):
    response = client.get(
        reverse("api:case", args=[alices_case.reference]), HTTP_AUTHORIZATION="Token abc def"
    )

    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]


def test_a_deactivated_systems_token_is_refused(client, alices_case, full_token):
    call_command("api_client", "CRM", "--deactivate")

    response = _get(client, reverse("api:case", args=[alices_case.reference]), full_token)

    assert response.status_code == 401
    assert response.json() == {"detail": "The token of CRM has been deactivated."}


def test_the_token_is_kept_only_as_its_hash():
    client, token = api_client_create(name="CRM", scopes=["cases"])

    stored = ApiClient.objects.get(pk=client.pk)
    assert stored.token_hash == token_hash(token) and token not in stored.token_hash
    assert token.startswith(stored.token_prefix)
    assert not ApiClient.objects.filter(token_hash=token).exists()


def test_a_rotated_token_replaces_the_old_one_at_once(client, alices_case):
    system, old = api_client_create(name="CRM", scopes=["cases"])
    new = api_client_rotate(client=system)

    url = reverse("api:case", args=[alices_case.reference])
    assert _get(client, url, old).status_code == 401
    assert _get(client, url, new).status_code == 200


def test_a_system_with_the_balances_scope_reads_balances_but_not_holds_or_cases(
    client, alices_case, revenues_token
):
    ref = alices_case.reference

    assert _get(client, reverse("api:case_balance", args=[ref]), revenues_token).status_code == 200
    holds = _get(client, reverse("api:case_holds", args=[ref]), revenues_token)
    case = _get(client, reverse("api:case", args=[ref]), revenues_token)
    listing = _get(client, reverse("api:cases"), revenues_token)

    assert holds.status_code == 403
    assert holds.json() == {
        "detail": "The token of Revenues and benefits does not have the 'holds' scope."
    }
    assert case.status_code == 403 and listing.status_code == 403


@pytest.mark.parametrize(
    ("scope", "allowed"),
    [
        ("cases", {"api:cases", "api:case"}),
        ("balances", {"api:case_balance"}),
        ("holds", {"api:case_holds"}),
    ],
)
def test_each_scope_opens_only_its_own_endpoints(client, alices_case, scope, allowed):
    _, token = api_client_create(name=f"System with {scope}", scopes=[scope])
    ref = alices_case.reference
    urls = {
        "api:cases": reverse("api:cases"),
        "api:case": reverse("api:case", args=[ref]),
        "api:case_balance": reverse("api:case_balance", args=[ref]),
        "api:case_holds": reverse("api:case_holds", args=[ref]),
    }

    statuses = {name: _get(client, url, token).status_code for name, url in urls.items()}

    assert statuses == {name: 200 if name in allowed else 403 for name in urls}


def test_the_api_is_read_only(client, alices_case, full_token):
    url = reverse("api:case", args=[alices_case.reference])

    for method in (client.post, client.put, client.patch, client.delete):
        response = method(
            url, {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {full_token}"
        )
        assert response.status_code == 405


def test_last_use_is_recorded_at_most_once_a_minute(client, alices_case):
    system, token = api_client_create(name="CRM", scopes=["cases"])
    url = reverse("api:case", args=[alices_case.reference])
    first = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)

    assert system.last_used_at is None
    with time_machine.travel(first, tick=False):
        _get(client, url, token)
    with time_machine.travel(first + timedelta(seconds=30), tick=False):
        _get(client, url, token)
    system.refresh_from_db()
    assert system.last_used_at == first
    with time_machine.travel(first + timedelta(minutes=5), tick=False):
        _get(client, url, token)
    system.refresh_from_db()
    assert system.last_used_at == first + timedelta(minutes=5)


def test_a_refused_token_records_no_use(client, alices_case):
    system, token = api_client_create(name="Revenues", scopes=["balances"])
    system.is_active = False
    system.save()

    _get(client, reverse("api:case_balance", args=[alices_case.reference]), token)

    system.refresh_from_db()
    assert system.last_used_at is None


def test_each_system_is_throttled_on_its_own_rate(client, alices_case):
    busy, busy_token = api_client_create(name="Busy", scopes=["cases"])
    busy.rate_per_minute = 3
    busy.save()
    _, calm_token = api_client_create(name="Calm", scopes=["cases"])
    url = reverse("api:case", args=[alices_case.reference])

    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=LONDON), tick=False):
        statuses = [_get(client, url, busy_token).status_code for _ in range(4)]
        calm = _get(client, url, calm_token).status_code

    assert statuses == [200, 200, 200, 429]
    assert calm == 200
    with time_machine.travel(datetime(2026, 11, 23, 9, 1, 1, tzinfo=LONDON), tick=False):
        assert _get(client, url, busy_token).status_code == 200


def test_the_command_prints_a_new_token_once_and_refuses_unknown_scopes(capsys):
    call_command("api_client", "Housing options", "--scopes", "cases,holds")
    token = capsys.readouterr().out.strip().splitlines()[-1]

    system = ApiClient.objects.get(name="Housing options")
    assert system.scope_set == {"cases", "holds"}
    assert system.token_hash == token_hash(token)
    with pytest.raises(Exception, match="Unknown scope rent"):
        call_command("api_client", "Other", "--scopes", "rent")
    assert not ApiClient.objects.filter(name="Other").exists()
