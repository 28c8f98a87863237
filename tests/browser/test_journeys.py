"""The journeys that matter, in a real Chromium against the running service.

An officer filters the caseload, opens a case, records a contact, sets up an
arrangement from an income and expenditure statement, takes a payment and pauses the
case; a manager reassigns a case. The caseload and case pages pass axe-core with no
serious or critical violations, and the caseload works with JavaScript switched off.
On a phone the caseload's filter is a panel the officer opens and closes (MoJ filter
toggle), never covering the list on its own.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Locator, Page, expect

from cases.models import CaseEvent, Contact, Hold, IncomeExpenditure
from payments.models import Arrangement, Transaction
from tests.browser.conftest import assert_accessible, sign_in
from tests.casework.conftest import make_case, rent_account

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 400, "height": 800}


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


def assert_on_screen_and_uncovered(page: Page, element: Locator) -> None:
    """The element lies inside the viewport and is what a tap on it reaches, so no
    panel or overlay sits on top of it. The tap aims at the first line box: the
    middle of a link that wraps can fall in the gap between its lines."""
    box = element.bounding_box()
    viewport = page.viewport_size
    assert box is not None, "the element is not rendered"
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box
    reached = element.evaluate(
        """el => {
            const r = el.getClientRects()[0];
            const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
            return el === hit || el.contains(hit);
        }"""
    )
    assert reached, "something is drawn over the element"


def test_officer_on_a_phone_filters_the_caseload_and_opens_a_case(
    page: Page, live_server, team, patch_a, clock
):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "alice")
    rows = page.locator("#caseload-table tbody tr")
    filter_panel = page.locator(".moj-filter-layout__filter")
    show_filter = page.get_by_role("button", name="Show filter")
    apply_filters = page.get_by_role("button", name="Apply filters")

    # The list comes first; the filter waits behind its toggle.
    expect(rows).to_have_count(3)
    expect(filter_panel).to_be_hidden()
    expect(apply_filters).to_be_hidden()
    expect(show_filter).to_have_attribute("aria-expanded", "false")
    assert_on_screen_and_uncovered(page, show_filter)
    assert_on_screen_and_uncovered(page, rows.first.get_by_role("link", name="Jane Smith"))
    assert_accessible(page)

    # Open the filter, then close it again with its own Close button.
    show_filter.click()
    expect(apply_filters).to_be_visible()
    expect(page.get_by_role("button", name="Hide filter")).to_have_attribute(
        "aria-expanded", "true"
    )
    assert_on_screen_and_uncovered(page, page.get_by_role("button", name="Close"))
    assert_accessible(page)
    page.get_by_role("button", name="Close").click()
    expect(filter_panel).to_be_hidden()
    expect(show_filter).to_be_focused()

    # Filter by stage: the panel closes on the new results.
    show_filter.click()
    page.get_by_label(re.compile(r"^Letter 1 \(1\)")).check()
    apply_filters.click()
    expect(page).to_have_url(re.compile(r"stage=letter_1"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ola Jones")
    expect(filter_panel).to_be_hidden()
    expect(show_filter).to_have_attribute("aria-expanded", "false")

    # Open the case from the filtered list.
    case_link = rows.first.get_by_role("link", name="Ola Jones")
    assert_on_screen_and_uncovered(page, case_link)
    case_link.click()
    expect(page).to_have_url(re.compile(rf"/cases/{patch_a['jones'].pk}/$"))
    expect(page.locator(".moj-identity-bar__title")).to_have_text("Ola Jones")


def test_on_a_large_screen_the_filter_stays_on_the_left_with_no_toggle(
    page: Page, live_server, team, patch_a, clock
):
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_server, "alice")

    filter_box = page.locator(".moj-filter-layout__filter").bounding_box()
    first_row_box = page.locator("#caseload-table tbody tr").first.bounding_box()
    assert filter_box is not None and first_row_box is not None
    assert filter_box["x"] + filter_box["width"] <= first_row_box["x"]
    expect(page.get_by_role("button", name="Apply filters")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"(Show|Hide) filter"))).to_be_hidden()
    expect(page.get_by_role("button", name="Close")).to_have_count(0)


def test_without_javascript_the_filter_sits_above_the_caseload_on_a_phone(
    browser, live_server, team, patch_a, clock
):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_server, "alice")

    filter_box = page.locator(".moj-filter-layout__filter").bounding_box()
    table_box = page.locator("#caseload-table").bounding_box()
    assert filter_box is not None and table_box is not None
    assert filter_box["y"] + filter_box["height"] <= table_box["y"]
    expect(page.get_by_role("button", name="Apply filters")).to_be_visible()
    expect(page.get_by_role("button", name="Show filter")).to_have_count(0)
    context.close()
