"""Money in, in a real Chromium: a finance officer uploads a payment file and watches it
go up, then watches the worker check and post it, sees its totals, asks for the line
that matched nothing to go to an account; a second finance officer approves it, and the
income officer finds the payment on the case's statement. The upload's page, the
import's totals and the suspense queue pass axe-core with no serious or critical
violations."""

import os
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from core.models import Role
from payments import tasks
from payments.imports import uploads
from payments.imports.services import ImportStep
from payments.models import Account, PaymentFileUpload, SuspenseItem
from payments.selectors import accounts_out_of_balance
from tests.browser.conftest import assert_accessible, sign_in
from tests.casework.conftest import make_case, rent_account
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR", "")

# Records every text the upload's progress line shows, page after page. Kept in the
# tab's sessionStorage, written as each change is seen, so a quick upload that moves on
# to the totals page at once cannot lose it on the way back to the test.
WATCH_PROGRESS = """
document.addEventListener("DOMContentLoaded", () => {
  const status = document.getElementById("upload-progress-status");
  if (!status) return;
  new MutationObserver(() => {
    const seen = JSON.parse(sessionStorage.getItem("progressSeen") || "[]");
    seen.push(status.textContent);
    sessionStorage.setItem("progressSeen", JSON.stringify(seen));
  }).observe(status, { childList: true, characterData: true, subtree: true });
});
"""
READ_PROGRESS = "JSON.parse(sessionStorage.getItem('progressSeen') || '[]')"


class Worker:
    """Stands in for the Celery worker: the upload waits until the test runs its import.
    While the test itself writes, the page's polls are held back in the browser, so the
    live server never reads the database at the same moment (on SQLite the test and the
    server share one connection)."""

    PROGRESS = re.compile(r"/payments/imports/uploads/\d+/progress/")

    def __init__(self, page: Page, monkeypatch) -> None:
        self.page = page
        self.queued: list[int] = []
        self.held: list = []
        self.holding = False
        self.task = tasks.import_payment_upload
        monkeypatch.setattr(tasks, "import_payment_upload", self)
        page.route(self.PROGRESS, self._poll)

    def delay(self, upload_id: int) -> None:
        self.queued.append(upload_id)

    def _poll(self, route) -> None:
        if self.holding:
            self.held.append(route)
        else:
            route.continue_()

    def quietly(self, work) -> None:
        """Do `work` with no poll reaching the server, then let the held ones go."""
        self.holding = True
        self.page.wait_for_timeout(1500)  # a poll already let through has been answered
        work()
        self.holding = False
        held, self.held = self.held, []
        for route in held:
            route.continue_()

    def start(self) -> PaymentFileUpload:
        (upload_id,) = self.queued
        upload = PaymentFileUpload.objects.get(pk=upload_id)
        PaymentFileUpload.objects.filter(pk=upload_id).update(
            status=PaymentFileUpload.Status.RUNNING
        )
        return upload

    def run(self) -> None:
        (upload_id,) = self.queued
        assert self.task.apply(args=[upload_id]).get() == PaymentFileUpload.Status.POSTED


def _shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"imports-{name}.png"), full_page=True)


def test_finance_imports_a_file_allocates_suspense_with_a_second_person_and_the_case_shows_it(
    page: Page, browser, live_server, team, clock, tmp_path, monkeypatch
):
    case = make_case(team.patch_a, first_name="Jane", last_name="Smith")
    account = rent_account(case)
    UserFactory(username="fiona", first_name="Fiona", last_name="Fell", role=Role.FINANCE)
    UserFactory(username="frank", first_name="Frank", last_name="Ford", role=Role.FINANCE)
    upload = tmp_path / "paypoint-20261123.csv"
    upload.write_text(
        "Receipt date,Account reference,Amount,Method,Reference\n"
        f"20/11/2026,{case.tenancy.reference},25.00,PAYPOINT,PP-1\n"
        "21/11/2026,9999999999,12.34,PAYPOINT,PP-2\n"
    )
    page.add_init_script(WATCH_PROGRESS)
    worker = Worker(page, monkeypatch)

    # Fiona uploads the file and sees it go up, then lands on its own page to wait.
    sign_in(page, live_server, "fiona")
    page.get_by_role("link", name="Payment files").click()
    page.get_by_label("Payment or benefit file").set_input_files(upload)
    page.get_by_label("File format").select_option(label="Payment channel file (CSV)")
    page.get_by_role("button", name="Import file").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("paypoint-20261123.csv")
    status = page.get_by_role("status")
    expect(status).to_have_text("Waiting for the import to start")
    expect(page.locator("main")).to_contain_text("as Payment channel file (CSV)")

    # The worker starts; the page follows it step by step, then moves on to the totals.
    sent = {}
    worker.quietly(lambda: sent.update(progress=uploads.UploadProgress(worker.start())))
    sent["progress"](ImportStep.CHECK, 0, None)
    expect(status).to_have_text("Step 1 of 6, Checking every line")
    sent["progress"](ImportStep.LEDGER, 2, 2)
    expect(status).to_have_text("Step 4 of 6, Posting to the accounts' ledgers: 2 of 2 lines")
    expect(page.get_by_label("Progress")).to_have_attribute("value", "3")
    assert_accessible(page)
    _shot(page, "progress")
    worker.quietly(worker.run)

    expect(page).to_have_url(re.compile(r"/payments/imports/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("paypoint-20261123.csv")
    totals = page.locator("#totals")
    expect(totals).to_contain_text("2, totalling £37.34")
    expect(
        totals.locator(".govuk-summary-list__row", has_text="Posted to accounts")
    ).to_contain_text("1 (£25.00)")
    expect(totals.locator(".govuk-summary-list__row", has_text="To suspense")).to_contain_text(
        "1 (£12.34)"
    )
    expect(page.locator("#per-method")).to_contain_text("PayPoint")
    seen = page.evaluate(READ_PROGRESS)
    assert any("Uploading the file" in text for text in seen), seen
    assert "Step 1 of 6, Checking every line" in seen, seen
    assert "Step 4 of 6, Posting to the accounts' ledgers: 2 of 2 lines" in seen, seen
    assert_accessible(page)
    _shot(page, "totals")

    # The line that matched nothing: Fiona asks for it to go to Jane Smith's account.
    page.get_by_role("link", name="allocate them").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suspense")
    row = page.locator("#suspense tr", has_text="paypoint-20261123.csv, line 3")
    row.get_by_label("Account reference").fill(account.reference)
    row.get_by_label("Why it belongs there").fill("PayPoint card issued to Jane Smith")
    row.get_by_role("button", name="Ask to allocate").click()
    expect(
        page.get_by_text(f"Allocation to {account.reference} is awaiting approval")
    ).to_be_visible()
    expect(row).to_contain_text("Awaiting a second person's approval")
    assert_accessible(page)
    _shot(page, "suspense-asked")

    # Frank, the second person, approves it.
    franks = browser.new_context()
    second = franks.new_page()
    sign_in(second, live_server, "frank")
    second.get_by_role("link", name="Suspense").click()
    franks_row = second.locator("#suspense tr", has_text="paypoint-20261123.csv, line 3")
    expect(franks_row).to_contain_text("PayPoint card issued to Jane Smith")
    franks_row.get_by_role("button", name="Approve").click()
    expect(second.get_by_text(f"Allocated to {account.reference}")).to_be_visible()
    expect(second.locator("#suspense")).to_contain_text("Nothing in suspense")
    franks.close()

    # Alice, Jane Smith's income officer, sees both payments on the case's statement.
    alices = browser.new_context()
    officer = alices.new_page()
    sign_in(officer, live_server, "alice")
    officer.goto(f"{live_server.url}/cases/{case.pk}/statement/")
    statement = officer.locator("main")
    expect(statement).to_contain_text("From suspense")
    expect(statement).to_contain_text(re.compile(r"12\.34"))
    expect(statement).to_contain_text(re.compile(r"25\.00"))
    _shot(officer, "statement")
    alices.close()

    assert SuspenseItem.objects.get().status == SuspenseItem.Status.ALLOCATED
    assert Account.objects.get(pk=account.pk).balance == Decimal("450.00") - Decimal("37.34")
    assert not accounts_out_of_balance().exists()
