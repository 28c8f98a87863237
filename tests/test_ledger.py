"""The ledger: postings refuse bad input, write nothing partial, and keep the balance true."""

import threading
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.db.utils import IntegrityError

from cases.models import CaseEvent
from payments.models import Account, PaymentMethod, Transaction, TransactionKind, TransactionSource
from payments.selectors import accounts_out_of_balance
from payments.services import (
    adjustment_post,
    charge_post,
    payment_post,
    reversal_post,
    write_off_post,
)
from tests.factories import AccountFactory, UserFactory

TODAY = date(2026, 11, 23)
pytestmark = pytest.mark.django_db


@pytest.fixture
def account() -> Account:
    return AccountFactory()


@pytest.fixture
def officer():
    return UserFactory(username="officer", role="officer")


def _charge(account, amount="100.00", ref="rent-2026-11-23", day=TODAY):
    return charge_post(
        account=account,
        amount=Decimal(amount),
        effective_date=day,
        source_reference=ref,
        description="Rent",
        today=TODAY,
    )


def _pay(account, amount="40.00", ref="pay-1", day=TODAY, actor=None, kind=TransactionKind.PAYMENT):
    return payment_post(
        account=account,
        amount=Decimal(amount),
        effective_date=day,
        method=PaymentMethod.TELEPHONE_CARD,
        source=TransactionSource.TELEPHONE,
        source_reference=ref,
        today=TODAY,
        actor=actor,
        kind=kind,
    )


def _nothing_written(account: Account, *, lines: int = 0, balance: str = "0.00") -> None:
    account.refresh_from_db()
    assert Transaction.objects.filter(account=account).count() == lines
    assert account.balance == Decimal(balance)


def test_charge_raises_the_balance_and_a_payment_lowers_it(account):
    _charge(account)
    _pay(account, "40.00")

    account.refresh_from_db()
    assert account.balance == Decimal("60.00")
    amounts = list(Transaction.objects.filter(account=account).values_list("amount", flat=True))
    assert amounts == [Decimal("100.00"), Decimal("-40.00")]


def test_payment_records_the_last_payment_date_and_amount(account):
    _pay(account, "25.50", day=date(2026, 11, 20))

    account.refresh_from_db()
    assert account.last_payment_on == date(2026, 11, 20)
    assert account.last_payment_amount == Decimal("25.50")


def test_backdated_payment_does_not_replace_a_later_last_payment(account):
    _pay(account, "30.00", ref="later", day=date(2026, 11, 20))
    _pay(account, "10.00", ref="earlier", day=date(2026, 11, 2))

    account.refresh_from_db()
    assert account.last_payment_on == date(2026, 11, 20)
    assert account.last_payment_amount == Decimal("30.00")


@pytest.mark.parametrize(
    "amount, message",
    [
        (Decimal("0.00"), "must not be zero"),
        (Decimal("-5.00"), "more than zero"),
        (Decimal("12.345"), "whole pence"),
        (12.5, "pounds and pence"),
        ("12.50", "pounds and pence"),
        (Decimal("100000.01"), "no more than £100,000.00"),
    ],
)
def test_payment_with_a_bad_amount_is_refused_and_writes_nothing(account, amount, message):
    with pytest.raises(ValidationError, match=message):
        payment_post(
            account=account,
            amount=amount,
            effective_date=TODAY,
            method=PaymentMethod.CASH,
            source=TransactionSource.TELEPHONE,
            source_reference="bad-amount",
            today=TODAY,
        )

    _nothing_written(account)


def test_payment_dated_in_the_future_is_refused(account):
    with pytest.raises(ValidationError, match="must not be in the future"):
        _pay(account, day=date(2026, 11, 24))

    _nothing_written(account)


def test_posting_to_a_closed_account_is_refused(account):
    Account.objects.filter(pk=account.pk).update(status=Account.Status.CLOSED)

    with pytest.raises(ValidationError, match="is closed"):
        _pay(account)

    _nothing_written(account)


def test_repeated_source_reference_is_refused(account):
    _pay(account, "40.00", ref="CARD-778812")

    with pytest.raises(ValidationError, match="CARD-778812 has already been posted"):
        _pay(account, "40.00", ref="CARD-778812")

    _nothing_written(account, lines=1, balance="-40.00")


def test_same_reference_from_another_source_is_a_different_line(account):
    _pay(account, "40.00", ref="778812")
    payment_post(
        account=account,
        amount=Decimal("12.00"),
        effective_date=TODAY,
        method=PaymentMethod.PAYPOINT,
        source=TransactionSource.PAYMENT_FILE,
        source_reference="778812",
        today=TODAY,
    )

    account.refresh_from_db()
    assert account.balance == Decimal("-52.00")


def test_refused_posting_inside_a_larger_transaction_leaves_the_earlier_posting_alone(account):
    with transaction.atomic():
        _pay(account, "40.00", ref="first")
        with pytest.raises(ValidationError):
            _pay(account, "40.00", ref="first")

    _nothing_written(account, lines=1, balance="-40.00")


def test_telephone_payment_taken_by_an_officer_is_on_the_case_timeline(account, officer):
    line = _pay(account, "40.00", ref="CARD-1", actor=officer)

    event = CaseEvent.objects.get(case=account.case)
    assert event.verb == "payment_taken"
    assert event.actor == officer
    assert event.payload["amount"] == "40.00"
    assert event.payload["transaction_id"] == line.pk
    assert event.payload["balance_after"] == "-40.00"


def test_benefit_credit_counts_as_a_payment_received(account):
    _pay(account, "75.00", kind=TransactionKind.HOUSING_BENEFIT)

    account.refresh_from_db()
    assert account.balance == Decimal("-75.00")
    assert account.last_payment_amount == Decimal("75.00")


def test_a_charge_cannot_be_posted_as_a_payment(account):
    with pytest.raises(ValidationError, match="not a kind of payment"):
        _pay(account, kind=TransactionKind.CHARGE)

    _nothing_written(account)


def test_reversal_undoes_a_bounced_payment_with_a_new_line(account, officer):
    _charge(account)
    payment = _pay(account, "100.00", ref="DD-1", day=date(2026, 11, 20))

    reversal = reversal_post(
        original=payment, reason="Direct debit returned unpaid", today=TODAY, actor=officer
    )

    account.refresh_from_db()
    assert account.balance == Decimal("100.00")
    assert reversal.amount == Decimal("100.00")
    assert reversal.reverses == payment
    assert Transaction.objects.filter(account=account).count() == 3
    assert account.last_payment_on is None
    assert CaseEvent.objects.filter(case=account.case, verb="ledger_reversed").count() == 1


def test_a_line_can_be_reversed_only_once(account, officer):
    payment = _pay(account, "100.00")
    reversal_post(original=payment, reason="Bounced", today=TODAY, actor=officer)

    with pytest.raises(ValidationError, match="already been reversed"):
        reversal_post(original=payment, reason="Bounced again", today=TODAY, actor=officer)

    _nothing_written(account, lines=2, balance="0.00")


def test_a_reversal_cannot_itself_be_reversed(account, officer):
    reversal = reversal_post(original=_pay(account), reason="Bounced", today=TODAY, actor=officer)

    with pytest.raises(ValidationError, match="cannot itself be reversed"):
        reversal_post(original=reversal, reason="Oops", today=TODAY, actor=officer)


def test_adjustment_needs_a_reason_and_may_be_negative(account, officer):
    with pytest.raises(ValidationError, match="reason"):
        adjustment_post(
            account=account,
            amount=Decimal("-10.00"),
            effective_date=TODAY,
            reason=" ",
            source_reference="ADJ-1",
            today=TODAY,
            actor=officer,
        )
    _nothing_written(account)

    adjustment_post(
        account=account,
        amount=Decimal("-10.00"),
        effective_date=TODAY,
        reason="Rent charged twice in week 34",
        source_reference="ADJ-1",
        today=TODAY,
        actor=officer,
    )
    account.refresh_from_db()
    assert account.balance == Decimal("-10.00")
    event = CaseEvent.objects.get(case=account.case, verb="ledger_adjusted")
    assert event.payload["reason"] == "Rent charged twice in week 34"


def test_write_off_cannot_exceed_what_is_owed(account, officer):
    _charge(account, "80.00")

    with pytest.raises(ValidationError, match=r"Only the £80\.00 owed"):
        write_off_post(
            account=account,
            amount=Decimal("80.01"),
            reason="Deceased, no estate",
            source_reference="WO-1",
            today=TODAY,
            actor=officer,
        )
    _nothing_written(account, lines=1, balance="80.00")

    write_off_post(
        account=account,
        amount=Decimal("80.00"),
        reason="Deceased, no estate",
        source_reference="WO-1",
        today=TODAY,
        actor=officer,
    )
    account.refresh_from_db()
    assert account.balance == Decimal("0.00")


def test_ledger_lines_cannot_be_edited_or_deleted_through_django(account):
    line = _charge(account)

    line.amount = Decimal("1.00")
    with pytest.raises(ValidationError, match="append-only"):
        line.save()
    with pytest.raises(ValidationError, match="append-only"):
        line.delete()


@pytest.mark.postgres
def test_database_refuses_to_update_or_delete_a_ledger_line(account):
    line = _charge(account)

    for statement in (
        "UPDATE payments_transaction SET amount = 1 WHERE id = %s",
        "DELETE FROM payments_transaction WHERE id = %s",
    ):
        with pytest.raises(IntegrityError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, [line.pk])

    assert Transaction.objects.get(pk=line.pk).amount == Decimal("100.00")


def test_balance_equals_the_ledger_after_a_mix_of_postings(account, officer):
    with time_machine.travel(TODAY):
        for week in range(1, 9):
            _charge(account, "97.43", ref=f"rent-{week}")
        payment = _pay(account, "300.00", ref="p1")
        _pay(account, "150.00", ref="hb1", kind=TransactionKind.HOUSING_BENEFIT)
        reversal_post(original=payment, reason="Card chargeback", today=TODAY, actor=officer)
        adjustment_post(
            account=account,
            amount=Decimal("-12.34"),
            effective_date=TODAY,
            reason="Goodwill",
            source_reference="adj",
            today=TODAY,
            actor=officer,
        )
        write_off_post(
            account=account,
            amount=Decimal("20.00"),
            reason="Small balance",
            source_reference="wo",
            today=TODAY,
            actor=officer,
        )

    account.refresh_from_db()
    ledger_total = sum(Transaction.objects.filter(account=account).values_list("amount", flat=True))
    assert account.balance == ledger_total == Decimal("597.10")
    assert not accounts_out_of_balance().exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_postings_to_one_account_keep_the_balance_equal_to_the_ledger():
    account = AccountFactory()
    threads = 8
    per_thread = 15
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def post_many(worker: int) -> None:
        try:
            barrier.wait()
            for n in range(per_thread):
                if n % 3 == 0:
                    _charge(account, "10.01", ref=f"c-{worker}-{n}")
                else:
                    _pay(account, "3.33", ref=f"p-{worker}-{n}")
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=post_many, args=(w,)) for w in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    account.refresh_from_db()
    lines = Transaction.objects.filter(account=account)
    assert lines.count() == threads * per_thread
    charges, payments = threads * 5, threads * 10
    assert account.balance == sum(lines.values_list("amount", flat=True))
    assert account.balance == charges * Decimal("10.01") - payments * Decimal("3.33")


@pytest.mark.postgres
def test_ledger_reads_by_account_use_the_covering_index_alone():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'payments_transaction' "
            "AND indexdef LIKE '%%(account_id%%'"
        )
        definitions = [row[0] for row in cursor.fetchall()]

    # One index leads with the account, and it carries what the nightly figures read.
    assert len(definitions) == 1
    assert "(account_id, effective_date) INCLUDE (kind, amount)" in definitions[0]


def test_database_refuses_a_second_reversal_of_the_same_line(account, officer):
    """Two officers reversing one bounced payment at the same moment both pass the
    service's check; the ledger's own partial unique index refuses the second line."""
    payment = _pay(account, "100.00")
    reversal_post(original=payment, reason="Bounced", today=TODAY, actor=officer)

    with pytest.raises(IntegrityError), transaction.atomic():
        Transaction.objects.create(
            account=account,
            kind=TransactionKind.REVERSAL,
            effective_date=TODAY,
            amount=Decimal("100.00"),
            source=TransactionSource.OFFICER,
            source_reference="second-reversal",
            reverses=payment,
        )

    assert Transaction.objects.filter(reverses=payment).count() == 1


@pytest.mark.postgres
def test_ledger_indexes_its_reversal_and_author_links_only_where_a_line_has_one():
    # Nearly every line has neither; a full index would hold an entry (and take a write)
    # for each empty one.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'payments_transaction' "
            "AND (indexdef LIKE '%%(reverses_id)%%' OR indexdef LIKE '%%(created_by_id)%%')"
        )
        definitions = sorted(row[0] for row in cursor.fetchall())

    assert len(definitions) == 2
    assert "UNIQUE INDEX ledger_reversed_once" in definitions[1]
    assert "WHERE (reverses_id IS NOT NULL)" in definitions[1]
    assert "INDEX ledger_created_by" in definitions[0]
    assert "WHERE (created_by_id IS NOT NULL)" in definitions[0]
