"""From a notice in force to an eviction, entirely through the pages, in a real Chromium.

An officer (Alice) is refused a claim while the assessment for court is missing,
records it, prepares and issues the claim; records a suspended order whose terms
become the court-ordered arrangement; the manager (Maggie) runs the nightly run, which
finds the terms broken and recommends the notice of default and, when that is not put
right, the warrant; Alice prepares the eviction report, Maggie approves it, Alice
records the warrant, the bailiff's appointment and the eviction; the rent balance moves
to a former tenancy arrears account and the ledger still reconciles.

The clock moves through the months the case takes (time-machine, ticking so Playwright's
timeouts work); the server runs in this process, so it sees the same clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from arrears.models import Recommendation
from cases.models import CaseEvent, CourtCase, Warrant
from court.models import Eviction, WarrantRequest
from payments.models import Account, Arrangement
from payments.selectors import accounts_out_of_balance
from tests.browser.conftest import assert_accessible, sign_in

# Court documents render in-process into the test's own directory, broker or not.
from tests.court.conftest import Steps, ready_for_claim
from tests.notices.conftest import documents_root, eager_tasks  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")


@contextmanager
def on(day: date, hour: int = 10) -> Iterator[None]:
    """The clock at `hour` on `day` in London, running."""
    with time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)):
        yield


def fill_date(page: Page, legend: str, day: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def sign_in_as(page: Page, live_server, username: str) -> None:
    """Whoever was signed in on this browser leaves it first."""
    page.context.clear_cookies()
    sign_in(page, live_server, username)


def expect_banner(page: Page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def open_notices(page: Page, live_server, case) -> None:
    page.goto(f"{live_server.url}/cases/{case.pk}/notices/")
    expect(page.get_by_role("heading", name="Court", exact=True)).to_be_visible()


def run_the_night(page: Page, live_server) -> None:
    """The manager starts the nightly run from the runs page (eager here: it completes
    before the page answers)."""
    page.goto(f"{live_server.url}/arrears/runs/")
    page.get_by_role("button", name="Run now for today").click()
    expect_banner(page, "has started")


def recommended_action(case) -> str:
    return Recommendation.objects.filter(case=case).order_by("-run_date").first().action


def test_an_officer_and_a_manager_take_a_case_from_notice_to_eviction(
    page: Page, live_server, team
):
    # 23 November 2026: a NOSP in force since 4 October, the letter before claim sent,
    # the court pack approved; but no assessment for issuing a claim.
    with on(date(2026, 11, 23)):
        case = ready_for_claim(team, Steps(court_assessment_on=None))
        sign_in_as(page, live_server, "alice")
        open_notices(page, live_server, case)
        page.get_by_role("button", name="Prepare a possession claim").click()
        expect(page.locator("main")).to_contain_text(
            "No proportionality and equality assessment for issuing a claim"
        )
        assert_accessible(page)
        page.get_by_role("button", name="Prepare the claim").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "The claim cannot be prepared: No proportionality and equality assessment"
        )
        assert not case.claims.exists()

        open_notices(page, live_server, case)
        page.get_by_role("link", name="Record a proportionality assessment").click()
        page.get_by_label("Issuing a possession claim").check()
        page.get_by_label("Vulnerabilities considered").fill("None known; no children.")
        page.get_by_label("Alternatives to this step tried").fill(
            "Three letters, two visits, an arrangement offered and refused."
        )
        page.get_by_label("Action is proportionate: proceed").check()
        page.get_by_label("Reasons for the decision").fill(
            "Over ten weeks behind and nothing paid since the notice."
        )
        page.get_by_role("button", name="Save assessment").click()
        expect_banner(page, "Assessment recorded")
        expect(page.locator("#assessments")).to_contain_text("Issuing a possession claim")

        page.get_by_role("button", name="Prepare a possession claim").click()
        page.get_by_role("button", name="Prepare the claim").click()
        expect_banner(page, "Claim prepared")
        expect(page.locator("main")).to_contain_text("Particulars of claim")
        page.get_by_label("Claim number").fill("K00EB123")
        fill_date(page, "Date of issue", date(2026, 11, 23))
        fill_date(page, "Hearing date", date(2027, 1, 11))
        page.get_by_label("Hearing time").fill("10:00")
        page.get_by_role("button", name="Record the issue").click()
        expect_banner(page, "Issue recorded")
        expect(page.get_by_role("heading", level=1)).to_have_text("Claim K00EB123")
        assert_accessible(page)
        court_case = CourtCase.objects.get(case=case)
        court_costs = Account.objects.get(case=case, kind="court_costs")
        assert court_costs.balance > 0  # the court fee, through the ledger

    # 11 January 2027: the hearing. A suspended order: rent plus £5 a week from the 18th.
    with on(date(2027, 1, 11), hour=14):
        sign_in_as(page, live_server, "alice")
        open_notices(page, live_server, case)
        page.get_by_role("link", name="Record the hearing's outcome").click()
        page.get_by_label("Suspended possession order (N28)").check()
        page.get_by_label("Instalment towards the arrears").fill("5.00")
        page.get_by_label("How often").select_option(label="Weekly")
        fill_date(page, "First payment under the order", date(2027, 1, 18))
        page.get_by_label("Costs awarded").fill("0")
        page.get_by_label("Who attended for the council").fill("Alice Ash")
        page.get_by_role("button", name=re.compile("Record")).click()
        expect_banner(page, "Hearing outcome recorded")
        expect(page.locator(f"#court-case-{court_case.pk}")).to_contain_text(
            "Suspended possession order (N28)"
        )
        terms = Arrangement.objects.get(case=case, kind="court_ordered")
        assert (terms.instalment, terms.frequency) == (Decimal("5.00"), "weekly")

    # 8 February 2027: nothing paid under the order. The night's run finds the breach.
    with on(date(2027, 2, 8), hour=7):
        sign_in_as(page, live_server, "maggie")
        run_the_night(page, live_server)
        assert recommended_action(case) == "send_notice_of_default"
        sign_in_as(page, live_server, "alice")
        page.goto(f"{live_server.url}/cases/{case.pk}/")
        expect(page.locator("#recommendation")).to_contain_text("notice of default")
        # The policy sends the notice of default itself: it is on the case's documents.
        page.get_by_role("link", name="Documents").click()
        expect(page.locator("#documents")).to_contain_text("You have not kept to the court order")
        assert_accessible(page)

    # 23 February 2027: the breach was not put right in the fourteen days the notice
    # gave. Before the warrant the run asks for the assessment of that step.
    with on(date(2027, 2, 23), hour=7):
        sign_in_as(page, live_server, "maggie")
        run_the_night(page, live_server)
        assert recommended_action(case) == "complete_assessment"

    with on(date(2027, 2, 23), hour=10):
        sign_in_as(page, live_server, "alice")
        page.goto(f"{live_server.url}/cases/{case.pk}/")
        expect(page.locator("#recommendation")).to_contain_text(
            "Complete the proportionality and equality assessment"
        )
        open_notices(page, live_server, case)
        page.get_by_role("link", name="Record a proportionality assessment").click()
        page.get_by_label("Applying for a warrant").check()
        page.get_by_label("Support offered and referrals made").fill(
            "Debt advice referral made in January; not taken up."
        )
        page.get_by_label("Action is proportionate: proceed").check()
        page.get_by_label("Reasons for the decision").fill(
            "Nothing paid under the order; the notice of default was not answered."
        )
        page.get_by_role("button", name="Save assessment").click()
        expect_banner(page, "Assessment recorded")

    # 24 February 2027: the next night recommends the warrant; Alice prepares the
    # eviction report.
    with on(date(2027, 2, 24), hour=7):
        sign_in_as(page, live_server, "maggie")
        run_the_night(page, live_server)
        assert recommended_action(case) == "apply_for_warrant"

    with on(date(2027, 2, 24), hour=10):
        sign_in_as(page, live_server, "alice")
        page.goto(f"{live_server.url}/cases/{case.pk}/")
        expect(page.locator("#recommendation")).to_contain_text("warrant of possession")
        open_notices(page, live_server, case)
        page.get_by_role("link", name="Prepare the eviction report").click()
        # .all() does not wait: wait for the form, or it may tick nothing on a slow host.
        checks = page.get_by_role("group", name="Checks before eviction").get_by_role("checkbox")
        expect(checks.first).to_be_visible()
        assert checks.count() >= 8
        for check in checks.all():
            check.check()
        page.get_by_label("What you recommend, and why").fill(
            "No payment since the order; every contact attempt unanswered. Ask for a warrant."
        )
        page.get_by_role("button", name=re.compile("Prepare")).click()
        expect_banner(page, "Eviction report prepared")
        report = WarrantRequest.objects.get(case=case)
        assert report.status == "awaiting_approval" and report.form == "N325A"
        # Alice cannot decide her own report: the decision is not offered to her.
        expect(page.get_by_role("button", name="Record the decision")).to_have_count(0)

        # Maggie, who did not prepare it, approves it from her approvals queue.
        sign_in_as(page, live_server, "maggie")
        page.get_by_role("navigation", name="Menu").get_by_role("link", name="Approvals").click()
        assert_accessible(page)
        reports = page.locator("#eviction-reports-awaiting")
        expect(reports).to_contain_text("Alice Ash")
        reports.get_by_role("link", name=case.reference).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Warrant of possession")
        assert_accessible(page)
        page.get_by_label("Approve: apply for the warrant").check()
        page.get_by_label("Reasons").fill("Proportionate: the order has not been kept at all.")
        page.get_by_role("button", name="Record the decision").click()
        expect_banner(page, "Decision recorded")
        report.refresh_from_db()
        assert (report.status, report.decided_by) == ("approved", team.maggie)

        # Alice sends the N325A and records it; then the court's issue.
        sign_in_as(page, live_server, "alice")
        page.goto(f"{live_server.url}/cases/{case.pk}/court/eviction-reports/{report.pk}/")
        fill_date(page, "Date the warrant was applied for", date(2027, 2, 24))
        page.get_by_role("button", name="Record the application").click()
        expect_banner(page, "Warrant application recorded")
        warrant = Warrant.objects.get(court_case=court_case)

    with on(date(2027, 3, 2)):
        sign_in_as(page, live_server, "alice")
        open_notices(page, live_server, case)
        page.get_by_role("link", name="Issued").click()
        fill_date(page, "Date the warrant was issued", date(2027, 3, 1))
        page.get_by_label("Bailiff's reference").fill("BLF-2207")
        page.get_by_role("button", name=re.compile("Record")).click()
        expect_banner(page, "done")
        page.get_by_role("link", name="Bailiff's appointment").click()
        fill_date(page, "Eviction date", date(2027, 3, 24))
        page.get_by_label("Eviction time").fill("10:00")
        page.get_by_role("button", name=re.compile("Record")).click()
        expect_banner(page, "done")
        expect(page.locator(f"#court-case-{court_case.pk}")).to_contain_text("eviction 24 Mar 2027")

    # 24 March 2027: the eviction goes ahead.
    with on(date(2027, 3, 24), hour=13):
        sign_in_as(page, live_server, "alice")
        open_notices(page, live_server, case)
        page.get_by_role("link", name="Record the eviction").click()
        page.get_by_label("Yes: possession was recovered").check()
        page.get_by_label("Who attended").fill("Alice Ash; two county court bailiffs")
        page.get_by_label("The locks were changed").check()
        page.get_by_label("Referrals made").fill("Homelessness team told on 2 March.")
        page.get_by_role("button", name="Record the eviction").click()
        expect_banner(page, "the tenancy has ended")
        assert_accessible(page)

        eviction = Eviction.objects.get(warrant=warrant)
        assert eviction.went_ahead
        case.tenancy.refresh_from_db()
        assert case.tenancy.end_date == date(2027, 3, 24)
        rent = Account.objects.get(case=case, rent_lawfully_due=True)
        former = Account.objects.get(case=case, kind="former_tenancy_arrears")
        assert rent.balance == Decimal("0.00") and former.balance > 0
        page.get_by_role("link", name="Statement").click()
        expect(page.locator("main")).to_contain_text("Former tenancy arrears")
        assert list(accounts_out_of_balance()) == []
        verbs = set(CaseEvent.objects.filter(case=case).values_list("verb", flat=True))
        assert {"assessment_recorded", "eviction_recorded"} <= verbs, verbs
