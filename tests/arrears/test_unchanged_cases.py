"""A night leaves the cases it finds unchanged unwritten, and the caseload still reads
every figure right the next morning (issue 15: the write phase rewrote every case row and
every recommendation each night, most of them to the values they already held)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from arrears import writer
from arrears.models import NightlyRun, Recommendation
from arrears.selectors import figures_confirmed_on
from arrears.services import nightly_run
from cases.models import Case
from tests.arrears import world
from tests.arrears.conftest import RUN

pytestmark = pytest.mark.django_db

NEXT = RUN + timedelta(days=1)  # a Tuesday: no rent is charged, one tenant pays


def _run(run_date):
    return nightly_run(run_date=run_date, start_letters=False)


def _caseload_figures() -> dict[int, tuple]:
    """Every column the run writes and the caseload reads, per case."""
    return {
        row[0]: row[1:]
        for row in Case.objects.order_by("pk").values_list("pk", *writer.CASE_WRITTEN)
    }


def _recommendations() -> dict[int, tuple]:
    return {
        row[0]: row[1:]
        for row in Recommendation.objects.order_by("case_id").values_list(
            "case_id", *writer.RECOMMENDATION_WRITTEN
        )
    }


def test_an_unchanged_case_is_not_rewritten_by_the_next_nights_run(council):
    _run(RUN)
    new = council["new"]
    world.pay(new.accounts.get(), NEXT, "150.00")

    _run(NEXT)

    cases = {name: Case.objects.get(pk=case.pk) for name, case in council.items()}
    assert cases["new"].figures_on == NEXT
    assert cases["new"].balance == Decimal("0.00")
    # Nothing happened on the paying tenant's account: the row is as the first night left it.
    assert cases["paying"].figures_on == RUN
    # A notice waiting for a manager is still the same recommendation, due since the first
    # night: neither it nor its case is written again.
    waiting = cases["notice"]
    assert (waiting.figures_on, waiting.next_action, waiting.next_action_due) == (
        RUN,
        "serve_nosp",
        RUN,
    )
    assert Recommendation.objects.get(case=waiting).run_date == RUN
    # ...and the run that looked at them again says so.
    assert figures_confirmed_on(case=cases["paying"]) == NEXT
    assert figures_confirmed_on(case=waiting) == NEXT


def test_skipping_unchanged_cases_leaves_the_same_figures_as_rewriting_every_case(
    council, monkeypatch
):
    _run(RUN)
    world.pay(council["new"].accounts.get(), NEXT, "150.00")
    world.pay(council["behind"].accounts.get(), NEXT, "40.00")
    _run(NEXT)
    skipped_cases, skipped_recommendations = _caseload_figures(), _recommendations()

    # The same night again, writing every case and recommendation as the run used to.
    NightlyRun.objects.filter(run_date=NEXT).delete()
    monkeypatch.setattr(writer, "_differs", lambda *args: "(1 = 1)")
    _run(NEXT)

    assert _caseload_figures() == skipped_cases
    recomputed = _recommendations()
    assert recomputed.keys() == skipped_recommendations.keys()
    assert recomputed == skipped_recommendations
    assert set(Case.objects.values_list("figures_on", flat=True)) == {NEXT}


def test_an_earlier_date_run_never_overwrites_a_case_a_later_run_found_unchanged(council):
    _run(RUN)
    later = _run(RUN + timedelta(days=2))
    assert Case.objects.filter(figures_on=RUN).exists()  # left unwritten by the later run
    before = _caseload_figures()

    earlier = _run(NEXT)

    assert earlier.counts["skipped"] == later.cases
    assert _caseload_figures() == before


def test_the_case_page_says_which_run_last_confirmed_an_unchanged_case(client, council, team):
    _run(RUN)
    _run(NEXT)
    waiting = Case.objects.get(pk=council["notice"].pk)
    assert waiting.figures_on == RUN

    client.force_login(team.alice)
    page = client.get(f"/cases/{waiting.pk}/").content.decode()

    assert "From the run of 24 November 2026" in page
