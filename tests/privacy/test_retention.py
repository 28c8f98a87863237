"""Retention: cases closed more than PRIVACY_RETENTION_YEARS ago lose their personal
data (names, contact details, free text), keep their ledger, and a dry run says
exactly what would go and writes nothing."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from cases.models import Case, CaseEvent, Contact, Tenant, VulnerabilityFlag
from notices.models import Document
from payments.models import Transaction
from privacy.models import AnonymisedCase, RetentionRun
from privacy.records import case_record_kinds
from privacy.retention import ANONYMISED, is_past_retention, retention_apply, retention_cutoff
from tests.casework.conftest import make_case
from tests.privacy.conftest import TODAY, plant_every_kind

pytestmark = pytest.mark.django_db


def _closed(case: Case, on: date) -> Case:
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED, closed_on=on)
    case.refresh_from_db()
    return case


@pytest.fixture
def cases(team, settings, documents_root, today):
    """Closed the day before six years ago (past), six years ago to the day (not yet),
    and one still open; each with a record of every kind."""
    settings.PRIVACY_RETENTION_YEARS = 6
    past = _closed(
        make_case(team.patch_a, first_name="Peter", last_name="Past"), date(2020, 11, 22)
    )
    recent = _closed(
        make_case(team.patch_a, first_name="Rita", last_name="Recent"), date(2020, 11, 23)
    )
    open_ = make_case(team.patch_a, first_name="Olive", last_name="Open")
    for case, tag in ((past, "PAST"), (recent, "RECENT"), (open_, "OPEN")):
        plant_every_kind(case, team.alice, documents_root, tag)
    return past, recent, open_


def _snapshot() -> dict:
    return {
        "tenants": list(Tenant.objects.order_by("pk").values()),
        "contacts": list(Contact.objects.order_by("pk").values()),
        "events": list(CaseEvent.objects.order_by("pk").values()),
        "flags": list(VulnerabilityFlag.objects.order_by("pk").values()),
        "documents": list(Document.objects.order_by("pk").values()),
        "runs": RetentionRun.objects.count(),
    }


@pytest.mark.parametrize(
    ("closed_on", "past"),
    [
        (date(2020, 11, 22), True),
        (date(2020, 11, 23), False),
        (date(2024, 1, 1), False),
        (None, False),
    ],
)
def test_a_case_is_past_retention_once_six_whole_years_have_run_since_it_closed(closed_on, past):
    assert is_past_retention(closed_on=closed_on, today=TODAY, years=6) is past


def test_the_cutoff_from_29_february_is_28_february():
    assert retention_cutoff(today=date(2028, 2, 29), years=6) == date(2022, 2, 28)


def test_the_dry_run_lists_exactly_the_cases_past_the_period_and_writes_nothing(cases):
    past, recent, open_ = cases
    before = _snapshot()
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    report = out.getvalue()
    assert "1 to anonymise" in report
    assert f"{past.reference} closed 22 November 2020" in report
    assert recent.reference not in report and open_.reference not in report
    assert "cases.tenant: 1 rows lose" in report
    assert f"  Peter Past (tenancy {past.tenancy.reference})" in report
    assert "Rita" not in report and "Olive" not in report
    assert "cases.contact: 1 rows lose summary" in report
    assert "notices.document: 1 PDF files deleted" in report
    assert "Dry run: nothing was changed." in report
    assert _snapshot() == before
    assert not AnonymisedCase.objects.exists()


def test_retention_anonymises_exactly_the_cases_past_the_period(
    cases, documents_root, team, django_capture_on_commit_callbacks
):
    past, recent, open_ = cases
    ledger = Transaction.objects.aggregate(total=Sum("amount"), lines=Sum(1))
    with django_capture_on_commit_callbacks(execute=True):
        run = retention_apply(today=TODAY, actor=None)
    assert run.cases == 1
    assert list(AnonymisedCase.objects.values_list("case_id", flat=True)) == [past.pk]

    tenant = past.tenancy.tenants.get()
    assert (tenant.first_name, tenant.last_name, tenant.phone, tenant.email) == (
        ANONYMISED,
        "",
        "",
        "",
    )
    assert set(Contact.objects.filter(case=past).values_list("summary", flat=True)) == {""}
    assert set(VulnerabilityFlag.objects.filter(case=past).values_list("details", flat=True)) == {
        ""
    }
    note = CaseEvent.objects.get(case=past, verb="note_added")
    assert "text" not in note.payload
    document = Document.objects.get(case=past)
    assert (document.context, document.recipients, document.file) == ({}, "", "")
    assert not list((documents_root / f"case-{past.pk}").glob("*.pdf"))
    # Nothing planted with PAST in it is left on any of the past case's records.
    for kind in case_record_kinds():
        for row in kind.for_cases([past.pk]).values():
            assert "PAST" not in str(row), (kind.label, row)
    assert "PAST" not in str(list(Tenant.objects.filter(tenancy=past.tenancy).values()))

    # The others are untouched.
    for case, name in ((recent, "Rita"), (open_, "Olive")):
        assert case.tenancy.tenants.get().first_name == name
        assert Contact.objects.get(case=case).summary.endswith("cases-contact")
        assert Document.objects.get(case=case).file
    # The ledger stays, every line and amount.
    assert Transaction.objects.aggregate(total=Sum("amount"), lines=Sum(1)) == ledger
    assert past.accounts.get().balance == Decimal("450.00")

    # A second night finds nothing more to do.
    assert retention_apply(today=TODAY, actor=None) is None


def test_a_tenant_with_another_case_still_kept_keeps_their_name(team, settings, today):
    settings.PRIVACY_RETENTION_YEARS = 6
    old = _closed(make_case(team.patch_a, first_name="Tom", last_name="Twice"), date(2019, 1, 1))
    Case.objects.create(
        reference="CS-LATER",
        tenancy=old.tenancy,
        patch=old.patch,
        opened_on=date(2019, 2, 1),
    )
    retention_apply(today=TODAY, actor=None)
    assert old.tenancy.tenants.get().first_name == "Tom"
    assert AnonymisedCase.objects.filter(case=old).exists()


def test_retention_costs_the_same_queries_for_one_case_or_many(
    team, settings, documents_root, today
):
    """Set-based: one statement per kind of record, not a query per case."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PRIVACY_RETENTION_YEARS = 6

    def run(n: int, tag: str) -> int:
        for i in range(n):
            case = _closed(make_case(team.patch_a), date(2019, 1, 1))
            plant_every_kind(case, team.alice, documents_root, f"{tag}{i}")
        with CaptureQueriesContext(connection) as queries:
            retention_apply(today=TODAY, actor=None)
        return len(queries)

    assert run(1, "ONE") == run(5, "FIVE")
