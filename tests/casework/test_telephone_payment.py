"""A card payment taken by telephone: it posts to the ledger once, and only once."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import CaseEvent
from payments.models import Transaction, TransactionSource
from payments.selectors import accounts_out_of_balance
from payments.services import telephone_payment_take
from tests.casework.conftest import TODAY, rent_account

pytestmark = pytest.mark.django_db


def _pay(client, case, amount="50.00", reference="AUTH-123456", **extra):
    data = {
        "account": rent_account(case).pk,
        "amount": amount,
        "card_reference": reference,
        **extra,
    }
    return client.post(reverse("payment_take", args=[case.pk]), data)


def test_telephone_payment_posts_to_the_ledger_and_the_timeline(client, team, alices_case, today):
    client.force_login(team.alice)

    response = _pay(client, alices_case)

    assert response.status_code == 302
    assert response.url == reverse("case_statement", args=[alices_case.pk])
    account = rent_account(alices_case)
    assert account.balance == Decimal("400.00")
    line = Transaction.objects.get(source=TransactionSource.TELEPHONE)
    assert (line.amount, line.method, line.source_reference, line.effective_date) == (
        Decimal("-50.00"),
        "telephone_card",
        "AUTH-123456",
        TODAY,
    )
    assert line.created_by == team.alice
    event = CaseEvent.objects.get(case=alices_case, verb="payment_taken")
    assert event.actor == team.alice
    assert event.payload["amount"] == "50.00"
    assert event.payload["reference"] == "AUTH-123456"
    assert not accounts_out_of_balance().exists()


def test_telephone_payment_moves_the_case_figures_until_the_nightly_run(team, alices_case):
    telephone_payment_take(
        account=rent_account(alices_case),
        amount=Decimal("150.00"),
        card_reference="auth-1",
        actor=team.alice,
        today=TODAY,
    )

    alices_case.refresh_from_db()
    assert alices_case.balance == Decimal("300.00")
    assert alices_case.rent_arrears == Decimal("300.00")
    assert alices_case.weeks_in_arrears == Decimal("3.0")
    assert alices_case.last_payment_on == TODAY


def test_the_same_card_reference_is_never_posted_twice(client, team, alices_case, today):
    client.force_login(team.alice)
    _pay(client, alices_case, amount="50.00")

    response = _pay(client, alices_case, amount="20.00")

    assert response.status_code == 400
    assert "has already been posted" in " ".join(response.context["form"].errors["card_reference"])
    assert Transaction.objects.filter(source=TransactionSource.TELEPHONE).count() == 1
    assert rent_account(alices_case).balance == Decimal("400.00")


def test_a_second_payment_of_the_same_amount_today_needs_confirming(
    client, team, alices_case, today
):
    client.force_login(team.alice)
    _pay(client, alices_case, amount="50.00", reference="AUTH-1")

    refused = _pay(client, alices_case, amount="50.00", reference="AUTH-2")

    assert refused.status_code == 400
    assert "already taken on" in " ".join(refused.context["form"].non_field_errors())
    assert b"This is a second payment of the same amount today" in refused.content
    assert Transaction.objects.filter(source=TransactionSource.TELEPHONE).count() == 1

    confirmed = _pay(
        client, alices_case, amount="50.00", reference="AUTH-2", confirm_second_payment="on"
    )

    assert confirmed.status_code == 302
    assert Transaction.objects.filter(source=TransactionSource.TELEPHONE).count() == 2
    assert rent_account(alices_case).balance == Decimal("350.00")


@pytest.mark.parametrize(
    ("amount", "reference", "field", "message"),
    [
        ("", "AUTH-1", "amount", "Enter the amount"),
        ("0", "AUTH-1", "amount", "more than £0"),
        ("-5", "AUTH-1", "amount", "more than £0"),
        ("12.345", "AUTH-1", "amount", "whole pence"),
        ("ten pounds", "AUTH-1", "amount", "pounds and pence"),
        ("200000", "AUTH-1", "amount", "no more than"),
        ("50", "", "card_reference", "Enter the card payment reference"),
        ("50", "a b", "card_reference", "4 to 40 letters"),
    ],
)
def test_a_payment_with_a_problem_is_refused_and_nothing_is_posted(
    client, team, alices_case, today, amount, reference, field, message
):
    client.force_login(team.alice)

    response = _pay(client, alices_case, amount=amount, reference=reference)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Transaction.objects.filter(source=TransactionSource.TELEPHONE).exists()
    assert not CaseEvent.objects.filter(verb="payment_taken").exists()


def test_a_float_amount_is_refused_by_the_service(team, alices_case):
    with pytest.raises(ValidationError):
        telephone_payment_take(
            account=rent_account(alices_case),
            amount=50.0,
            card_reference="AUTH-1",
            actor=team.alice,
            today=TODAY,
        )
    assert not Transaction.objects.filter(source=TransactionSource.TELEPHONE).exists()
