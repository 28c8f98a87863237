"""A manager's journey through the performance dashboard in a real Chromium: the council,
a patch, a figure to the cases behind it, a target, and approving a write-off; the
dashboard and the write-off queue pass axe-core with no serious or critical violations."""

import os
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from performance.models import Target, WriteOff, WriteOffLimit, WriteOffReason
from performance.snapshots import snapshots_take
from performance.writeoffs import write_off_propose
from tests.browser.conftest import assert_accessible, sign_in
from tests.performance.conftest import TODAY, build_council

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", "")


def _shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_a_manager_reads_the_dashboard_sets_a_target_and_approves_a_write_off(
    page: Page, live_server, team, clock
):
    # A transactional test's flush takes the migration's default limits with it.
    WriteOffLimit.objects.get_or_create(
        group=Group.objects.get(name="manager"), defaults={"limit": Decimal("1000.00")}
    )
    council = build_council(team)
    write_off = write_off_propose(
        account=council.b2.accounts.get(),
        amount=Decimal("40.00"),
        reason=WriteOffReason.UNECONOMIC,
        evidence="Agency returned it as uneconomic.",
        actor=team.bob,
        today=TODAY,
    )

    for weeks_ago in (2, 1, 0):
        snapshots_take(day=TODAY - timedelta(weeks=weeks_ago))

    sign_in(page, live_server, "maggie")
    page.get_by_role("link", name="Performance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Performance: the council")
    expect(page.locator("#collection-chart svg")).to_be_visible()
    expect(page.locator("#trend-arrears svg")).to_be_visible()
    expect(page.locator("#table-funnel")).to_be_visible()
    assert_accessible(page)
    _shot(page, "council")

    # A figure the caseload cannot filter to opens the cases behind it.
    page.locator("#table-legal tr", has_text="Council").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notices served, year to date")
    expect(page.get_by_role("link", name=council.a1.reference)).to_be_visible()
    assert_accessible(page)
    _shot(page, "cases-behind")
    page.go_back()

    page.locator("#table-rent").get_by_role("link", name="A01 Northfield").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("patch A01 Northfield")
    assert_accessible(page)
    _shot(page, "patch")

    # The patch's tenancies more than 7 weeks in arrears, in the caseload.
    page.locator("#table-weeks tr", has_text="A01 Northfield").get_by_role("link", name="2").click()
    expect(page.get_by_text("More than 7 weeks")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(council.a1.reference))).to_be_visible()
    page.go_back()

    page.get_by_role("link", name="Set the targets for patch A01").click()
    page.get_by_label("Rent collected as a percentage of rent due").fill("97.5")
    page.get_by_role("button", name="Save the targets").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("1 target set")
    assert Target.objects.get(patch=team.patch_a).value == Decimal("97.50")
    expect(page.locator("#table-rent").get_by_text("Off target").first).to_be_visible()

    page.get_by_role("link", name="Write-offs", exact=True).click()
    assert_accessible(page)
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("approved")
    write_off.refresh_from_db()
    assert write_off.status == WriteOff.Status.APPROVED
