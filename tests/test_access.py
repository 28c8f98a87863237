"""Sign-in, roles and who sees which cases."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from cases.permissions import can_act_on_case
from core.models import Role
from core.money import weeks_of
from tests.factories import (
    AccountFactory,
    CaseFactory,
    PropertyFactory,
    TenancyFactory,
    TenantFactory,
)

pytestmark = pytest.mark.django_db


def _case_in(patch, *, balance: str, name: str, weekly: str = "100.00"):
    tenancy = TenancyFactory(property=PropertyFactory(patch=patch))
    TenantFactory(tenancy=tenancy, first_name=name, last_name="Tenant")
    case = CaseFactory(
        tenancy=tenancy,
        balance=Decimal(balance),
        rent_arrears=Decimal(balance),
        weekly_charge=Decimal(weekly),
        weeks_in_arrears=weeks_of(Decimal(balance), Decimal(weekly)),
    )
    AccountFactory(case=case, balance=Decimal(balance), weekly_charge=Decimal(weekly))
    return case


@pytest.mark.parametrize("path", ["/", "/admin/"])
def test_anonymous_visitor_is_sent_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login") if path == "/" else "/admin/login/")


def test_health_check_needs_no_sign_in(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_officer_signs_in_and_sees_the_case_list(client, team):
    response = client.post(
        reverse("login"), {"username": "alice", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")

    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert b"Your cases in arrears" in page.content
    assert b"Alice Ash" in page.content


def test_wrong_password_is_refused_with_an_error_summary(client, team):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})

    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post_and_ends_the_session(client, team):
    client.force_login(team.alice)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("persona", ["alice", "maggie"])
def test_officers_and_managers_cannot_open_the_admin(client, team, persona):
    user = getattr(team, persona)
    user.is_staff = True  # even if someone ticks "staff" by mistake
    user.save()
    client.force_login(user)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_administrator_can_open_the_admin(client, team):
    client.force_login(team.ada)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert b"Arrears casework administration" in response.content


def test_roles_are_groups_with_their_permissions(team):
    assert team.alice.has_perm("payments.take_payment")
    assert not team.alice.has_perm("payments.post_adjustment")
    assert not team.alice.has_perm("cases.act_on_any_case")
    assert team.maggie.has_perm("cases.act_on_any_case")
    assert team.maggie.has_perm("cases.approve_legal_action")
    assert not team.maggie.has_perm("cases.administer_service")
    assert team.ada.has_perm("cases.administer_service")
    assert team.alice.role_label == Role.OFFICER.label


def test_officer_list_shows_their_patch_cases_in_arrears_only(client, team):
    _case_in(team.patch_a, balance="450.00", name="Owing")
    _case_in(team.patch_a, balance="-20.00", name="Credit")
    _case_in(team.patch_b, balance="900.00", name="Elsewhere")
    client.force_login(team.alice)

    content = client.get(reverse("home")).content.decode()

    assert "Owing Tenant" in content
    assert "£450.00" in content
    assert "4.5" in content  # weeks in arrears: £450 / £100 a week
    assert "Credit Tenant" not in content
    assert "Elsewhere Tenant" not in content


@time_machine.travel(date(2026, 11, 23))
def test_covering_officer_sees_and_may_act_on_the_covered_patch(client, team):
    covered = _case_in(team.patch_b, balance="300.00", name="Covered")
    client.force_login(team.carol)

    content = client.get(reverse("home")).content.decode()

    assert "Covered Tenant" in content
    assert can_act_on_case(team.carol, covered, today=date(2026, 11, 23))
    assert not can_act_on_case(team.carol, covered, today=date(2026, 10, 31))
    assert not can_act_on_case(team.alice, covered, today=date(2026, 11, 23))


def test_manager_sees_every_patch(client, team):
    _case_in(team.patch_a, balance="100.00", name="First")
    _case_in(team.patch_b, balance="200.00", name="Second")
    client.force_login(team.maggie)

    content = client.get(reverse("home")).content.decode()

    assert "First Tenant" in content and "Second Tenant" in content


def test_case_list_costs_the_same_queries_for_many_cases(
    client, team, django_assert_max_num_queries
):
    for n in range(30):
        _case_in(team.patch_a, balance=f"{100 + n}.00", name=f"Person{n}")
    client.force_login(team.alice)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("home"))
    assert response.content.decode().count("Person") == 30


def test_administrator_can_browse_the_records_but_not_edit_the_ledger(client, team):
    case = _case_in(team.patch_a, balance="10.00", name="Admin")
    client.force_login(team.ada)

    assert client.get("/admin/cases/case/").status_code == 200
    assert client.get(f"/admin/cases/case/{case.pk}/change/").status_code == 200
    assert client.get("/admin/payments/transaction/").status_code == 200
    assert client.get("/admin/payments/transaction/add/").status_code == 403
    assert client.get("/admin/cases/caseevent/add/").status_code == 403
