"""Suspense allocation: one person asks, another approves; it lands once, in the timeline."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from cases.models import CaseEvent, Hold, Referral
from cases.services.support import referral_make
from core.models import Role
from payments.imports.selectors import suspense_items_open
from payments.imports.services import payment_file_import
from payments.imports.suspense import (
    allocation_needs_a_second_person,
    suspense_allocation_approve,
    suspense_allocation_reject,
    suspense_allocation_request,
)
from payments.models import (
    Account,
    SuspenseItem,
    SuspenseRejection,
    Transaction,
    TransactionKind,
)
from payments.selectors import accounts_out_of_balance
from tests.factories import AccountFactory, UserFactory

TODAY = date(2026, 11, 23)
FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


@pytest.fixture
def item() -> SuspenseItem:
    payment_file_import(
        content=(FIXTURES / "uc_good.csv").read_bytes(),
        filename="uc_good.csv",
        format_name="universal_credit",
        today=TODAY,
    )
    return SuspenseItem.objects.get(amount=Decimal("300.50"))


@pytest.fixture
def account() -> Account:
    return AccountFactory(reference="8888888881")


@pytest.fixture
def fiona():
    return UserFactory(username="fiona", role=Role.FINANCE)


@pytest.fixture
def frank():
    return UserFactory(username="frank", role=Role.FINANCE)


def test_the_person_who_asks_cannot_approve():
    assert allocation_needs_a_second_person(requested_by_id=1, approver_id=1)
    assert not allocation_needs_a_second_person(requested_by_id=1, approver_id=2)


def test_allocation_asked_by_one_and_approved_by_another_posts_to_the_account(
    item, account, fiona, frank
):
    suspense_allocation_request(item=item, account=account, reason="Claimant moved", actor=fiona)
    assert Transaction.objects.filter(account=account).count() == 0

    done = suspense_allocation_approve(item=item, actor=frank, today=TODAY)

    assert done.status == SuspenseItem.Status.ALLOCATED
    line = done.transaction
    assert (line.account, line.amount) == (account, Decimal("-300.50"))
    assert line.kind == TransactionKind.UNIVERSAL_CREDIT
    assert Account.objects.get(pk=account.pk).balance == Decimal("-300.50")
    assert item not in suspense_items_open()
    assert not accounts_out_of_balance().exists()
    verbs = list(
        CaseEvent.objects.filter(case=account.case).order_by("id").values_list("verb", "actor")
    )
    assert verbs == [
        ("suspense_allocation_requested", fiona.pk),
        ("suspense_allocated", frank.pk),
    ]


def test_allocation_cannot_be_approved_by_the_person_who_asked(item, account, fiona):
    suspense_allocation_request(item=item, account=account, reason="Claimant moved", actor=fiona)

    with pytest.raises(ValidationError, match="someone else must approve"):
        suspense_allocation_approve(item=item, actor=fiona, today=TODAY)
    assert not Transaction.objects.filter(account=account).exists()
    assert SuspenseItem.objects.get(pk=item.pk).status == SuspenseItem.Status.AWAITING_APPROVAL


def test_allocated_item_cannot_be_allocated_or_approved_again(item, account, fiona, frank):
    suspense_allocation_request(item=item, account=account, reason="Claimant moved", actor=fiona)
    suspense_allocation_approve(item=item, actor=frank, today=TODAY)

    with pytest.raises(ValidationError):
        suspense_allocation_approve(item=item, actor=frank, today=TODAY)
    with pytest.raises(ValidationError):
        suspense_allocation_request(item=item, account=account, reason="Again", actor=fiona)
    assert Transaction.objects.filter(account=account).count() == 1


def test_allocation_to_a_closed_account_is_refused(item, fiona):
    closed = AccountFactory(status=Account.Status.CLOSED)

    with pytest.raises(ValidationError, match="closed"):
        suspense_allocation_request(item=item, account=closed, reason="x", actor=fiona)
    assert SuspenseItem.objects.get(pk=item.pk).status == SuspenseItem.Status.OPEN


def test_second_person_refuses_an_allocation_with_a_reason_and_it_is_back_in_the_queue(
    item, account, fiona, frank
):
    suspense_allocation_request(item=item, account=account, reason="Same surname", actor=fiona)

    back = suspense_allocation_reject(item=item, actor=frank, reason="Different claimant")

    assert back.status == SuspenseItem.Status.OPEN
    assert (back.account, back.requested_by, back.reason) == (None, None, "")
    assert item in suspense_items_open()
    assert not Transaction.objects.filter(account=account).exists()
    refused = SuspenseRejection.objects.get(item=item)
    assert (refused.account, refused.requested_by, refused.rejected_by) == (account, fiona, frank)
    assert (refused.request_reason, refused.reason) == ("Same surname", "Different claimant")
    event = CaseEvent.objects.filter(case=account.case).order_by("id").last()
    assert (event.verb, event.actor) == ("suspense_allocation_refused", frank)
    assert "Different claimant" in event.payload["refused_because"]


def test_a_refused_item_can_be_asked_for_again_and_then_allocated(item, account, fiona, frank):
    suspense_allocation_request(item=item, account=account, reason="Same surname", actor=fiona)
    suspense_allocation_reject(item=item, actor=frank, reason="Different claimant")
    right = AccountFactory(reference="8888888882")

    suspense_allocation_request(item=item, account=right, reason="DWP confirmed", actor=fiona)
    suspense_allocation_approve(item=item, actor=frank, today=TODAY)

    assert Account.objects.get(pk=right.pk).balance == Decimal("-300.50")
    assert Account.objects.get(pk=account.pk).balance == Decimal("0.00")


def test_refusing_needs_a_reason(item, account, fiona, frank):
    suspense_allocation_request(item=item, account=account, reason="Same surname", actor=fiona)

    with pytest.raises(ValidationError, match="why the allocation is refused"):
        suspense_allocation_reject(item=item, actor=frank, reason="  ")
    assert SuspenseItem.objects.get(pk=item.pk).status == SuspenseItem.Status.AWAITING_APPROVAL
    assert not SuspenseRejection.objects.exists()


def test_the_person_who_asked_cannot_refuse_their_own_allocation(item, account, fiona):
    suspense_allocation_request(item=item, account=account, reason="Same surname", actor=fiona)

    with pytest.raises(ValidationError, match="someone else must decide"):
        suspense_allocation_reject(item=item, actor=fiona, reason="Changed my mind")
    assert SuspenseItem.objects.get(pk=item.pk).status == SuspenseItem.Status.AWAITING_APPROVAL


def test_only_an_allocation_awaiting_approval_can_be_refused(item, frank):
    with pytest.raises(ValidationError, match="awaiting approval"):
        suspense_allocation_reject(item=item, actor=frank, reason="No")
    assert not SuspenseRejection.objects.exists()


def _managed_payment_requested(account: Account, officer) -> Referral:
    """An officer has asked DWP to pay the housing costs to us: a pending request."""
    return referral_make(
        case=account.case,
        actor=officer,
        kind=Referral.Kind.MANAGED_PAYMENT,
        referred_to="DWP landlord portal",
        notes="",
        today=date(2026, 10, 1),
    )


def test_a_universal_credit_line_allocated_from_suspense_clears_the_pending_managed_payment_hold(
    item, account, fiona, frank
):
    referral = _managed_payment_requested(account, fiona)
    suspense_allocation_request(item=item, account=account, reason="Claimant moved", actor=fiona)
    assert Referral.objects.get(pk=referral.pk).outcome == Referral.Outcome.PENDING

    suspense_allocation_approve(item=item, actor=frank, today=TODAY)

    referral.refresh_from_db()
    assert (referral.outcome, referral.outcome_on) == (Referral.Outcome.APPROVED, TODAY)
    assert "uc_good.csv, line 3" in referral.outcome_notes
    assert referral.outcome_notes.endswith("allocated from suspense")
    assert not Hold.objects.get(pk=referral.hold_id).is_active_on(TODAY)


def test_a_cash_line_allocated_from_suspense_leaves_a_managed_payment_request_pending(
    account, fiona, frank
):
    payment_file_import(
        content=(FIXTURES / "cash_good.txt").read_bytes(),
        filename="cash_good.txt",
        format_name="hackney_cash",
        today=TODAY,
    )
    cash = SuspenseItem.objects.first()
    referral = _managed_payment_requested(account, fiona)
    suspense_allocation_request(item=cash, account=account, reason="Wrong reference", actor=fiona)

    suspense_allocation_approve(item=cash, actor=frank, today=TODAY)

    assert Referral.objects.get(pk=referral.pk).outcome == Referral.Outcome.PENDING
