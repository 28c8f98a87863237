"""reconcile_balances proves each running balance equals its ledger, and finds one that does not."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from payments.models import Account, PaymentMethod, TransactionSource
from payments.services import charge_post, payment_post
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)


def _post_some(account: Account) -> None:
    charge_post(
        account=account,
        amount=Decimal("95.50"),
        effective_date=TODAY,
        source_reference=f"r-{account.pk}",
        description="Rent",
        today=TODAY,
    )
    payment_post(
        account=account,
        amount=Decimal("40.25"),
        effective_date=TODAY,
        method=PaymentMethod.CASH,
        source=TransactionSource.PAYMENT_FILE,
        source_reference=f"p-{account.pk}",
        today=TODAY,
    )


def test_reconcile_reports_all_balances_agree():
    for _ in range(3):
        _post_some(AccountFactory())
    out = StringIO()

    call_command("reconcile_balances", stdout=out)

    assert "All 3 account balances equal their ledgers (6 lines)" in out.getvalue()


def test_reconcile_finds_a_deliberately_broken_balance():
    good, broken = AccountFactory(), AccountFactory(reference="00099999")
    _post_some(good)
    _post_some(broken)
    # Someone "fixes" a balance by hand, bypassing the ledger.
    Account.objects.filter(pk=broken.pk).update(balance=Decimal("60.25"))
    out = StringIO()

    with pytest.raises(CommandError, match="1 of 2 accounts do not match"):
        call_command("reconcile_balances", stdout=out)

    report = out.getvalue()
    assert "00099999: balance £60.25 but ledger totals £55.25 (difference £5.00)" in report
    assert good.reference not in report


def test_account_with_no_ledger_and_a_balance_is_reported():
    AccountFactory(reference="00012345", balance=Decimal("10.00"))
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("reconcile_balances", stdout=out)
    assert "00012345: balance £10.00 but ledger totals £0.00" in out.getvalue()
