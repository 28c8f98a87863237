"""The court documents for `manage.py document_samples`, produced by the real services
for fictional households (the command rolls everything back).

The services refuse a claim or an eviction report until the steps before it were
taken days or weeks ago, so the history those steps left is written as it would have
been, dated in the past; everything from the claim on goes through the services.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cases.models import Contact, CourtCase, ProportionalityAssessment
from court.models import WarrantRequest
from court.services import (
    claim_issue,
    claim_prepare,
    money_claim_prepare,
    review_decide,
    review_request,
    review_schedule,
    warrant_request_prepare,
)
from notices.models import CourtPack, Document, DocumentKind
from payments.models import Account, Arrangement, ArrangementCheck


def _past_letter(case, kind: str, days_ago: int, samples: Any) -> None:
    """A letter sent `days_ago` days ago, as the notices app would have recorded it."""
    Document.objects.create(
        case=case,
        kind=kind,
        title=DocumentKind(kind).label,
        template_name="",
        template_version="1.0",
        status=Document.Status.RENDERED,
        requested_at=timezone.now() - timedelta(days=days_ago),
        requested_by=samples.officer,
        recipients="Ms Jane Smith; Mr John Smith",
        context={},
    )


def _assessed(case, step: str, samples: Any) -> None:
    ProportionalityAssessment.objects.create(
        case=case,
        step=step,
        decision="proceed",
        assessed_on=samples.today,
        assessed_by=samples.manager,
        protected_characteristics="None disclosed.",
        vulnerabilities_considered="Anxiety (GP letter seen); adjustments: letters, not calls.",
        support_and_referrals="Money Advice; welfare benefits; DHP applied for and refused.",
        alternatives_tried="Three arrangements offered; a DWP deduction asked for.",
        impact_on_children="One child at the local primary school: the school and the family "
        "support team know.",
        reasons="No payment of any size since the order; every support offered has been "
        "refused; the arrears grow by the rent each week.",
    )


def build(samples: Any) -> None:
    today = samples.today
    officer, manager = samples.officer, samples.manager

    # A claim: from a served NOSP, the letter before claim and an approved court pack.
    claimed = samples.household("secure", names=("Ms Jane Smith", "Mr John Smith"))
    samples.history(claimed)
    nosp = samples.served(claimed)
    # Served six weeks ago, as the claim needs (the service records stand as written).
    nosp.served_on = nosp.deemed_served_on = today - timedelta(days=42)
    nosp.earliest_proceedings_date = today - timedelta(days=5)
    nosp.save(update_fields=["served_on", "deemed_served_on", "earliest_proceedings_date"])
    Contact.objects.create(
        case=claimed,
        channel="visit",
        direction="outbound",
        outcome="card_left",
        summary="Visited after the notice; card left.",
        contacted_on=today - timedelta(days=1),
        recorded_by=officer,
    )
    _past_letter(claimed, DocumentKind.PRE_ACTION_PROTOCOL, 20, samples)
    _assessed(claimed, "court", samples)
    CourtPack.objects.create(
        case=claimed,
        notice=nosp,
        status=CourtPack.Status.APPROVED,
        summary="No payment since the notice.",
        prepared_by=officer,
        decided_by=manager,
        decided_at=timezone.now(),
    )
    claim = claim_prepare(case=claimed, actor=officer, today=today)
    claim_issue(
        claim=claim,
        actor=officer,
        today=today,
        claim_number="K56EB1234",
        court_name="County Court at Eastbrook",
        issued_on=today,
        hearing_at=timezone.make_aware(datetime.combine(today + timedelta(days=35), time(10))),
    )

    # An eviction report: a suspended order whose terms were broken, a notice of default
    # and time to put it right.
    evicting = samples.household("secure", names=("Ms Jane Smith", "Mr John Smith"))
    samples.history(evicting)
    order = CourtCase.objects.create(
        case=evicting,
        claim_number="K12EB3456",
        court_name="County Court at Eastbrook",
        issued_on=today - timedelta(days=240),
        outcome="suspended",
        order_date=today - timedelta(days=200),
        balance_at_order=Decimal("1180.40"),
        terms_instalment=Decimal("5.00"),
        terms_frequency="weekly",
        costs_awarded=Decimal("404.00"),
    )
    Arrangement.objects.filter(case=evicting).update(state="cancelled")
    terms = Arrangement.objects.create(
        case=evicting,
        account=evicting.accounts.get(),
        kind="court_ordered",
        court_case=order,
        frequency="weekly",
        instalment=Decimal("5.00"),
        starts_on=today - timedelta(days=196),
        starting_balance=Decimal("1180.40"),
        state="broken",
    )
    ArrangementCheck.objects.create(
        arrangement=terms,
        state="broken",
        checked_on=today - timedelta(days=30),
        expected_paid=Decimal("3785.60"),
        actual_paid=Decimal("2640.00"),
    )
    _past_letter(evicting, DocumentKind.NOTICE_OF_DEFAULT, 25, samples)
    _assessed(evicting, "warrant", samples)
    warrant_request_prepare(
        court_case=order,
        actor=officer,
        today=today,
        checks=[key for key, _ in WarrantRequest.Check.choices],
        recommendation="The terms of the order have not been kept for seven months; the "
        "notice of default and two visits brought no payment or reply. Support and a DHP "
        "have been refused. I recommend we ask the court for a warrant.",
    )

    # The review decision letter: an introductory tenant asked for a review in time.
    introductory = samples.household("introductory", trial_period_end=today + timedelta(days=150))
    notice = samples.served(
        introductory,
        reasons="You have not paid your rent in full for three months and have not kept to "
        "the arrangement you made with us.",
    )
    reviewer = samples.user("sample.reviewer", "Rosa", "Reed", "manager", "Head of Housing")
    review = review_request(
        notice=notice,
        actor=officer,
        today=today,
        requested_on=today,
        grounds="I lost my job in September and I am waiting for Universal Credit. I can pay "
        "£15 a week from next month.",
    )
    review_schedule(
        review=review,
        actor=officer,
        today=today,
        scheduled_at=timezone.make_aware(datetime.combine(today + timedelta(days=7), time(14))),
        reviewer=reviewer,
    )
    review_decide(
        review=review,
        actor=reviewer,
        today=today,
        decision="confirmed",
        reasons="The arrears began before the job was lost and no payment has been made "
        "since the notice. The offer of £15 a week would not clear them within the tenancy's "
        "trial period. The decision to seek possession is confirmed.",
    )

    # A money claim for former tenancy arrears.
    former = samples.household("secure", weeks_unpaid=0)
    debt = Account.objects.create(
        reference="9FTA0001",
        case=former,
        tenancy=former.tenancy,
        kind="former_tenancy_arrears",
        rent_lawfully_due=False,
        opened_on=today - timedelta(days=400),
        balance=Decimal("0.00"),
    )
    samples.charge(
        debt, Decimal("1385.60"), today - timedelta(days=400), "Arrears at the end of the tenancy"
    )
    money_claim_prepare(
        account=debt,
        actor=officer,
        today=today,
        steps_taken="Final account letter when the tenancy ended; two reminders; traced to a new "
        "address in March; a letter before claim under the Pre-Action Protocol for Debt Claims "
        "with the reply form, unanswered after 30 days.",
    )
