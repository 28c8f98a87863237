"""The caseload: whose cases, the filters and their counts, search, sorts, pages, CSV."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.caseload import PAGE_SIZE, CaseloadQuery, caseload_for
from cases.models import CaseloadExport, CourtCase, Hold, VulnerabilityFlag, Warrant
from tests.casework.conftest import TODAY, make_case
from tests.factories import PropertyFactory

pytestmark = pytest.mark.django_db


def _caseload(user, params: str = "", *, show_all: bool = True):
    """The caseload; by default with every open case, not only those that owe money."""
    query, errors = CaseloadQuery.from_querydict(
        QueryDict(f"show=all&{params}" if show_all else params)
    )
    return caseload_for(user=user, query=query, today=TODAY, errors=errors)


def _names(caseload) -> list[str]:
    return [case.lead_first_name for case in caseload.rows]


@pytest.fixture
def patch_a_cases(team):
    """Alice's patch: cases that differ in each thing the filters look at."""
    cases = {
        "big": make_case(
            team.patch_a,
            first_name="Big",
            owed="3000.00",
            stage="pre_notice",
            next_action="send_nosp",
            next_action_label="Serve a NOSP",
            next_action_due=TODAY + timedelta(days=3),
            last_contact_on=TODAY - timedelta(days=40),
        ),
        "held": make_case(
            team.patch_a,
            first_name="Held",
            owed="900.00",
            stage="letter_2",
            next_action="send_letter_2",
            next_action_label="Send letter 2",
            next_action_due=TODAY + timedelta(days=1),
            last_contact_on=TODAY - timedelta(days=2),
        ),
        "flagged": make_case(
            team.patch_a,
            first_name="Flagged",
            owed="250.00",
            stage="letter_1",
            arrangement_state="live",
            last_contact_on=TODAY - timedelta(days=10),
        ),
        "technical": make_case(
            team.patch_a,
            first_name="Technical",
            owed="400.00",
            stage="early_contact",
            technical_arrears=Decimal("400.00"),
        ),
        "clear": make_case(team.patch_a, first_name="Clear", owed="0.00"),
    }
    Hold.objects.create(
        case=cases["held"],
        kind="breathing_space",
        reason="standard",
        starts_on=TODAY - timedelta(days=5),
        until=TODAY + timedelta(days=55),
    )
    Hold.objects.create(
        case=cases["flagged"],
        kind="pause",
        reason="hospital",
        starts_on=TODAY - timedelta(days=30),
        until=TODAY - timedelta(days=1),
    )  # lapsed
    VulnerabilityFlag.objects.create(
        case=cases["flagged"],
        kind="safeguarding_child",
        is_safeguarding=True,
        details="x",
        recorded_on=TODAY,
    )
    VulnerabilityFlag.objects.create(
        case=cases["big"], kind="mental_health", details="x", recorded_on=TODAY, cleared_on=TODAY
    )  # cleared: not vulnerable
    make_case(team.patch_b, first_name="Elsewhere", owed="5000.00")
    return cases


def test_an_officer_sees_their_patch_and_not_others(team, patch_a_cases):
    caseload = _caseload(team.alice)

    assert caseload.total == 5
    assert _names(caseload) == ["Big", "Held", "Technical", "Flagged", "Clear"]


def test_by_default_the_caseload_is_the_cases_that_owe_money(team, patch_a_cases):
    assert "Clear" not in _names(_caseload(team.alice, show_all=False))
    assert "Clear" in _names(_caseload(team.alice, show_all=True))
    assert _names(_caseload(team.alice, "q=Clear", show_all=False)) == ["Clear"]  # search: all


def test_a_covering_officer_sees_the_covered_patch_and_a_manager_sees_every_patch(
    team, patch_a_cases
):
    assert _names(_caseload(team.carol)) == ["Elsewhere"]
    assert _caseload(team.maggie).total == 6


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("stage=pre_notice", ["Big"]),
        ("stage=letter_1&stage=letter_2", ["Held", "Flagged"]),
        ("next_action=send_nosp", ["Big"]),
        ("next_action=none", ["Technical", "Flagged", "Clear"]),
        ("arrears=over_2500", ["Big"]),
        ("arrears=under_250&arrears=clear", ["Flagged", "Clear"]),
        ("weeks=8_to_13", ["Held"]),
        ("weeks=13_plus", ["Big"]),
        ("weeks=under_1", ["Clear"]),
        ("tenure=secure", ["Big", "Held", "Technical", "Flagged", "Clear"]),
        ("tenure=garage", []),
        ("arrangement=live", ["Flagged"]),
        ("arrangement=none", ["Big", "Held", "Technical", "Clear"]),
        ("hold=breathing_space", ["Held"]),
        ("hold=pause", []),  # the pause has lapsed
        ("hold=none", ["Big", "Technical", "Flagged", "Clear"]),
        ("vulnerability=safeguarding", ["Flagged"]),
        ("vulnerability=none", ["Big", "Held", "Technical", "Clear"]),
        ("technical=yes", ["Technical"]),
        ("contact_older_than=30", ["Big", "Technical", "Clear"]),  # never contacted counts
        ("stage=letter_2&hold=none", []),
        ("q=held", ["Held"]),
    ],
)
def test_each_filter_selects_its_cases(team, patch_a_cases, params, expected):
    assert _names(_caseload(team.alice, params)) == expected


def test_tenure_filter_follows_a_change_to_the_tenancy(team, patch_a_cases):
    """The caseload reads the tenure copied onto the case; changing the tenancy (say an
    introductory tenancy becoming secure) must move the case between tenure options."""
    tenancy = patch_a_cases["held"].tenancy
    tenancy.tenure = "flexible"
    tenancy.fixed_term_end = TODAY + timedelta(days=365 * 5)
    tenancy.save()

    assert _names(_caseload(team.alice, "tenure=flexible")) == ["Held"]
    assert "Held" not in _names(_caseload(team.alice, "tenure=secure"))
    assert _caseload(team.alice, "").facet("tenure").counts["flexible"] == 1


def test_each_option_counts_the_cases_it_would_show_given_the_other_filters(team, patch_a_cases):
    caseload = _caseload(team.alice, "stage=letter_1&stage=letter_2&hold=none")

    assert caseload.total == 1  # Flagged: letter 1, not held
    stage = caseload.facet("stage").counts
    assert stage["letter_1"] == 1 and stage["letter_2"] == 0 and stage["pre_notice"] == 1
    hold = caseload.facet("hold").counts
    assert hold["breathing_space"] == 1 and hold["none"] == 1
    assert caseload.facet("vulnerability").counts == {"flagged": 1, "safeguarding": 1, "none": 0}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Technical", ["Technical"]),
        ("tech", ["Technical"]),
        ("Smith Technical", ["Technical"]),
        ("eb1 2ab", ["Big", "Held", "Technical", "Flagged", "Clear"]),
        ("zz9 9zz", []),
    ],
)
def test_search_finds_names_and_postcodes(team, patch_a_cases, text, expected):
    assert _names(_caseload(team.alice, f"q={text}")) == expected


def test_search_finds_references_and_addresses(team, patch_a_cases):
    held = patch_a_cases["held"]
    held.tenancy.property.address_line_1 = "7 Lilac Mews"
    held.tenancy.property.save()

    assert _names(_caseload(team.alice, f"q={held.reference}")) == ["Held"]
    assert _names(_caseload(team.alice, f"q={held.accounts.get().reference}")) == ["Held"]
    assert _names(_caseload(team.alice, "q=lilac")) == ["Held"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("", ["Big", "Held", "Technical", "Flagged", "Clear"]),
        ("sort=arrears&dir=asc", ["Clear", "Flagged", "Technical", "Held", "Big"]),
        ("sort=weeks", ["Big", "Held", "Technical", "Flagged", "Clear"]),
        ("sort=due", ["Held", "Big", "Flagged", "Technical", "Clear"]),  # no date last
        ("sort=contact", ["Technical", "Clear", "Big", "Flagged", "Held"]),  # never first
        ("sort=contact&dir=desc", ["Held", "Flagged", "Big", "Technical", "Clear"]),
    ],
)
def test_sorts(team, patch_a_cases, params, expected):
    assert _names(_caseload(team.alice, params)) == expected


@pytest.mark.parametrize("sort", ["arrears", "weeks", "due", "contact"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_keyset_pages_walk_forward_and_back_over_every_case_once(team, sort, direction):
    # Ties and missing values on every sort, so the id tie-break and nulls are exercised.
    for n in range(PAGE_SIZE + 7):
        make_case(
            team.patch_a,
            first_name=f"P{n:03d}",
            owed=f"{100 + (n % 5) * 50}.00",
            next_action_due=None if n % 3 == 0 else TODAY + timedelta(days=n % 4),
            last_contact_on=None if n % 4 == 0 else TODAY - timedelta(days=n % 6),
        )
    params = f"sort={sort}&dir={direction}"
    first = _caseload(team.alice, params)
    second = _caseload(team.alice, f"{params}&after={first.next_cursor}")
    back = _caseload(team.alice, f"{params}&before={second.previous_cursor}")

    assert len(first.rows) == PAGE_SIZE and len(second.rows) == 7
    assert second.next_cursor is None and first.previous_cursor is None
    assert (first.first_position, second.first_position) == (1, PAGE_SIZE + 1)
    seen = _names(first) + _names(second)
    assert sorted(seen) == sorted(f"P{n:03d}" for n in range(PAGE_SIZE + 7))
    assert _names(back) == _names(first)


def test_a_bad_cursor_or_day_count_starts_again_with_a_message(team, patch_a_cases):
    caseload = _caseload(team.alice, "after=nonsense&contact_older_than=soon")

    assert caseload.first_position == 1
    assert "whole number" in caseload.errors["contact_older_than"]


def test_the_page_keeps_filters_in_the_url_and_shows_the_counts(client, team, patch_a_cases, today):
    client.force_login(team.alice)

    response = client.get(reverse("home"), {"stage": "pre_notice", "sort": "weeks"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Showing <strong>1</strong> to <strong>1</strong> of <strong>1</strong> case" in content
    assert 'value="pre_notice" checked' in content
    assert "Pre-notice warning (1)" in content
    assert "Letter 2 (1)" in content
    assert 'href="?sort=weeks&amp;dir=desc"' in content  # removing the stage filter keeps the sort
    assert "Serve a NOSP" in content
    assert "Elsewhere" not in content


def test_htmx_gets_only_the_caseload_region(client, team, patch_a_cases, today):
    client.force_login(team.alice)

    response = client.get(
        reverse("home"), {"stage": "letter_2"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="caseload"
    )

    content = response.content.decode()
    assert content.lstrip().startswith('<div id="caseload"')
    assert "<html" not in content
    assert "Held" in content and "Big" not in content


def test_csv_export_has_every_case_the_filters_select(client, team, patch_a_cases, today):
    patch_a_cases["held"].tenancy.tenants.update(first_name="=HYPERLINK(1)")
    client.force_login(team.alice)

    response = client.get(reverse("caseload_export"), {"arrears": ["250_to_1000", "under_250"]})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["Case"] for r in rows] == [
        patch_a_cases["held"].reference,
        patch_a_cases["technical"].reference,
        patch_a_cases["flagged"].reference,
    ]
    assert rows[0]["Lead tenant"] == "'=HYPERLINK(1) Smith"  # not a formula in a spreadsheet
    assert rows[0]["Holds"] == "Breathing Space"
    assert rows[0]["Rent arrears"] == "900.00"
    assert rows[2]["Vulnerability"] == "Safeguarding"


def test_csv_export_is_logged_with_who_which_filters_and_how_many_rows(
    client, team, patch_a_cases, today
):
    client.force_login(team.alice)

    response = client.get(reverse("caseload_export"), {"arrears": ["250_to_1000"]})
    logged = CaseloadExport.objects.get()
    assert logged.user == team.alice and logged.filters == "arrears=250_to_1000"
    assert logged.rows is None  # nothing sent yet: a download cut short stays visible

    b"".join(response.streaming_content)
    logged.refresh_from_db()
    assert logged.rows == 2 and logged.finished_at is not None  # Held and Technical


@pytest.mark.parametrize("count", [3, 30])
def test_the_caseload_page_costs_the_same_queries_however_many_cases(
    client, team, today, django_assert_max_num_queries, count
):
    for n in range(count):
        case = make_case(team.patch_a, first_name=f"P{n}", owed=f"{100 + n}.00")
        Hold.objects.create(case=case, kind="dispute", reason="balance", starts_on=TODAY)
        VulnerabilityFlag.objects.create(case=case, kind="other", details="x", recorded_on=TODAY)
    client.force_login(team.alice)

    # Nine, and one for the court diary: the live claims and warrants in the weeks ahead.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("home"), {"sort": "contact", "hold": "dispute"})

    assert response.content.decode().count('class="govuk-tag govuk-tag--yellow">Dispute') == count


def test_manager_filters_by_officer(team, patch_a_cases):
    caseload = _caseload(team.maggie, f"officer={team.bob.pk}")

    assert _names(caseload) == ["Elsewhere"]
    assert team.alice in caseload.officers


def test_a_case_with_two_accounts_appears_once(team):
    case = make_case(team.patch_a, first_name="Two")
    from tests.factories import AccountFactory

    AccountFactory(case=case, kind="garage", rent_lawfully_due=False, reference="G0001")

    assert _names(_caseload(team.alice, "q=G0001")) == ["Two"]
    assert _caseload(team.alice).total == 1


def test_postcode_search_ignores_spaces(team):
    make_case(team.patch_a, first_name="Spaced")
    PropertyFactory  # the factory's postcode is EB1 2AB

    assert _names(_caseload(team.alice, "q=EB12AB")) == ["Spaced"]


def test_the_next_and_previous_links_carry_the_filters_and_the_cursor(client, team, today):
    for n in range(PAGE_SIZE + 1):
        make_case(team.patch_a, first_name=f"P{n:03d}", owed=f"{100 + n}.00", stage="letter_1")
    client.force_login(team.alice)

    first = client.get(reverse("home"), {"stage": "letter_1"})
    next_query = first.context["next_query"]
    second = client.get(f"{reverse('home')}?{next_query}")

    assert next_query.startswith("stage=letter_1&after=")
    assert first.context["previous_query"] is None
    assert [c.lead_first_name for c in second.context["caseload"].rows] == ["P000"]
    assert second.context["previous_query"].startswith("stage=letter_1&before=")
    assert "Showing <strong>51</strong> to <strong>51</strong> of <strong>51</strong>" in (
        second.content.decode()
    )


def test_a_later_page_reached_by_its_link_knows_its_position_without_counting(client, team, today):
    for n in range(2 * PAGE_SIZE + 1):
        make_case(team.patch_a, first_name=f"P{n:03d}", owed=f"{100 + n}.00")
    client.force_login(team.alice)
    with CaptureQueriesContext(connection) as page_one:
        first = client.get(reverse("home"))
    second_query = first.context["next_query"]
    assert "start=51" in second_query

    with CaptureQueriesContext(connection) as page_two:
        second = client.get(f"{reverse('home')}?{second_query}")
    assert len(page_two) == len(page_one)  # no count of the rows before it
    third = client.get(f"{reverse('home')}?{second.context['next_query']}")
    back = client.get(f"{reverse('home')}?{third.context['previous_query']}")

    assert "Showing <strong>51</strong> to <strong>100</strong>" in second.content.decode()
    assert "Showing <strong>101</strong> to <strong>101</strong>" in third.content.decode()
    assert "start=51" in third.context["previous_query"]
    assert "Showing <strong>51</strong> to <strong>100</strong>" in back.content.decode()
    assert [c.pk for c in back.context["caseload"].rows] == [
        c.pk for c in second.context["caseload"].rows
    ]


def test_a_manager_who_picks_a_patch_sees_its_cases_and_every_patchs_count(team, patch_a_cases):
    caseload = _caseload(team.maggie, "patch=A01&stage=pre_notice", show_all=False)

    assert _names(caseload) == ["Big"]
    assert caseload.facet("stage").counts["pre_notice"] == 1
    assert caseload.facet("stage").counts["letter_2"] == 1  # Held, in A01
    # Each patch's count applies the other filters (pre-notice), as every option's does.
    assert caseload.facet("patch").counts == {"A01": 1, "B01": 0}
    everyone = _caseload(team.maggie, "patch=A01", show_all=False)
    assert everyone.facet("patch").counts == {"A01": 4, "B01": 1}  # cases owing in each


def test_a_managers_patch_counts_follow_a_search(team, patch_a_cases):
    caseload = _caseload(team.maggie, "patch=B01&q=Elsewhere", show_all=False)

    assert _names(caseload) == ["Elsewhere"]
    assert caseload.facet("patch").counts == {"A01": 0, "B01": 1}


def test_a_search_finding_more_cases_than_are_held_as_ids_finds_the_same(
    team, patch_a_cases, monkeypatch
):
    """cases.caseload.search_matches: past the limit the search stays a subquery."""
    held_as_ids = _names(_caseload(team.alice, "q=eb1"))
    monkeypatch.setattr("cases.caseload.SEARCH_MATCHES_HELD", 2)

    assert _names(_caseload(team.alice, "q=eb1")) == held_as_ids
    assert len(held_as_ids) == 5


def test_a_case_assigned_to_an_officer_outside_their_patches_is_in_their_caseload(team):
    elsewhere = make_case(team.patch_b, first_name="Assigned", officer=team.alice)
    make_case(team.patch_b, first_name="NotMine")

    assert _names(_caseload(team.alice)) == ["Assigned"]
    assert _names(_caseload(team.bob)) == ["NotMine"]
    assert elsewhere.officer == team.alice


def test_the_court_diary_shows_hearings_and_evictions_ahead_and_outcomes_to_record(team):
    soon = make_case(team.patch_a, first_name="Soon", owed="900.00")
    passed = make_case(team.patch_a, first_name="Passed", owed="900.00")
    evicting = make_case(team.patch_a, first_name="Evicting", owed="900.00")
    far = make_case(team.patch_a, first_name="Far", owed="900.00")
    CourtCase.objects.create(case=soon, hearing_at=datetime(2026, 12, 14, 10, tzinfo=UTC))
    CourtCase.objects.create(case=passed, hearing_at=datetime(2026, 11, 16, 10, tzinfo=UTC))
    CourtCase.objects.create(case=far, hearing_at=datetime(2027, 2, 1, 10, tzinfo=UTC))
    order = CourtCase.objects.create(case=evicting, outcome="outright")
    Warrant.objects.create(
        court_case=order,
        form="N325",
        applied_on=TODAY,
        outcome="issued",
        eviction_date=TODAY + timedelta(days=10),
    )

    caseload = _caseload(team.alice)
    court = next(f for f in caseload.facets if f.name == "court")

    assert court.counts == {"hearing": 1, "outcome_due": 1, "eviction": 1}
    assert _names(_caseload(team.alice, "court=hearing")) == ["Soon"]
    assert _names(_caseload(team.alice, "court=outcome_due")) == ["Passed"]
    assert _names(_caseload(team.alice, "court=eviction")) == ["Evicting"]
