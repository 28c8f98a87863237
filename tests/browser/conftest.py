"""Real-Chromium journeys: sign in, find things by role and label, check accessibility.

axe-core is vendored (tests/browser/vendor/axe.min.js, copied from npm by
`npm run vendor:axe` in frontend/) so the check needs no network.
"""

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from tests.second_factor import current_code, needs_it, test_authenticator

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def clock():
    """10am on Monday 23 November 2026 in London, with the clock running (Playwright
    needs time to pass for its timeouts)."""
    with time_machine.travel(
        datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=True
    ):
        yield


def sign_in(page: Page, live_server, username: str) -> None:
    """Sign in through the form; managers and administrators then give the code of the
    tests' authenticator (tests/second_factor.py), as a person would from their phone."""
    user = get_user_model().objects.get(username=username)
    device = test_authenticator(user) if needs_it(user) else None
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if device is not None:
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        page.get_by_label("Code from your authenticator app").fill(current_code(device))
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def axe_violations(page: Page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the page as it stands; the serious and critical violations.

    The page's Content Security Policy refuses inline scripts, so a <script> tag
    injected with the file's content (Playwright's add_script_tag) would be blocked;
    page.evaluate runs the source through the DevTools protocol, which the CSP does
    not govern, and leaves the page's own policy untouched.
    """
    page.evaluate(AXE.read_text())
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in results["violations"]
        if v["impact"] in impacts
    ]


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)
