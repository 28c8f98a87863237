"""The case page: who, how much, what next and why, the balance chart, and each section."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.charts import balance_chart
from cases.models import CaseEvent, CourtCase, Hold, VulnerabilityFlag, Warrant
from cases.services import note_add
from notices.models import Notice
from payments.models import TransactionSource
from payments.selectors import balance_history, statement_for
from payments.services import payment_post
from tests.casework.conftest import TODAY, make_case, rent_account

pytestmark = pytest.mark.django_db


def test_the_identity_bar_names_every_tenant_and_the_case_facts(client, team, alices_case, today):
    VulnerabilityFlag.objects.create(
        case=alices_case,
        kind="safeguarding_child",
        is_safeguarding=True,
        details="x",
        recorded_on=TODAY,
    )
    client.force_login(team.alice)

    response = client.get(reverse("case", args=[alices_case.pk]))

    content = response.content.decode()
    assert '<span class="moj-identity-bar__title">Jane Smith and John Smith</span>' in content
    for fact in (
        alices_case.reference,
        "EB1 2AB",
        "Secure",
        "Patch A01 Northfield",
        "Officer: Alice Ash",
    ):
        assert fact in content
    assert "Child safeguarding concern" in content
    assert "£450.00" in content and "4.5 weeks of the £100.00 weekly charge" in content
    assert "Record a contact" in content  # Alice works this patch


def test_the_recommendation_shows_the_engines_figures_on_the_case(client, team, today):
    case = make_case(
        team.patch_a,
        next_action="send_letter_2",
        next_action_label="Send letter 2",
        next_action_due=date(2026, 11, 25),
        guard="breathing_space",
        guard_label="Breathing Space in force",
        figures_on=TODAY,
        technical_arrears=Decimal("120.00"),
    )
    client.force_login(team.alice)

    content = client.get(reverse("case", args=[case.pk])).content.decode()

    assert "Send letter 2, due 25 November 2026" in content
    assert "Held back by" in content and "Breathing Space in force" in content
    assert "£120.00: benefit paid in arrears, not real debt" in content


def test_a_case_waiting_for_the_policys_gap_says_which_step_is_due_and_when(client, team, today):
    case = make_case(
        team.patch_a,
        owed="9479.57",
        next_action="due_notice",
        next_action_label="Notice due",
        next_action_due=date(2026, 12, 10),
        figures_on=TODAY,
    )
    client.force_login(team.alice)

    content = client.get(reverse("case", args=[case.pk])).content.decode()

    assert "Notice due on 10 December 2026" in content
    assert "Monitor the account" not in content


def test_the_balance_chart_is_an_svg_with_no_inline_styles(client, team, today):
    case = make_case(team.patch_a, owed="600.00", weeks_of_history=20)
    client.force_login(team.alice)

    content = client.get(reverse("case", args=[case.pk])).content.decode()

    svg = re.search(r"<svg class=\"app-chart\".*?</svg>", content, re.S).group(0)
    assert "style=" not in svg
    assert 'role="img"' in svg
    points = re.search(r'class="app-chart__line" points="([^"]+)"', svg).group(1).split()
    assert len(points) == 25  # the end of each of the last 24 months, and today
    assert "Today: £600.00" in content
    assert "4 weeks&#x27; rent" in content


def test_balance_history_works_back_from_todays_balance(team):
    case = make_case(team.patch_a, owed="300.00", weeks_of_history=0)
    account = rent_account(case)
    payment_post(
        account=account,
        amount=Decimal("100.00"),
        effective_date=TODAY,
        method="cash",
        source=TransactionSource.PAYMENT_FILE,
        source_reference="CASH-1",
        today=TODAY,
    )

    account.refresh_from_db()

    points = balance_history(accounts=[account], months=3, today=TODAY)

    assert points == [
        (date(2026, 8, 31), Decimal("0.00")),
        (date(2026, 9, 30), Decimal("0.00")),
        (date(2026, 10, 31), Decimal("0.00")),
        (TODAY, Decimal("200.00")),
    ]
    chart = balance_chart(points)
    assert chart.points[0][1] == chart.zero_y


def test_the_statement_shows_a_running_balance_for_any_dates(client, team, today):
    case = make_case(team.patch_a, owed="250.00", weeks_of_history=10)
    client.force_login(team.alice)

    response = client.get(
        reverse("case_statement", args=[case.pk]),
        {
            "date_from_day": "1",
            "date_from_month": "11",
            "date_from_year": "2026",
            "date_to_day": "23",
            "date_to_month": "11",
            "date_to_year": "2026",
        },
    )

    statement = response.context["statement"]
    assert statement.opening_balance == Decimal("0.00")
    assert [line.running_balance for line in statement.lines] == [
        Decimal("100.00"),
        Decimal("0.00"),
        Decimal("100.00"),
        Decimal("0.00"),
        Decimal("250.00"),
    ]
    assert statement.closing_balance == rent_account(case).balance == Decimal("250.00")
    assert statement.total_debits == Decimal("450.00")
    assert statement.total_credits == Decimal("200.00")
    assert "Balance brought forward" in response.content.decode()


def test_a_statement_opens_with_the_balance_before_its_first_date(team):
    case = make_case(team.patch_a, owed="250.00", weeks_of_history=0)
    account = rent_account(case)

    later = statement_for(account=account, date_from=TODAY, date_to=TODAY)

    assert later.opening_balance == Decimal("250.00") and later.lines == []


def test_a_statement_range_that_ends_before_it_starts_is_refused(client, team, alices_case, today):
    client.force_login(team.alice)

    response = client.get(
        reverse("case_statement", args=[alices_case.pk]),
        {
            "date_from_day": "2",
            "date_from_month": "11",
            "date_from_year": "2026",
            "date_to_day": "1",
            "date_to_month": "11",
            "date_to_year": "2026",
        },
    )

    assert response.context["statement"] is None
    assert "The end date must be on or after the start date" in response.content.decode()


def test_the_timeline_filters_by_kind(client, team, alices_case, today):
    note_add(case=alices_case, actor=team.alice, text="A note about the family")
    CaseEvent.objects.create(
        case=alices_case,
        verb="stage_changed",
        payload={"from_label": "Letter 1", "to_label": "Letter 2"},
    )
    client.force_login(team.alice)

    everything = client.get(reverse("case", args=[alices_case.pk])).content.decode()
    notes = client.get(reverse("case", args=[alices_case.pk]), {"kind": "notes"}).content.decode()

    assert (
        "A note about the family" in everything
        and "Stage changed from Letter 1 to Letter 2" in everything
    )
    assert "A note about the family" in notes and "Stage changed" not in notes
    assert "by Alice Ash" in notes


def test_htmx_gets_only_the_timeline(client, team, alices_case, today):
    note_add(case=alices_case, actor=team.alice, text="Note")
    client.force_login(team.alice)

    response = client.get(
        reverse("case", args=[alices_case.pk]),
        {"kind": "notes"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="timeline",
    )

    content = response.content.decode().strip()
    assert content.startswith('<div id="timeline"') and "moj-identity-bar" not in content


def test_the_household_section_lists_people_flags_holds_referrals_and_contacts(
    client, team, alices_case, today
):
    Hold.objects.create(
        case=alices_case, kind="dispute", reason="disrepair", starts_on=TODAY, comment="Damp"
    )
    client.force_login(team.alice)

    content = client.get(reverse("case_household", args=[alices_case.pk])).content.decode()

    assert "Jane Smith (lead tenant)" in content and "John Smith (joint tenant)" in content
    assert "Dispute: Disrepair complaint" in content and "Damp" in content
    assert "No referrals made." in content and "No contacts recorded." in content


def test_the_notices_and_court_section_is_read_only(client, team, alices_case, today):
    Notice.objects.create(
        case=alices_case,
        tenancy=alices_case.tenancy,
        kind="nosp",
        status="served",
        served_on=date(2026, 10, 1),
        earliest_proceedings_date=date(2026, 11, 2),
        last_proceedings_date=date(2027, 11, 2),
        arrears_amount=Decimal("400.00"),
    )
    court = CourtCase.objects.create(
        case=alices_case,
        claim_number="K00EB123",
        outcome="suspended",
        order_date=date(2026, 11, 10),
        terms_instalment=Decimal("5.00"),
        terms_frequency="weekly",
    )
    Warrant.objects.create(court_case=court, form="N325A", applied_on=date(2026, 11, 20))
    client.force_login(team.alice)

    content = client.get(reverse("case_notices", args=[alices_case.pk])).content.decode()

    assert "Notice of Seeking Possession" in content and "In force until 2 Nov 2027" in content
    assert "K00EB123" in content and "Suspended possession order (N28)" in content
    assert "Rent plus £5.00 weekly" in content and "Warrant (N325A)" in content
    assert "<form" not in content.split('class="moj-sub-navigation"')[1].split("</main>")[0]


def _queries_for(client, case, section) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(section, args=[case.pk])).status_code == 200
    return len(queries)


# Each page's record of who read it (privacy/access.py) is written after the response,
# inside the test's transaction: savepoint, insert, release.
AUDIT = 3
# The header's "owed to the council" reads the revenues system's debts once
# (cases/other_debts.py): one query, however many debts.
OTHER_DEBTS = 1


@pytest.mark.parametrize(
    ("section", "most"),
    [
        ("case", 18 + AUDIT + OTHER_DEBTS),
        ("case_statement", 16 + AUDIT + OTHER_DEBTS),
        ("case_arrangement", 16 + AUDIT + OTHER_DEBTS),
        # One more for the references other systems know the tenants by.
        ("case_household", 19 + AUDIT + OTHER_DEBTS),
        # Notices, and the court half: packs, claims, court cases with their hearings,
        # eviction reports, warrants and suspensions, reviews and money claims.
        ("case_notices", 25 + AUDIT),
        ("case_documents", 18 + AUDIT + OTHER_DEBTS),
    ],
)
def test_each_section_costs_the_same_queries_however_long_the_history(
    client, team, today, section, most
):
    short = make_case(team.patch_a, owed="500.00", weeks_of_history=2, first_name="Short")
    long = make_case(team.patch_a, owed="500.00", weeks_of_history=60, first_name="Long")
    for case, times in ((short, 1), (long, 40)):
        for n in range(times):
            note_add(case=case, actor=team.alice, text=f"Note {n}")
            VulnerabilityFlag.objects.create(
                case=case, kind="other", details=f"{n}", recorded_on=TODAY
            )
            Hold.objects.create(case=case, kind="dispute", reason="balance", starts_on=TODAY)
    client.force_login(team.alice)
    _queries_for(client, short, section)  # sessions, permissions: cached after the first

    counts = (_queries_for(client, short, section), _queries_for(client, long, section))

    # The timeline reads each kind of record on its page once: the short case's first
    # page holds notes and payments, the long one's only notes.
    assert counts[1] <= counts[0] <= most, counts
    if section != "case":
        assert counts[0] == counts[1], counts


def test_an_unknown_case_is_404(client, team, today):
    client.force_login(team.alice)

    assert client.get(reverse("case", args=[999999])).status_code == 404


def test_the_notices_and_documents_sections_lead_to_the_notices_pages(
    client, team, alices_case, bobs_case, today
):
    client.force_login(team.alice)

    notices = client.get(reverse("case_notices", args=[alices_case.pk])).content.decode()
    documents = client.get(reverse("case_documents", args=[alices_case.pk])).content.decode()
    others = client.get(reverse("case_documents", args=[bobs_case.pk])).content.decode()

    assert reverse("notices:notice_new", args=[alices_case.pk]) in notices
    assert reverse("notices:letter_new", args=[alices_case.pk]) in documents
    assert reverse("notices:letter_new", args=[bobs_case.pk]) not in others  # not Alice's patch
