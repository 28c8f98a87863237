"""The stage funnel, officer activity and the officer's own view of their patch.

Today is Monday 23 November 2026 (conftest.py): "this week" is today alone; the
last 4 weeks run from 27 October.
"""

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.models import Case, CaseEvent, Contact, Stage
from cases.services.contacts import contact_record
from payments.models import Arrangement, ArrangementFrequency, PaymentMethod
from payments.services import payment_post
from performance.activity import officer_activity, stage_funnel, week_start
from performance.figures import COUNCIL, Scope
from performance.models import Measure, Target
from performance.snapshots import snapshots_take

from .conftest import LONDON, TODAY, _charge, _rent

pytestmark = pytest.mark.django_db
D = Decimal


def _stage(case: Case, stage: str, on: date, previous: str) -> None:
    Case.objects.filter(pk=case.pk).update(stage=stage, stage_changed_on=on)
    CaseEvent.objects.create(
        case=case,
        verb="stage_changed",
        payload={"from": previous, "to": stage},
        occurred_at=datetime(on.year, on.month, on.day, 2, tzinfo=LONDON),
    )


@pytest.fixture
def work(council, team):
    """alice: two contacts this week (one reached the tenant), one last month, an
    arrangement this week and a £25 payment taken this week; bob: one contact.
    Stages: A1 moved letter 1 -> letter 2 today; B1 reached letter 1 three weeks ago."""
    _stage(council.a1, Stage.LETTER_2, TODAY, Stage.LETTER_1)
    _stage(council.b1, Stage.LETTER_1, TODAY - timedelta(weeks=3), Stage.NONE)
    for actor, case, outcome, on in (
        (team.alice, council.a1, Contact.Outcome.SPOKE_TO_TENANT, TODAY),
        (team.alice, council.a2, Contact.Outcome.NO_ANSWER, TODAY),
        (team.alice, council.a1, Contact.Outcome.NO_ANSWER, date(2026, 10, 30)),
        (team.bob, council.b1, Contact.Outcome.MESSAGE_LEFT, TODAY),
    ):
        contact_record(
            case=case, actor=actor, channel=Contact.Channel.PHONE,
            direction=Contact.Direction.OUTBOUND, outcome=outcome, summary="Called",
            contacted_on=on, today=TODAY,
        )  # fmt: skip
    Arrangement.objects.create(
        case=council.a1, account=_rent(council.a1), frequency=ArrangementFrequency.WEEKLY,
        instalment=D("10.00"), starts_on=TODAY, starting_balance=D("180.00"),
        created_by=team.alice,
    )  # fmt: skip
    payment_post(
        account=_rent(council.a1), amount=D("25.00"), effective_date=TODAY,
        method=PaymentMethod.DEBIT_CARD, source="officer", source_reference="TAKEN-1",
        today=TODAY, actor=team.alice,
    )  # fmt: skip
    return council


def test_the_funnel_counts_open_cases_at_each_rung_and_this_weeks_moves_on_and_off(work, team):
    rungs = {r.stage: r for r in stage_funnel(today=TODAY, scope=COUNCIL)}
    assert [r.stage for r in stage_funnel(today=TODAY, scope=COUNCIL)][:3] == [
        "none", "early_contact", "letter_1",
    ]  # fmt: skip
    assert (rungs["letter_2"].cases, rungs["letter_2"].reached_this_week) == (1, 1)
    assert (rungs["letter_1"].cases, rungs["letter_1"].reached_this_week) == (1, 0)
    assert rungs["letter_1"].moved_on_this_week == 1  # A1 left it today
    assert rungs["none"].moved_on_this_week == 0  # B1 left it three weeks ago
    only_b = {r.stage: r for r in stage_funnel(today=TODAY, scope=Scope(patch_id=team.patch_b.pk))}
    assert (only_b["letter_2"].cases, only_b["letter_1"].cases) == (0, 1)


def test_officer_activity_counts_the_work_each_person_did_in_the_period(work, team):
    week = officer_activity(start=week_start(TODAY), end=TODAY, scope=COUNCIL)
    alice = week[team.alice.pk]
    assert (alice.contacts, alice.reached, alice.arrangements) == (2, 1, 1)
    assert (alice.payments, alice.taken) == (1, D("25.00"))
    assert (week[team.bob.pk].contacts, week[team.bob.pk].reached) == (1, 0)
    month = officer_activity(start=TODAY - timedelta(days=27), end=TODAY, scope=COUNCIL)
    assert month[team.alice.pk].contacts == 3
    on_b = officer_activity(start=TODAY, end=TODAY, scope=Scope(patch_id=team.patch_b.pk))
    assert set(on_b) == {team.bob.pk}


def test_the_dashboard_shows_the_funnel_and_activity_with_links_and_csv(client, work, team):
    client.force_login(team.maggie)
    page = client.get(reverse("performance:council")).content.decode()
    funnel = page.split('id="table-funnel"', 1)[1].split("</table>", 1)[0]
    assert 'href="/?stage=letter_2&amp;show=all"' in funnel
    assert 'href="/performance/cases/reached/?stage=letter_2"' in funnel
    assert 'href="/performance/cases/moved-on/?stage=letter_1"' in funnel
    activity = page.split('id="table-activity"', 1)[1].split("</table>", 1)[0]
    assert "Alice Ash" in activity and "£25.00" in activity
    month = client.get(reverse("performance:council") + "?period=4weeks").content.decode()
    assert "the last 4 weeks (27 Oct to 23 Nov 2026)" in month
    response = client.get(reverse("performance:council_csv", args=["activity"]) + "?period=4weeks")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Officer", "Contacts recorded", "Reached someone", "Arrangements made",
        "Payments taken", "Amount taken",
    ]  # fmt: skip
    assert ["Alice Ash", "3", "1", "1", "1", "25.00"] in rows
    funnel_csv = client.get(reverse("performance:council_csv", args=["funnel"]))
    assert funnel_csv.status_code == 200 and b"Letter 2,1,1,0" in funnel_csv.content


def test_the_officers_own_view_shows_their_patch_against_target_and_last_year_and_their_work(
    client, work, team
):
    last_year = TODAY - timedelta(weeks=52)
    snapshots_take(day=last_year)
    snapshots_take(day=TODAY)
    Target.objects.create(
        patch=team.patch_a, year=2026, measure=Measure.COLLECTION_RATE, value=D("95.00"),
        set_by=team.maggie,
    )  # fmt: skip
    client.force_login(team.alice)
    response = client.get(reverse("performance:officer", args=[team.alice.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    own = page.split('id="table-patch-a01"', 1)[1].split("</table>", 1)[0]
    assert "Patch A01 Northfield: against its target and the same week last year" in page
    # This year A01 collected £325 (the £25 taken today) of £450; the target is 95%.
    assert "72.22%" in own and "95.00%" in own and "Off target" in own
    # Last year's snapshot: none of this year's lines were dated then, so nothing was
    # collected of nothing due (no percentage) and no one owed anything (£0.00, 0.00%).
    assert "£0.00" in own and own.count("0.00%") == 2
    activity = page.split('id="table-activity"', 1)[1].split("</table>", 1)[0]
    assert "Alice Ash" in activity and "Bob Birch" not in activity
    cells = [
        re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>\s*(.*?)\s*</td>", activity, re.S)
    ]
    assert cells[:5] == ["2", "1", "1", "1", "£25.00"]  # her own work this week


def test_the_officers_view_shows_last_years_arrears_as_a_share_of_last_years_rent_roll(
    council, team
):
    """Same week last year: patch A01's current tenants owed £260 on a rent roll of
    £250 a week (a1 £100, a2 £50, and a3, whose tenancy had not ended then, £100) over
    52 charge weeks: 2.00%."""
    from performance.selectors import patch_against_target_and_last_year

    last_year = TODAY - timedelta(weeks=52)
    _charge(_rent(council.a1), "260.00", last_year - timedelta(days=7))
    snapshots_take(day=last_year)
    snapshots_take(day=TODAY)

    table = patch_against_target_and_last_year(patch=team.patch_a, today=TODAY)

    then = {row.label: row.cells[-1].text for row in table.rows}
    assert then["Current tenant arrears"] == "£260.00"
    assert then["Current tenant arrears as a percentage of rent roll"] == "2.00%"
    assert then["Former tenant arrears as a percentage of rent roll"] == "0.00%"


def test_last_years_share_of_rent_roll_is_not_guessed_from_a_snapshot_without_one(council, team):
    from performance.models import PatchSnapshot
    from performance.selectors import patch_against_target_and_last_year

    last_year = TODAY - timedelta(weeks=52)
    snapshots_take(day=last_year)
    snapshots_take(day=TODAY)
    PatchSnapshot.objects.filter(day=last_year).update(weekly_rent_roll=None)

    table = patch_against_target_and_last_year(patch=team.patch_a, today=TODAY)

    then = {row.label: row.cells[-1].text for row in table.rows}
    assert then["Current tenant arrears as a percentage of rent roll"] == "No snapshot"
