"""Every figure on the dashboard opens the cases behind it, and those cases add up to it."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from performance import figures, selectors
from performance.figures import Scope

from .conftest import TODAY

pytestmark = pytest.mark.django_db
D = Decimal


def _listed(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    table = response.content.decode().split('id="cases-behind"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'href="/cases/\d+/">(CS\d+)</a>', table)


def test_every_figure_on_the_dashboards_links_to_cases_and_every_link_opens(client, council, team):
    client.force_login(team.maggie)
    for dashboard in (
        selectors.council_dashboard(today=TODAY),
        selectors.patch_dashboard(patch=team.patch_a, today=TODAY),
        selectors.officer_dashboard(officer=team.alice, today=TODAY),
    ):
        for table in [*dashboard.tables, dashboard.more["funnel"], dashboard.more["activity"]]:
            for row in table.rows:
                for column, cell in zip(table.columns, row.cells, strict=True):
                    if column == "Target" or not cell.value:
                        continue
                    assert cell.href, f"{dashboard.level}: {table.caption}, {row.label}, {column}"
                    assert client.get(cell.href).status_code == 200, cell.href


def test_the_cases_behind_rent_collected_add_up_to_the_figure(client, council, team):
    client.force_login(team.maggie)
    url = reverse("performance:cases_behind_csv", args=["rent-collected"])
    response = client.get(url, {"patch": team.patch_a.pk})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {r["Case"] for r in rows} == {c.reference for c in (council.a1, council.a2, council.a3)}
    figure = figures.council(figures.rent_collected(today=TODAY, scope=Scope(team.patch_a.pk)))
    assert sum(D(r["Collected"]) for r in rows) == figure.numerator
    assert sum(D(r["Due"]) for r in rows) == figure.denominator


def test_the_cases_behind_legal_action_are_those_with_that_action_in_the_year(
    client, council, team
):
    client.force_login(team.maggie)
    assert _listed(client, reverse("performance:cases_behind", args=["notices-served"])) == [
        council.a1.reference  # two NOSPs this year; the garage notice to quit is not counted
    ]
    claims = _listed(client, reverse("performance:cases_behind", args=["claims-issued"]))
    assert sorted(claims) == sorted([council.a4.reference, council.b1.reference])
    only_b = (
        reverse("performance:cases_behind", args=["claims-issued"]) + f"?patch={team.patch_b.pk}"
    )
    assert _listed(client, only_b) == [council.b1.reference]
    assert _listed(client, reverse("performance:cases_behind", args=["evictions"])) == [
        council.a4.reference
    ]


def test_an_officer_may_open_the_cases_behind_their_own_figures_only(client, council, team):
    client.force_login(team.alice)
    own = reverse("performance:cases_behind", args=["rent-collected"])
    assert client.get(own, {"officer": team.alice.pk}).status_code == 200
    assert client.get(own, {"officer": team.bob.pk}).status_code == 403
    assert client.get(own, {"patch": team.patch_a.pk}).status_code == 403
    assert client.get(own).status_code == 403


def test_an_unknown_figure_or_rung_is_not_found(client, council, team):
    client.force_login(team.maggie)
    assert client.get(reverse("performance:cases_behind", args=["nonsense"])).status_code == 404
    moved = reverse("performance:cases_behind", args=["moved-on"])
    assert client.get(moved, {"stage": "nowhere"}).status_code == 404
