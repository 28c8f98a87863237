"""Cases holding personal data of every kind, and the DPO who asks about them."""

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import (
    Case,
    CaseEvent,
    Contact,
    Hold,
    IncomeExpenditure,
    ProportionalityAssessment,
    Referral,
    VulnerabilityFlag,
)
from config.celery import app as celery_app
from core.models import Role
from notices.models import Document, DocumentKind, Notice
from payments.models import Arrangement
from tests.casework.conftest import make_case
from tests.factories import UserFactory

# A Monday.
TODAY = date(2026, 11, 23)


@pytest.fixture
def today():
    with time_machine.travel(
        datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False
    ):
        yield TODAY


@pytest.fixture(autouse=True)
def documents_root(settings, tmp_path) -> Path:
    settings.DOCUMENTS_ROOT = tmp_path / "documents"
    settings.DOCUMENTS_ROOT.mkdir()
    return settings.DOCUMENTS_ROOT


@pytest.fixture(autouse=True)
def eager_tasks():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def dora(db):
    """The data protection officer."""
    return UserFactory(
        username="dora", first_name="Dora", last_name="Dean", role=Role.DATA_PROTECTION_OFFICER
    )


@pytest.fixture
def alices_case(team) -> Case:
    return make_case(team.patch_a, first_name="Jane", last_name="Smith")


@pytest.fixture
def bobs_case(team) -> Case:
    return make_case(team.patch_b, first_name="Omar", last_name="Baker")


def document_with_pdf(case: Case, root: Path, marker: str, user=None) -> Document:
    """A rendered document whose PDF is on disk, its bytes carrying `marker`."""
    document = Document.objects.create(
        case=case,
        kind=DocumentKind.choices[0][0],
        title="Arrears letter",
        template_name="letters/letter_1.html",
        template_version="1",
        status=Document.Status.RENDERED,
        context={"tenant_names": [marker]},
        recipients=marker,
        requested_by=user,
    )
    name = f"case-{case.pk}/{document.pk}.pdf"
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_bytes(b"%PDF-1.7\n% " + marker.encode() + b"\n%%EOF\n")
    Document.objects.filter(pk=document.pk).update(file=name)
    document.refresh_from_db()
    return document


def plant_every_kind(case: Case, user, root: Path, tag: str) -> dict[str, str]:
    """One record of each kind a case holds, each carrying a marker; returns the
    markers by the record's label."""
    tenant = case.tenancy.tenants.get(is_lead=True)
    tenant.phone = f"01632 {tag}"
    tenant.email = f"{tag.lower()}@example.com"
    tenant.save()
    markers = {}

    def m(label: str) -> str:
        markers[label] = f"{tag}-{label.replace('.', '-')}"
        return markers[label]

    CaseEvent.objects.create(
        case=case, actor=user, verb="note_added", payload={"text": m("cases.caseevent")}
    )
    Contact.objects.create(
        case=case,
        tenant=tenant,
        channel=Contact.Channel.PHONE,
        direction=Contact.Direction.OUTBOUND,
        outcome=Contact.Outcome.SPOKE_TO_TENANT,
        summary=m("cases.contact"),
        contacted_on=TODAY,
        recorded_by=user,
    )
    VulnerabilityFlag.objects.create(
        case=case,
        kind=VulnerabilityFlag.Kind.BEREAVEMENT,
        details=m("cases.vulnerabilityflag"),
        recorded_on=TODAY,
        recorded_by=user,
    )
    Hold.objects.create(
        case=case,
        kind=Hold.Kind.DISPUTE,
        reason=Hold.DisputeType.BALANCE,
        starts_on=TODAY,
        comment=m("cases.hold"),
        created_by=user,
    )
    Referral.objects.create(
        case=case,
        kind=Referral.Kind.DEBT_ADVICE,
        referred_to="Citizens Advice",
        notes=m("cases.referral"),
        made_on=TODAY,
        made_by=user,
    )
    IncomeExpenditure.objects.create(
        case=case,
        taken_on=TODAY,
        recorded_by=user,
        notes=m("cases.incomeexpenditure"),
        employment_status=IncomeExpenditure.EmploymentStatus.UNEMPLOYED,
    )
    ProportionalityAssessment.objects.create(
        case=case,
        step=ProportionalityAssessment.Step.NOTICE,
        decision=ProportionalityAssessment.Decision.PROCEED,
        assessed_on=TODAY,
        assessed_by=user,
        reasons=m("cases.proportionalityassessment"),
    )
    account = case.accounts.get()
    Arrangement.objects.create(
        case=case,
        account=account,
        frequency="weekly",
        instalment=Decimal("5.00"),
        starts_on=TODAY,
        starting_balance=account.balance,
        notes=m("payments.arrangement"),
        created_by=user,
    )
    Notice.objects.create(
        case=case,
        tenancy=case.tenancy,
        kind=Notice._meta.get_field("kind").choices[0][0],
        created_by=user,
        particulars=m("notices.notice"),
    )
    document_with_pdf(case, root, m("notices.document"), user)
    return markers
