"""The dashboard: who may open which level, what it shows, the links, targets and CSVs."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from performance.models import Measure, Target, WriteOff, WriteOffReason
from performance.writeoffs import write_off_propose
from tests.factories import AccountFactory, CaseFactory, PatchFactory

from .conftest import TODAY

pytestmark = pytest.mark.django_db
COUNCIL = reverse("performance:council")


def test_an_officer_cannot_open_the_council_dashboard(client, team, frozen):
    client.force_login(team.alice)
    assert client.get(COUNCIL).status_code == 403
    assert client.get(reverse("performance:patch", args=[team.patch_a.pk])).status_code == 403
    assert client.get(reverse("performance:council_csv", args=["rent"])).status_code == 403


def test_an_officer_sees_their_own_figures_but_not_another_officers(client, council, team):
    client.force_login(team.alice)
    assert client.get(reverse("performance:officer", args=[team.alice.pk])).status_code == 200
    assert client.get(reverse("performance:officer", args=[team.bob.pk])).status_code == 403


def test_the_council_dashboard_shows_each_patch_and_the_council(
    client, council, team, django_assert_max_num_queries
):
    client.force_login(team.maggie)
    with django_assert_max_num_queries(55):  # figures, trend, funnel, activity
        response = client.get(COUNCIL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "A01 Northfield" in page and "B01 Southgate" in page
    assert "46.15%" in page  # the council's rent collected
    assert "£380.00" in page  # current tenant arrears
    # The figures link to the cases behind them in the caseload.
    assert 'href="/?patch=A01&amp;weeks_over=7"' in page
    assert 'href="/?technical=yes"' in page
    assert "<svg" in page and "style=" not in page.split("<svg", 1)[1].split("</svg>")[0]


def test_the_council_dashboard_costs_the_same_queries_however_many_patches(client, council, team):
    client.force_login(team.maggie)
    client.get(COUNCIL)
    with CaptureQueriesContext(connection) as before:
        client.get(COUNCIL)
    for _ in range(3):
        AccountFactory(case=CaseFactory(tenancy__property__patch=PatchFactory()))
    with CaptureQueriesContext(connection) as after:
        client.get(COUNCIL)
    assert len(after) == len(before)


def test_a_figure_links_to_the_cases_behind_it(client, council, team):
    client.force_login(team.maggie)
    page = client.get("/?weeks_over=7").content.decode()
    assert council.a1.reference in page and council.b1.reference in page
    assert council.a2.reference not in page
    assert "More than 7 weeks" in page


def test_the_patch_dashboard_has_a_row_per_officer(client, council, team):
    client.force_login(team.maggie)
    page = client.get(reverse("performance:patch", args=[team.patch_a.pk])).content.decode()
    assert "Alice Ash" in page and "Carol Cedar" in page
    assert "66.67%" in page  # patch A01's rent collected
    assert reverse("performance:targets", args=[team.patch_a.pk]) in page


def test_a_manager_sets_a_target_and_the_patch_is_measured_against_it(client, council, team):
    client.force_login(team.maggie)
    url = reverse("performance:targets", args=[team.patch_a.pk])
    response = client.post(url, {Measure.COLLECTION_RATE: "97.5", Measure.OVER_13_WEEKS: "5"})
    assert response.status_code == 302
    target = Target.objects.get(patch=team.patch_a, year=2026, measure=Measure.COLLECTION_RATE)
    assert (target.value, target.set_by) == (Decimal("97.50"), team.maggie)
    page = client.get(COUNCIL).content.decode()
    assert "97.50%" in page
    assert "Off target" in page  # 66.67% collected against 97.5%
    assert "On target" in page  # 0% over 13 weeks against 5%


def test_an_officer_cannot_set_targets(client, council, team):
    client.force_login(team.alice)
    url = reverse("performance:targets", args=[team.patch_a.pk])
    assert client.post(url, {Measure.COLLECTION_RATE: "50"}).status_code == 403
    assert not Target.objects.exists()


def test_a_target_must_be_a_percentage(client, council, team):
    client.force_login(team.maggie)
    url = reverse("performance:targets", args=[team.patch_a.pk])
    response = client.post(url, {Measure.COLLECTION_RATE: "101"})
    assert response.status_code == 200
    assert "The target must be between 0 and 100" in response.content.decode()
    assert not Target.objects.exists()


def test_each_table_downloads_as_csv(client, council, team):
    client.force_login(team.maggie)
    response = client.get(reverse("performance:council_csv", args=["weeks"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Patch", "Current tenancies", "More than 7 weeks"]
    assert rows[-1][:4] == ["Council", "4", "3", "75.00"]
    assert client.get(reverse("performance:council_csv", args=["nonsense"])).status_code == 404


def test_a_manager_approves_a_write_off_from_the_queue(client, council, team):
    fta = council.b2.accounts.get()
    write_off = write_off_propose(
        account=fta,
        amount=Decimal("40.00"),
        reason=WriteOffReason.UNECONOMIC,
        evidence="Agency return.",
        actor=team.bob,
        today=TODAY,
    )
    client.force_login(team.maggie)
    queue = client.get(reverse("performance:write_offs")).content.decode()
    assert write_off.reference in queue
    response = client.post(
        reverse("performance:write_off_decide", args=[write_off.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    write_off.refresh_from_db()
    assert write_off.status == WriteOff.Status.APPROVED
    page = client.get(COUNCIL).content.decode()
    assert "Write-offs approved this year, by reason and approver" in page
    assert "Uneconomic to pursue" in page

    # The former tenant surfaces: the manager puts the debt back from the queue's page.
    queue = client.get(reverse("performance:write_offs")).content.decode()
    assert f"Reinstate {write_off.reference}" in queue
    client.post(
        reverse("performance:write_off_reinstate", args=[write_off.pk]),
        {"reason": "Applied for rehousing."},
    )
    write_off.refresh_from_db()
    assert write_off.status == WriteOff.Status.REINSTATED
    assert fta.__class__.objects.get(pk=fta.pk).balance == fta.balance


def test_an_officer_proposes_a_write_off_from_the_case(client, council, team):
    client.force_login(team.alice)
    account = council.a3.accounts.get()
    response = client.post(
        reverse("performance:write_off_new", args=[council.a3.pk]),
        {
            "account": account.pk,
            "amount": "100.00",
            "reason": WriteOffReason.UNTRACEABLE,
            "evidence": "Gone.",
        },
    )
    assert response.status_code == 200
    assert "Record the attempts to trace the former tenant" in response.content.decode()
    assert not WriteOff.objects.exists()


def test_the_council_total_summed_from_its_patches_equals_the_figures_counted_whole(council, team):
    from performance.figures import COUNCIL
    from performance.selectors import figure_sets, total_of

    by_patch = figure_sets(today=TODAY, scope=COUNCIL, by="patch")

    assert (
        total_of(list(by_patch.values())) == figure_sets(today=TODAY, scope=COUNCIL, by=None)[None]
    )
