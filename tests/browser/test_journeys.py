"""The journeys that matter, in a real Chromium against the running service.

An officer filters the caseload, opens a case, records a contact, sets up an
arrangement from an income and expenditure statement, takes a payment and pauses the
case; a manager reassigns a case. The caseload and case pages pass axe-core with no
serious or critical violations, and the caseload works with JavaScript switched off.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from cases.models import CaseEvent, Contact, Hold, IncomeExpenditure
from payments.models import Arrangement, Transaction
from tests.browser.conftest import assert_accessible, sign_in
from tests.casework.conftest import make_case, rent_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def patch_a(team):
    cases = {
        "smith": make_case(
            team.patch_a,
            first_name="Jane",
            last_name="Smith",
            owed="620.00",
            stage="pre_notice",
            joint=("John", "Smith"),
            weeks_of_history=30,
        ),
        "jones": make_case(
            team.patch_a, first_name="Ola", last_name="Jones", owed="180.00", stage="letter_1"
        ),
        "patel": make_case(
            team.patch_a, first_name="Ravi", last_name="Patel", owed="90.00", stage="early_contact"
        ),
    }
    make_case(team.patch_b, first_name="Omar", last_name="Baker", owed="900.00", stage="pre_notice")
    return cases


def open_casework(page: Page, action: str) -> None:
    """The identity bar's "Casework" menu, then one of its actions."""
    page.get_by_role("button", name="Casework").click()
    page.get_by_role("button", name=action, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def expect_banner(page: Page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(text)


def fill_date(page: Page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def test_officer_works_a_case_from_the_caseload(page: Page, live_server, team, patch_a, clock):
    sign_in(page, live_server, "alice")

    # The caseload: Alice's patch only, most owed first.
    rows = page.locator("#caseload-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Jane Smith")
    expect(page.get_by_text("Omar Baker")).to_have_count(0)
    assert_accessible(page)

    # Filter by stage: htmx swaps the list and keeps the filter in the URL.
    page.get_by_label(re.compile(r"^Letter 1 \(1\)")).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ola Jones")
    expect(page).to_have_url(re.compile(r"stage=letter_1"))
    page.get_by_role("link", name="Remove this filter Letter 1").click()
    expect(rows).to_have_count(3)

    # Sort by weeks in arrears, then open the case.
    page.get_by_role("link", name="Weeks").click()
    expect(page).to_have_url(re.compile(r"sort=weeks"))
    page.get_by_role("link", name="Jane Smith").click()
    expect(page.locator(".moj-identity-bar__title")).to_have_text("Jane Smith and John Smith")
    expect(page.locator("#case-figures")).to_contain_text("£620.00")
    expect(page.locator("svg.app-chart")).to_be_visible()
    assert_accessible(page)
    case = patch_a["smith"]

    # Record a contact: first with nothing filled in, to see the errors.
    open_casework(page, "Record a contact")
    page.get_by_role("button", name="Record contact").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose how the contact was made")
    expect(summary).to_contain_text("Enter what was said or done")
    assert_accessible(page)
    page.get_by_label("Who with").select_option(label="Jane Smith (tenant)")
    page.get_by_label("Phone call").check()
    page.get_by_label("We contacted the household").check()
    page.get_by_label("Outcome").select_option(label="Arrangement discussed")
    page.get_by_label("What was said or done").fill("Agreed to complete an I&E over the phone")
    page.get_by_role("button", name="Record contact").click()
    expect_banner(page, "Contact recorded")
    expect(page.locator(".moj-timeline")).to_contain_text("Phone call to Jane Smith")
    assert Contact.objects.get(case=case).outcome == "arrangement_discussed"

    # Income and expenditure, then an arrangement from it.
    open_casework(page, "Income and expenditure")
    page.get_by_label("Employment status").select_option(label="Employed part time")
    page.get_by_label("Earnings").fill("1100")
    page.get_by_label("Benefits", exact=True).fill("450")
    page.get_by_label("Council tax").fill("90")
    page.get_by_label("Electricity").fill("80")
    page.get_by_label("Food and housekeeping").fill("420")
    page.get_by_role("button", name="Save statement").click()
    expect_banner(page, "Statement saved")
    statement = IncomeExpenditure.objects.get(case=case)
    assert statement.rent == Decimal("400.00")  # pre-filled from the net rent

    page.get_by_role("button", name="Set up an arrangement").click()
    expect(page.locator("#ie-summary")).to_contain_text("Left for rent and arrears")
    assert_accessible(page)
    page.get_by_label("Weekly").check()
    page.get_by_label("Instalment towards the arrears").fill("15.00")
    fill_date(page, "Date of the first instalment", "30", "11", "2026")
    page.get_by_role("button", name="Set up arrangement").click()
    expect_banner(page, "Arrangement of £15.00 weekly set up")
    arrangement = Arrangement.objects.get(case=case)
    assert arrangement.instalment == Decimal("15.00") and arrangement.state == "live"

    # A card payment by telephone.
    open_casework(page, "Take a payment")
    page.get_by_label("Amount").fill("50.00")
    page.get_by_label("Card payment reference").fill("AUTH-778899")
    page.get_by_role("button", name="Take payment").click()
    expect_banner(page, "Payment of £50.00 taken (reference AUTH-778899)")
    expect(page.locator("#statement")).to_contain_text("£570.00")
    assert rent_account(case).balance == Decimal("570.00")
    assert Transaction.objects.filter(source_reference="AUTH-778899").count() == 1

    # Pause the case.
    page.get_by_role("link", name="Timeline").click()
    open_casework(page, "Pause")
    page.get_by_label("Promise of payment").check()
    fill_date(page, "Paused until", "4", "12", "2026")
    page.get_by_label("Comment").fill("Will clear the balance from her December wages")
    page.get_by_role("button", name="Pause case").click()
    expect_banner(page, "Case paused until 4 December 2026")
    expect(page.locator(".app-identity-bar__tags")).to_contain_text("Paused to 4 Dec 2026")
    assert Hold.objects.get(case=case, kind="pause").reason == "promise_of_payment"
    verbs = set(CaseEvent.objects.filter(case=case).values_list("verb", flat=True))
    assert {
        "contact_recorded",
        "income_expenditure_recorded",
        "arrangement_created",
        "payment_taken",
        "case_paused",
    } <= verbs


def test_manager_reassigns_a_case(page: Page, live_server, team, patch_a, clock):
    case = patch_a["jones"]
    sign_in(page, live_server, "maggie")
    page.goto(f"{live_server.url}/cases/{case.pk}/")

    open_casework(page, "Reassign")
    page.get_by_label("Assign to").select_option(label="Carol Cedar")
    page.get_by_role("button", name="Reassign").click()

    expect_banner(page, "Case reassigned")
    expect(page.locator(".moj-identity-bar")).to_contain_text("Officer: Carol Cedar")
    expect(page.locator(".moj-timeline")).to_contain_text(
        "Case reassigned from Alice Ash to Carol Cedar"
    )
    case.refresh_from_db()
    assert case.officer == team.carol


def test_the_caseload_filters_without_javascript(browser, live_server, team, patch_a, clock):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, "alice")

    page.get_by_label(re.compile(r"^Early contact \(1\)")).check()
    page.get_by_role("button", name="Apply filters").click()

    expect(page).to_have_url(re.compile(r"stage=early_contact"))
    expect(page.locator("#caseload-table tbody tr")).to_have_count(1)
    expect(page.locator("#caseload-table")).to_contain_text("Ravi Patel")
    context.close()
