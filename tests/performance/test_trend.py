"""The 52-week trend of arrears and collection, drawn from the daily snapshots."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from performance.models import Measure, PatchSnapshot, Target
from performance.selectors import trend
from performance.snapshots import snapshots_take

from .conftest import TODAY

pytestmark = pytest.mark.django_db
D = Decimal


def _snapshot(patch, day, arrears: str, collected: str, due: str) -> None:
    PatchSnapshot.objects.create(
        patch=patch, day=day, current_arrears=D(arrears), accounts_owing=1,
        former_arrears=D("0"), collected_ytd=D(collected), due_ytd=D(due),
        ledger_line_id=0, ledger_last_date=day, source="run", written_at="2026-11-23T02:00Z",
    )  # fmt: skip


def test_the_trend_is_a_point_a_week_for_52_weeks_summed_over_the_patches(team):
    _snapshot(team.patch_a, TODAY, "100.00", "90.00", "100.00")
    _snapshot(team.patch_b, TODAY, "50.00", "10.00", "100.00")
    _snapshot(team.patch_a, TODAY - timedelta(weeks=1), "80.00", "70.00", "80.00")
    _snapshot(team.patch_a, TODAY - timedelta(days=3), "999.00", "1.00", "1.00")  # not a week end
    points = trend(end=TODAY)
    assert len(points) == 52
    assert points[0].day == TODAY - timedelta(weeks=51)
    assert (points[-1].current_arrears, points[-1].collection.percent) == (D("150.00"), D("50.00"))
    assert points[-2].current_arrears == D("80.00")
    assert points[-3].current_arrears is None  # no snapshot that week: a gap, not zero
    only_b = trend(end=TODAY, patch_ids=[team.patch_b.pk])
    assert only_b[-1].current_arrears == D("50.00") and only_b[-2].current_arrears is None


def test_the_trend_chart_is_an_svg_with_its_figures_as_a_table_and_no_script(client, council, team):
    snapshots_take(day=TODAY - timedelta(weeks=1))
    snapshots_take(day=TODAY)
    client.force_login(team.maggie)
    page = client.get(reverse("performance:council")).content.decode()
    assert 'id="trend-arrears"' in page and 'id="trend-collection"' in page
    trend_svg = page.split('id="trend-arrears"', 1)[1].split("</svg>", 1)[0]
    assert "<polyline" in trend_svg and "style=" not in trend_svg and "<script" not in trend_svg
    table = page.split('id="table-trend"', 1)[1].split("</table>", 1)[0]
    assert "23 Nov 2026" in table and "£380.00" in table and "46.15%" in table
    assert "No snapshot" in table  # the weeks before the first


def test_the_patch_trend_marks_the_patchs_collection_target(client, council, team):
    snapshots_take(day=TODAY)
    Target.objects.create(
        patch=team.patch_a, year=2026, measure=Measure.COLLECTION_RATE, value=D("97.00"),
        set_by=team.maggie,
    )  # fmt: skip
    client.force_login(team.maggie)
    page = client.get(reverse("performance:patch", args=[team.patch_a.pk])).content.decode()
    collection_svg = page.split('id="trend-collection"', 1)[1].split("</svg>", 1)[0]
    assert "app-chart__threshold" in collection_svg


def test_the_trend_table_downloads_as_csv(client, council, team):
    snapshots_take(day=TODAY)
    client.force_login(team.maggie)
    response = client.get(reverse("performance:council_csv", args=["trend"]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Week ending"
    assert rows[1][:2] == ["23 Nov 2026", "380.00"]
    assert len(rows) == 53


def test_before_any_snapshot_the_dashboard_says_how_to_get_them(client, council, team):
    client.force_login(team.maggie)
    page = client.get(reverse("performance:council")).content.decode()
    assert "No snapshots yet" in page
