"""How a file line finds its account: rent account reference, then payment reference,
then tenant reference (payments/imports/formats.py MATCH_LOOKUPS; issue 11)."""

from datetime import date
from typing import NamedTuple

import pytest
from django.urls import reverse

from cases.models import CaseEvent
from cases.timeline import describe
from payments.imports.services import payment_file_import
from payments.models import (
    Account,
    AccountKind,
    ImportLine,
    SuspenseItem,
    TenantReference,
    Transaction,
)
from tests.factories import AccountFactory, CaseFactory, TenancyFactory, TenantFactory

TODAY = date(2026, 11, 23)
pytestmark = pytest.mark.django_db

HEADER = "Receipt date,Account reference,Amount,Method,Reference\n"


class Landed(NamedTuple):
    account: Account | None
    outcome: str
    line: ImportLine | None  # kept only for a line that did not post


def _channel(*rows: str) -> dict[int, Landed]:
    """Where each line of a channel file landed: a posted line is on its account's
    ledger under the file's reference for it; the others are kept as ImportLines."""
    content = HEADER + "".join(f"20/11/2026,{ref},10.00,CARD,R-{n}\n" for n, ref in enumerate(rows))
    result = payment_file_import(
        content=content.encode(),
        filename="channel.csv",
        format_name="channel_csv",
        today=TODAY,
    )
    landed = {
        line.line_number: Landed(line.account, line.outcome, line)
        for line in ImportLine.objects.filter(payment_import=result.payment_import)
    }
    prefix = f"channel_csv:{result.checksum[:24]}:"
    for posted in Transaction.objects.filter(source_reference__startswith=prefix):
        number = int(posted.source_reference.removeprefix(prefix))
        landed[number] = Landed(posted.account, ImportLine.Outcome.POSTED, None)
    return landed


def _rent_account(tenancy, **kwargs) -> Account:
    return AccountFactory(case=CaseFactory(tenancy=tenancy), **kwargs)


def test_a_tenant_reference_finds_the_open_rent_account_of_the_tenants_tenancy():
    tenancy = TenancyFactory()
    rent = _rent_account(tenancy, reference="2000000001")
    tenant = TenantFactory(tenancy=tenancy)
    TenantReference.objects.create(tenant=tenant, reference="HMS-P-77", issued_by="HMS")

    lines = _channel("HMS-P-77")

    assert lines[2].account == rent
    assert lines[2].outcome == ImportLine.Outcome.POSTED
    assert Account.objects.get(pk=rent.pk).balance == rent.balance - 10


def test_a_tenant_reference_skips_a_sundry_account_on_the_same_tenancy():
    tenancy = TenancyFactory()
    _rent_account(tenancy, reference="2000000003", kind=AccountKind.GARAGE, rent_lawfully_due=False)
    rent = _rent_account(tenancy, reference="2000000002")
    TenantReference.objects.create(tenant=TenantFactory(tenancy=tenancy), reference="P-1")

    assert _channel("P-1")[2].account == rent


def test_the_rent_account_reference_is_tried_before_the_payment_reference():
    # "CLASH-1" is one tenancy's reference and another account's payment reference: the
    # rent account reference wins, as the layout lists it first.
    by_tenancy = _rent_account(TenancyFactory(reference="CLASH-1"))
    AccountFactory(reference="CLASH-1")

    assert _channel("CLASH-1")[2].account == by_tenancy


def test_the_payment_reference_is_tried_before_the_tenant_reference():
    by_payment_reference = AccountFactory(reference="REF-2")
    tenancy = TenancyFactory()
    _rent_account(tenancy)
    TenantReference.objects.create(tenant=TenantFactory(tenancy=tenancy), reference="REF-2")

    assert _channel("REF-2")[2].account == by_payment_reference


def test_a_tenant_who_has_moved_out_finds_no_account_and_the_line_goes_to_suspense():
    tenancy = TenancyFactory()
    _rent_account(tenancy)
    TenantReference.objects.create(
        tenant=TenantFactory(tenancy=tenancy, moved_out_on=date(2026, 6, 1)), reference="GONE-1"
    )

    line = _channel("GONE-1")[2]

    assert (line.account, line.outcome) == (None, ImportLine.Outcome.SUSPENSE)
    assert SuspenseItem.objects.filter(line=line.line).exists()


def test_a_tenant_reference_to_a_closed_rent_account_goes_to_suspense():
    tenancy = TenancyFactory()
    _rent_account(tenancy, status=Account.Status.CLOSED)
    TenantReference.objects.create(tenant=TenantFactory(tenancy=tenancy), reference="SHUT-1")

    assert _channel("SHUT-1")[2].outcome == ImportLine.Outcome.SUSPENSE


def test_a_universal_credit_line_with_an_unknown_account_finds_the_claimant_reference():
    tenancy = TenancyFactory()
    rent = _rent_account(tenancy)
    TenantReference.objects.create(
        tenant=TenantFactory(tenancy=tenancy), reference="DWP-CL-5", issued_by="DWP"
    )
    content = (
        b"Settlement reference,Claimant,Account,Amount,Period\n"
        b"UC-SET-9,DWP-CL-5,NOT-A-REF,45000,01/10/2026-31/10/2026\n"
    )

    result = payment_file_import(
        content=content, filename="uc.csv", format_name="universal_credit", today=TODAY
    )

    assert (result.totals.matched, result.totals.suspense) == (1, 0)
    assert Transaction.objects.get(source_reference__startswith="universal_credit:").account == rent


# Recorded by an officer on the case's household page (payments.services.tenant_reference_add).


def _household(team):
    tenancy = TenancyFactory(property__patch=team.patch_a)
    rent = _rent_account(tenancy, reference="2000000009")
    return rent, TenantFactory(tenancy=tenancy, first_name="Dee", last_name="Dale")


def test_a_reference_an_officer_records_on_the_household_page_finds_the_account(client, team):
    rent, tenant = _household(team)
    client.force_login(team.alice)

    response = client.post(
        reverse("tenant_reference_add", args=[rent.case_id]),
        {"tenant": tenant.pk, "reference": " DWP-CL-4411 ", "issued_by": "DWP"},
    )

    assert response.status_code == 302
    assert TenantReference.objects.get(reference="DWP-CL-4411").tenant == tenant
    event = CaseEvent.objects.get(case=rent.case, verb="tenant_reference_added")
    assert event.actor == team.alice
    assert describe(event.verb, event.payload) == (
        "Reference DWP-CL-4411 recorded for Dee Dale (from DWP): payment and benefit lines "
        "carrying it now find this account"
    )
    page = client.get(reverse("case_household", args=[rent.case_id])).content.decode()
    assert "DWP-CL-4411" in page
    assert _channel("DWP-CL-4411")[2].account == rent


def test_a_reference_already_given_to_another_tenant_is_refused_and_not_moved(client, team):
    rent, tenant = _household(team)
    elsewhere = TenantFactory()
    TenantReference.objects.create(tenant=elsewhere, reference="P-900")
    client.force_login(team.alice)

    response = client.post(
        reverse("tenant_reference_add", args=[rent.case_id]),
        {"tenant": tenant.pk, "reference": "P-900", "issued_by": ""},
    )

    assert response.status_code == 400
    assert "P-900 is already another tenant&#x27;s reference" in response.content.decode()
    assert TenantReference.objects.get(reference="P-900").tenant == elsewhere
    assert not CaseEvent.objects.filter(verb="tenant_reference_added").exists()


def test_an_officer_who_does_not_work_the_case_cannot_add_a_reference(client, team):
    rent, tenant = _household(team)
    client.force_login(team.bob)

    response = client.post(
        reverse("tenant_reference_add", args=[rent.case_id]),
        {"tenant": tenant.pk, "reference": "P-901", "issued_by": ""},
    )

    assert response.status_code in (403, 404)
    assert not TenantReference.objects.exists()


def test_a_reference_recorded_by_mistake_is_taken_off_with_a_reason_and_stops_matching(
    client, team
):
    rent, tenant = _household(team)
    typo = TenantReference.objects.create(tenant=tenant, reference="DWP-CL-4141")
    client.force_login(team.alice)
    url = reverse("tenant_reference_remove", args=[rent.case_id, typo.pk])

    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "Typed 4141 for 4411"})

    assert response.status_code == 302
    assert not TenantReference.objects.exists()
    event = CaseEvent.objects.get(case=rent.case, verb="tenant_reference_removed")
    assert (event.actor, event.payload["reason"]) == (team.alice, "Typed 4141 for 4411")
    assert _channel("DWP-CL-4141")[2].outcome == ImportLine.Outcome.SUSPENSE


def test_a_reference_of_another_household_cannot_be_taken_off_from_this_case(client, team):
    rent, _ = _household(team)
    elsewhere = TenantReference.objects.create(tenant=TenantFactory(), reference="P-77")
    client.force_login(team.alice)

    response = client.post(
        reverse("tenant_reference_remove", args=[rent.case_id, elsewhere.pk]), {"reason": "x"}
    )

    assert response.status_code == 404
    assert TenantReference.objects.filter(pk=elsewhere.pk).exists()
