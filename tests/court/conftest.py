"""A case that has come as far as a notice in force, and the steps that take it to court.

The dates: a NOSP served on 1 September 2026 (proceedings after 4 October), a contact
on 10 October, the letter before claim on 1 November; today is Monday 23 November.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine

from cases.models import Contact, ProportionalityAssessment
from court.models import WarrantRequest
from court.services import (
    hearing_record,
    warrant_apply,
    warrant_request_decide,
    warrant_request_prepare,
)
from notices.models import CourtPack, Document, DocumentKind, Notice
from payments.models import Account, Arrangement, ArrangementCheck, Transaction

# The notices tests' autouse fixtures, so court documents render in-process into a
# directory of the test's own whether or not REDIS_URL names a broker (as in CI).
from tests.notices.conftest import (  # noqa: F401
    TODAY,
    documents_root,
    eager_tasks,
    household,
)

SERVED = date(2026, 9, 1)
PROCEEDINGS_AFTER = date(2026, 10, 4)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def on_today():
    """Services stamp moments from the clock; it agrees with the `today` they are given."""
    with time_machine.travel(NOW, tick=False):
        yield TODAY


@dataclass
class Steps:
    """Which pre-claim steps a case has, so each refusal can be tested by leaving one out."""

    notice: bool = True
    contact_after_notice: bool = True
    pap_letter_on: date | None = date(2026, 11, 1)
    court_assessment_on: date | None = date(2026, 11, 16)
    court_pack: str | None = "approved"
    tenure: str = "secure"


def served_notice(case, *, kind: str = "nosp", served_on: date = SERVED) -> Notice:
    return Notice.objects.create(
        case=case,
        tenancy=case.tenancy,
        kind=kind,
        status=Notice.Status.SERVED,
        arrears_amount=Decimal("1052.00"),
        served_on=served_on,
        service_method="hand",
        deemed_served_on=served_on,
        earliest_proceedings_date=PROCEEDINGS_AFTER
        if kind == "nosp"
        else served_on + timedelta(days=35),
        last_proceedings_date=PROCEEDINGS_AFTER.replace(year=2027) if kind == "nosp" else None,
        grounds=["1"] if kind == "nosp" else [],
    )


def ready_for_claim(team, steps: Steps | None = None, **household_kwargs):
    """A case with every step a claim needs, except those `steps` leaves out."""
    steps = steps or Steps()
    case = household(patch=team.patch_a, tenure=steps.tenure, **household_kwargs)
    # The arrears as a ledger line, so the balances reconcile as a real account's do.
    account = rent_account(case)
    Transaction.objects.create(
        account=account,
        kind="charge",
        amount=account.balance,
        effective_date=date(2026, 8, 3),
        source="seed",
        source_reference=f"opening-{account.pk}",
        description="Rent arrears brought forward",
    )
    notice = None
    if steps.notice:
        kind = "notice_of_proceedings" if steps.tenure == "introductory" else "nosp"
        notice = served_notice(case, kind=kind)
    if steps.contact_after_notice:
        Contact.objects.create(
            case=case,
            channel="phone",
            direction="outbound",
            outcome="no_answer",
            summary="Called about the arrears after the notice.",
            contacted_on=date(2026, 10, 10),
            recorded_by=team.alice,
        )
    if steps.pap_letter_on:
        Document.objects.create(
            case=case,
            kind=DocumentKind.PRE_ACTION_PROTOCOL,
            title="Letter before claim",
            template_name="documents/letters/pre_action_protocol.html",
            template_version="1.0",
            status=Document.Status.RENDERED,
            requested_at=datetime.combine(steps.pap_letter_on, datetime.min.time(), UTC)
            + timedelta(hours=10),
            requested_by=team.alice,
            context={},
        )
    if steps.court_assessment_on:
        ProportionalityAssessment.objects.create(
            case=case,
            step=ProportionalityAssessment.Step.COURT,
            decision=ProportionalityAssessment.Decision.PROCEED,
            assessed_on=steps.court_assessment_on,
            reasons="Over ten weeks behind, no payments since the notice, support offered.",
        )
    if steps.court_pack:
        CourtPack.objects.create(
            case=case,
            notice=notice,
            status=steps.court_pack,
            summary="No payment since the notice.",
            prepared_by=team.alice,
            decided_by=team.maggie if steps.court_pack == "approved" else None,
            decided_at=NOW - timedelta(days=2) if steps.court_pack == "approved" else None,
        )
    return case


def rent_account(case) -> Account:
    return case.accounts.get(rent_lawfully_due=True)


ISSUED_ON = date(2026, 10, 12)
HEARD_AT = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


def issued_claim(team, **household_kwargs):
    """A claim prepared and issued on 12 October, heard on 16 November (a week ago)."""
    from court.services import claim_issue, claim_prepare

    steps = Steps(pap_letter_on=date(2026, 9, 20), court_assessment_on=date(2026, 10, 5))
    with time_machine.travel(datetime(2026, 10, 12, 9, 0, tzinfo=UTC), tick=False):
        case = ready_for_claim(team, steps, **household_kwargs)
        claim = claim_prepare(case=case, actor=team.alice, today=ISSUED_ON)
        court_case = claim_issue(
            claim=claim,
            actor=team.alice,
            today=ISSUED_ON,
            claim_number="K00EB123",
            court_name="County Court at Eastbrook",
            issued_on=ISSUED_ON,
            hearing_at=HEARD_AT,
        )
    return case, court_case


def court_costs_balance(case) -> Decimal:
    account = case.accounts.filter(kind="court_costs").first()
    return account.balance if account else Decimal("0.00")


LATER = date(2026, 12, 20)
ALL_CHECKS = [c for c, _ in WarrantRequest.Check.choices]


@pytest.fixture
def later():
    with time_machine.travel(datetime(2026, 12, 20, 12, tzinfo=UTC), tick=False):
        yield LATER


def breached(team, *, default_on: date | None = date(2026, 12, 1), assessed: bool = True):
    """A suspended order of 16 November whose terms the tenant broke on 30 November, a
    notice of default sent on 1 December, and (unless not) the assessment for a warrant."""
    case, court_case = issued_claim(team)
    hearing_record(
        court_case=court_case,
        actor=team.alice,
        today=TODAY,
        outcome="suspended",
        terms_instalment=Decimal("5.00"),
        terms_frequency="weekly",
        terms_start=date(2026, 11, 16),
    )
    terms = Arrangement.objects.get(case=case)
    ArrangementCheck.objects.create(
        arrangement=terms,
        state="missed",
        checked_on=date(2026, 11, 30),
        expected_paid=Decimal("110.20"),
        actual_paid=Decimal("0.00"),
    )
    Arrangement.objects.filter(pk=terms.pk).update(state="broken")
    if default_on:
        Document.objects.create(
            case=case,
            kind=DocumentKind.NOTICE_OF_DEFAULT,
            title="Notice of default",
            template_name="documents/letters/notice_of_default.html",
            template_version="1.0",
            status="rendered",
            requested_at=datetime.combine(default_on, time(9), UTC),
            context={},
        )
    if assessed:
        ProportionalityAssessment.objects.create(
            case=case,
            step="warrant",
            decision="proceed",
            assessed_on=date(2026, 12, 18),
            reasons="Breach continues; support refused; no children in the household.",
        )
    return case, court_case


def prepare_warrant_request(team, court_case, today, **kwargs):
    kwargs.setdefault("checks", ALL_CHECKS)
    return warrant_request_prepare(
        court_case=court_case,
        actor=team.alice,
        today=today,
        recommendation="The terms have not been kept since the order; ask for a warrant.",
        **kwargs,
    )


def applied_warrant(team, later):
    """An approved eviction report and the warrant applied for on `later`."""
    case, court_case = breached(team)
    request = prepare_warrant_request(team, court_case, later)
    warrant_request_decide(
        request=request, actor=team.maggie, approve=True, note="Yes.", today=later
    )
    return case, warrant_apply(request=request, actor=team.alice, today=later, applied_on=later)
