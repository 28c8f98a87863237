"""A notice from draft to approval in a real Chromium: the officer drafts, the manager
approves, and the pages pass axe-core with no serious or critical violations."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from notices.models import Document, Notice
from tests.browser.conftest import assert_accessible, sign_in
from tests.notices.conftest import household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def clock():
    with time_machine.travel(
        datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=True
    ):
        yield


def test_officer_drafts_a_notice_and_a_manager_approves_it(page: Page, live_server, team, clock):
    case = household(patch=team.patch_a, names=("Ms Jane Smith", "Mr John Smith"))
    sign_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/cases/{case.pk}/notices/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Notice of Seeking Possession (secure, HA 1985 s83)"
    )
    assert_accessible(page)
    group = page.get_by_role("group", name="Date you will serve it")
    group.get_by_label("Day").fill("24")
    group.get_by_label("Month").fill("11")
    group.get_by_label("Year").fill("2026")
    page.get_by_label("By hand to the tenant").check()
    page.get_by_role("button", name="Draft the notice").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Notice drafted")
    expect(page.locator("#notice-documents")).to_contain_text("Ready")
    assert_accessible(page)
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Sent to a manager")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "maggie")
    page.get_by_role("link", name="Approvals").click()
    assert_accessible(page)
    page.get_by_role("link", name=case.reference).click()
    page.get_by_role("button", name="Approve for service").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Approved")
    expect(page.locator("#notice-summary")).to_contain_text("Maggie Maple")

    notice = Notice.objects.get()
    assert (notice.status, notice.created_by, notice.approved_by) == (
        "approved",
        team.alice,
        team.maggie,
    )
    assert Document.objects.filter(notice=notice, is_draft=False, status="rendered").count() == 1
